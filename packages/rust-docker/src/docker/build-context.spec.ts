import * as TOML from '@iarna/toml';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCargoWorkspace } from '../cargo/load';
import { makeTempDir, modelOf, pkg, removeDir, writeFiles } from '../testing/fixtures';
import {
  collectCrateFiles,
  currentVendorSnippet,
  exactLockfile,
  planBuildContext,
  pruneRootManifest,
  sanitizeCargoConfigs,
  sha256,
  syncContext,
  vendorCrates,
  vendoredCargoConfig,
} from './build-context';
import { parseDockerignore } from './dockerignore';

// exactLockfile and vendorCrates run cargo; here a stand-in answers instead (see below).
jest.mock('node:child_process', () => ({
  ...jest.requireActual('node:child_process'),
  execFileSync: jest.fn(() => {
    throw new Error('no external process in unit tests');
  }),
}));
const execFileSyncMock = execFileSync as unknown as jest.Mock;

type Doc = Record<string, any>;
const parse = (text: string): Doc => TOML.parse(text) as Doc;

const lockOf = (...names: string[]) =>
  `version = 4\n\n${names.map((n) => `[[package]]\nname = "${n}"\nversion = "0.1.0"\n`).join('\n')}`;

describe('pruneRootManifest', () => {
  const root = [
    '# workspace root',
    '[workspace]',
    'resolver = "2"',
    'members = ["services/*", "libs/*"]',
    'default-members = ["services/api"]',
    'exclude = ["old"]',
    '',
    '[workspace.package]',
    'edition = "2021"',
    '',
    '[workspace.dependencies]',
    'tokio = { version = "1", features = ["full"] }',
    'core = { path = "libs/core" }',
    '',
    '[profile.release]',
    'lto = true',
    'panic = "abort"',
    '',
    '[patch.crates-io]',
    'serde = { git = "https://github.com/serde-rs/serde" }',
  ].join('\n');

  it('lists only the given members, sorted, and drops default-members and exclude', () => {
    const doc = parse(pruneRootManifest(root, ['services/api', 'libs/core'], false));
    expect(doc.workspace.members).toEqual(['libs/core', 'services/api']);
    expect(doc.workspace).not.toHaveProperty('default-members');
    expect(doc.workspace).not.toHaveProperty('exclude');
    expect(doc.workspace.resolver).toBe('2');
  });

  it('keeps [workspace.package], [workspace.dependencies], [profile] and [patch]', () => {
    const doc = parse(pruneRootManifest(root, ['services/api'], false));
    expect(doc.workspace.package).toEqual({ edition: '2021' });
    expect(doc.workspace.dependencies).toEqual({ tokio: { version: '1', features: ['full'] }, core: { path: 'libs/core' } });
    expect(doc.profile).toEqual({ release: { lto: true, panic: 'abort' } });
    expect(doc.patch).toEqual({ 'crates-io': { serde: { git: 'https://github.com/serde-rs/serde' } } });
  });

  it('keeps the [patch] and [replace] paths inside the context and drops the others, which Cargo would fail on', () => {
    const patched = [
      '[workspace]',
      'members = ["services/*"]',
      '[patch.crates-io]',
      'itoa = { path = "forks/itoa" }',
      'ryu = { path = "./forks/ryu" }',
      'serde = { git = "https://github.com/serde-rs/serde" }',
      '[patch."https://github.com/acme/tool"]',
      'tool = { path = "forks/tool" }',
      '[replace]',
      '"memchr:2.7.0" = { path = "forks/memchr" }',
    ].join('\n');
    const doc = parse(pruneRootManifest(patched, ['services/api', 'forks/ryu'], false));
    expect(doc.patch).toEqual({ 'crates-io': { ryu: { path: './forks/ryu' }, serde: { git: 'https://github.com/serde-rs/serde' } } });
    expect(doc).not.toHaveProperty('replace');
    const all = parse(pruneRootManifest(patched, ['services/api', 'forks/itoa', 'forks/ryu', 'forks/tool', 'forks/memchr'], false));
    expect(Object.keys(all.patch['crates-io']).sort()).toEqual(['itoa', 'ryu', 'serde']);
    expect(all.patch['https://github.com/acme/tool']).toEqual({ tool: { path: 'forks/tool' } });
    expect(all.replace).toEqual({ 'memchr:2.7.0': { path: 'forks/memchr' } });
  });

  it('writes a root manifest in TOML 1.0 that @iarna/toml cannot read', () => {
    const text = '[workspace]\nmembers = ["a", "b"]\n\n[workspace.metadata.ci]\nmatrix = ["stable", 1]\n';
    expect(() => parse(text)).toThrow();
    expect(pruneRootManifest(text, ['a'], false)).toContain('members = [ "a" ]');
  });

  it('drops default-members safely: every cargo command of the Dockerfile names its package', () => {
    const template = readFileSync(join(__dirname, 'files', 'Dockerfile.ejs'), 'utf8');
    const commands = [...template.matchAll(/cargo (build|rustc|tree)[^\n]*/g)].map((m) => m[0]);
    expect(commands.length).toBeGreaterThanOrEqual(2);
    for (const command of commands) expect(command).toContain('--package <%= name %>');
  });

  const rootPackage = `${pkg('app', '[dependencies]\ncore = { path = "libs/core" }\n\n[[bin]]\nname = "app"\npath = "src/main.rs"')}\n[workspace]\nmembers = ["libs/*"]\n\n[profile.release]\nlto = true\n`;

  it('drops the root [package] and its tables when the root crate is not in the context', () => {
    const doc = parse(pruneRootManifest(rootPackage, ['libs/core'], false));
    expect(Object.keys(doc).sort()).toEqual(['profile', 'workspace']);
    expect(doc.workspace.members).toEqual(['libs/core']);
  });

  it('keeps the root [package] when the root crate is in the context, without listing "." as a member', () => {
    const doc = parse(pruneRootManifest(rootPackage, ['.', 'libs/core'], true));
    expect(doc.package.name).toBe('app');
    expect(doc.dependencies).toEqual({ core: { path: 'libs/core' } });
    expect(doc.bin).toEqual([{ name: 'app', path: 'src/main.rs' }]);
    expect(doc.workspace.members).toEqual(['libs/core']);
  });
});

