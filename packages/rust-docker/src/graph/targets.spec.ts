import { CARGO_ROOT_FILES as WORKSPACE_ROOT_FILES } from '../cargo/workspace';
import { CARGO_ROOT_FILES, composeTargets, crateProject, normalizePluginOptions, type CrateFacts } from './targets';

const service: CrateFacts = {
  name: 'api',
  packageName: 'api',
  root: 'services/api',
  cargoRoot: '.',
  bins: ['api'],
  tags: ['scope:billing'],
  cargoRootFiles: ['Cargo.toml', 'Cargo.lock', 'rust-toolchain.toml'],
  hasLockfile: true,
  productionDeps: ['rust-core'],
  productionExternals: ['cargo:axum@0.8.1', 'cargo:tokio@1.41.0'],
  docker: { port: 8081, hasDockerignore: true },
};

const library: CrateFacts = {
  name: 'rust-core',
  packageName: 'core',
  root: 'libs/core',
  cargoRoot: '.',
  bins: [],
  cargoRootFiles: ['Cargo.toml'],
  hasLockfile: false,
  productionDeps: [],
  productionExternals: [],
};

const defaults = normalizePluginOptions(undefined);

describe('normalizePluginOptions', () => {
  it('names the targets build, test, lint, deps, docker-build, docker-run, health-check, docker-push, compose-up and compose-down by default', () => {
    expect(defaults).toEqual({
      buildTargetName: 'build',
      testTargetName: 'test',
      lintTargetName: 'lint',
      dockerBuildTargetName: 'docker-build',
      dockerRunTargetName: 'docker-run',
      healthCheckTargetName: 'health-check',
      depsTargetName: 'deps',
      dockerPushTargetName: 'docker-push',
      composeUpTargetName: 'compose-up',
      composeDownTargetName: 'compose-down',
      serveTargetName: 'serve',
    });
  });

  it('keeps the names given', () => {
    expect(normalizePluginOptions({ buildTargetName: 'cargo-build' }).buildTargetName).toBe('cargo-build');
    expect(normalizePluginOptions({ composeUpTargetName: 'up', composeDownTargetName: 'down' })).toEqual(
      expect.objectContaining({ buildTargetName: 'build', composeUpTargetName: 'up', composeDownTargetName: 'down' }),
    );
  });

  it('lists the Cargo files outside a crate that decide every build, Cargo.lock included (Nx selects affected tasks by their inputs)', () => {
    expect(CARGO_ROOT_FILES).toEqual(['Cargo.toml', 'Cargo.lock', 'rust-toolchain.toml', 'rust-toolchain', '.cargo/config.toml', '.cargo/config']);
  });

  it('re-exports the list defined with the Cargo workspace model', () => {
    expect(CARGO_ROOT_FILES).toBe(WORKSPACE_ROOT_FILES);
  });
});

