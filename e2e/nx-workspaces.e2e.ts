import * as TOML from '@iarna/toml';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildKitPath, removeImages, STAND_IN_RUST_IMAGE } from './helpers/docker';
import { compiledCrates, run, seconds } from './helpers/run';
import { createWorkspace, nxVersion, packPlugin, useBaseImages, workspaceAt, type Workspace } from './helpers/workspace';

const numbers = (v: string) => v.split(/[.-]/).slice(0, 3).map(Number);
const newer = (a: string, b: string) => {
  const [x, y] = [numbers(a), numbers(b)];
  const i = x.findIndex((n, k) => n !== y[k]);
  return i !== -1 && x[i] > y[i];
};

function published(pkg: string, range: string): string[] {
  const out = run('npm', ['view', `${pkg}@${range}`, 'version', '--json'], { quiet: true, allowFailure: true }).stdout.trim();
  if (!out) return [];
  const parsed = JSON.parse(out);
  return (Array.isArray(parsed) ? parsed : [parsed]).filter((v: string) => !v.includes('-'));
}

/**
 * The newest Nx, up to the one the suites run on, that has create-nx-workspace and
 * @nx/docker published: the registry may not carry them for the newest Nx yet.
 */
function workspaceNxVersion(): string {
  const docker = new Set(published('@nx/docker', `<=${nxVersion()}`));
  const candidates = published('create-nx-workspace', `<=${nxVersion()}`).filter((v) => docker.has(v));
  if (!candidates.length) throw new Error(`no create-nx-workspace and @nx/docker release up to ${nxVersion()} on the registry`);
  return candidates.reduce((best, v) => (newer(v, best) ? v : best));
}

const cacheHit = /\[(local cache|existing outputs match the cache, left as is)\]|read the output from the cache/;

/**
 * The plugin in a workspace as create-nx-workspace makes it, with the name-keyed
 * `targetDefaults` it writes when inference plugins are off (every workspace made before
 * them has such entries) and @nx/docker installed and registered: `nx add` of the plugin,
 * a service, its build and image, a Cargo.lock bump that misses the cache, and no failing
 * duplicate targets.
 */