describe('sanitizeCargoConfigs', () => {
  let ws: string;
  beforeEach(() => (ws = makeTempDir()));
  afterEach(() => removeDir(ws));

  it('moves every Cargo config, at any depth, into the generated files without its secrets', () => {
    writeFiles(ws, {
      '.cargo/config.toml': '[registry]\ntoken = "s3cret"\n\n[build]\njobs = 2\n',
      'services/api/.cargo/config': '[registries.x]\nindex = "https://u:s3cret@x.example.com/index"\n',
      'services/api/src/config.rs': '\n',
      'services/api/cargo/config.toml': 'not a cargo config = 1\n',
    });
    const files = new Map(
      ['.cargo/config.toml', 'services/api/.cargo/config', 'services/api/src/config.rs', 'services/api/cargo/config.toml'].map((f) => [f, { source: join(ws, f) }]),
    );
    const generated = new Map<string, string>();
    expect(sanitizeCargoConfigs(files, generated)).toEqual([
      { file: '.cargo/config.toml', removed: ['registry.token'] },
      { file: 'services/api/.cargo/config', removed: ['registries.x.index (user information)'] },
    ]);
    expect([...files.keys()]).toEqual(['services/api/src/config.rs', 'services/api/cargo/config.toml']);
    expect(generated).toEqual(
      new Map([
        ['.cargo/config.toml', '[build]\njobs = 2\n'],
        ['services/api/.cargo/config', '[registries.x]\nindex = "https://x.example.com/index"\n'],
      ]),
    );
  });
});

describe('planBuildContext with [patch]', () => {
  let root: string;
  beforeAll(() => {
    root = makeTempDir();
    writeFiles(root, {
      'Cargo.toml': '[workspace]\nmembers = ["services/*"]\n\n[patch.crates-io]\nitoa = { path = "forks/itoa" }\nryu = { path = "forks/ryu" }\n',
      // As Cargo writes it: api reaches the patched itoa through serde_json only.
      'Cargo.lock': [
        'version = 4',
        '',
        '[[package]]\nname = "api"\nversion = "0.1.0"\ndependencies = [\n "serde_json",\n]',
        '',
        '[[package]]\nname = "itoa"\nversion = "1.0.99"',
        '',
        '[[package]]\nname = "ryu"\nversion = "1.0.99"',
        '',
        '[[package]]\nname = "serde_json"\nversion = "1.0.154"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\ndependencies = [\n "itoa",\n]',
        '',
        '[[package]]\nname = "worker"\nversion = "0.1.0"\ndependencies = [\n "ryu",\n]',
        '',
      ].join('\n'),
      'services/api/Cargo.toml': pkg('api', '[dependencies]\nserde_json = "1"'),
      'services/worker/Cargo.toml': pkg('worker', '[dependencies]\nryu = "1"'),
      'forks/itoa/Cargo.toml': pkg('itoa'),
      'forks/itoa/src/lib.rs': '',
      'forks/ryu/Cargo.toml': pkg('ryu'),
      'forks/ryu/src/lib.rs': '',
    });
  });
  afterAll(() => removeDir(root));
  const readRoot = (file: string) => (existsSync(join(root, file)) ? readFileSync(join(root, file), 'utf8') : undefined);

  it('holds the patched crates the service builds, directly or through an external crate, and only their patches', () => {
    const { model } = loadCargoWorkspace(root);
    const api = planBuildContext(model, 'services/api', readRoot);
    expect(api.crateDirs).toEqual(['forks/itoa', 'services/api']);
    expect(parse(api.generated.get('Cargo.toml')!).patch).toEqual({ 'crates-io': { itoa: { path: 'forks/itoa' } } });
    expect(parse(api.generated.get('Cargo.lock')!).package.map((p: { name: string }) => p.name)).toEqual(['api', 'itoa', 'serde_json']);
    const worker = planBuildContext(model, 'services/worker', readRoot);
    expect(worker.crateDirs).toEqual(['forks/ryu', 'services/worker']);
    expect(parse(worker.generated.get('Cargo.toml')!).patch).toEqual({ 'crates-io': { ryu: { path: 'forks/ryu' } } });
  });
});

