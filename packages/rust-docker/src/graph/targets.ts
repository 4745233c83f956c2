import type { ProjectConfiguration, TargetConfiguration } from '@nx/devkit';
import { posix } from 'node:path';

export interface RustDockerPluginOptions {
  buildTargetName?: string;
  testTargetName?: string;
  lintTargetName?: string;
  dockerBuildTargetName?: string;
  dockerRunTargetName?: string;
  healthCheckTargetName?: string;
  depsTargetName?: string;
  dockerPushTargetName?: string;
  composeUpTargetName?: string;
  composeDownTargetName?: string;
}

export type NormalizedPluginOptions = Required<RustDockerPluginOptions>;

export function normalizePluginOptions(options: RustDockerPluginOptions | undefined): NormalizedPluginOptions {
  return {
    buildTargetName: options?.buildTargetName ?? 'build',
    testTargetName: options?.testTargetName ?? 'test',
    lintTargetName: options?.lintTargetName ?? 'lint',
    dockerBuildTargetName: options?.dockerBuildTargetName ?? 'docker-build',
    dockerRunTargetName: options?.dockerRunTargetName ?? 'docker-run',
    healthCheckTargetName: options?.healthCheckTargetName ?? 'health-check',
    depsTargetName: options?.depsTargetName ?? 'deps',
    dockerPushTargetName: options?.dockerPushTargetName ?? 'docker-push',
    composeUpTargetName: options?.composeUpTargetName ?? 'compose-up',
    composeDownTargetName: options?.composeDownTargetName ?? 'compose-down',
  };
}

/** What inference knows about one crate, gathered from its manifest and folder. */
export interface CrateFacts {
  /** Nx project name: the crate name unless `[package.metadata.nx] name` overrides it. */
  name: string;
  /** Cargo package name. */
  packageName: string;
  /** Crate folder, relative to the Nx workspace root. */
  root: string;
  /** Folder of the Cargo workspace it belongs to (the crate's own folder when standalone). */
  cargoRoot: string;
  bins: string[];
  tags?: string[];
  /** Root files that exist and decide every build: Cargo.toml, Cargo.lock, toolchain, config. */
  cargoRootFiles: string[];
  /** The Cargo workspace has a Cargo.lock. */
  hasLockfile: boolean;
  /** Nx projects of the crates it is built from (normal and build dependencies, transitively). */
  productionDeps: string[];
  /** Nx projects its tests are built from (dev-dependencies too). */
  testDeps: string[];
  /**
   * Folders of crates it is built from (production) or tested with (test) that are no Nx
   * project (the plugin's include/exclude left them out): inputs, as no edge reaches them.
   */
  foldersOutsideProjects?: { production: string[]; test: string[] };
  /** External crates (Cargo.lock nodes) its build uses directly; Nx follows their own edges. */
  productionExternals: string[];
  testExternals: string[];
  /** Present when the crate has a Dockerfile: the port it EXPOSEs. */
  docker?: { port?: number; hasDockerignore: boolean };
}

const PLUGIN = '@org/rust-docker';

export { CARGO_ROOT_FILES } from '../cargo/workspace';

function workspaceFile(cargoRoot: string, file: string): string {
  return `{workspaceRoot}/${cargoRoot === '.' ? '' : `${cargoRoot}/`}${file}`;
}

function outputPath(root: string, sub: string): string {
  return posix.join('dist', root, sub);
}

