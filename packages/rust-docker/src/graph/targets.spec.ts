import { CARGO_ROOT_FILES, crateProject, normalizePluginOptions, type CrateFacts } from './targets';

const service: CrateFacts = {
  name: 'api',
  packageName: 'api',
  root: 'services/api',
  cargoRoot: '.',
  bins: ['api'],
  tags: ['scope:billing'],
  cargoRootFiles: ['Cargo.toml', 'Cargo.lock', 'rust-toolchain.toml'],
  docker: { port: 8081, hasDockerignore: true },
};

const library: CrateFacts = {
  name: 'core',
  packageName: 'core',
  root: 'libs/core',
  cargoRoot: '.',
  bins: [],
  cargoRootFiles: ['Cargo.toml', 'Cargo.lock'],
};

const defaults = normalizePluginOptions(undefined);

describe('normalizePluginOptions', () => {
  it('names the targets build, test, lint, docker-build, docker-run and health-check by default', () => {
    expect(defaults).toEqual({
      buildTargetName: 'build',
      testTargetName: 'test',
      lintTargetName: 'lint',
      dockerBuildTargetName: 'docker-build',
      dockerRunTargetName: 'docker-run',
      healthCheckTargetName: 'health-check',
    });
  });

  it('keeps the names given', () => {
    expect(normalizePluginOptions({ buildTargetName: 'cargo-build' }).buildTargetName).toBe('cargo-build');
  });

  it('lists the Cargo files that decide every build', () => {
    expect(CARGO_ROOT_FILES).toEqual(['Cargo.toml', 'Cargo.lock', 'rust-toolchain.toml', 'rust-toolchain', '.cargo/config.toml', '.cargo/config']);
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
    expect(Object.keys(targets)).toEqual(['build', 'test', 'lint', 'docker-build', 'docker-run', 'health-check']);
    expect(project.metadata?.targetGroups).toEqual({ Cargo: ['build', 'test', 'lint'], Docker: ['docker-build', 'docker-run', 'health-check'] });
  });

  it('uses the target names from the options', () => {
    const renamed = crateProject(service, {
      buildTargetName: 'cargo-build',
      testTargetName: 'cargo-test',
      lintTargetName: 'clippy',
      dockerBuildTargetName: 'image',
      dockerRunTargetName: 'serve',
      healthCheckTargetName: 'smoke',
    });
    expect(Object.keys(renamed.targets!)).toEqual(['cargo-build', 'cargo-test', 'clippy', 'image', 'serve', 'smoke']);
    expect(renamed.targets!.serve.dependsOn).toEqual(['image']);
    expect(renamed.targets!.smoke.dependsOn).toEqual(['image']);
    expect(renamed.metadata?.targetGroups).toEqual({ Cargo: ['cargo-build', 'cargo-test', 'clippy'], Docker: ['image', 'serve', 'smoke'] });
  });

  it('runs cargo through the plugin executor for the package', () => {
    expect(targets.build.executor).toBe('@org/rust-docker:cargo');
    expect(targets.build.options).toEqual({ command: 'build', package: 'api', release: true, outputPath: 'dist/services/api/bin' });
    expect(targets.test.options).toEqual({ command: 'test', package: 'api' });
    expect(targets.lint.options).toEqual({ command: 'clippy', package: 'api' });
  });

  it('caches the cargo targets and docker-build, but not the health check', () => {
    expect(targets.build.cache).toBe(true);
    expect(targets.test.cache).toBe(true);
    expect(targets.lint.cache).toBe(true);
    expect(targets['docker-build'].cache).toBe(true);
    expect(targets['health-check'].cache).toBe(false);
  });

  it('makes docker-run a continuous target that depends on docker-build', () => {
    expect(targets['docker-run']).toEqual(
      expect.objectContaining({ executor: '@org/rust-docker:docker-run', continuous: true, dependsOn: ['docker-build'], options: { port: 8081 } }),
    );
    expect(targets['docker-run'].cache).toBeUndefined();
    expect(targets['health-check']).toEqual(expect.objectContaining({ executor: '@org/rust-docker:health-check', dependsOn: ['docker-build'], options: { port: 8081 } }));
  });

  it('takes the root Cargo files, dependencies production files and the toolchain as cargo inputs', () => {
    for (const name of ['build', 'test', 'lint']) {
      expect(targets[name].inputs).toEqual([
        'default',
        '^production',
        '{workspaceRoot}/Cargo.toml',
        '{workspaceRoot}/Cargo.lock',
        '{workspaceRoot}/rust-toolchain.toml',
        { env: 'RUSTFLAGS' },
        { runtime: 'rustc --version' },
      ]);
    }
  });

  it('takes the root Cargo files and the .dockerignore as docker-build inputs', () => {
    expect(targets['docker-build'].inputs).toEqual([
      'default',
      '^production',
      '{workspaceRoot}/Cargo.toml',
      '{workspaceRoot}/Cargo.lock',
      '{workspaceRoot}/rust-toolchain.toml',
      '{workspaceRoot}/.dockerignore',
    ]);
    const withoutIgnore = crateProject({ ...service, docker: { port: 8081, hasDockerignore: false } }, defaults);
    expect(withoutIgnore.targets!['docker-build'].inputs).not.toContain('{workspaceRoot}/.dockerignore');
  });

  it('points root files at a Cargo workspace in a subfolder', () => {
    const nested = crateProject({ ...service, root: 'rust/api', cargoRoot: 'rust', cargoRootFiles: ['Cargo.lock'] }, defaults);
    expect(nested.targets!.build.inputs).toContain('{workspaceRoot}/rust/Cargo.lock');
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
    expect(Object.keys(p.targets!)).toEqual(['build', 'test', 'lint']);
    expect(p.metadata?.technologies).toEqual(['rust']);
    expect(p.metadata?.targetGroups).toEqual({ Cargo: ['build', 'test', 'lint'] });
    expect(p.projectType).toBe('application');
  });

  it('gives a library crate no build outputs and no output path', () => {
    const p = crateProject(library, defaults);
    expect(p.projectType).toBe('library');
    expect(p.targets!.build.outputs).toEqual([]);
    expect(p.targets!.build.options).toEqual({ command: 'build', package: 'core', release: true });
    expect(p).not.toHaveProperty('tags');
  });

  it('puts a crate at the workspace root under dist/bin', () => {
    const p = crateProject({ ...service, root: '.' }, defaults);
    expect(p.targets!.build.outputs).toEqual(['{workspaceRoot}/dist/bin']);
    expect(p.targets!['docker-build'].outputs).toEqual(['{workspaceRoot}/dist/docker']);
  });

  it('names the Nx project by the override while cargo keeps the package name', () => {
    const p = crateProject({ ...service, name: 'billing-api' }, defaults);
    expect(p.name).toBe('billing-api');
    expect(p.targets!.build.options.package).toBe('api');
  });
});