describe('vendoredCargoConfig', () => {
  const snippet = '\n[source.crates-io]\nreplace-with = "vendored-sources"\n\n[source.vendored-sources]\ndirectory = "vendor"\n\n';
  const vendoredSource = { 'crates-io': { 'replace-with': 'vendored-sources' }, 'vendored-sources': { directory: 'vendor' } };

  it('is the vendor snippet alone without a user config', () => {
    expect(vendoredCargoConfig(undefined, snippet)).toBe(`${snippet.trim()}\n`);
  });

  it("replaces the user's [source] tables and keeps the other settings", () => {
    const user = [
      '[source.crates-io]',
      'replace-with = "mirror"',
      '',
      '[source.mirror]',
      'registry = "sparse+https://mirror.example.com/index/"',
      '',
      '[build]',
      'rustflags = ["-C", "target-cpu=x86-64-v2"]',
      '',
      '[net]',
      'git-fetch-with-cli = true',
    ].join('\n');
    const doc = parse(vendoredCargoConfig(user, snippet));
    expect(doc).toEqual({
      build: { rustflags: ['-C', 'target-cpu=x86-64-v2'] },
      net: { 'git-fetch-with-cli': true },
      source: vendoredSource,
    });
  });

  it('is the snippet alone when the user config only had [source] tables', () => {
    expect(vendoredCargoConfig('[source.crates-io]\nreplace-with = "m"\n', snippet)).toBe(`${snippet.trim()}\n`);
  });
});