/** Inferred project configuration for one crate: cargo targets, and docker ones for services. */
export function crateProject(facts: CrateFacts, options: NormalizedPluginOptions): Omit<ProjectConfiguration, 'root'> & { root: string } {
  const rootFiles = facts.cargoRootFiles.map((f) => workspaceFile(facts.cargoRoot, f));
  const depsInput = (projects: string[]) => (projects.length ? [{ input: 'production', projects }] : []);
  const toolchain = [{ env: 'RUSTFLAGS' }, { runtime: 'rustc --version' }];
  // Dev-dependencies and their tests never change a build: builds hash the production
  // closure only, tests and lints the test closure. Naming the external crates keeps npm
  // packages out of Rust hashes (Nx hashes every external node otherwise).
  const outside = (dirs: string[] = []) => dirs.map((dir) => workspaceFile(dir, '**/*'));
  const productionInputs = ['production', ...depsInput(facts.productionDeps), ...outside(facts.foldersOutsideProjects?.production), ...rootFiles, { externalDependencies: facts.productionExternals }];
  const testInputs = ['default', ...depsInput(facts.testDeps), ...outside(facts.foldersOutsideProjects?.test), ...rootFiles, { externalDependencies: facts.testExternals }, ...toolchain];
  const cargoInputs = [...productionInputs, ...toolchain];
  const targets: Record<string, TargetConfiguration> = {};

  targets[options.buildTargetName] = {
    executor: `${PLUGIN}:cargo`,
    options: {
      command: 'build',
      package: facts.packageName,
      release: true,
      // A service's binary is static, so it runs in any image, scratch included.
      ...(facts.docker ? { static: true } : {}),
      ...(facts.bins.length ? { outputPath: outputPath(facts.root, 'bin') } : {}),
    },
    cache: true,
    inputs: cargoInputs,
    outputs: facts.bins.length ? [`{workspaceRoot}/${outputPath(facts.root, 'bin')}`] : [],
    metadata: {
      technologies: ['rust'],
      description: facts.bins.length
        ? `cargo build --release -p ${facts.packageName}; copies ${facts.bins.join(', ')} to ${outputPath(facts.root, 'bin')}`
        : `cargo build --release -p ${facts.packageName}`,
      help: { command: 'cargo build --help', example: { options: { args: ['--features', 'metrics'] } } },
    },
  };
  targets[options.testTargetName] = {
    executor: `${PLUGIN}:cargo`,
    options: { command: 'test', package: facts.packageName },
    cache: true,
    inputs: testInputs,
    outputs: [],
    metadata: {
      technologies: ['rust'],
      description: `cargo test -p ${facts.packageName}`,
      help: { command: 'cargo test --help', example: { options: { toolArgs: ['health'] } } },
    },
  };
  targets[options.lintTargetName] = {
    executor: `${PLUGIN}:cargo`,
    options: { command: 'clippy', package: facts.packageName },
    cache: true,
    inputs: testInputs,
    outputs: [],
    metadata: {
      technologies: ['rust'],
      description: `cargo clippy -p ${facts.packageName} --all-targets -- -D warnings`,
      help: { command: 'cargo clippy --help', example: { options: { toolArgs: ['-D', 'clippy::pedantic'] } } },
    },
  };

  if (facts.hasLockfile) {
    targets[options.depsTargetName] = {
      executor: `${PLUGIN}:cargo`,
      options: { command: 'tree', package: facts.packageName },
      // It prints what is resolved now; there is nothing to cache.
      cache: false,
      inputs: [workspaceFile(facts.cargoRoot, 'Cargo.lock'), workspaceFile(facts.cargoRoot, 'Cargo.toml')],
      metadata: {
        technologies: ['rust'],
        description: `cargo tree -p ${facts.packageName}: the crate's resolved dependencies`,
        help: { command: 'cargo tree --help', example: { options: { args: ['--invert', 'tokio'] } } },
      },
    };
  }

  if (facts.docker) {
    const portOption = facts.docker.port ? { port: facts.docker.port } : {};
    const dockerInputs = [
      ...productionInputs,
      ...(facts.docker.hasDockerignore ? [workspaceFile(facts.cargoRoot, '.dockerignore')] : []),
      // With the prebuilt strategy (and "dependsOn": ["build"]), the binary it ships.
      { dependentTasksOutputFiles: '**/*' },
    ];
    targets[options.dockerBuildTargetName] = {
      executor: `${PLUGIN}:docker-build`,
      options: {},
      cache: true,
      // Dockerfile and compose entry follow the crate's name, binary and port (nx sync).
      syncGenerators: [`${PLUGIN}:sync`],
      inputs: dockerInputs,
      outputs: [`{workspaceRoot}/${outputPath(facts.root, 'docker')}`],
      metadata: {
        technologies: ['docker'],
        description: `Build image ${facts.name}:latest from a pruned context (only this crate's dependency closure); cached by Nx, with the image record in ${outputPath(facts.root, 'docker')}/image.json`,
        help: { command: 'docker build --help', example: { options: { tags: ['v1.2.3'], buildArgs: { RUST_IMAGE: 'rust:1.95-bookworm' } } } },
      },
    };
    targets[options.dockerRunTargetName] = {
      executor: `${PLUGIN}:docker-run`,
      options: portOption,
      continuous: true,
      dependsOn: [options.dockerBuildTargetName],
      metadata: {
        technologies: ['docker'],
        description: `Run ${facts.name} on 127.0.0.1${facts.docker.port ? `:${facts.docker.port}` : ''}, streaming logs; Ctrl-C stops and removes it`,
        help: { command: 'docker run --help', example: { options: { hostPort: 3000, env: { RUST_LOG: 'debug' } } } },
      },
    };
    targets[options.dockerPushTargetName] = {
      executor: `${PLUGIN}:docker-push`,
      options: {},
      // A side effect on a registry: never replayed from a cache.
      cache: false,
      dependsOn: [options.dockerBuildTargetName],
      metadata: {
        technologies: ['docker'],
        description: `Push the recorded image of ${facts.name} with every tag to the registry its name names (docker login for credentials)`,
        help: { command: 'docker push --help', example: { options: { tags: ['stable'] } } },
      },
    };
    targets[options.healthCheckTargetName] = {
      executor: `${PLUGIN}:health-check`,
      options: portOption,
      // It checks a live container, which is not a pure function of the inputs.
      cache: false,
      dependsOn: [options.dockerBuildTargetName],
      metadata: {
        technologies: ['docker'],
        description: `Start ${facts.name} on a free loopback port, wait for GET /health to answer 200, report time-to-healthy, remove the container`,
        help: { command: 'docker run --help', example: { options: { timeout: 60, path: '/health' } } },
      },
    };
  }

  return {
    root: facts.root,
    name: facts.name,
    projectType: facts.bins.length ? 'application' : 'library',
    ...(facts.tags?.length ? { tags: facts.tags } : {}),
    namedInputs: {
      production: ['default', '!{projectRoot}/tests/**/*', '!{projectRoot}/benches/**/*', '!{projectRoot}/examples/**/*'],
    },
    metadata: {
      technologies: facts.docker ? ['rust', 'docker'] : ['rust'],
      description: `Rust crate ${facts.name}${facts.docker ? ' (service with a Dockerfile)' : ''}`,
      targetGroups: {
        Cargo: [options.buildTargetName, options.testTargetName, options.lintTargetName, ...(facts.hasLockfile ? [options.depsTargetName] : [])],
        ...(facts.docker
          ? { Docker: [options.dockerBuildTargetName, options.dockerRunTargetName, options.healthCheckTargetName, options.dockerPushTargetName] }
          : {}),
      },
    },
    targets,
  };
}

/** Targets of a compose file whose services include images built from this workspace's crates. */
export function composeTargets(file: string, imageProjects: string[], options: NormalizedPluginOptions): Record<string, TargetConfiguration> {
  return {
    [options.composeUpTargetName]: {
      executor: `${PLUGIN}:compose`,
      options: { command: 'up', file },
      cache: false,
      dependsOn: imageProjects.length ? [{ projects: imageProjects, target: options.dockerBuildTargetName }] : [],
      metadata: {
        technologies: ['docker'],
        description: `Build the images (${imageProjects.join(', ')}), then start ${file} and wait until every service is healthy`,
        help: { command: 'docker compose up --help', example: { options: { services: [imageProjects[0] ?? 'api'], timeout: 120 } } },
      },
    },
    [options.composeDownTargetName]: {
      executor: `${PLUGIN}:compose`,
      options: { command: 'down', file },
      cache: false,
      metadata: {
        technologies: ['docker'],
        description: `Stop and remove the containers and network of ${file} (volumes with --volumes)`,
        help: { command: 'docker compose down --help', example: { options: { volumes: true } } },
      },
    },
  };
}
