import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';

/**
 * Cargo workspaces of varied shape, with path dependencies only (so cargo can read them
 * offline): glob members and `exclude`, an implicit member reached only by a path
 * dependency, `[workspace.dependencies]` inheritance, renamed, dev, build and
 * target-specific dependencies, a dev-only cycle, a nested workspace and a standalone
 * crate. Deterministic for a given seed.
 */
export interface SyntheticOptions {
  crates: number;
  seed?: number;
  /** Fraction of crates that are services (binaries). */
  services?: number;
}

export interface SyntheticWorkspace {
  /** Folders (relative) that hold a Cargo workspace root or a standalone crate. */
  cargoRoots: string[];
  crateDirs: string[];
}

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

function write(root: string, file: string, content: string): void {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), content);
}

interface Dep {
  key: string;
  spec: string;
}

function crateManifest(name: string, sections: Record<string, Dep[]>, bin: boolean): string {
  let out = `[package]\nname = "${name}"\nversion = "0.1.0"\nedition = "2021"\npublish = false\n`;
  if (bin) out += `\n[[bin]]\nname = "${name}"\npath = "src/main.rs"\n`;
  for (const [section, deps] of Object.entries(sections)) {
    if (!deps.length) continue;
    out += `\n[${section}]\n${deps.map((d) => `${d.key} = ${d.spec}`).join('\n')}\n`;
  }
  return out;
}