describe('planBuildContext', () => {
  const manifests = {
    'Cargo.toml': '[workspace]\nmembers = ["services/*", "libs/*"]\nexclude = ["old"]\n',
    'services/api/Cargo.toml': pkg('api', '[dependencies]\ncore = { path = "../../libs/core" }\n[dev-dependencies]\nfixtures = { path = "../../libs/fixtures" }'),
    'services/worker/Cargo.toml': pkg('worker', '[dependencies]\ncore = { path = "../../libs/core" }'),
    'libs/core/Cargo.toml': pkg('core'),
    'libs/fixtures/Cargo.toml': pkg('fixtures', '[dependencies]\nfaker = { path = "../faker" }'),
    'libs/faker/Cargo.toml': pkg('faker'),
  };
  const model = modelOf(manifests);
  const rootFiles: Record<string, string> = {
    'Cargo.toml': manifests['Cargo.toml'],
    'Cargo.lock': lockOf('api', 'core', 'faker', 'fixtures', 'worker'),
    'rust-toolchain.toml': '[toolchain]\nchannel = "1.95"\n',
    '.cargo/config.toml': '[build]\njobs = 2\n',
  };
  const readRoot = (files: Record<string, string>) => (file: string) => files[file];

  it("holds the crate's closure, dev-dependencies included, and nothing else", () => {
    const plan = planBuildContext(model, 'services/api', readRoot(rootFiles));
    expect(plan.workspaceDir).toBe('.');
    expect(plan.crateDirs).toEqual(['libs/core', 'libs/faker', 'libs/fixtures', 'services/api']);
    expect(plan.crateNames).toEqual(['api', 'core', 'faker', 'fixtures']);
  });

  it('generates a root manifest listing those crates and a lockfile holding only them', () => {
    const plan = planBuildContext(model, 'services/api', readRoot(rootFiles));
    expect([...plan.generated.keys()].sort()).toEqual(['Cargo.lock', 'Cargo.toml']);
    expect(parse(plan.generated.get('Cargo.toml')!)).toEqual({ workspace: { members: ['libs/core', 'libs/faker', 'libs/fixtures', 'services/api'] } });
    const lock = parse(plan.generated.get('Cargo.lock')!);
    expect(lock.package.map((p: { name: string }) => p.name)).toEqual(['api', 'core', 'faker', 'fixtures']);
  });

  it('copies the toolchain and Cargo config files that exist', () => {
    expect(planBuildContext(model, 'services/api', readRoot(rootFiles)).copied).toEqual(['rust-toolchain.toml', '.cargo/config.toml']);
    const minimal = { 'Cargo.toml': rootFiles['Cargo.toml'], 'Cargo.lock': rootFiles['Cargo.lock'], 'rust-toolchain': '1.95\n', '.cargo/config': '' };
    expect(planBuildContext(model, 'services/api', readRoot(minimal)).copied).toEqual(['rust-toolchain', '.cargo/config']);
  });

  it('works relative to a Cargo workspace in a subfolder of the Nx workspace', () => {
    const nested = modelOf({
      'rust/Cargo.toml': '[workspace]\nmembers = ["api", "core"]\n',
      'rust/api/Cargo.toml': pkg('api', '[dependencies]\ncore = { path = "../core" }'),
      'rust/core/Cargo.toml': pkg('core'),
    });
    const plan = planBuildContext(nested, 'rust/api', readRoot({ 'Cargo.toml': '[workspace]\nmembers = ["api", "core"]\n', 'Cargo.lock': lockOf('api', 'core') }));
    expect(plan.workspaceDir).toBe('rust');
    expect(plan.crateDirs).toEqual(['api', 'core']);
    expect(parse(plan.generated.get('Cargo.toml')!).workspace.members).toEqual(['api', 'core']);
  });

  it('fails with a clear message when Cargo.lock is missing', () => {
    const { 'Cargo.lock': _lock, ...withoutLock } = rootFiles;
    expect(() => planBuildContext(model, 'services/api', readRoot(withoutLock))).toThrow(
      'Cargo.lock not found: a service image is built with --locked. Run `cargo generate-lockfile` (or any cargo build) and commit Cargo.lock.',
    );
  });

  it('names the Cargo workspace folder in the missing Cargo.lock message', () => {
    const nested = modelOf({ 'rust/Cargo.toml': '[workspace]\nmembers = ["api"]\n', 'rust/api/Cargo.toml': pkg('api') });
    expect(() => planBuildContext(nested, 'rust/api', () => undefined)).toThrow(/^rust\/Cargo\.lock not found/);
  });

  it('fails when the closure holds a crate outside the Cargo workspace', () => {
    const outside = modelOf({
      'rust/Cargo.toml': '[workspace]\nmembers = ["api"]\n',
      'rust/api/Cargo.toml': pkg('api', '[dependencies]\nshared = { path = "../../shared" }'),
      'shared/Cargo.toml': pkg('shared'),
    });
    expect(() => planBuildContext(outside, 'rust/api', readRoot({ 'Cargo.lock': lockOf('api', 'shared') }))).toThrow(
      'crate "shared" (shared) is outside the Cargo workspace at rust; a build context cannot reach it. Move it inside the workspace.',
    );
  });

  it('fails for a folder without a crate', () => {
    expect(() => planBuildContext(model, 'libs/nothing', readRoot(rootFiles))).toThrow('no crate at libs/nothing');
  });

  describe('on disk', () => {
    let dir: string;
    beforeEach(() => (dir = makeTempDir()));
    afterEach(() => removeDir(dir));

    it('puts the Cargo.toml of a standalone crate in its context', () => {
      const manifest = pkg('cli');
      writeFiles(dir, { 'tools/cli/Cargo.toml': manifest, 'tools/cli/Cargo.lock': lockOf('cli'), 'tools/cli/src/main.rs': 'fn main() {}\n' });
      const standalone = modelOf({ 'tools/cli/Cargo.toml': manifest });
      const crateRoot = join(dir, 'tools/cli');
      const plan = planBuildContext(standalone, 'tools/cli', (f) => (existsSync(join(crateRoot, f)) ? readFileSync(join(crateRoot, f), 'utf8') : undefined));
      const files = collectCrateFiles(crateRoot, plan.crateDirs, [], new Set(plan.generated.keys()));
      expect([...files.keys(), ...plan.generated.keys()]).toContain('Cargo.toml');
      // The manifest is the crate's own; only the lockfile is generated (pruned).
      expect(files.get('Cargo.toml')).toEqual({ source: join(crateRoot, 'Cargo.toml') });
      expect([...plan.generated.keys()]).toEqual(['Cargo.lock']);
      expect(files.has('Cargo.lock')).toBe(false);
    });
  });
});

