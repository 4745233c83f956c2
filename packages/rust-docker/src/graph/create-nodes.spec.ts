import type { CreateNodesResult, ProjectConfiguration } from '@nx/devkit';
import { makeTempDir, pkg, removeDir, writeFiles } from '../testing/fixtures';
import { analyzeCargo } from './cargo-graph';
import { CARGO_MANIFEST_GLOB, createNodes, crateFacts } from './create-nodes';

const REGISTRY = 'registry+https://github.com/rust-lang/crates.io-index';

describe('createNodes', () => {
  let root: string;
  let warn: jest.SpyInstance;

  const files = [
    'Cargo.toml',
    'services/api/Cargo.toml',
    'services/worker/Cargo.toml',
    'libs/core/Cargo.toml',
    'vendor/serde/Cargo.toml',
  ];

  beforeAll(() => {
    root = makeTempDir();
    writeFiles(root, {
      'Cargo.toml': '[workspace]\nresolver = "2"\nmembers = ["services/*", "libs/core"]\n\n[workspace.dependencies]\ncore = { path = "libs/core" }\n',
      'Cargo.lock': [
        'version = 4',
        '',
        '[[package]]\nname = "api"\nversion = "0.1.0"\ndependencies = [\n "core",\n "itoa",\n]',
        '',
        '[[package]]\nname = "core"\nversion = "0.1.0"',
        '',
        `[[package]]\nname = "itoa"\nversion = "1.0.11"\nsource = "${REGISTRY}"\nchecksum = "49f1f14873335454500d59611f1cf4a4b0f786f9ac11f4312a78e4cf2566695b"`,
        '',
        '[[package]]\nname = "worker"\nversion = "0.1.0"',
        '',
      ].join('\n'),
      'rust-toolchain.toml': '[toolchain]\nchannel = "1.95"\n',
      '.dockerignore': 'target\n',
      'services/api/Cargo.toml': pkg('api', '[package.metadata.nx]\ntags = ["scope:billing", "type:service"]\n\n[dependencies]\ncore = { workspace = true }\nitoa = "1"'),
      'services/api/src/main.rs': 'fn main() {}\n',
      'services/api/Dockerfile': 'FROM scratch\nEXPOSE 8081\n',
      'services/worker/Cargo.toml': pkg('worker'),
      'services/worker/src/main.rs': 'fn main() {}\n',
      'services/worker/src/bin/reindex.rs': 'fn main() {}\n',
      'libs/core/Cargo.toml': pkg('core', '[package.metadata.nx]\nname = "rust-core"'),
      'libs/core/src/lib.rs': '\n',
      'libs/core/Dockerfile': 'FROM scratch\nEXPOSE 9999\n',
      'vendor/serde/Cargo.toml': pkg('serde'),
      'vendor/serde/.cargo-checksum.json': '{"files":{},"package":"x"}',
      'vendor/serde/src/lib.rs': '\n',
    });
  });
  afterAll(() => removeDir(root));
  beforeEach(() => (warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined)));
  afterEach(() => warn.mockRestore());

  const run = async (list = files, options?: Record<string, string>) => {
    const results = await createNodes[1](list, options, { workspaceRoot: root, nxJsonConfiguration: {} });
    return new Map<string, CreateNodesResult>(results.map(([file, result]) => [file, result]));
  };
  const projectOf = (result: CreateNodesResult | undefined): ProjectConfiguration => {
    const projects = Object.values(result?.projects ?? {});
    expect(projects).toHaveLength(1);
    return projects[0] as ProjectConfiguration;
  };

  it('matches every Cargo.toml and every compose.yaml', () => {
    expect(CARGO_MANIFEST_GLOB).toBe('**/{Cargo.toml,compose.yaml}');
  });

  it('answers for every file, with no project for the virtual root and the vendored crate', async () => {
    const results = await run();
    expect([...results.keys()]).toEqual(files);
    expect(results.get('Cargo.toml')!.projects).toBeUndefined();
    expect(results.get('vendor/serde/Cargo.toml')).toEqual({});
  });

  it("adds the lockfile's external crates as cargo nodes, on the first result", async () => {
    const results = await run();
    expect(results.get('Cargo.toml')!.externalNodes).toEqual({
      'cargo:itoa@1.0.11': {
        type: 'cargo',
        name: 'cargo:itoa@1.0.11',
        data: { packageName: 'itoa', version: '1.0.11', hash: '49f1f14873335454500d59611f1cf4a4b0f786f9ac11f4312a78e4cf2566695b' },
      },
    });
  });

  it('makes a service project from a crate with a binary and a Dockerfile, with its port and tags', async () => {
    const results = await run();
    expect(Object.keys(results.get('services/api/Cargo.toml')!.projects!)).toEqual(['services/api']);
    const api = projectOf(results.get('services/api/Cargo.toml'));
    expect(api).toEqual(expect.objectContaining({ root: 'services/api', name: 'api', projectType: 'application', tags: ['scope:billing', 'type:service'] }));
    expect(Object.keys(api.targets!)).toEqual(['build', 'test', 'lint', 'deps', 'docker-build', 'docker-run', 'docker-push', 'health-check', 'serve']);
    expect(api.targets!['docker-run'].options).toEqual({ port: 8081 });
    expect(api.targets!['health-check'].options).toEqual({ port: 8081 });
    expect(api.targets!.build.options.outputPath).toBe('dist/services/api/bin');
    expect(api.targets!['docker-build'].inputs).toEqual([
      'production',
      { input: 'production', projects: ['rust-core'] },
      { input: 'production', projects: ['rust-core'], dependencies: true },
      'cargoRoot',
      { externalDependencies: ['cargo:itoa@1.0.11'] },
      '{workspaceRoot}/.dockerignore',
      { dependentTasksOutputFiles: '**/*' },
    ]);
    expect(api.targets!['docker-build'].syncGenerators).toEqual(['@org/rust-docker:sync']);
    expect(api.targets!.build.options).toEqual({ command: 'build', package: 'api', release: true, static: true, outputPath: 'dist/services/api/bin' });
  });

  it('makes Cargo.lock an input of every cargo and docker target, so a lockfile change reaches them in nx affected', async () => {
    const results = await run();
    for (const file of ['services/api/Cargo.toml', 'services/worker/Cargo.toml', 'libs/core/Cargo.toml']) {
      const project = projectOf(results.get(file));
      expect(project.namedInputs?.cargoRoot).toEqual(['{workspaceRoot}/Cargo.toml', '{workspaceRoot}/Cargo.lock', '{workspaceRoot}/rust-toolchain.toml']);
      for (const target of ['build', 'test', 'lint', 'deps', 'docker-build']) {
        if (!project.targets![target]) continue;
        const inputs = project.targets![target].inputs;
        expect([project.name, target, inputs?.includes('cargoRoot') || inputs?.includes('{workspaceRoot}/Cargo.lock')]).toEqual([project.name, target, true]);
      }
    }
  });

  it('makes a binary crate without a Dockerfile a project without docker targets', async () => {
    const worker = projectOf((await run()).get('services/worker/Cargo.toml'));
    expect(worker.name).toBe('worker');
    expect(worker.projectType).toBe('application');
    expect(Object.keys(worker.targets!)).toEqual(['build', 'test', 'lint', 'deps']);
    expect(worker.targets!.build.metadata?.description).toContain('copies worker, reindex to dist/services/worker/bin');
    expect(worker.targets!.build.options).not.toHaveProperty('static');
  });

  it('makes a library project named by [package.metadata.nx] name, without docker targets even with a Dockerfile', async () => {
    const core = projectOf((await run()).get('libs/core/Cargo.toml'));
    expect(core.name).toBe('rust-core');
    expect(core.root).toBe('libs/core');
    expect(core.projectType).toBe('library');
    expect(Object.keys(core.targets!)).toEqual(['build', 'test', 'lint', 'deps']);
    expect(core.targets!.build.outputs).toEqual([]);
    expect(core.targets!.build.options.package).toBe('core');
  });

  it('uses the target names from the plugin options', async () => {
    const api = projectOf((await run(files, { buildTargetName: 'cargo-build', dockerBuildTargetName: 'image' })).get('services/api/Cargo.toml'));
    expect(Object.keys(api.targets!)).toEqual(['cargo-build', 'test', 'lint', 'deps', 'image', 'docker-run', 'docker-push', 'health-check', 'serve']);
    expect(api.targets!['docker-run'].dependsOn).toEqual(['image']);
    expect(api.targets!['docker-push'].dependsOn).toEqual(['image']);
  });

  it('logs no warning for a healthy workspace', async () => {
    await run();
    expect(warn).not.toHaveBeenCalled();
  });

  it('warns about an invalid manifest with its file and line, and still loads the rest', async () => {
    const dir = makeTempDir();
    try {
      writeFiles(dir, {
        'Cargo.toml': '[workspace]\nmembers = ["good", "bad"]\n',
        'good/Cargo.toml': pkg('good'),
        'good/src/lib.rs': '',
        'bad/Cargo.toml': '[package]\nname = "bad"\nversion = \n',
      });
      const results = await createNodes[1](['Cargo.toml', 'good/Cargo.toml', 'bad/Cargo.toml'], undefined, { workspaceRoot: dir, nxJsonConfiguration: {} });
      const byFile = new Map(results);
      expect(byFile.get('bad/Cargo.toml')).toEqual({});
      expect(projectOf(byFile.get('good/Cargo.toml')).name).toBe('good');
      const messages = warn.mock.calls.map((c) => String(c[0]));
      expect(messages).toContainEqual(expect.stringMatching(/^@org\/rust-docker: bad\/Cargo\.toml:3: invalid TOML: .*\(the rest of the graph still loads\)$/));
      expect(messages).toContainEqual('@org/rust-docker: Cargo.toml: workspace member "bad" has no Cargo.toml; remove it from [workspace] members or create the crate');
    } finally {
      removeDir(dir);
    }
  });
});