export function writeSyntheticWorkspace(root: string, options: SyntheticOptions): SyntheticWorkspace {
  const rand = random(options.seed ?? 42);
  const n = Math.max(options.crates, 8);
  const serviceShare = options.services ?? 0.2;
  const dirs: string[] = [];
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const service = i >= n * (1 - serviceShare);
    names.push(service ? `svc-${i}` : `lib-${i}`);
    dirs.push(service ? `services/svc-${i}` : i % 7 === 3 ? `libs/group-${i % 3}/lib-${i}` : `crates/lib-${i}`);
  }
  // lib-1 is reached only through a path dependency: an implicit member.
  dirs[1] = 'extra/lib-1';
  // lib-2 is inherited through [workspace.dependencies].
  const inherited = 2;

  const sections = dirs.map(() => ({ dependencies: [] as Dep[], 'dev-dependencies': [] as Dep[], 'build-dependencies': [] as Dep[], "target.'cfg(unix)'.dependencies": [] as Dep[] }));
  const rel = (from: number, to: number) => posix.relative(dirs[from], dirs[to]);
  // Services depend on libraries (one on another service too: Cargo ignores a dependency
  // on a crate without a library, with a warning).
  const firstService = names.findIndex((name) => name.startsWith('svc-'));
  for (let i = 3; i < n; i++) {
    const count = 1 + Math.floor(rand() * 3);
    const used = new Set<number>();
    for (let k = 0; k < count; k++) {
      const j = Math.floor(rand() * (firstService > 0 ? Math.min(i, firstService) : i));
      if (used.has(j)) continue;
      used.add(j);
      const roll = rand();
      if (j === inherited) {
        sections[i].dependencies.push({ key: names[j], spec: '{ workspace = true }' });
      } else if (roll < 0.6) {
        sections[i].dependencies.push({ key: names[j], spec: `{ path = "${rel(i, j)}" }` });
      } else if (roll < 0.75) {
        sections[i]['dev-dependencies'].push({ key: names[j], spec: `{ path = "${rel(i, j)}" }` });
      } else if (roll < 0.85) {
        sections[i]['build-dependencies'].push({ key: names[j], spec: `{ path = "${rel(i, j)}" }` });
      } else if (roll < 0.93) {
        sections[i]["target.'cfg(unix)'.dependencies"].push({ key: names[j], spec: `{ path = "${rel(i, j)}" }` });
      } else {
        sections[i].dependencies.push({ key: `alias_${j}`, spec: `{ path = "${rel(i, j)}", package = "${names[j]}" }` });
      }
    }
  }
  // Every crate reaches lib-1 at least once, so the implicit member is always reached.
  const mentions = (i: number, key: string) => Object.values(sections[i]).some((deps) => deps.some((d) => d.key === key));
  if (!mentions(3, names[1])) sections[3].dependencies.push({ key: names[1], spec: `{ path = "${rel(3, 1)}" }` });
  if (firstService > 0 && firstService + 1 < n) {
    sections[firstService + 1].dependencies.push({ key: names[firstService], spec: `{ path = "${rel(firstService + 1, firstService)}" }` });
  }
  // A dev-only cycle, which Cargo allows: lib-4 dev-depends on a crate that depends on it.
  const cyclic = Math.min(n - 1, 5);
  if (!mentions(cyclic, names[4])) sections[cyclic].dependencies.push({ key: names[4], spec: `{ path = "${rel(cyclic, 4)}" }` });
  if (!mentions(4, names[cyclic])) sections[4]['dev-dependencies'].push({ key: names[cyclic], spec: `{ path = "${rel(4, cyclic)}" }` });

  for (let i = 0; i < n; i++) {
    const bin = names[i].startsWith('svc-');
    write(root, `${dirs[i]}/Cargo.toml`, crateManifest(names[i], sections[i], bin));
    write(root, `${dirs[i]}/src/${bin ? 'main' : 'lib'}.rs`, bin ? 'fn main() {}\n' : '');
  }
  write(
    root,
    'Cargo.toml',
    `# synthetic workspace\n[workspace]\nresolver = "2"\nmembers = ["crates/*", "services/*", "libs/**/lib-*"]\nexclude = ["nested", "tools"]\n\n[workspace.dependencies]\n${names[inherited]} = { path = "${dirs[inherited]}" }\n`,
  );

  // A nested workspace of its own, and a standalone crate, both excluded from the root.
  write(root, 'nested/Cargo.toml', '[workspace]\nresolver = "2"\nmembers = ["a", "b"]\n');
  write(root, 'nested/a/Cargo.toml', crateManifest('nested-a', { dependencies: [{ key: 'nested-b', spec: '{ path = "../b" }' }] }, false));
  write(root, 'nested/a/src/lib.rs', '');
  write(root, 'nested/b/Cargo.toml', crateManifest('nested-b', {}, false));
  write(root, 'nested/b/src/lib.rs', '');
  write(root, 'tools/standalone/Cargo.toml', crateManifest('standalone', { dependencies: [] }, true));
  write(root, 'tools/standalone/src/main.rs', 'fn main() {}\n');

  return {
    cargoRoots: ['.', 'nested', 'tools/standalone'],
    crateDirs: [...dirs, 'nested/a', 'nested/b', 'tools/standalone'],
  };
}

/**
 * The shapes Cargo allows that random workspaces never produce, each written the way
 * real projects write them (versions of registry crates pinned, so the resolve never
 * changes; they come from crates.io):
 * - a root package that is also the workspace root, with `default-members`;
 * - `[patch.crates-io]` to a local crate (excluded from the workspace): used directly, by
 *   a target-specific dependency, and only through a registry crate (`serde_json` uses
 *   `itoa`), as a normal and as a dev-dependency;
 * - `[replace]` in a nested workspace, used directly and through a registry crate;
 * - a crate that dev-depends on itself (`{ path = "." }` with a test feature);
 * - a cargo-fuzz crate inside a member's folder, a workspace of its own depending on `..`;
 * - TOML 1.0 and 1.1 that `@iarna/toml` cannot read: a mixed-type array, an inline table
 *   over several lines, the `\e` escape.
 */
