import { logger, type CreateDependenciesContext, type ProjectConfiguration, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { isMap, parseDocument } from 'yaml';
import { ciGenerator } from '../generators/ci/generator';
import { dockerGenerator } from '../generators/docker/generator';
import { initGenerator } from '../generators/init/generator';
import { libraryGenerator } from '../generators/library/generator';
import { serviceGenerator } from '../generators/service/generator';
import { syncGenerator } from '../generators/sync/generator';
import { createDependencies } from '../graph/create-dependencies';
import { createNodes } from '../graph/create-nodes';
import { normalizeOptions as normalizeBuildOptions } from '../executors/docker-build/executor';

/**
 * Thousands of malformed or odd manifests, lockfiles, compose files and option values,
 * generated from a fixed seed, through the graph (createNodes and createDependencies as Nx
 * calls them, on temp folders) and the generators (on a virtual Tree). What must hold:
 * - no exception escapes the graph, and no crate that could be read vanishes silently:
 *   it is a project, or a warning names its manifest;
 * - a generator either succeeds, leaving valid files, or fails with a deliberate one-line
 *   error (not a TypeError and the like) and the Tree exactly as it was.
 */

const SEED = 0x5eed12;
const GRAPH_WORKSPACES = 400;
const GENERATOR_RUNS = 800;
const OPTION_RUNS = 2000;

/** mulberry32: small, fast, deterministic. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}
type Rng = ReturnType<typeof prng>;

const NAMES = ['api', 'web', 'core', 'billing', 'shared', 'worker', 'a', 'x-y', 'z_z', 'Api', '1api', '../evil', 'a/b', 'émoji', '', ' ', 'api:debug', '@org/api', 'fn', 'std', 'very-long-'.repeat(8)];
const DIRS = ['services/api', 'services/web', 'libs/core', 'libs/shared', 'api', 'web', '.', 'crates/a/b', 'services/web/nested', 'x'];
const ODD_VALUES = ['"x"', '5', 'true', '[]', '{}', '[1, "two"]', '"../../.."', '{ path = "../../../outside" }', '{ workspace = true }', '"*"', '1979-05-27', 'inf', '"\\u0000"'];

/** Text mutations that real repositories produce: merge conflicts, truncation, garbage. */
function mutate(rng: Rng, text: string): string {
  switch (rng.int(9)) {
    case 0:
      return text.slice(0, rng.int(text.length + 1)); // interrupted write
    case 1: {
      const at = rng.int(text.length + 1);
      return `${text.slice(0, at)}\n<<<<<<< HEAD\n${text.slice(at, at + 20)}\n=======\n${text.slice(at + 20, at + 30)}\n>>>>>>> branch\n${text.slice(at + 30)}`;
    }
    case 2:
      return text.replace(/\]/, '');
    case 3:
      return `${text}\n${text}`; // duplicate tables
    case 4: {
      const at = rng.int(text.length + 1);
      return `${text.slice(0, at)}${String.fromCharCode(rng.int(0x3000))}${text.slice(at)}`;
    }
    case 5:
      return text.replace(/"/g, rng.pick(["'", '', '"""']));
    case 6:
      return text.replace(/\n/g, rng.pick(['\r\n', '\n\n', ' ']));
    case 7:
      return '\uFEFF' + text;
    default:
      return text;
  }
}

function manifest(rng: Rng, name: string, dir: string, crateDirs: string[]): string {
  const lines: string[] = [];
  if (!rng.chance(0.08)) {
    lines.push('[package]', `name = ${rng.chance(0.9) ? JSON.stringify(name) : rng.pick(ODD_VALUES)}`, `version = ${rng.chance(0.9) ? '"0.1.0"' : '{ workspace = true }'}`, 'edition = "2021"');
    if (rng.chance(0.1)) lines.push(`workspace = ${rng.pick(['"."', '"../.."', '"nowhere"', '5'])}`);
    if (rng.chance(0.1)) lines.push('autobins = false');
  }
  if (rng.chance(0.35)) {
    lines.push('', '[package.metadata.nx]');
    if (rng.chance(0.8)) lines.push(`name = ${rng.chance(0.7) ? JSON.stringify(rng.pick(NAMES)) : rng.pick(ODD_VALUES)}`);
    if (rng.chance(0.5)) lines.push(`tags = ${rng.pick(['["scope:a"]', '"scope:a"', '[1, 2]', '[]'])}`);
  }
  if (rng.chance(0.7)) {
    lines.push('', rng.pick(['[dependencies]', '[dev-dependencies]', '[build-dependencies]', "[target.'cfg(unix)'.dependencies]"]));
    for (let i = rng.int(4); i > 0; i--) {
      const target = rng.pick(crateDirs);
      const rel = posix.relative(dir === '.' ? '' : dir, target === '.' ? '' : target) || '.';
      const key = rng.pick(NAMES.slice(0, 9));
      lines.push(`${key} = ${rng.chance(0.6) ? `{ path = ${JSON.stringify(rel)} }` : rng.pick(ODD_VALUES)}`);
    }
  }
  if (rng.chance(0.15)) lines.push('', '[[bin]]', `name = ${JSON.stringify(rng.pick(NAMES))}`, `path = ${rng.pick(['"src/main.rs"', '"../../../etc/passwd"', '5'])}`);
  if (rng.chance(0.1)) lines.push('', '[lib]', 'path = "src/lib.rs"');
  let text = lines.join('\n') + '\n';
  if (rng.chance(0.25)) text = mutate(rng, text);
  return text;
}

function rootManifest(rng: Rng, crateDirs: string[]): string {
  const members = crateDirs.filter((d) => d !== '.');
  const lines = ['[workspace]', 'resolver = "2"'];
  const membersValue = rng.pick([JSON.stringify(members), '["services/*", "libs/*", "*"]', '["**"]', '"services/*"', '[]', '["../outside"]', '5']);
  lines.push(`members = ${membersValue}`);
  if (rng.chance(0.3)) lines.push(`exclude = ${rng.pick(['["libs/shared"]', '"x"', '[5]'])}`);
  if (rng.chance(0.4)) lines.push('', '[workspace.dependencies]', `core = ${rng.pick(['{ path = "libs/core" }', '"1"', '{ path = "../../x" }', '5'])}`);
  if (rng.chance(0.2)) lines.push('', '[workspace.package]', `version = ${rng.pick(['"1.0.0"', '5'])}`);
  if (crateDirs.includes('.')) lines.unshift('[package]', `name = ${JSON.stringify(rng.pick(NAMES))}`, 'version = "0.1.0"', '');
  let text = lines.join('\n') + '\n';
  if (rng.chance(0.3)) text = mutate(rng, text);
  return text;
}

function lockfile(rng: Rng, names: string[]): string {
  const blocks = ['version = 4'];
  for (const name of names) {
    blocks.push(`[[package]]\nname = ${JSON.stringify(name)}\nversion = "0.1.0"${rng.chance(0.3) ? `\ndependencies = [\n "${rng.pick(NAMES)}",\n]` : ''}`);
  }
  if (rng.chance(0.5)) {
    blocks.push(
      `[[package]]\nname = "itoa"\nversion = "1.0.11"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "49f1f14873335454500d59611f1cf4a4b0f786f9ac11f4312a78e4cf2566695b"`,
    );
  }
  if (rng.chance(0.1)) blocks.push('[[package]]\nname = "itoa"\nversion = "1.0.11"'); // duplicate
  let text = blocks.join('\n\n') + '\n';
  if (rng.chance(0.4)) text = mutate(rng, text);
  if (rng.chance(0.05)) text = rng.pick(['', 'version = 99\n', '[[package]]\n', 'garbage']);
  return text;
}

function composeFile(rng: Rng, names: string[], dirs: string[]): string {
  let text = rng.pick([
    `services:\n${names.map((n, i) => `  ${n || 'x'}:\n    build:\n      context: .\n      dockerfile: ${dirs[i] ?? 'x'}/Dockerfile\n    image: ${n}:latest\n    ports:\n      - "127.0.0.1:8080:8080"\n`).join('')}`,
    'services:\n  - name: api\n',
    '- a\n- b\n',
    'services:\n  api: nginx\n',
    'services:\n',
    '',
    'services: {}\nvolumes:\n  - data\n',
    'services:\n  api:\n    build: ./api\n    ports:\n      - target: 8080\n        published: "x"\n',
  ]);
  if (rng.chance(0.3)) text = mutate(rng, text);
  return text;
}

/** An independent judge of whether a file could be read as what it is (TOML 1.0, a Compose map). */
function editable(path: string, text: string): boolean {
  if (path.endsWith('Cargo.toml')) {
    try {
      parseToml(text);
      return true;
    } catch {
      return false;
    }
  }
  if (path === 'compose.yaml') {
    const doc = parseDocument(text);
    if (doc.errors.length) return false;
    const js = doc.toJS() as unknown;
    const isObject = (v: unknown) => v === null || v === undefined || (typeof v === 'object' && !Array.isArray(v));
    if (!isObject(js)) return false;
    const top = (js ?? {}) as Record<string, unknown>;
    return isObject(top.services) && isObject(top.volumes) && Object.values((top.services ?? {}) as object).every(isObject);
  }
  if (path === 'nx.json') {
    try {
      const json = JSON.parse(text);
      return typeof json === 'object' && json !== null && !Array.isArray(json) && (json.plugins === undefined || Array.isArray(json.plugins));
    } catch {
      return false;
    }
  }
  if (path === '.gitignore' || path === '.dockerignore') return !text.includes('\0') && !/^<{7}/m.test(text);
  return true;
}

function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const abs = join(root, rel);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }
}

describe(`fuzz (seed ${SEED.toString(16)})`, () => {
  let warnings: string[];
  let spies: jest.SpyInstance[];
  beforeEach(() => {
    warnings = [];
    spies = [
      jest.spyOn(logger, 'warn').mockImplementation((m) => void warnings.push(String(m))),
      jest.spyOn(console, 'warn').mockImplementation((m) => void warnings.push(String(m))),
      jest.spyOn(logger, 'info').mockImplementation(() => undefined),
      jest.spyOn(logger, 'error').mockImplementation(() => undefined),
    ];
  });
  afterEach(() => spies.forEach((s) => s.mockRestore()));

  it(`${GRAPH_WORKSPACES} odd workspaces through createNodes and createDependencies: no exception, no crate lost without a warning`, async () => {
    const rng = prng(SEED);
    let manifests = 0;
    let projects = 0;
    for (let run = 0; run < GRAPH_WORKSPACES; run++) {
      const root = mkdtempSync(join(tmpdir(), 'rust-docker-fuzz-'));
      try {
        const crateDirs = [...new Set(Array.from({ length: 1 + rng.int(5) }, () => rng.pick(DIRS)))];
        const names = crateDirs.map(() => rng.pick(NAMES));
        const files: Record<string, string> = {};
        if (rng.chance(0.8)) files['Cargo.toml'] = rootManifest(rng, crateDirs);
        crateDirs.forEach((dir, i) => {
          if (dir === '.') return;
          files[`${dir}/Cargo.toml`] = manifest(rng, names[i], dir, crateDirs);
          if (rng.chance(0.7)) files[`${dir}/src/main.rs`] = 'fn main() {}\n';
          if (rng.chance(0.4)) files[`${dir}/src/lib.rs`] = '\n';
          if (rng.chance(0.4)) files[`${dir}/Dockerfile`] = rng.pick(['FROM scratch\nEXPOSE 8080\n', 'EXPOSE\n', 'EXPOSE 99999999999\n', '\0\0']);
        });
        if (rng.chance(0.7)) files['Cargo.lock'] = lockfile(rng, names);
        if (rng.chance(0.5)) files['compose.yaml'] = composeFile(rng, names, crateDirs);
        if (rng.chance(0.15)) files['.nx/workspace-data/rust-docker-cargo.json'] = rng.pick(['{"format": 2, "plugin": ', 'null', '[]', '{"format":2}']);
        writeTree(root, files);
        const list = Object.keys(files).filter((f) => /(^|\/)(Cargo\.toml|compose\.yaml)$/.test(f));
        manifests += list.length;
        warnings = [];

        const results = await createNodes[1](list, undefined, { workspaceRoot: root, nxJsonConfiguration: {} });
        expect(() => JSON.stringify(results)).not.toThrow();
        const byRoot = new Map<string, ProjectConfiguration & { name?: string }>();
        for (const [, result] of results) for (const project of Object.values(result.projects ?? {})) byRoot.set(project.root!, project as ProjectConfiguration);
        projects += byRoot.size;

        // Every manifest Cargo can read, with a package Cargo would accept, is a project or is named in a warning.
        for (const file of list.filter((f) => f.endsWith('Cargo.toml'))) {
          const dir = posix.dirname(file);
          let doc: any;
          try {
            doc = parseToml(files[file]);
          } catch {
            continue;
          }
          const name = doc?.package?.name;
          if (typeof name !== 'string' || !/^[\p{L}\p{N}_-]+$/u.test(name)) continue;
          const named = warnings.some((w) => w.includes(file));
          if (!byRoot.has(dir) && !named) throw new Error(`run ${run}: ${file} (package ${name}) is neither a project nor in a warning:\n${JSON.stringify(files, null, 1)}\nwarnings: ${warnings.join('\n')}`);
        }
        // Nx refuses a graph where two projects share a name.
        const projectNames = [...byRoot.values()].map((p) => p.name);
        if (new Set(projectNames).size !== projectNames.length) throw new Error(`run ${run}: two projects share a name: ${projectNames.join(', ')}`);
        for (const project of byRoot.values()) {
          expect(project.root.startsWith('..')).toBe(false);
          expect(String(project.name)).toMatch(/^(?:@[a-z0-9][a-z0-9._-]*\/)?[\p{L}\p{N}][\p{L}\p{N}._-]*$/u);
        }

        const externalNodes = Object.assign({}, ...results.map(([, r]) => r.externalNodes ?? {}));
        const projectsByName = Object.fromEntries([...byRoot.values()].map((p) => [p.name!, p]));
        const context = {
          workspaceRoot: root,
          nxJsonConfiguration: {},
          projects: projectsByName,
          externalNodes,
          fileMap: { nonProjectFiles: list.map((file) => ({ file, hash: '' })), projectFileMap: {} },
          filesToProcess: { nonProjectFiles: [], projectFileMap: {} },
        } as unknown as CreateDependenciesContext;
        const edges = await createDependencies(undefined, context);
        for (const edge of edges) {
          expect(projectsByName[edge.source] ?? externalNodes[edge.source]).toBeDefined();
          expect(projectsByName[edge.target] ?? externalNodes[edge.target]).toBeDefined();
        }
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    }
    expect(manifests).toBeGreaterThan(1000);
    expect(projects).toBeGreaterThan(GRAPH_WORKSPACES / 2);
  });

  it(`${GENERATOR_RUNS} generator runs on odd workspaces with odd options: success with valid files, or one clear error and an unchanged Tree`, async () => {
    const rng = prng(SEED + 1);
    const outcomes = { ok: 0, refused: 0 };
    for (let run = 0; run < GENERATOR_RUNS; run++) {
      const tree: Tree = createTreeWithEmptyWorkspace();
      const crateDirs = [...new Set(Array.from({ length: rng.int(4) }, () => rng.pick(DIRS.filter((d) => d !== '.'))))];
      const names = crateDirs.map(() => rng.pick(NAMES));
      if (rng.chance(0.7)) tree.write('Cargo.toml', rootManifest(rng, crateDirs));
      crateDirs.forEach((dir, i) => {
        tree.write(`${dir}/Cargo.toml`, manifest(rng, names[i], dir, crateDirs));
        if (rng.chance(0.7)) tree.write(`${dir}/src/main.rs`, rng.pick(['fn main() {}\n', 'const DEFAULT_PORT: u16 = 9090;\nfn main() {}\n']));
        if (rng.chance(0.5)) tree.write(`${dir}/src/lib.rs`, '\n');
        if (rng.chance(0.3)) tree.write(`${dir}/Dockerfile`, rng.pick(['FROM scratch\nEXPOSE 8080\n', '# api: a Rust service image built by @org/rust-docker (runtime: scratch).\nEXPOSE 8080\n']));
      });
      if (rng.chance(0.5)) tree.write('compose.yaml', composeFile(rng, names, crateDirs));
      if (rng.chance(0.15)) tree.write('nx.json', rng.pick(['{ "plugins": "x" }', '{ "plugins": [ }', '{}', '{ "targetDefaults": [] }', '[]']));
      if (rng.chance(0.1)) tree.write(rng.pick(['.gitignore', '.dockerignore']), rng.pick(['target\n', '<<<<<<< HEAD\nx\n=======\n>>>>>>> y\n', 'a\0b']));

      const pickName = () => (rng.chance(0.7) ? rng.pick(NAMES) : `svc${rng.int(100)}`);
      const generators: Array<[string, () => Promise<unknown>]> = [
        ['init', () => initGenerator(tree, { skipFormat: true })],
        ['service', () => serviceGenerator(tree, { name: pickName(), skipFormat: true, ...(rng.chance(0.4) ? { directory: rng.pick([...DIRS, 'foo/../../x', '/abs', 'a/./b', 'services//x/']) } : {}), ...(rng.chance(0.3) ? { port: rng.pick([0, 8080, 70000, '9000', 'abc', 1.5]) as number } : {}), ...(rng.chance(0.2) ? { deps: rng.pick(NAMES) } : {}), ...(rng.chance(0.2) ? { with: rng.pick(['postgres', 'redis', 'mysql', 'postgres,redis']) } : {}), ...(rng.chance(0.2) ? { framework: rng.pick(['axum', 'warp', 'actix', 'rocket']) as any } : {}), ...(rng.chance(0.2) ? { runtime: rng.pick(['scratch', 'debian', 'alpine', 'distroless', 'busybox']) as any } : {}) })],
        ['library', () => libraryGenerator(tree, { name: pickName(), skipFormat: true, ...(rng.chance(0.4) ? { directory: rng.pick([...DIRS, 'a/../../y', '..']) } : {}), ...(rng.chance(0.3) ? { service: rng.pick(NAMES) } : {}) })],
        ['docker', () => dockerGenerator(tree, { project: rng.pick([...names, ...NAMES]), skipFormat: true, ...(rng.chance(0.3) ? { runtime: rng.pick(['scratch', 'debian', 'x']) as any } : {}), ...(rng.chance(0.2) ? { force: true } : {}), ...(rng.chance(0.2) ? { port: rng.pick([80, 0, 65536]) } : {}) })],
        ['ci', () => ciGenerator(tree, { skipFormat: true, ...(rng.chance(0.5) ? { provider: rng.pick(['github', 'gitlab', 'jenkins']) as any } : {}), ...(rng.chance(0.3) ? { push: true, registry: rng.pick(['ghcr.io', '', 'not a host', 'reg:5000']) } : {}), ...(rng.chance(0.2) ? { targets: rng.pick(['build,test', '', 'Build', 'a b']) } : {}) })],
        ['sync', async () => syncGenerator(tree)],
      ];
      const [kind, generate] = rng.pick(generators);
      const before = tree.listChanges().map((c) => [c.path, c.type, c.content?.toString()]);
      try {
        await generate();
        outcomes.ok++;
      } catch (error) {
        outcomes.refused++;
        const e = error as Error;
        const where = `run ${run} (${kind})`;
        if (['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError'].includes(e.constructor.name)) throw new Error(`${where}: ${e.constructor.name} escaped: ${e.stack}`);
        expect(e.message.trim().length).toBeGreaterThan(0);
        const after = tree.listChanges().map((c) => [c.path, c.type, c.content?.toString()]);
        if (JSON.stringify(after) !== JSON.stringify(before)) throw new Error(`${where}: failed with "${e.message}" but changed the Tree`);
        continue;
      }
      // Success: every file it wrote is inside the workspace and parses as what it is, and
      // none of the files it changed was one it could not read (or of an unexpected shape).
      for (const change of tree.listChanges()) {
        expect(change.path.startsWith('..')).toBe(false);
        if (change.type === 'DELETE') continue;
        const text = change.content!.toString();
        const where = `run ${run} (${kind}) wrote ${change.path}`;
        const earlier = before.find(([p]) => p === change.path)?.[2];
        if (earlier !== undefined && earlier !== text && !editable(change.path, earlier)) {
          throw new Error(`${where}, which it could not read before:\n--- before\n${earlier}\n--- after\n${text}`);
        }
        if (change.path.endsWith('Cargo.toml') && before.every(([p, , c]) => p !== change.path || c !== text)) {
          try {
            parseToml(text);
          } catch (error) {
            throw new Error(`${where}, which is not valid TOML: ${(error as Error).message}\n${text}`);
          }
        }
        if (change.path === 'compose.yaml' && before.every(([p, , c]) => p !== change.path || c !== text)) {
          const doc = parseDocument(text);
          if (doc.errors.length || !(isMap(doc.contents) && isMap(doc.get('services')))) throw new Error(`${where}, which is not a Compose file with a services map:\n${text}`);
        }
      }
    }
    // Both outcomes are exercised, or the fuzz says little.
    expect(outcomes.ok).toBeGreaterThan(GENERATOR_RUNS / 10);
    expect(outcomes.refused).toBeGreaterThan(GENERATOR_RUNS / 10);
  });

  it(`${OPTION_RUNS} docker-build option sets: each is taken or refused in one line, never reaching the engine as a flag`, () => {
    const rng = prng(SEED + 2);
    const strings = ['', '-', '--privileged', 'api', 'API', 'a b', '../..', '/etc/passwd', 'x'.repeat(300), 'linux/arm64', 'host', 'v1.2.3', 'registry.example.com:5000/t/api', '$(id)', 'a\nb', ':', '@', 'sha256:'];
    const context = { root: '/ws', cwd: '/ws', isVerbose: false, projectName: 'api', projectsConfigurations: { version: 2, projects: { api: { root: 'services/api' } } }, nxJsonConfiguration: {}, projectGraph: { nodes: {}, dependencies: {} } } as any;
    let taken = 0;
    for (let run = 0; run < OPTION_RUNS; run++) {
      const options: Record<string, unknown> = {};
      for (const key of ['image', 'dockerfile', 'outputFile', 'target', 'platform', 'network', 'builder', 'bin']) if (rng.chance(0.3)) options[key] = rng.pick(strings);
      if (rng.chance(0.3)) options.tags = [rng.pick(strings)];
      if (rng.chance(0.3)) options.buildArgs = { [rng.pick(strings)]: rng.pick(strings) };
      if (rng.chance(0.3)) options.labels = { [rng.pick(strings)]: rng.pick(strings) };
      try {
        const o = normalizeBuildOptions(options, context);
        taken++;
        for (const value of [o.image, o.target, o.platform, o.network, o.builder, ...Object.keys(o.buildArgs), ...Object.keys(o.labels)]) {
          if (value !== undefined) expect(value.startsWith('-')).toBe(false);
        }
        expect(o.dockerfile.startsWith('/ws/')).toBe(true);
        expect(o.outputFile.startsWith('/ws/')).toBe(true);
      } catch (error) {
        const e = error as Error;
        if (e.constructor.name !== 'Error' && e.constructor.name !== 'OutsideWorkspaceError') throw new Error(`run ${run}: ${e.constructor.name}: ${e.message} for ${JSON.stringify(options)}`);
        expect(e.message).not.toContain('\n');
      }
    }
    expect(taken).toBeGreaterThan(OPTION_RUNS / 20);
  });
});
