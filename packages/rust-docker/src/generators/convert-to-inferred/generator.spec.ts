import { logger, readJson, readNxJson, updateNxJson, writeJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { DEFAULT_PLUGIN_OPTIONS, PLUGIN_NAME } from '../init/generator';
import { convertToInferredGenerator } from './generator';
import { convertTarget } from './old-targets';

/*
 * The project.json shapes below are what the plugins' own generators write, read in their
 * published packages: @monodon/rust 3.0.0 (src/generators/{binary,library}/generator.js with
 * src/utils/add-executors.js and normalize-options.js) and @nxrs/cargo 0.4.1
 * (src/generators/{binary,library}/generator.js).
 */
const monodonTarget = (executor: string, name: string, production = true) => ({
  ...(executor === 'run' || executor === 'check' ? {} : { cache: true }),
  executor: `@monodon/rust:${executor}`,
  outputs: ['{options.target-dir}'],
  options: { 'target-dir': `dist/target/${name}` },
  ...(production ? { configurations: { production: { release: true } } } : {}),
});

function monodonBinary(name: string) {
  return {
    name,
    $schema: '../../node_modules/nx/schemas/project-schema.json',
    projectType: 'application',
    sourceRoot: `apps/${name}/src`,
    targets: {
      build: monodonTarget('build', name),
      test: monodonTarget('test', name),
      lint: monodonTarget('lint', name, false),
      run: monodonTarget('run', name),
    },
    tags: [],
  };
}

function monodonLibrary(name: string) {
  return {
    name,
    $schema: '../../node_modules/nx/schemas/project-schema.json',
    projectType: 'library',
    sourceRoot: `libs/${name}/src`,
    targets: { build: monodonTarget('check', name, false), test: monodonTarget('test', name), lint: monodonTarget('lint', name, false) },
    tags: [],
  };
}

function nxrsBinary(name: string) {
  return {
    name,
    $schema: '../../node_modules/nx/schemas/project-schema.json',
    projectType: 'application',
    sourceRoot: `apps/${name}/src`,
    targets: {
      build: { executor: '@nxrs/cargo:build', options: { profile: 'dev' }, configurations: { production: { profile: 'release' } } },
      dev: { executor: '@nxrs/cargo:run', options: {} },
      test: { executor: '@nxrs/cargo:test', options: {} },
      lint: { executor: '@nxrs/cargo:clippy', options: { fix: false, failOnWarnings: true, noDeps: true } },
    },
    tags: [],
  };
}

const crate = (name: string) => `[package]\nname = "${name}"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n`;

function addCrate(tree: Tree, root: string, name: string, projectJson: object): void {
  tree.write(`${root}/Cargo.toml`, crate(name));
  tree.write(`${root}/src/${projectJson && (projectJson as { projectType: string }).projectType === 'library' ? 'lib' : 'main'}.rs`, '');
  writeJson(tree, `${root}/project.json`, projectJson);
}

const pluginNames = (tree: Tree) => (readNxJson(tree)!.plugins ?? []).map((p) => (typeof p === 'string' ? p : p.plugin));

function captureLog(): () => string {
  const info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  return () => info.mock.calls.map((c) => String(c[0])).join('\n');
}

afterEach(() => jest.restoreAllMocks());

describe('convert-to-inferred', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    // What @monodon/rust's init writes.
    tree.write('Cargo.toml', '[workspace]\nresolver = "2"\nmembers = ["apps/*", "libs/*"]\n\n[profile.release]\nlto = true\n');
  });

  describe('@monodon/rust', () => {
    beforeEach(() => {
      updateNxJson(tree, { ...readNxJson(tree)!, plugins: ['@monodon/rust'] });
      addCrate(tree, 'apps/my_app', 'my_app', monodonBinary('my_app'));
      addCrate(tree, 'libs/my_lib', 'my_lib', monodonLibrary('my_lib'));
    });

    it('converts build, test and lint, keeps run (no counterpart), removes a project.json with nothing left, and keeps the registration run still needs', async () => {
      const log = captureLog();
      await convertToInferredGenerator(tree, { skipFormat: true });
      expect(readJson(tree, 'apps/my_app/project.json')).toEqual({ ...monodonBinary('my_app'), targets: { run: monodonBinary('my_app').targets.run } });
      expect(tree.exists('libs/my_lib/project.json')).toBe(false);
      expect(pluginNames(tree)).toEqual(['@monodon/rust', PLUGIN_NAME]);
      expect(readNxJson(tree)!.plugins![1]).toEqual({ plugin: PLUGIN_NAME, options: DEFAULT_PLUGIN_OPTIONS });
      const printed = log();
      expect(printed).toContain('my_app:build is inferred by @org/rust-docker');
      expect(printed).toContain('my_app:build builds in release mode now');
      expect(printed).toContain('my_app:lint denies warnings now');
      expect(printed).toContain('my_app:run left as it was: @monodon/rust:run has no inferred counterpart');
      expect(printed).toContain('my_lib:build compiles now (`cargo build --release`; it ran `cargo check`)');
      expect(printed).toContain('my_lib: libs/my_lib/project.json removed (everything in it is inferred now)');
      expect(printed).toContain('nx.json: @monodon/rust stays registered (targets still run its executors)');
    });

    it('unregisters @monodon/rust once nothing runs it, and says it can go', async () => {
      const app = monodonBinary('my_app');
      const { run: _run, ...rest } = app.targets;
      writeJson(tree, 'apps/my_app/project.json', { ...app, targets: rest });
      const log = captureLog();
      await convertToInferredGenerator(tree, { skipFormat: true });
      expect(tree.exists('apps/my_app/project.json')).toBe(false);
      expect(pluginNames(tree)).toEqual([PLUGIN_NAME]);
      expect(log()).toContain('nx.json: @monodon/rust unregistered (@org/rust-docker infers the crates and their dependencies); nothing runs it any more: npm uninstall @monodon/rust');
    });

    it('keeps options that differ from the defaults, as the cargo executor takes them', async () => {
      const app = monodonBinary('my_app');
      app.targets.build.options = { 'target-dir': 'out/rust', features: ['metrics', 'tls'], bin: 'server', release: true, toolchain: 'stable' } as never;
      app.targets.test.options = { 'target-dir': 'dist/target/my_app', 'no-fail-fast': true, args: ['--nocapture'] } as never;
      (app.targets.lint as Record<string, unknown>).dependsOn = ['codegen'];
      writeJson(tree, 'apps/my_app/project.json', app);
      await convertToInferredGenerator(tree, { skipFormat: true });
      expect(readJson(tree, 'apps/my_app/project.json').targets).toEqual({
        build: { options: { args: ['--target-dir', 'out/rust', '--features', 'metrics,tls', '--bin', 'server'] } },
        test: { options: { args: ['--no-fail-fast'], toolArgs: ['--nocapture'] } },
        lint: { dependsOn: ['codegen'] },
        run: app.targets.run,
      });
    });

    it('leaves a target with an option it cannot express, and says why', async () => {
      const app = monodonBinary('my_app');
      app.targets.build.options = { 'target-dir': 'dist/target/my_app', toolchain: 'nightly' } as never;
      writeJson(tree, 'apps/my_app/project.json', app);
      const log = captureLog();
      await convertToInferredGenerator(tree, { skipFormat: true, project: 'my_app' });
      expect(readJson(tree, 'apps/my_app/project.json').targets.build).toEqual(app.targets.build);
      expect(log()).toContain('my_app:build left as it was: toolchain "nightly" (the cargo executor runs the workspace\'s toolchain; pin it in rust-toolchain.toml) has no counterpart');
      // --project converts that project only.
      expect(readJson(tree, 'libs/my_lib/project.json')).toEqual(monodonLibrary('my_lib'));
    });

    it('registers the plugin with the default names: the old build, test and lint targets are going', async () => {
      updateNxJson(tree, { ...readNxJson(tree)!, plugins: [] });
      await convertToInferredGenerator(tree, { skipFormat: true });
      expect(readNxJson(tree)!.plugins).toEqual([{ plugin: PLUGIN_NAME, options: DEFAULT_PLUGIN_OPTIONS }]);
    });

    it('keeps project.json for what the plugin does not infer: a name other than the crate name, tags', async () => {
      const lib = monodonLibrary('my_lib');
      writeJson(tree, 'libs/my_lib/project.json', { ...lib, name: 'domain', tags: ['scope:core'] });
      await convertToInferredGenerator(tree, { skipFormat: true, project: 'domain' });
      expect(readJson(tree, 'libs/my_lib/project.json')).toEqual({ name: 'domain', $schema: lib.$schema, projectType: 'library', sourceRoot: lib.sourceRoot, tags: ['scope:core'] });
    });
  });

  describe('@nxrs/cargo', () => {
    beforeEach(() => {
      updateNxJson(tree, { ...readNxJson(tree)!, plugins: ['@nxrs/cargo'] });
      addCrate(tree, 'apps/api', 'api', nxrsBinary('api'));
    });

    it('drops what its generators write by default and keeps dev (cargo run), with the registration it needs', async () => {
      await convertToInferredGenerator(tree, { skipFormat: true });
      expect(readJson(tree, 'apps/api/project.json').targets).toEqual({ dev: nxrsBinary('api').targets.dev });
      expect(pluginNames(tree)).toEqual(['@nxrs/cargo', PLUGIN_NAME]);
    });

    it('keeps its own options as cargo arguments', async () => {
      const app = nxrsBinary('api');
      app.targets.build.options = { profile: 'release', features: 'all', noDefaultFeatures: true, locked: true } as never;
      app.targets.lint.options = { fix: false, failOnWarnings: false, noDeps: true };
      app.targets.test.options = { features: 'postgres' } as never;
      writeJson(tree, 'apps/api/project.json', app);
      await convertToInferredGenerator(tree, { skipFormat: true });
      expect(readJson(tree, 'apps/api/project.json').targets).toEqual({
        build: { options: { args: ['--all-features', '--no-default-features', '--locked'] } },
        test: { options: { args: ['--features', 'postgres'] } },
        lint: { options: { toolArgs: ['-W', 'warnings'] } },
        dev: app.targets.dev,
      });
    });
  });

  describe('refuses what it cannot do, writing nothing', () => {
    it('no project with such targets', async () => {
      const before = tree.listChanges().length;
      await expect(convertToInferredGenerator(tree, { skipFormat: true })).rejects.toThrow(
        'no project.json target runs @monodon/rust or @nxrs/cargo executors: nothing to convert.',
      );
      expect(tree.listChanges()).toHaveLength(before);
    });

    it('an unknown project, or one without such targets', async () => {
      addCrate(tree, 'apps/api', 'api', nxrsBinary('api'));
      writeJson(tree, 'web/project.json', { name: 'web', targets: { build: { command: 'vite build' } } });
      await expect(convertToInferredGenerator(tree, { project: 'ghost' })).rejects.toThrow('project "ghost" does not exist');
      await expect(convertToInferredGenerator(tree, { project: 'web' })).rejects.toThrow('project "web" has no @monodon/rust or @nxrs/cargo targets in a project.json');
    });
  });
});

describe('convertTarget', () => {
  it('treats release as what the inferred build already does, and configurations as what they add', () => {
    const result = convertTarget('@monodon/rust', 'build', ['x'], {
      executor: '@monodon/rust:build',
      options: { release: true },
      configurations: { production: { release: true }, ci: { features: 'ci' } },
    });
    expect(result).toEqual({ converted: true, options: {}, configurations: { ci: { args: ['--features', 'ci'] } }, notes: [] });
  });

  it('keeps a debug build asked for explicitly', () => {
    const result = convertTarget('@nxrs/cargo', 'build', ['x'], { executor: '@nxrs/cargo:build', options: { release: false } });
    expect(result).toMatchObject({ converted: true, options: { release: false } });
  });

  it('an option it does not know is not silently dropped', () => {
    expect(convertTarget('@nxrs/cargo', 'test', ['x'], { executor: '@nxrs/cargo:test', options: { jobs: 4 } })).toEqual({ converted: false, reason: 'jobs has no counterpart' });
  });
});