describe('collectCrateFiles and syncContext', () => {
  let ws: string;
  let ctx: string;
  const OLD = new Date('2020-01-02T03:04:05.678Z');

  beforeEach(() => {
    ws = makeTempDir();
    ctx = makeTempDir();
    writeFiles(ws, {
      'Cargo.toml': '[workspace]\nmembers = ["services/api", "libs/core", "libs/unused"]\n',
      'Cargo.lock': 'version = 4\n',
      'README.md': '# root\n',
      '.env': 'SECRET=1\n',
      '.dockerignore': '**/*.md\n!services/api/README.md\nservices/api/fixtures\n',
      'services/api/Cargo.toml': pkg('api'),
      'services/api/src/main.rs': 'fn main() {}\n',
      'services/api/src/routes/health.rs': '// health\n',
      'services/api/README.md': '# api\n',
      'services/api/NOTES.md': 'notes\n',
      'services/api/.env': 'SECRET=1\n',
      'services/api/.env.local': 'SECRET=2\n',
      'services/api/server.pem': 'pem\n',
      'services/api/fixtures/big.json': '{}\n',
      'services/api/target/debug/api': 'binary\n',
      'services/api/node_modules/x/index.js': '\n',
      'services/api/.git/config': '\n',
      'services/api/plugins/inner/Cargo.toml': pkg('inner'),
      'services/api/plugins/inner/src/lib.rs': '\n',
      'services/api/plugins/loader.rs': '\n',
      'libs/core/Cargo.toml': pkg('core'),
      'libs/core/src/lib.rs': 'pub fn core() {}\n',
      'libs/unused/Cargo.toml': pkg('unused'),
      'libs/unused/src/lib.rs': '\n',
    });
    // Whole-millisecond times, so that these tests do not depend on sub-millisecond rounding
    // (which has its own test below).
    touchAll(ws, OLD);
  });

  function touchAll(root: string, time: Date): void {
    for (const entry of readdirSync(root, { withFileTypes: true, recursive: true })) {
      if (entry.isFile()) utimesSync(join(entry.parentPath, entry.name), time, time);
    }
  }

  afterEach(() => {
    removeDir(ws);
    removeDir(ctx);
  });

  const rules = () => parseDockerignore(readFileSync(join(ws, '.dockerignore'), 'utf8'));
  const collect = () => collectCrateFiles(ws, ['services/api', 'libs/core'], rules());

  it('lists the files of the crates in the closure only, honouring .dockerignore and the built-in exclusions', () => {
    const files = collect();
    expect([...files.keys()].sort()).toEqual([
      'libs/core/Cargo.toml',
      'libs/core/src/lib.rs',
      'services/api/Cargo.toml',
      'services/api/README.md',
      'services/api/plugins/loader.rs',
      'services/api/src/main.rs',
      'services/api/src/routes/health.rs',
    ]);
    expect(files.get('libs/core/src/lib.rs')).toEqual({ source: join(ws, 'libs/core/src/lib.rs') });
  });

  it('never lets a .dockerignore re-include a built-in exclusion', () => {
    const files = collectCrateFiles(ws, ['services/api'], parseDockerignore('!**/.env\n!**/target\n!**/*.pem'));
    expect([...files.keys()].filter((f) => /\.env|target|\.pem/.test(f))).toEqual([]);
  });

  it('walks the root crate without its Cargo.toml and Cargo.lock (they are generated) and without nested crates', () => {
    const files = collectCrateFiles(ws, ['.'], [], new Set(['Cargo.toml', 'Cargo.lock']));
    expect([...files.keys()].sort()).toEqual(['.dockerignore', 'README.md']);
  });

  it('keeps root files that are not generated, e.g. the whole-workspace context', () => {
    expect([...collectCrateFiles(ws, ['.'], []).keys()].sort()).toEqual(['.dockerignore', 'Cargo.lock', 'Cargo.toml', 'README.md']);
    expect([...collectCrateFiles(ws, ['.'], [], new Set(['Cargo.lock'])).keys()].sort()).toEqual(['.dockerignore', 'Cargo.toml', 'README.md']);
  });

  it('skips only generated files at the context root, never a crate manifest of the same name', () => {
    const files = collectCrateFiles(ws, ['services/api', 'libs/core'], [], new Set(['Cargo.toml', 'Cargo.lock']));
    expect(files.has('services/api/Cargo.toml')).toBe(true);
    expect(files.has('libs/core/Cargo.toml')).toBe(true);
  });

  // BUG: collectCrateFiles skips an ignored folder without looking inside, so a `!` rule that
  // re-includes a file in it (which `docker build` honours) has no effect.
  it.failing('includes a file that a ! rule re-includes inside an ignored folder', () => {
    writeFiles(ws, { 'services/api/docs/openapi.yaml': 'openapi: 3.1.0\n', 'services/api/docs/draft.txt': '\n' });
    const files = collectCrateFiles(ws, ['services/api'], parseDockerignore('services/api/docs\n!services/api/docs/openapi.yaml'));
    expect(files.has('services/api/docs/openapi.yaml')).toBe(true);
    expect(files.has('services/api/docs/draft.txt')).toBe(false);
  });

  it('copies the files and writes the generated ones, keeping modification times', () => {
    const generated = new Map([
      ['Cargo.toml', '[workspace]\nmembers = ["libs/core", "services/api"]\n'],
      ['Cargo.lock', 'version = 4\n'],
    ]);
    expect(syncContext(ctx, collect(), generated)).toEqual({ copied: 7, removed: 0 });
    expect(readFileSync(join(ctx, 'services/api/src/routes/health.rs'), 'utf8')).toBe('// health\n');
    expect(readFileSync(join(ctx, 'Cargo.toml'), 'utf8')).toBe(generated.get('Cargo.toml'));
    for (const rel of collect().keys()) {
      expect([rel, statSync(join(ctx, rel)).mtimeMs]).toEqual([rel, statSync(join(ws, rel)).mtimeMs]);
    }
    expect(Math.round(statSync(join(ctx, 'services/api/src/main.rs')).mtimeMs)).toBe(OLD.getTime());
    expect(existsSync(join(ctx, 'services/api/.env'))).toBe(false);
    expect(existsSync(join(ctx, 'services/api/target'))).toBe(false);
    expect(existsSync(join(ctx, 'services/api/node_modules'))).toBe(false);
    expect(existsSync(join(ctx, 'services/api/plugins/inner'))).toBe(false);
  });

  it('copies nothing on a second sync when nothing changed, and leaves the generated files untouched', () => {
    const generated = new Map([['Cargo.lock', 'version = 4\n']]);
    syncContext(ctx, collect(), generated);
    utimesSync(join(ctx, 'Cargo.lock'), OLD, OLD);
    expect(syncContext(ctx, collect(), generated)).toEqual({ copied: 0, removed: 0 });
    expect(statSync(join(ctx, 'Cargo.lock')).mtime.getTime()).toBe(OLD.getTime());
  });

  it('keeps sub-millisecond modification times close enough that the next sync copies nothing', () => {
    const file = join(ws, 'services/api/src/main.rs');
    utimesSync(file, 1700000000.1237, 1700000000.1237); // mtimeMs 1700000000123.699, which a Date would round to ...124
    syncContext(ctx, collect(), new Map());
    expect(Math.trunc(statSync(join(ctx, 'services/api/src/main.rs')).mtimeMs)).toBe(Math.trunc(statSync(file).mtimeMs));
    expect(syncContext(ctx, collect(), new Map())).toEqual({ copied: 0, removed: 0 });
  });

  it('copies a changed file again', () => {
    syncContext(ctx, collect(), new Map());
    writeFileSync(join(ws, 'services/api/src/main.rs'), 'fn main() { println!("v2"); }\n');
    expect(syncContext(ctx, collect(), new Map())).toEqual({ copied: 1, removed: 0 });
    expect(readFileSync(join(ctx, 'services/api/src/main.rs'), 'utf8')).toContain('v2');
  });

  it('removes files (and emptied folders) that left the source or the plan on the next sync', () => {
    syncContext(ctx, collect(), new Map([['.cargo/config.toml', '[build]\n']]));
    rmSync(join(ws, 'services/api/src/routes'), { recursive: true });
    expect(syncContext(ctx, collect(), new Map())).toEqual({ copied: 0, removed: 2 });
    expect(existsSync(join(ctx, 'services/api/src/routes'))).toBe(false);
    expect(existsSync(join(ctx, '.cargo'))).toBe(false);
    expect(existsSync(join(ctx, 'services/api/src/main.rs'))).toBe(true);
  });

  it('removes whole crates that left the closure', () => {
    syncContext(ctx, collect(), new Map());
    syncContext(ctx, collectCrateFiles(ws, ['services/api'], rules()), new Map());
    expect(existsSync(join(ctx, 'libs'))).toBe(false);
  });

  it('keeps the folders it is told to keep', () => {
    mkdirSync(join(ctx, 'vendor/serde'), { recursive: true });
    writeFileSync(join(ctx, 'vendor/serde/Cargo.toml'), pkg('serde'));
    writeFileSync(join(ctx, 'stale.txt'), 'x');
    expect(syncContext(ctx, collect(), new Map(), ['vendor'])).toEqual({ copied: 7, removed: 1 });
    expect(readFileSync(join(ctx, 'vendor/serde/Cargo.toml'), 'utf8')).toBe(pkg('serde'));
    expect(existsSync(join(ctx, 'stale.txt'))).toBe(false);
  });

  it('creates the context folder when it does not exist', () => {
    const fresh = join(ctx, 'a/b/context');
    syncContext(fresh, new Map(), new Map([['Cargo.lock', 'version = 4\n']]));
    expect(readFileSync(join(fresh, 'Cargo.lock'), 'utf8')).toBe('version = 4\n');
  });
});