describe('an Nx workspace made by create-nx-workspace, with @nx/docker', () => {
  let ws: Workspace;
  let parent: string;
  let version: string;
  const env = { PATH: buildKitPath() };
  const figures: Array<[string, string]> = [];
  const project = (name: string) => JSON.parse(ws.nx(['show', 'project', name, '--json']).stdout);

  beforeAll(() => {
    version = workspaceNxVersion();
    if (version !== nxVersion()) console.log(`create-nx-workspace/@nx/docker ${nxVersion()} are not on the registry: this suite runs on Nx ${version}`);
    parent = mkdtempSync(join(tmpdir(), 'rust-docker-e2e-cnw-'));
    const created = run(
      'npx',
      ['-y', `create-nx-workspace@${version}`, 'ws', '--preset=apps', '--nxCloud=skip', '--packageManager=npm', '--interactive=false', '--aiAgents=none', '--skipGit'],
      { cwd: parent, env: { ...process.env, NX_ADD_PLUGINS: 'false', NX_NO_CLOUD: 'true', NX_DAEMON: 'false', CI: 'true' }, quiet: true },
    );
    figures.push(['create-nx-workspace', seconds(created.ms)]);
    ws = workspaceAt(join(parent, 'ws'), env);
    ws.git(['init', '-q', '-b', 'main']);
    ws.git(['add', '-A']);
    ws.git(['commit', '-qm', 'create-nx-workspace']);
  });

  afterAll(() => {
    if (figures.length) console.log(`nx-workspaces figures (Nx ${version}):\n${figures.map(([k, v]) => `  ${k.padEnd(40)} ${v}`).join('\n')}`);
    removeImages('api');
    ws?.remove();
    if (!process.env.E2E_KEEP && parent) rmSync(parent, { recursive: true, force: true });
  });

  it('starts from name-keyed targetDefaults that replace a target\'s inputs', () => {
    const nxJson = ws.json('nx.json');
    expect(nxJson.targetDefaults.build).toEqual({ cache: true, dependsOn: ['^build'], inputs: ['production', '^production'] });
    expect(ws.json('package.json').devDependencies.nx).toBe(version);
  });

  it('nx add @nx/docker registers it for every Dockerfile', () => {
    ws.nx(['add', `@nx/docker@${version}`]);
    expect(ws.json('nx.json').plugins).toEqual([expect.objectContaining({ plugin: '@nx/docker' })]);
  });

  it('nx add @org/rust-docker runs init, which says what it changes, and nothing warns afterwards', () => {
    const added = ws.nx(['add', `@org/rust-docker@file:${packPlugin()}`]);
    figures.push(['nx add @org/rust-docker', seconds(added.ms)]);
    expect(added.output).toContain('@org/rust-docker init changed:');
    expect(added.output).toMatch(/nx\.json\s+targetDefaults "@org\/rust-docker:cargo": \{\}/);
    expect(added.output).toContain('targetDefaults "build", "lint" no longer apply to the cargo targets');
    expect(added.output).toContain('useInferencePlugins is false, but this plugin has no other way to add targets');
    expect(added.output).toMatch(/Cargo\.toml\s+created: the root of a Cargo workspace/);
    const nxJson = ws.json('nx.json');
    expect(nxJson.plugins.map((p: any) => p.plugin)).toEqual(['@nx/docker', '@org/rust-docker']);
    expect(nxJson.targetDefaults['@org/rust-docker:cargo']).toEqual({});
    // create-nx-workspace wrote Nx's own ignores: init adds them once, not twice.
    expect(ws.read('.gitignore').split('\n').filter((l) => l === '.nx/cache')).toHaveLength(1);
    const shown = ws.nx(['show', 'projects']);
    expect(shown.output).not.toContain('@org/rust-docker');
  });

  it('a service: its Dockerfile is kept from @nx/docker, its cargo targets keep their Cargo inputs', () => {
    ws.nx(['g', '@org/rust-docker:service', 'api']);
    // Other Dockerfiles stay @nx/docker's (it names no project: the folder's project.json does).
    ws.write('tools/web/Dockerfile', 'FROM nginx:alpine\n');
    ws.write('tools/web/project.json', JSON.stringify({ name: 'web' }));
    expect(ws.json('nx.json').plugins[0].exclude).toEqual(['api/Dockerfile']);
    const api = project('api');
    expect(Object.keys(api.targets)).toEqual(expect.arrayContaining(['build', 'test', 'lint', 'docker-build', 'docker-run', 'health-check']));
    expect(Object.keys(api.targets).filter((t) => t.startsWith('docker:') || t === 'nx-release-publish')).toEqual([]);
    // The Cargo root files come in through the named input the plugin declares once per project.
    expect(api.targets.build.inputs).toContain('cargoRoot');
    expect(api.namedInputs.cargoRoot).toEqual(expect.arrayContaining(['{workspaceRoot}/Cargo.toml', '{workspaceRoot}/Cargo.lock']));
    expect(api.targets.build.dependsOn).toBeUndefined();
    expect(Object.keys(project('web').targets)).toEqual(expect.arrayContaining(['docker:build', 'docker:run']));
    useBaseImages(ws, { RUST_IMAGE: STAND_IN_RUST_IMAGE });
    ws.git(['add', '-A']);
    ws.git(['commit', '-qm', 'api service']);
  });

  it('without the executor-keyed entry, create-nx-workspace\'s build defaults would drop the Cargo inputs', () => {
    const nxJson = ws.json('nx.json');
    const { ['@org/rust-docker:cargo']: guard, ...others } = nxJson.targetDefaults;
    expect(guard).toEqual({});
    ws.write('nx.json', JSON.stringify({ ...nxJson, targetDefaults: others }, null, 2));
    try {
      const weakened = project('api').targets.build;
      expect(weakened.inputs).toEqual(['production', '^production']);
      expect(weakened.dependsOn).toEqual(['^build']);
    } finally {
      ws.git(['checkout', '--', 'nx.json']);
    }
  });

  it('build and docker-build are cached, and a Cargo.lock bump misses both caches', () => {
    const build = ws.nx(['run', 'api:build']);
    figures.push(['nx run api:build (cold)', seconds(build.ms)]);
    const image = ws.nx(['run', 'api:docker-build']);
    figures.push(['nx run api:docker-build (cold)', seconds(image.ms)]);
    expect(ws.nx(['run', 'api:build']).output).toMatch(cacheHit);
    expect(ws.nx(['run', 'api:docker-build']).output).toMatch(cacheHit);

    const lock = () => TOML.parse(ws.read('Cargo.lock')) as any;
    const itoa = lock().package.find((p: any) => p.name === 'itoa').version;
    const other = itoa === '1.0.14' ? '1.0.15' : '1.0.14';
    run('cargo', ['update', '-p', 'itoa', '--precise', other], { cwd: ws.root, quiet: true });
    expect(lock().package.find((p: any) => p.name === 'itoa').version).toBe(other);

    const rebuilt = ws.nx(['run', 'api:build']);
    expect(rebuilt.output).not.toMatch(cacheHit);
    expect(compiledCrates(rebuilt.output)).toContain('itoa');
    figures.push(['api:build after the Cargo.lock bump', seconds(rebuilt.ms)]);
    const reimaged = ws.nx(['run', 'api:docker-build']);
    expect(reimaged.output).not.toMatch(cacheHit);
    figures.push(['api:docker-build after the Cargo.lock bump', seconds(reimaged.ms)]);
    ws.git(['add', '-A']);
    ws.git(['commit', '-qm', 'itoa bump']);
  });

  it('nx migrate runs the 0.2.0 migration on a workspace set up before it', () => {
    // What init 0.1 left: no executor-keyed entry, @nx/docker on every Dockerfile.
    const nxJson = ws.json('nx.json');
    const { ['@org/rust-docker:cargo']: _guard, ...others } = nxJson.targetDefaults;
    const { exclude: _exclude, ...nxDocker } = nxJson.plugins[0];
    ws.write('nx.json', JSON.stringify({ ...nxJson, targetDefaults: others, plugins: [nxDocker, nxJson.plugins[1]] }, null, 2));
    // The file nx migrate writes for the package's migrations between two versions.
    const migrations = ws.json('node_modules/@org/rust-docker/migrations.json').generators;
    ws.write(
      'migrations.json',
      JSON.stringify({
        migrations: Object.entries<any>(migrations).map(([name, m]) => ({ version: m.version, description: m.description, package: '@org/rust-docker', name })),
      }),
    );
    // nx migrate would run the migrations with the latest nx CLI, after checking its npm
    // provenance, which this registry mirror does not carry: the workspace's own nx runs them.
    const migrated = ws.nx(['migrate', '--run-migrations=migrations.json'], { env: { NX_MIGRATE_USE_LOCAL: 'true' } });
    expect(migrated.output).toContain('Ran update-0-2-0-keep-cargo-inputs from @org/rust-docker');
    expect(ws.json('nx.json')).toEqual(nxJson);
    ws.git(['checkout', '--', 'nx.json']);
    rmSync(join(ws.root, 'migrations.json'), { force: true });
  });
});