describe('crateProject', () => {
  const project = crateProject(service, defaults);
  const targets = project.targets!;

  it('describes a service crate as an application with its name, root and tags', () => {
    expect(project.root).toBe('services/api');
    expect(project.name).toBe('api');
    expect(project.projectType).toBe('application');
    expect(project.tags).toEqual(['scope:billing']);
    expect(project.metadata?.technologies).toEqual(['rust', 'docker']);
  });

  it('has cargo and docker targets, grouped', () => {
    expect(Object.keys(targets)).toEqual(['build', 'test', 'lint', 'deps', 'docker-build', 'docker-run', 'docker-push', 'health-check', 'serve']);
    expect(project.metadata?.targetGroups).toEqual({ Cargo: ['build', 'test', 'lint', 'deps'], Docker: ['docker-build', 'docker-run', 'health-check', 'docker-push'] });
  });

  it('uses the target names from the options', () => {
    const renamed = crateProject(service, {
      buildTargetName: 'cargo-build',
      testTargetName: 'cargo-test',
      lintTargetName: 'clippy',
      depsTargetName: 'tree',
      dockerBuildTargetName: 'image',
      dockerRunTargetName: 'serve',
      healthCheckTargetName: 'smoke',
      dockerPushTargetName: 'publish',
      composeUpTargetName: 'up',
      composeDownTargetName: 'down',
      serveTargetName: 'dev',
    });
    expect(Object.keys(renamed.targets!)).toEqual(['cargo-build', 'cargo-test', 'clippy', 'tree', 'image', 'serve', 'publish', 'smoke', 'dev']);
    expect(renamed.targets!.serve.dependsOn).toEqual(['image']);
    expect(renamed.targets!.smoke.dependsOn).toEqual(['image']);
    expect(renamed.targets!.publish.dependsOn).toEqual(['image']);
    expect(renamed.targets).not.toHaveProperty('up');
    expect(renamed.metadata?.targetGroups).toEqual({ Cargo: ['cargo-build', 'cargo-test', 'clippy', 'tree'], Docker: ['image', 'serve', 'smoke', 'publish'] });
  });

  it('runs cargo through the plugin executor for the package', () => {
    expect(targets.build.executor).toBe('@org/rust-docker:cargo');
    expect(targets.build.options).toEqual({ command: 'build', package: 'api', release: true, static: true, outputPath: 'dist/services/api/bin' });
    expect(targets.test.options).toEqual({ command: 'test', package: 'api' });
    expect(targets.lint.options).toEqual({ command: 'clippy', package: 'api' });
    expect(targets.deps.options).toEqual({ command: 'tree', package: 'api' });
  });

  it('caches the cargo targets and docker-build, but not deps, the health check nor the push', () => {
    expect(targets.build.cache).toBe(true);
    expect(targets.test.cache).toBe(true);
    expect(targets.lint.cache).toBe(true);
    expect(targets['docker-build'].cache).toBe(true);
    expect(targets.deps.cache).toBe(false);
    expect(targets['health-check'].cache).toBe(false);
    expect(targets['docker-push'].cache).toBe(false);
  });

  it('pushes the recorded image with docker-push, after docker-build, with no options of its own', () => {
    expect(targets['docker-push']).toEqual(
      expect.objectContaining({ executor: '@org/rust-docker:docker-push', options: {}, cache: false, dependsOn: ['docker-build'] }),
    );
    expect(targets['docker-push']).not.toHaveProperty('outputs');
    expect(targets['docker-push']).not.toHaveProperty('continuous');
  });

  it('makes serve a continuous, uncached target that runs the service on the host with its port', () => {
    expect(targets.serve).toEqual(
      expect.objectContaining({ executor: '@org/rust-docker:serve', continuous: true, cache: false, options: { package: 'api', port: 8081 } }),
    );
    expect(targets.serve).not.toHaveProperty('dependsOn');
    expect(targets.serve.metadata?.description).toContain('PORT=8081');
    expect(crateProject({ ...service, docker: { hasDockerignore: false } }, defaults).targets!.serve.options).toEqual({ package: 'api' });
  });

  it('leaves serve to a target of that name that is already there (docker-run renamed to serve)', () => {
    const renamed = crateProject(service, { ...defaults, dockerRunTargetName: 'serve' });
    expect(renamed.targets!.serve.executor).toBe('@org/rust-docker:docker-run');
  });

  it('gives libraries and crates without a Dockerfile no serve target', () => {
    expect(crateProject(library, defaults).targets).not.toHaveProperty('serve');
    expect(crateProject({ ...service, docker: undefined }, defaults).targets).not.toHaveProperty('serve');
  });

  it('builds in release by default, with a development configuration for the dev profile', () => {
    expect(targets.build.defaultConfiguration).toBe('production');
    expect(targets.build.configurations).toEqual({ development: { release: false }, production: { release: true } });
    expect(targets.build.options.release).toBe(true);
  });

  it('makes docker-run a continuous target that depends on docker-build', () => {
    expect(targets['docker-run']).toEqual(
      expect.objectContaining({ executor: '@org/rust-docker:docker-run', continuous: true, dependsOn: ['docker-build'], options: { port: 8081 } }),
    );
    expect(targets['docker-run'].cache).toBeUndefined();
    expect(targets['health-check']).toEqual(expect.objectContaining({ executor: '@org/rust-docker:health-check', dependsOn: ['docker-build'], options: { port: 8081 } }));
  });

  it('builds from production files: its own, those of the crates its normal and build dependencies name and what they reach, the root files, its external crates and the toolchain', () => {
    expect(targets.build.inputs).toEqual([
      'production',
      { input: 'production', projects: ['rust-core'] },
      { input: 'production', projects: ['rust-core'], dependencies: true },
      'cargoRoot',
      { externalDependencies: ['cargo:axum@0.8.1', 'cargo:tokio@1.41.0'] },
      { env: 'RUSTFLAGS' },
      { runtime: 'rustc --version' },
    ]);
  });

  it('declares the Cargo root files once per project, as the named input cargoRoot', () => {
    expect(project.namedInputs?.cargoRoot).toEqual(['{workspaceRoot}/Cargo.toml', '{workspaceRoot}/Cargo.lock', '{workspaceRoot}/rust-toolchain.toml']);
  });

  it('tests and lints from all its own files and ^production: every crate and external crate the graph reaches, dev-dependencies included', () => {
    const testInputs = ['default', '^production', 'cargoRoot', { externalDependencies: [] }, { env: 'RUSTFLAGS' }, { runtime: 'rustc --version' }];
    expect(targets.test.inputs).toEqual(testInputs);
    expect(targets.lint.inputs).toEqual(testInputs);
  });

  it('names no crate of the closure, only the direct ones: the configuration does not grow with the workspace', () => {
    const deep = crateProject({ ...service, productionDeps: ['a', 'b'] }, defaults);
    const named = JSON.stringify(deep.targets).match(/"projects":\[[^\]]*\]/g);
    expect(named).toEqual(['"projects":["a","b"]', '"projects":["a","b"]', '"projects":["a","b"]', '"projects":["a","b"]']);
  });

  it('makes the deps target depend on the lockfile and root manifest only', () => {
    expect(targets.deps.inputs).toEqual(['{workspaceRoot}/Cargo.lock', '{workspaceRoot}/Cargo.toml']);
    expect(targets.deps.executor).toBe('@org/rust-docker:cargo');
  });

  it('builds images from the production inputs, the .dockerignore and the outputs of the tasks it depends on (the prebuilt binary)', () => {
    expect(targets['docker-build'].inputs).toEqual([
      'production',
      { input: 'production', projects: ['rust-core'] },
      { input: 'production', projects: ['rust-core'], dependencies: true },
      'cargoRoot',
      { externalDependencies: ['cargo:axum@0.8.1', 'cargo:tokio@1.41.0'] },
      '{workspaceRoot}/.dockerignore',
      { dependentTasksOutputFiles: '**/*' },
    ]);
    const withoutIgnore = crateProject({ ...service, docker: { port: 8081, hasDockerignore: false } }, defaults);
    expect(withoutIgnore.targets!['docker-build'].inputs).not.toContain('{workspaceRoot}/.dockerignore');
    expect(withoutIgnore.targets!['docker-build'].inputs).toContainEqual({ dependentTasksOutputFiles: '**/*' });
  });

  it('registers the sync generator on docker-build only, so `nx sync` keeps the Dockerfile and compose entry in step', () => {
    expect(targets['docker-build'].syncGenerators).toEqual(['@org/rust-docker:sync']);
    for (const name of ['build', 'test', 'lint', 'deps', 'docker-run', 'health-check', 'docker-push']) expect(targets[name]).not.toHaveProperty('syncGenerators');
  });

  it('builds a service statically (it must run in scratch), and a crate without a Dockerfile as it is', () => {
    expect(targets.build.options.static).toBe(true);
    const { docker: _docker, ...noDocker } = service;
    expect(crateProject(noDocker, defaults).targets!.build.options).not.toHaveProperty('static');
    expect(crateProject(library, defaults).targets!.build.options).not.toHaveProperty('static');
    expect(targets.test.options).not.toHaveProperty('static');
  });

  it('lists no dependency input when the crate depends on no other crate', () => {
    const p = crateProject(library, defaults);
    expect(p.targets!.build.inputs).toEqual(['production', 'cargoRoot', { externalDependencies: [] }, { env: 'RUSTFLAGS' }, { runtime: 'rustc --version' }]);
    expect(p.namedInputs?.cargoRoot).toEqual(['{workspaceRoot}/Cargo.toml']);
  });

  it('points root files at a Cargo workspace in a subfolder', () => {
    const nested = crateProject({ ...service, root: 'rust/api', cargoRoot: 'rust', cargoRootFiles: ['Cargo.toml'] }, defaults);
    expect(nested.namedInputs?.cargoRoot).toEqual(['{workspaceRoot}/rust/Cargo.toml']);
    expect(nested.targets!.deps.inputs).toEqual(['{workspaceRoot}/rust/Cargo.lock', '{workspaceRoot}/rust/Cargo.toml']);
    expect(nested.targets!['docker-build'].inputs).toContain('{workspaceRoot}/rust/.dockerignore');
  });

  it('writes binaries under dist/<root>/bin and the image record under dist/<root>/docker', () => {
    expect(targets.build.outputs).toEqual(['{workspaceRoot}/dist/services/api/bin']);
    expect(targets['docker-build'].outputs).toEqual(['{workspaceRoot}/dist/services/api/docker']);
    expect(targets.test.outputs).toEqual([]);
    expect(targets.lint.outputs).toEqual([]);
  });

  it('keeps tests, benches and examples out of the production inputs', () => {
    expect(project.namedInputs?.production).toEqual(['default', '!{projectRoot}/tests/**/*', '!{projectRoot}/benches/**/*', '!{projectRoot}/examples/**/*']);
  });

  it('gives no port option without an EXPOSE in the Dockerfile', () => {
    const noPort = crateProject({ ...service, docker: { hasDockerignore: false } }, defaults);
    expect(noPort.targets!['docker-run'].options).toEqual({});
    expect(noPort.targets!['health-check'].options).toEqual({});
  });

  it('gives no docker targets to a crate without Docker facts', () => {
    const { docker: _docker, ...noDocker } = service;
    const p = crateProject(noDocker, defaults);
    expect(Object.keys(p.targets!)).toEqual(['build', 'test', 'lint', 'deps']);
    expect(p.metadata?.technologies).toEqual(['rust']);
    expect(p.metadata?.targetGroups).toEqual({ Cargo: ['build', 'test', 'lint', 'deps'] });
    expect(p.projectType).toBe('application');
  });

  it('gives a library crate no build outputs, no output path, and no deps target without a lockfile', () => {
    const p = crateProject(library, defaults);
    expect(p.projectType).toBe('library');
    expect(Object.keys(p.targets!)).toEqual(['build', 'test', 'lint']);
    expect(p.targets!.build.outputs).toEqual([]);
    expect(p.targets!.build.options).toEqual({ command: 'build', package: 'core', release: true });
    expect(p.name).toBe('rust-core');
    expect(p).not.toHaveProperty('tags');
  });

  it('puts a crate at the workspace root under dist/bin', () => {
    const p = crateProject({ ...service, root: '.' }, defaults);
    expect(p.targets!.build.outputs).toEqual(['{workspaceRoot}/dist/bin']);
    expect(p.targets!['docker-build'].outputs).toEqual(['{workspaceRoot}/dist/docker']);
  });
});