describe('currentVendorSnippet', () => {
  let dir: string;
  beforeEach(() => (dir = makeTempDir()));
  afterEach(() => removeDir(dir));

  const stamp = () => join(dir, 'work/vendor.json');
  const writeStamp = (lock: string) => writeFiles(dir, { 'work/vendor.json': JSON.stringify({ hash: sha256(lock), snippet: '[source]\n' }) });

  it('returns the snippet recorded for the same lockfile when vendor/ exists', () => {
    writeStamp('lock v1');
    mkdirSync(join(dir, 'ctx/vendor'), { recursive: true });
    expect(currentVendorSnippet(join(dir, 'ctx'), 'lock v1', stamp())).toBe('[source]\n');
  });

  it('returns undefined when the lockfile changed, the stamp is missing or vendor/ is gone', () => {
    mkdirSync(join(dir, 'ctx/vendor'), { recursive: true });
    expect(currentVendorSnippet(join(dir, 'ctx'), 'lock v1', stamp())).toBeUndefined();
    writeStamp('lock v1');
    expect(currentVendorSnippet(join(dir, 'ctx'), 'lock v2', stamp())).toBeUndefined();
    rmSync(join(dir, 'ctx/vendor'), { recursive: true });
    expect(currentVendorSnippet(join(dir, 'ctx'), 'lock v1', stamp())).toBeUndefined();
  });

  it('hashes with SHA-256 in hex', () => {
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

/** A failed child process as execFileSync throws it. */
const processError = (fields: { code?: string | number; stderr?: string | Buffer; status?: number }) =>
  Object.assign(new Error(`Command failed: cargo`), fields);

describe('exactLockfile', () => {
  let dir: string;
  let context: string;
  let stampFile: string;
  let prepare: jest.Mock;
  const superset = lockOf('api', 'core', 'parking_lot');
  const exact = lockOf('api', 'core');
  const manifests = ['[workspace]\nmembers = ["api", "core"]\n', 'api/Cargo.toml\0[package]\nname = "api"\n'];

  beforeEach(() => {
    dir = makeTempDir();
    context = join(dir, 'context');
    stampFile = join(dir, 'work/lockfile.json');
    // prepare writes the context as the executor does: the manifests and the superset lockfile.
    prepare = jest.fn(() => writeFiles(context, { 'Cargo.lock': superset, 'Cargo.toml': manifests[0] }));
    execFileSyncMock.mockReset();
    // cargo metadata rewrites Cargo.lock in place, keeping only what the workspace uses.
    execFileSyncMock.mockImplementation((command: string, args: string[], options: { cwd: string }) => {
      if (command === 'cargo' && args[0] === 'metadata') {
        writeFileSync(join(options.cwd, 'Cargo.lock'), exact);
        return Buffer.from('');
      }
      throw new Error(`unexpected ${command} ${args.join(' ')}`);
    });
  });
  afterEach(() => removeDir(dir));

  it("prepares the context, runs cargo metadata offline in it and returns the lockfile cargo left there", () => {
    expect(exactLockfile(context, superset, manifests, stampFile, prepare)).toBe(exact);
    expect(prepare).toHaveBeenCalledTimes(1);
    expect(execFileSyncMock.mock.calls).toEqual([
      ['cargo', ['metadata', '--format-version', '1', '--offline'], { cwd: context, stdio: ['ignore', 'ignore', 'pipe'] }],
    ]);
    expect(prepare.mock.invocationCallOrder[0]).toBeLessThan(execFileSyncMock.mock.invocationCallOrder[0]);
  });

  it('returns the superset itself when cargo finds nothing to trim', () => {
    execFileSyncMock.mockImplementation(() => Buffer.from(''));
    expect(exactLockfile(context, superset, manifests, stampFile, prepare)).toBe(superset);
  });

  it('answers from its stamp for the same inputs, without preparing or running cargo again', () => {
    exactLockfile(context, superset, manifests, stampFile, prepare);
    expect(JSON.parse(readFileSync(stampFile, 'utf8'))).toEqual({ key: sha256([superset, ...manifests].join('\0')), lockfile: exact });
    prepare.mockClear();
    execFileSyncMock.mockClear();
    rmSync(context, { recursive: true });
    expect(exactLockfile(context, superset, manifests, stampFile, prepare)).toBe(exact);
    expect(prepare).not.toHaveBeenCalled();
    expect(execFileSyncMock).not.toHaveBeenCalled();
  });

  it('runs cargo again when the superset lockfile or a manifest changed', () => {
    exactLockfile(context, superset, manifests, stampFile, prepare);
    execFileSyncMock.mockClear();
    exactLockfile(context, lockOf('api', 'core', 'parking_lot', 'tokio'), manifests, stampFile, prepare);
    expect(execFileSyncMock).toHaveBeenCalledTimes(1);
    exactLockfile(context, superset, [manifests[0], 'api/Cargo.toml\0[package]\nname = "api"\nversion = "0.2.0"\n'], stampFile, prepare);
    expect(execFileSyncMock).toHaveBeenCalledTimes(2);
    expect(prepare).toHaveBeenCalledTimes(3);
  });

  it('keys on the order of its inputs too: the same texts in another role are other inputs', () => {
    exactLockfile(context, superset, manifests, stampFile, prepare);
    execFileSyncMock.mockClear();
    exactLockfile(context, superset, [...manifests].reverse(), stampFile, prepare);
    expect(execFileSyncMock).toHaveBeenCalledTimes(1);
  });

  it('resolves online when the host has no offline index for it', () => {
    execFileSyncMock.mockImplementation((_command: string, args: string[], options: { cwd: string }) => {
      if (args.includes('--offline')) throw processError({ status: 101, stderr: Buffer.from('error: no matching package named `itoa` found\n') });
      writeFileSync(join(options.cwd, 'Cargo.lock'), exact);
      return Buffer.from('');
    });
    expect(exactLockfile(context, superset, manifests, stampFile, prepare)).toBe(exact);
    expect(execFileSyncMock.mock.calls.map(([command, args]) => [command, ...args])).toEqual([
      ['cargo', 'metadata', '--format-version', '1', '--offline'],
      ['cargo', 'metadata', '--format-version', '1'],
    ]);
  });

  it("fails with cargo's last lines when it cannot resolve online either, writing no stamp", () => {
    execFileSyncMock.mockImplementation(() => {
      throw processError({ status: 101, stderr: Buffer.from('warning: a\nline 1\nline 2\nline 3\nerror: failed to select a version for `tokio`\n') });
    });
    expect(() => exactLockfile(context, superset, manifests, stampFile, prepare)).toThrow(
      'cargo could not resolve the pruned workspace: line 1\nline 2\nline 3\nerror: failed to select a version for `tokio`',
    );
    expect(execFileSyncMock).toHaveBeenCalledTimes(2);
    expect(existsSync(stampFile)).toBe(false);
  });

  it('says how to go on without cargo when it is not installed', () => {
    execFileSyncMock.mockImplementation(() => {
      throw processError({ code: 'ENOENT' });
    });
    expect(() => exactLockfile(context, superset, manifests, stampFile, prepare)).toThrow(
      'cargo not found on PATH: the pruned build context needs cargo on the host to trim Cargo.lock. Install Rust (https://rustup.rs) or set "context": "workspace".',
    );
    expect(existsSync(stampFile)).toBe(false);
  });

  it('ignores a stamp written for other inputs', () => {
    writeFiles(dir, { 'work/lockfile.json': JSON.stringify({ key: 'other', lockfile: 'stale' }) });
    expect(exactLockfile(context, superset, manifests, stampFile, prepare)).toBe(exact);
    expect(prepare).toHaveBeenCalledTimes(1);
  });
});

describe('vendorCrates', () => {
  let dir: string;
  const snippet = '\n[source.crates-io]\nreplace-with = "vendored-sources"\n\n[source.vendored-sources]\ndirectory = "vendor"\n';
  beforeEach(() => {
    dir = makeTempDir();
    execFileSyncMock.mockReset();
  });
  afterEach(() => removeDir(dir));

  it('runs cargo vendor --locked with versioned folders into vendor/, relative to the context, and records the snippet for the lockfile', () => {
    execFileSyncMock.mockImplementation((_command: string, _args: string[], options: { cwd: string }) => {
      mkdirSync(join(options.cwd, 'vendor/itoa-1.0.11'), { recursive: true });
      return snippet;
    });
    const context = join(dir, 'ctx');
    const stamp = join(dir, 'work/vendor.json');
    expect(vendorCrates(context, 'lock v1', stamp)).toBe(snippet);
    expect(execFileSyncMock.mock.calls).toEqual([
      ['cargo', ['vendor', '--locked', '--versioned-dirs', 'vendor'], { cwd: context, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }],
    ]);
    expect(JSON.parse(readFileSync(stamp, 'utf8'))).toEqual({ hash: sha256('lock v1'), snippet });
    // What the next run reuses, as long as the lockfile and vendor/ stay.
    expect(currentVendorSnippet(context, 'lock v1', stamp)).toBe(snippet);
    expect(currentVendorSnippet(context, 'lock v2', stamp)).toBeUndefined();
  });

  it("fails with cargo's last lines, writing no stamp", () => {
    execFileSyncMock.mockImplementation(() => {
      throw processError({ status: 101, stderr: 'a\nb\nc\nd\ne\nerror: the lock file needs to be updated but --locked was passed\n' });
    });
    const stamp = join(dir, 'work/vendor.json');
    expect(() => vendorCrates(join(dir, 'ctx'), 'lock', stamp)).toThrow('cargo vendor failed: b\nc\nd\ne\nerror: the lock file needs to be updated but --locked was passed');
    expect(existsSync(stamp)).toBe(false);
  });

  it('says how to go on without cargo when it is not installed', () => {
    execFileSyncMock.mockImplementation(() => {
      throw processError({ code: 'ENOENT' });
    });
    expect(() => vendorCrates(join(dir, 'ctx'), 'lock', join(dir, 'stamp.json'))).toThrow(
      'cargo not found on PATH: vendoring crates needs cargo on the host. Install Rust (https://rustup.rs) or set "vendor": false.',
    );
  });
});
