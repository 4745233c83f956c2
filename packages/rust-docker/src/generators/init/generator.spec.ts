import * as TOML from '@iarna/toml';
import { addProjectConfiguration, logger, readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { createTree, createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { ALWAYS_EXCLUDED } from '../../docker/dockerignore';
import { renderDockerfile } from '../../docker/dockerfile';
import { DEFAULT_PLUGIN_OPTIONS, ensureLines, initGenerator, NX_IGNORES, PLUGIN_NAME } from './generator';
import { CARGO_EXECUTOR, keepNxDockerOff } from './nx-json';

type Doc = Record<string, any>;

/** Every file of the tree with its content, to compare before and after. */
function snapshot(tree: Tree): Record<string, string> {
  return Object.fromEntries(tree.listChanges().map((c) => [c.path, c.content?.toString() ?? '<deleted>']));
}

const pluginsOf = (tree: Tree) => readNxJson(tree)!.plugins ?? [];
const read = (tree: Tree, file: string) => tree.read(file, 'utf8')!;
const parse = (tree: Tree, file: string) => TOML.parse(read(tree, file)) as Doc;
const crate = (name: string) => `[package]\nname = "${name}"\nversion = "0.1.0"\nedition = "2021"\n`;
const generatedDockerfile = (name: string, dir: string) =>
  renderDockerfile({ name, bin: name, project: name, port: 8080, dockerfilePath: `${dir}/Dockerfile`, runtime: 'scratch' });

/** What init printed through Nx's logger, as one text. */
function captureLog(): () => string {
  const info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  return () => [...info.mock.calls, ...warn.mock.calls].map((c) => String(c[0])).join('\n');
}

afterEach(() => jest.restoreAllMocks());

describe('init generator', () => {
  let tree: Tree;
  beforeEach(() => (tree = createTreeWithEmptyWorkspace()));

  it('registers the plugin in nx.json with the default target names', async () => {
    await initGenerator(tree, { skipFormat: true });
    expect(pluginsOf(tree)).toEqual([{ plugin: PLUGIN_NAME, options: DEFAULT_PLUGIN_OPTIONS }]);
    expect(PLUGIN_NAME).toBe('@org/rust-docker');
  });

  it('keeps the other plugins and registers this one once, also when it is given as a string', async () => {
    const nxJson = readNxJson(tree)!;
    updateNxJson(tree, { ...nxJson, plugins: ['@nx/js/typescript', PLUGIN_NAME] });
    await initGenerator(tree, { skipFormat: true });
    expect(pluginsOf(tree)).toEqual(['@nx/js/typescript', PLUGIN_NAME]);
  });

  it('keeps a registration with custom options', async () => {
    const nxJson = readNxJson(tree)!;
    updateNxJson(tree, { ...nxJson, plugins: [{ plugin: PLUGIN_NAME, options: { buildTargetName: 'cargo-build' } }] });
    await initGenerator(tree, { skipFormat: true });
    expect(pluginsOf(tree)).toEqual([{ plugin: PLUGIN_NAME, options: { buildTargetName: 'cargo-build' } }]);
  });

  it('creates a Cargo workspace root with the whole release profile when there is no crate yet', async () => {
    await initGenerator(tree, { skipFormat: true });
    const doc = parse(tree, 'Cargo.toml');
    expect(doc.workspace).toEqual({ resolver: '2', members: [] });
    expect(doc.profile.release).toEqual({ strip: true, lto: true, 'codegen-units': 1, panic: 'abort', 'opt-level': 3 });
  });

  it("keeps an existing Cargo.toml's comments, members and settings", async () => {
    const existing = '# Our Rust workspace\n[workspace]\nresolver = "3" # edition 2024\nmembers = [\n    "libs/core", # shared\n]\n\n[profile.release]\nlto = "thin"\n';
    tree.write('Cargo.toml', existing);
    await initGenerator(tree, { skipFormat: true });
    const text = read(tree, 'Cargo.toml');
    expect(text.startsWith('# Our Rust workspace\n[workspace]\nresolver = "3" # edition 2024\nmembers = [\n    "libs/core", # shared\n]\n')).toBe(true);
    const doc = TOML.parse(text) as Doc;
    expect(doc.workspace).toEqual({ resolver: '3', members: ['libs/core'] });
    expect(doc.profile.release.lto).toBe('thin');
    expect(doc.profile.release.strip).toBe(true);
  });

  it('does not rewrite a Cargo.toml that already has everything', async () => {
    await initGenerator(tree, { skipFormat: true });
    const cargo = read(tree, 'Cargo.toml');
    await initGenerator(tree, { skipFormat: true });
    expect(read(tree, 'Cargo.toml')).toBe(cargo);
  });

  it('creates a .dockerignore with the built-in exclusions under a header', async () => {
    await initGenerator(tree, { skipFormat: true });
    expect(read(tree, '.dockerignore')).toBe(`# Never sent to a Docker build (@org/rust-docker)\n${ALWAYS_EXCLUDED.join('\n')}\n`);
  });

  it('extends an existing .dockerignore with the missing exclusions only', async () => {
    tree.write('.dockerignore', '# mine\n*.md\n.git\n**/target');
    await initGenerator(tree, { skipFormat: true });
    const lines = read(tree, '.dockerignore').split('\n');
    expect(lines.slice(0, 4)).toEqual(['# mine', '*.md', '.git', '**/target']);
    expect(lines[4]).toBe('');
    for (const pattern of ALWAYS_EXCLUDED) expect(lines.filter((l) => l === pattern)).toHaveLength(1);
  });

  it("adds target/, dist/ and Nx's own cache and workspace data to .gitignore without duplicating what is there", async () => {
    tree.write('.gitignore', 'node_modules\ntarget/\n.nx/cache\n');
    await initGenerator(tree, { skipFormat: true });
    expect(read(tree, '.gitignore')).toBe('node_modules\ntarget/\n.nx/cache\n\n# Rust build output (@org/rust-docker)\ndist/\n\n.nx/workspace-data\n');
  });

  it('creates a .gitignore when there is none', async () => {
    await initGenerator(tree, { skipFormat: true });
    expect(read(tree, '.gitignore')).toBe(`# Rust build output (@org/rust-docker)\ntarget/\ndist/\n\n${NX_IGNORES.join('\n')}\n`);
    expect(NX_IGNORES).toEqual(['.nx/cache', '.nx/workspace-data']);
  });

  it.each(['.nx', '.nx/', '/.nx/', '.nx/*'])('adds no .nx lines when %s already ignores the whole folder', async (line) => {
    tree.write('.gitignore', `node_modules\n${line}\n`);
    await initGenerator(tree, { skipFormat: true });
    expect(read(tree, '.gitignore')).not.toContain('.nx/cache');
  });

  it('is idempotent: a second run changes no file and prints nothing', async () => {
    tree.write('Cargo.toml', '[package]\nname = "app"\n');
    tree.write('.gitignore', 'node_modules');
    await initGenerator(tree, { skipFormat: true });
    const first = snapshot(tree);
    const log = captureLog();
    await initGenerator(tree, { skipFormat: true });
    expect(snapshot(tree)).toEqual(first);
    expect(log()).toBe('');
    expect(pluginsOf(tree).filter((p) => (typeof p === 'string' ? p : p.plugin) === PLUGIN_NAME)).toHaveLength(1);
  });

  it('refuses a release profile choice it does not know, writing nothing', async () => {
    await expect(initGenerator(tree, { skipFormat: true, releaseProfile: 'most' as never })).rejects.toThrow(
      '--releaseProfile must be one of all, build-only, none; got "most".',
    );
    expect(tree.exists('Cargo.toml')).toBe(false);
  });

  describe('without nx.json', () => {
    it('creates nx.json next to package.json and registers the plugin there', async () => {
      tree.delete('nx.json');
      const log = captureLog();
      await initGenerator(tree, { skipFormat: true });
      expect(pluginsOf(tree)).toEqual([{ plugin: PLUGIN_NAME, options: DEFAULT_PLUGIN_OPTIONS }]);
      expect(readNxJson(tree)!.targetDefaults).toEqual({ [CARGO_EXECUTOR]: {} });
      expect(log()).toMatch(/nx\.json\s+created \(Nx read only package\.json before\)/);
    });

    it('says what to run where neither nx.json nor package.json exists, and writes nothing', async () => {
      const bare = createTree();
      const before = snapshot(bare);
      await expect(initGenerator(bare, { skipFormat: true })).rejects.toThrow(
        'neither nx.json nor package.json is here, so this folder is not an Nx workspace yet: run `npx nx@latest init` in it first',
      );
      expect(snapshot(bare)).toEqual(before);
    });
  });

  describe('target names', () => {
    beforeEach(() => {
      // A napi-style crate: its package.json scripts are Nx targets too.
      tree.write('bindings/Cargo.toml', crate('bindings'));
      addProjectConfiguration(tree, 'bindings', { root: 'bindings', targets: { build: { command: 'napi build' }, test: { command: 'node test.js' } } });
      addProjectConfiguration(tree, 'web', { root: 'apps/web', targets: { lint: { command: 'eslint .' } } });
    });

    it("picks another name where a project at a crate's root already has the target, and says so", async () => {
      const log = captureLog();
      await initGenerator(tree, { skipFormat: true });
      expect(pluginsOf(tree)).toEqual([
        { plugin: PLUGIN_NAME, options: { ...DEFAULT_PLUGIN_OPTIONS, buildTargetName: 'cargo-build', testTargetName: 'cargo-test' } },
      ]);
      expect(log()).toContain('project "bindings" already has a "build" target, so the plugin\'s is named "cargo-build" (buildTargetName in nx.json)');
      expect(log()).toContain('project "bindings" already has a "test" target, so the plugin\'s is named "cargo-test" (testTargetName in nx.json)');
      // `lint` is taken only by a project that is no crate: no clash there.
      expect(log()).not.toContain('already has a "lint" target');
      expect(readNxJson(tree)!.plugins).toHaveLength(1);
    });

    it('takes the next candidate when the second is taken too, and fails with what to do when all are', async () => {
      addProjectConfiguration(tree, 'tools', { root: 'tools', targets: { deps: {}, 'cargo-deps': {}, 'cargo-tree': {} } });
      tree.write('tools/Cargo.toml', crate('tools'));
      await expect(initGenerator(tree, { skipFormat: true })).rejects.toThrow(
        'every name tried for the depsTargetName target (deps, cargo-deps, cargo-tree) is already a target of project "tools": register the plugin by hand in nx.json with a free name',
      );
      expect(pluginsOf(tree)).toEqual([]);
    });
  });

  describe('targetDefaults', () => {
    it('shields the cargo targets from name-keyed targetDefaults with an executor-keyed entry, and says which', async () => {
      const nxJson = readNxJson(tree)!;
      const created = {
        build: { cache: true, dependsOn: ['^build'], inputs: ['production', '^production'] },
        lint: { cache: true },
        'docker-build': { options: { buildArgs: { RUST_IMAGE: 'mirror/rust' } } },
      };
      updateNxJson(tree, { ...nxJson, targetDefaults: created });
      const log = captureLog();
      await initGenerator(tree, { skipFormat: true });
      // Name-keyed entries stay for everything else (docker-build's options still apply).
      expect(readNxJson(tree)!.targetDefaults).toEqual({ ...created, [CARGO_EXECUTOR]: {} });
      expect(log()).toContain('targetDefaults "build", "lint" no longer apply to the cargo targets');
      expect(log()).toContain(`put defaults for cargo targets under "${CARGO_EXECUTOR}"`);
    });

    it("keeps a team's own executor-keyed defaults", async () => {
      const nxJson = readNxJson(tree)!;
      updateNxJson(tree, { ...nxJson, targetDefaults: { [CARGO_EXECUTOR]: { options: { args: ['--locked'] } } } });
      await initGenerator(tree, { skipFormat: true });
      expect(readNxJson(tree)!.targetDefaults).toEqual({ [CARGO_EXECUTOR]: { options: { args: ['--locked'] } } });
    });
  });

  it('excludes crates that belong to no workspace from the one it creates, so Cargo keeps building them', async () => {
    tree.write('tools/gen/Cargo.toml', crate('gen'));
    tree.write('bindings/Cargo.toml', crate('bindings'));
    // A nested workspace and its member look after themselves.
    tree.write('vendor-ws/Cargo.toml', '[workspace]\nmembers = ["a"]\n');
    tree.write('vendor-ws/a/Cargo.toml', crate('a'));
    const log = captureLog();
    await initGenerator(tree, { skipFormat: true });
    expect(parse(tree, 'Cargo.toml').workspace).toEqual({ resolver: '2', members: [], exclude: ['bindings', 'tools/gen'] });
    expect(log()).toContain('[workspace] exclude: bindings, tools/gen keep building on their own (their Cargo.lock and target/)');
  });

  describe('@nx/docker', () => {
    beforeEach(() => {
      tree.write('Cargo.toml', '[workspace]\nresolver = "2"\nmembers = ["api", "legacy"]\n');
      tree.write('api/Cargo.toml', crate('api'));
      tree.write('api/Dockerfile', generatedDockerfile('api', 'api'));
      // A hand-written Dockerfile builds from its own folder, as @nx/docker runs it.
      tree.write('legacy/Cargo.toml', crate('legacy'));
      tree.write('legacy/Dockerfile', 'FROM rust:1.95 AS build\nCOPY . .\nRUN cargo build --release\n');
    });

    it("excludes the generated Dockerfiles from every @nx/docker registration, keeping its options", async () => {
      const nxJson = readNxJson(tree)!;
      updateNxJson(tree, { ...nxJson, plugins: [{ plugin: '@nx/docker', options: { buildTarget: 'docker:build' }, exclude: ['tools/**'] }, '@nx/docker'] });
      await initGenerator(tree, { skipFormat: true });
      expect(pluginsOf(tree).slice(0, 2)).toEqual([
        { plugin: '@nx/docker', options: { buildTarget: 'docker:build' }, exclude: ['tools/**', 'api/Dockerfile'] },
        { plugin: '@nx/docker', exclude: ['api/Dockerfile'] },
      ]);
    });

    it('leaves nx.json alone when @nx/docker is not registered', async () => {
      await initGenerator(tree, { skipFormat: true });
      expect(pluginsOf(tree).map((p) => (typeof p === 'string' ? p : p.plugin))).toEqual([PLUGIN_NAME]);
      expect(keepNxDockerOff(tree, ['api/Dockerfile'])).toEqual([]);
    });

    it('excludes a Dockerfile the service and docker generators write later', () => {
      const nxJson = readNxJson(tree)!;
      updateNxJson(tree, { ...nxJson, plugins: ['@nx/docker'] });
      expect(keepNxDockerOff(tree, ['worker/Dockerfile'])).toHaveLength(1);
      expect(keepNxDockerOff(tree, ['worker/Dockerfile'])).toEqual([]);
      expect(pluginsOf(tree)).toEqual([{ plugin: '@nx/docker', exclude: ['worker/Dockerfile'] }]);
    });
  });

  describe('release profile in a workspace with crates', () => {
    beforeEach(() => {
      tree.write('Cargo.toml', '[workspace]\nresolver = "2"\nmembers = ["api"]\n');
      tree.write('api/Cargo.toml', crate('api'));
    });

    it('adds only what a running program does not notice, proposes the rest, and lists every change', async () => {
      const log = captureLog();
      await initGenerator(tree, { skipFormat: true });
      expect(parse(tree, 'Cargo.toml').profile.release).toEqual({ lto: true, 'codegen-units': 1, 'opt-level': 3 });
      const printed = log();
      expect(printed).toMatch(/Cargo\.toml\s+\[profile\.release\] lto = true: link-time optimization/);
      expect(printed).toMatch(/Cargo\.toml\s+\[profile\.release\] codegen-units = 1: /);
      expect(printed).toMatch(/Cargo\.toml\s+\[profile\.release\] opt-level = 3: /);
      expect(printed).toContain('init proposes (not applied: existing crates would build or behave differently)');
      expect(printed).toMatch(/\[profile\.release\] panic = "abort": .*not applied to existing crates: a panic ends the whole process instead of the one request/);
      expect(printed).toMatch(/\[profile\.release\] strip = true: .*a panic backtrace \(RUST_BACKTRACE=1\) shows addresses/);
      expect(printed).toContain('Apply the release profile settings with: nx g @org/rust-docker:init --releaseProfile=all');
    });

    it('proposes once: init run again (every service generator runs it) stays quiet', async () => {
      captureLog();
      await initGenerator(tree, { skipFormat: true });
      jest.restoreAllMocks();
      const log = captureLog();
      await initGenerator(tree, { skipFormat: true });
      expect(log()).toBe('');
      expect(parse(tree, 'Cargo.toml').profile.release.panic).toBeUndefined();
    });

    it('--releaseProfile=all applies the rest; --releaseProfile=none adds no profile', async () => {
      await initGenerator(tree, { skipFormat: true, releaseProfile: 'none' });
      expect(parse(tree, 'Cargo.toml').profile).toBeUndefined();
      const log = captureLog();
      await initGenerator(tree, { skipFormat: true, releaseProfile: 'all' });
      expect(parse(tree, 'Cargo.toml').profile.release).toEqual({ strip: true, lto: true, 'codegen-units': 1, panic: 'abort', 'opt-level': 3 });
      expect(log()).toMatch(/\[profile\.release\] panic = "abort": .*\(at run time: a panic ends the whole process/);
    });

    it('keeps the resolver of a root package, and only proposes one for a virtual workspace without it', async () => {
      const root = createTreeWithEmptyWorkspace();
      root.write('Cargo.toml', '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2024"\n');
      await initGenerator(root, { skipFormat: true });
      expect(parse(root, 'Cargo.toml').workspace).toEqual({ members: [] });

      tree.write('Cargo.toml', '[workspace]\nmembers = ["api"]\n');
      const log = captureLog();
      await initGenerator(tree, { skipFormat: true });
      expect(parse(tree, 'Cargo.toml').workspace).toEqual({ members: ['api'] });
      expect(log()).toContain('[workspace] resolver = "2": Cargo resolves this virtual workspace with resolver 1');
    });
  });
});

describe('ensureLines', () => {
  it('writes nothing when every line is there, ignoring surrounding spaces', () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('f', '  a  \nb\r\n');
    expect(ensureLines(tree, 'f', ['a', 'b'], '# header')).toEqual([]);
    expect(tree.read('f', 'utf8')).toBe('  a  \nb\r\n');
  });

  it('does not repeat the header when it is already there', () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('f', '# header\na\n');
    expect(ensureLines(tree, 'f', ['a', 'c'], '# header')).toEqual(['c']);
    expect(tree.read('f', 'utf8')).toBe('# header\na\n\nc\n');
  });
});