/**
 * A repository Nx runs on package.json alone (no nx.json), with an existing crate whose
 * package.json scripts are Nx targets too (a napi-style binding), then project.json
 * targets of @monodon/rust and @nxrs/cargo to convert.
 */
describe('a workspace without nx.json, with crates of its own', () => {
  let ws: Workspace;

  beforeAll(() => {
    ws = createWorkspace('no-nx-json', {}, { nxJson: false, packageJson: { workspaces: ['bindings'] } });
    ws.write('bindings/package.json', JSON.stringify({ name: 'bindings', scripts: { build: 'echo napi build', test: 'echo js tests' } }, null, 2));
    ws.write('bindings/Cargo.toml', '[package]\nname = "bindings"\nversion = "0.1.0"\nedition = "2021"\n\n[lib]\npath = "src/lib.rs"\n');
    ws.write('bindings/src/lib.rs', 'pub fn answer() -> u32 {\n    42\n}\n');
    // A .gitignore of its own, without Nx's folders.
    ws.write('.gitignore', 'node_modules/\n');
    ws.git(['add', '-A']);
    ws.git(['commit', '-qm', 'a binding crate']);
  });

  afterAll(() => ws?.remove());

  it('init creates nx.json, names its targets around the ones the crate has, and lists every change', () => {
    const init = ws.nx(['g', '@org/rust-docker:init']);
    const nxJson = ws.json('nx.json');
    expect(nxJson.plugins).toEqual([
      { plugin: '@org/rust-docker', options: expect.objectContaining({ buildTargetName: 'cargo-build', testTargetName: 'cargo-test', lintTargetName: 'lint' }) },
    ]);
    expect(init.output).toMatch(/nx\.json\s+created \(Nx read only package\.json before\)/);
    expect(init.output).toContain('project "bindings" already has a "build" target, so the plugin\'s is named "cargo-build"');
    // The existing crate keeps building on its own, and nothing that changes how it runs is imposed.
    const cargo = TOML.parse(ws.read('Cargo.toml')) as any;
    expect(cargo.workspace.exclude).toEqual(['bindings']);
    expect(cargo.profile.release).toEqual({ lto: true, 'codegen-units': 1, 'opt-level': 3 });
    expect(init.output).toMatch(/Cargo\.toml\s+\[profile\.release\] lto = true: /);
    expect(init.output).toMatch(/proposes \(not applied: existing crates would build or behave differently\)/);
    expect(init.output).toMatch(/panic = "abort": .*a panic ends the whole process/);
    expect(init.output).toContain('nx g @org/rust-docker:init --releaseProfile=all');
    expect(ws.read('.gitignore').split('\n')).toEqual(expect.arrayContaining(['.nx/cache', '.nx/workspace-data']));

    const bindings = JSON.parse(ws.nx(['show', 'project', 'bindings', '--json']).stdout);
    expect(Object.keys(bindings.targets)).toEqual(expect.arrayContaining(['build', 'test', 'cargo-build', 'cargo-test', 'lint']));
    expect(bindings.targets.build.options.script).toBe('build');
    const shown = ws.nx(['show', 'projects']);
    expect(shown.output).not.toContain('@org/rust-docker');
    ws.nx(['run', 'bindings:cargo-build']);
    ws.git(['add', '-A']);
    ws.git(['commit', '-qm', 'init']);
  });

  it('convert-to-inferred turns @monodon/rust and @nxrs/cargo targets into inferred ones, keeping what differs', () => {
    // What their generators write (read in their published packages), plus one option of a team's own.
    ws.write('Cargo.toml', ws.read('Cargo.toml').replace('members = []', 'members = ["apps/legacy", "libs/util"]'));
    ws.write('apps/legacy/Cargo.toml', '[package]\nname = "legacy"\nversion = "0.1.0"\nedition = "2021"\n\n[features]\nextra = []\n');
    ws.write('apps/legacy/src/main.rs', '#[cfg(feature = "extra")]\nconst MODE: &str = "extra";\n#[cfg(not(feature = "extra"))]\nconst MODE: &str = "plain";\n\nfn main() {\n    println!("{MODE}");\n}\n');
    const target = (executor: string, extra: object = {}) => ({
      cache: true,
      executor: `@monodon/rust:${executor}`,
      outputs: ['{options.target-dir}'],
      options: { 'target-dir': 'dist/target/legacy', ...extra },
      configurations: { production: { release: true } },
    });
    ws.write(
      'apps/legacy/project.json',
      JSON.stringify({
        name: 'legacy',
        $schema: '../../node_modules/nx/schemas/project-schema.json',
        projectType: 'application',
        sourceRoot: 'apps/legacy/src',
        targets: { build: target('build', { features: ['extra'] }), test: target('test'), run: { executor: '@monodon/rust:run', options: { 'target-dir': 'dist/target/legacy' } } },
        tags: [],
      }),
    );
    ws.write('libs/util/Cargo.toml', '[package]\nname = "util"\nversion = "0.1.0"\nedition = "2021"\n');
    ws.write('libs/util/src/lib.rs', 'pub fn util() -> u32 {\n    1\n}\n');
    ws.write(
      'libs/util/project.json',
      JSON.stringify({
        name: 'util',
        projectType: 'library',
        sourceRoot: 'libs/util/src',
        targets: {
          build: { executor: '@nxrs/cargo:build', options: { profile: 'dev' }, configurations: { production: { profile: 'release' } } },
          test: { executor: '@nxrs/cargo:test', options: {} },
          lint: { executor: '@nxrs/cargo:clippy', options: { fix: false, failOnWarnings: true, noDeps: true } },
        },
        tags: [],
      }),
    );
    const converted = ws.nx(['g', '@org/rust-docker:convert-to-inferred']);
    expect(converted.output).toContain('legacy:build (now "cargo-build") is inferred by @org/rust-docker; kept in project.json: {"options":{"args":["--features","extra"]}}');
    expect(converted.output).toContain('legacy:run left as it was: @monodon/rust:run has no inferred counterpart');
    expect(converted.output).toContain('util: libs/util/project.json removed (everything in it is inferred now)');
    expect(ws.json('apps/legacy/project.json').targets).toEqual({
      'cargo-build': { options: { args: ['--features', 'extra'] } },
      run: { executor: '@monodon/rust:run', options: { 'target-dir': 'dist/target/legacy' } },
    });
    const legacy = JSON.parse(ws.nx(['show', 'project', 'legacy', '--json']).stdout);
    expect(legacy.targets['cargo-build']).toMatchObject({ executor: '@org/rust-docker:cargo', options: { release: true, args: ['--features', 'extra'] } });
    expect(legacy.targets['cargo-build'].inputs).toContain('cargoRoot');
    expect(legacy.namedInputs.cargoRoot).toContain('{workspaceRoot}/Cargo.toml');
    const util = JSON.parse(ws.nx(['show', 'project', 'util', '--json']).stdout);
    expect(Object.keys(util.targets)).toEqual(expect.arrayContaining(['cargo-build', 'cargo-test', 'lint']));
    // The kept option reaches cargo.
    ws.nx(['run', 'legacy:cargo-build']);
    expect(run(join(ws.root, 'dist/apps/legacy/bin/legacy'), []).stdout.trim()).toBe('extra');
  });
});