export function writeFidelityWorkspace(root: string): SyntheticWorkspace {
  const manifest = (name: string, body: string, version = '0.1.0') =>
    `[package]\nname = "${name}"\nversion = "${version}"\nedition = "2021"\npublish = false\n${body ? `\n${body}\n` : ''}`;
  const files: Record<string, string> = {
    'Cargo.toml': [
      manifest('app-root', '[dependencies]\ncore = { path = "crates/core" }'),
      '[workspace]',
      'resolver = "2"',
      'members = ["crates/*", "services/*"]',
      'default-members = ["services/api"]',
      'exclude = ["forks", "replaced"]',
      '',
      '[patch.crates-io]',
      'itoa = { path = "forks/itoa" }',
      '',
    ].join('\n'),
    'src/main.rs': 'fn main() {}\n',
    'crates/core/Cargo.toml': manifest('core', '[dependencies]\nutil = {\n  path = "../util",\n}\n\n[package.metadata.ci]\nmatrix = ["stable", 1, { os = "linux" }]'),
    'crates/core/src/lib.rs': '',
    'crates/util/Cargo.toml': manifest('util', '[features]\ntesting = []\n\n[dev-dependencies]\nutil = { path = ".", features = ["testing"] }').replace('publish = false', 'publish = false\ndescription = "colours: \\e[1mbold\\e[0m"'),
    'crates/util/src/lib.rs': '',
    'crates/app/Cargo.toml': manifest('app', '[dependencies]\ncore = { path = "../core" }'),
    'crates/app/src/lib.rs': '',
    // As `cargo fuzz init` writes it.
    'crates/app/fuzz/Cargo.toml': [
      manifest('app-fuzz', '[package.metadata]\ncargo-fuzz = true\n\n[dependencies.app]\npath = ".."', '0.0.0'),
      '[workspace]',
      'members = ["."]',
      '',
      '[[bin]]',
      'name = "fuzz_target_1"',
      'path = "fuzz_targets/fuzz_target_1.rs"',
      'test = false',
      'doc = false',
      'bench = false',
      '',
    ].join('\n'),
    'crates/app/fuzz/fuzz_targets/fuzz_target_1.rs': 'fn main() {}\n',
    'services/api/Cargo.toml': manifest('api', '[dependencies]\ncore = { path = "../../crates/core" }\nitoa = "1"\nserde_json = "=1.0.154"'),
    'services/api/src/main.rs': 'fn main() {}\n',
    'services/worker/Cargo.toml': manifest('worker', "[dependencies]\napp = { path = \"../../crates/app\" }\n\n[dev-dependencies]\njson = { version = \"=1.0.154\", package = \"serde_json\" }\n\n[target.'cfg(unix)'.dependencies]\nitoa = \"1\""),
    'services/worker/src/main.rs': 'fn main() {}\n',
    'forks/itoa/Cargo.toml': manifest('itoa', '', '1.0.99'),
    'forks/itoa/src/lib.rs': '',
    'replaced/Cargo.toml': '[workspace]\nresolver = "2"\nmembers = ["a", "b"]\nexclude = ["forks"]\n\n[replace]\n"itoa:1.0.19" = { path = "forks/itoa" }\n',
    'replaced/a/Cargo.toml': manifest('replaced-a', '[dependencies]\nitoa = "=1.0.19"\nserde_json = "=1.0.154"'),
    'replaced/a/src/lib.rs': '',
    'replaced/b/Cargo.toml': manifest('replaced-b', '[dependencies]\nserde_json = "=1.0.154"'),
    'replaced/b/src/lib.rs': '',
    // A second crate named itoa: its Nx project takes another name.
    'replaced/forks/itoa/Cargo.toml': manifest('itoa', '[package.metadata.nx]\nname = "replaced-itoa"', '1.0.19'),
    'replaced/forks/itoa/src/lib.rs': '',
  };
  for (const [file, content] of Object.entries(files)) write(root, file, content);
  return {
    cargoRoots: ['.', 'crates/app/fuzz', 'forks/itoa', 'replaced', 'replaced/forks/itoa'],
    crateDirs: ['.', 'crates/core', 'crates/util', 'crates/app', 'crates/app/fuzz', 'services/api', 'services/worker', 'forks/itoa', 'replaced/a', 'replaced/b', 'replaced/forks/itoa'],
  };
}