describe('createNodes for compose.yaml', () => {
  let root: string;
  let warn: jest.SpyInstance;
  const crates = {
    'Cargo.toml': '[workspace]\nresolver = "2"\nmembers = ["services/*"]\n',
    'services/api/Cargo.toml': pkg('api', '[package.metadata.nx]\nname = "billing-api"'),
    'services/api/src/main.rs': 'fn main() {}\n',
    'services/api/Dockerfile': 'FROM scratch\nEXPOSE 8080\n',
    'services/worker/Cargo.toml': pkg('worker'),
    'services/worker/src/main.rs': 'fn main() {}\n',
    'services/worker/Dockerfile': 'FROM scratch\nEXPOSE 8081\n',
    'services/cli/Cargo.toml': pkg('cli'),
    'services/cli/src/main.rs': 'fn main() {}\n',
  };
  const manifests = ['Cargo.toml', 'services/api/Cargo.toml', 'services/worker/Cargo.toml', 'services/cli/Cargo.toml'];

  beforeEach(() => {
    root = makeTempDir();
    writeFiles(root, crates);
    warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => {
    warn.mockRestore();
    removeDir(root);
  });

  const run = async (files: string[], options?: Record<string, string>) =>
    new Map<string, CreateNodesResult>(await createNodes[1](files, options, { workspaceRoot: root, nxJsonConfiguration: {} }));

  it('makes the root compose.yaml a project named compose, with compose-up after the docker-build of the services built from crate Dockerfiles', async () => {
    writeFiles(root, {
      'compose.yaml': [
        '# mine',
        'services:',
        '  worker:',
        '    build: { context: ., dockerfile: services/worker/Dockerfile }',
        '  api:',
        '    build:',
        '      context: services/api',
        '      dockerfile: Dockerfile',
        '  db:',
        '    image: postgres:17.6-alpine',
        '  other:',
        '    build: { context: ., dockerfile: tools/Dockerfile }',
        '',
      ].join('\n'),
    });
    const results = await run([...manifests, 'compose.yaml']);
    expect(results.get('compose.yaml')).toEqual({
      projects: {
        '.': {
          root: '.',
          name: 'compose',
          metadata: { technologies: ['docker'], description: 'Compose services of compose.yaml' },
          targets: {
            'compose-up': expect.objectContaining({
              executor: '@org/rust-docker:compose',
              options: { command: 'up', file: 'compose.yaml' },
              dependsOn: [{ projects: ['billing-api', 'worker'], target: 'docker-build' }],
            }),
            'compose-down': expect.objectContaining({ executor: '@org/rust-docker:compose', options: { command: 'down', file: 'compose.yaml' } }),
          },
        },
      },
    });
    // The crates' own results are unchanged by the compose file.
    const api = Object.values(results.get('services/api/Cargo.toml')!.projects!)[0];
    expect(api.name).toBe('billing-api');
    expect(Object.keys(api.targets!)).toContain('docker-build');
  });

  it('resolves build.dockerfile against build.context and the folder of the compose file', async () => {
    writeFiles(root, {
      'deploy/compose.yaml': 'services:\n  api:\n    build:\n      context: ../services\n      dockerfile: api/Dockerfile\n  w:\n    build:\n      context: ..\n      dockerfile: ./services/worker/Dockerfile\n',
    });
    const results = await run([...manifests, 'deploy/compose.yaml']);
    const project = results.get('deploy/compose.yaml')!.projects!.deploy;
    expect(project).toEqual(expect.objectContaining({ root: 'deploy', name: 'deploy-compose' }));
    expect(project.targets!['compose-up'].dependsOn).toEqual([{ projects: ['billing-api', 'worker'], target: 'docker-build' }]);
    expect(project.targets!['compose-up'].options).toEqual({ command: 'up', file: 'deploy/compose.yaml' });
  });

  it('lists a project once when two services build from its Dockerfile', async () => {
    writeFiles(root, {
      'compose.yaml': 'services:\n  a:\n    build: { context: ., dockerfile: services/api/Dockerfile }\n  b:\n    build: { context: services/api, dockerfile: Dockerfile }\n',
    });
    const project = (await run([...manifests, 'compose.yaml'])).get('compose.yaml')!.projects!['.'];
    expect(project.targets!['compose-up'].dependsOn).toEqual([{ projects: ['billing-api'], target: 'docker-build' }]);
  });

  it('names the project after the crate when the compose file sits in a crate folder', async () => {
    writeFiles(root, { 'services/api/compose.yaml': 'services:\n  api:\n    build: { context: ., dockerfile: Dockerfile }\n' });
    const project = (await run([...manifests, 'services/api/compose.yaml'])).get('services/api/compose.yaml')!.projects!['services/api'];
    expect(project.name).toBe('billing-api');
    expect(Object.keys(project.targets!)).toEqual(['compose-up', 'compose-down']);
  });

  it('makes no project of a compose file without services built from crate Dockerfiles, nor of an unreadable one', async () => {
    writeFiles(root, {
      'images/compose.yaml': 'services:\n  db:\n    image: postgres:17.6-alpine\n  cli:\n    build: { context: ., dockerfile: ../services/cli/Dockerfile }\n',
      'empty/compose.yaml': '',
      'broken/compose.yaml': 'services: [oops\n',
    });
    const results = await run([...manifests, 'images/compose.yaml', 'empty/compose.yaml', 'broken/compose.yaml', 'missing/compose.yaml']);
    for (const file of ['images/compose.yaml', 'empty/compose.yaml', 'broken/compose.yaml', 'missing/compose.yaml']) expect([file, results.get(file)]).toEqual([file, {}]);
    expect([...results.keys()]).toEqual([...manifests, 'images/compose.yaml', 'empty/compose.yaml', 'broken/compose.yaml', 'missing/compose.yaml']);
  });

  it('uses the compose target names from the plugin options', async () => {
    writeFiles(root, { 'compose.yaml': 'services:\n  api:\n    build: { context: ., dockerfile: services/api/Dockerfile }\n' });
    const results = await run([...manifests, 'compose.yaml'], { composeUpTargetName: 'up', composeDownTargetName: 'down', dockerBuildTargetName: 'image' });
    const project = results.get('compose.yaml')!.projects!['.'];
    expect(Object.keys(project.targets!)).toEqual(['up', 'down']);
    expect(project.targets!.up.dependsOn).toEqual([{ projects: ['billing-api'], target: 'image' }]);
  });

  it('keeps the external nodes on the first result when it is a compose file', async () => {
    writeFiles(root, {
      'Cargo.lock': `version = 4\n\n[[package]]\nname = "api"\nversion = "0.1.0"\ndependencies = [\n "itoa",\n]\n\n[[package]]\nname = "itoa"\nversion = "1.0.11"\nsource = "${REGISTRY}"\nchecksum = "${'0'.repeat(64)}"\n`,
      'services/api/Cargo.toml': pkg('api', '[dependencies]\nitoa = "1"'),
      'compose.yaml': 'services:\n  api:\n    build: { context: ., dockerfile: services/api/Dockerfile }\n',
    });
    const results = await createNodes[1](['compose.yaml', ...manifests], undefined, { workspaceRoot: root, nxJsonConfiguration: {} });
    expect(results[0][0]).toBe('compose.yaml');
    expect(results[0][1].projects!['.'].name).toBe('compose');
    expect(Object.keys(results[0][1].externalNodes!)).toEqual(['cargo:itoa@1.0.11']);
  });

  it('logs no warning', async () => {
    writeFiles(root, { 'compose.yaml': 'services:\n  api:\n    build: { context: ., dockerfile: services/api/Dockerfile }\n' });
    await run([...manifests, 'compose.yaml']);
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('crateFacts', () => {
  let root: string;
  beforeAll(() => {
    root = makeTempDir();
    writeFiles(root, {
      'rust/Cargo.toml': '[workspace]\nmembers = ["api", "core"]\n',
      'rust/.cargo/config.toml': '[build]\n',
      'rust/api/Cargo.toml': pkg('api', '[dependencies]\ncore = { path = "../core" }'),
      'rust/api/src/main.rs': '',
      'rust/api/Dockerfile': 'FROM scratch\n',
      'rust/core/Cargo.toml': pkg('core'),
      'rust/core/src/lib.rs': '',
    });
  });
  afterAll(() => removeDir(root));

  it('reads bins, the Cargo root files of the workspace, the direct dependencies and the Dockerfile facts', () => {
    const graph = analyzeCargo(root, ['rust/Cargo.toml', 'rust/api/Cargo.toml', 'rust/core/Cargo.toml']);
    expect(crateFacts(root, graph.model.crates.get('rust/api')!, graph)).toEqual({
      name: 'api',
      packageName: 'api',
      root: 'rust/api',
      cargoRoot: 'rust',
      bins: ['api'],
      tags: undefined,
      cargoRootFiles: ['Cargo.toml', '.cargo/config.toml'],
      hasLockfile: false,
      productionDeps: ['core'],
      productionExternals: [],
      docker: { port: undefined, hasDockerignore: false },
    });
  });
});

describe('the size of what createNodes returns', () => {
  /** A chain of crates, each depending on the one before: the last one's closure is all of them. */
  const chain = async (length: number) => {
    const root = makeTempDir();
    try {
      const members = Array.from({ length }, (_, i) => `c${i}`);
      const files: Record<string, string> = {
        'Cargo.toml': `[workspace]\nmembers = [${members.map((m) => `"${m}"`).join(', ')}]\n`,
      };
      for (const [i, m] of members.entries()) {
        files[`${m}/Cargo.toml`] = pkg(m, i ? `[dependencies]\nc${i - 1} = { path = "../c${i - 1}" }\n\n[dev-dependencies]\nc0 = { path = "../c0" }` : '');
        files[`${m}/src/lib.rs`] = '';
      }
      writeFiles(root, files);
      const results = await createNodes[1](['Cargo.toml', ...members.map((m) => `${m}/Cargo.toml`)], undefined, { workspaceRoot: root, nxJsonConfiguration: {} });
      const last = results.find(([file]) => file === `c${length - 1}/Cargo.toml`)![1];
      return JSON.stringify(last).replace(new RegExp(`c${length - 1}|c${length - 2}`, 'g'), 'cN');
    } finally {
      removeDir(root);
    }
  };

  it('is the same for a crate at the end of a chain of 3 crates or of 80: nothing grows with its closure', async () => {
    expect(await chain(80)).toEqual(await chain(3));
  });
});