describe('composeTargets', () => {
  const targets = composeTargets('compose.yaml', ['api', 'worker'], defaults);

  it('has compose-up and compose-down, run by the compose executor on the file, never cached', () => {
    expect(Object.keys(targets)).toEqual(['compose-up', 'compose-down']);
    expect(targets['compose-up']).toEqual(
      expect.objectContaining({ executor: '@org/rust-docker:compose', options: { command: 'up', file: 'compose.yaml' }, cache: false }),
    );
    expect(targets['compose-down']).toEqual(
      expect.objectContaining({ executor: '@org/rust-docker:compose', options: { command: 'down', file: 'compose.yaml' }, cache: false }),
    );
  });

  it('builds the images of the services first: compose-up depends on their docker-build', () => {
    expect(targets['compose-up'].dependsOn).toEqual([{ projects: ['api', 'worker'], target: 'docker-build' }]);
    expect(targets['compose-up'].metadata?.description).toContain('(api, worker)');
    expect(targets['compose-down']).not.toHaveProperty('dependsOn');
  });

  it('depends on nothing without image projects', () => {
    const none = composeTargets('deploy/compose.yaml', [], defaults);
    expect(none['compose-up'].dependsOn).toEqual([]);
    expect(none['compose-up'].options).toEqual({ command: 'up', file: 'deploy/compose.yaml' });
  });

  it('uses the target names from the plugin options, the docker-build one included', () => {
    const renamed = composeTargets('compose.yaml', ['api'], normalizePluginOptions({ composeUpTargetName: 'up', composeDownTargetName: 'down', dockerBuildTargetName: 'image' }));
    expect(Object.keys(renamed)).toEqual(['up', 'down']);
    expect(renamed.up.dependsOn).toEqual([{ projects: ['api'], target: 'image' }]);
  });
});
