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
  serveTargetName?: string;
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
    serveTargetName: options?.serveTargetName ?? 'serve',
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
  /**
   * Nx projects of the crates its normal and build dependencies name directly (never its
   * dev-dependencies). Nx follows the rest of the closure through the graph's edges.
   */
  productionDeps: string[];
  /**
   * Folders of crates it is built from (production) or tested with (test) that are no Nx
   * project (the plugin's include/exclude left them out): inputs, as no edge reaches them.
   */
  foldersOutsideProjects?: { production: string[]; test: string[] };
  /** External crates (Cargo.lock nodes) its normal and build dependencies name directly. */
  productionExternals: string[];
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

/** Named input of the files at the Cargo root that decide every build (see crateProject). */
export const CARGO_ROOT_INPUT = 'cargoRoot';

/**
 * Inferred project configuration for one crate: cargo targets, and docker ones for services.
 *
 * Its size does not grow with the workspace: inputs name the crate's direct dependencies
 * only, and Nx walks the rest of the graph when it hashes. A build hashes its own
 * `production` files, those of the crates its normal and build dependencies name, and (by
 * `dependencies: true`) `production` of everything those reach through the graph's
 * edges, external crates included; the crate's own external crates are named, so Nx
 * never hashes every external node (npm packages included) instead. Its own
 * dev-dependencies never reach a build. Tests and lints hash `^production`: every crate
 * and external crate reachable through any edge, dev ones included (the empty
 * `externalDependencies` stops Nx from adding every external node; the edges bring the
 * right ones). Nx's edges carry no kind when it hashes, so a dev-dependency of a
 * dependency reaches a build too: a build may re-run when it did not have to, never the
 * other way round.
 */
export function crateProject(facts: CrateFacts, options: NormalizedPluginOptions): Omit<ProjectConfiguration, 'root'> & { root: string } {
  const deps = facts.productionDeps;
  const upstream = deps.length ? [{ input: 'production', projects: deps }, { input: 'production', projects: deps, dependencies: true }] : [];
  const toolchain = [{ env: 'RUSTFLAGS' }, { runtime: 'rustc --version' }];
  // Crates left out of the projects (the plugin's include/exclude) have no node to walk: their folders are inputs.
  const outside = (dirs: string[] = []) => dirs.map((dir) => workspaceFile(dir, '**/*'));
  const productionInputs = ['production', ...upstream, ...outside(facts.foldersOutsideProjects?.production), CARGO_ROOT_INPUT, { externalDependencies: facts.productionExternals }];
  const testInputs = ['default', '^production', ...outside(facts.foldersOutsideProjects?.test), CARGO_ROOT_INPUT, { externalDependencies: [] }, ...toolchain];
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
    // `nx run api:build:development` builds with the dev profile; production is `--release`.
    configurations: { development: { release: false }, production: { release: true } },
    defaultConfiguration: 'production',
    cache: true,
    inputs: cargoInputs,
    outputs: facts.bins.length ? [`{workspaceRoot}/${outputPath(facts.root, 'bin')}`] : [],
    metadata: {
      description: facts.bins.length
        ? `cargo build --release -p ${facts.packageName}; copies ${facts.bins.join(', ')} to ${outputPath(facts.root, 'bin')}`
        : `cargo build --release -p ${facts.packageName}`,
    },
  };
  targets[options.testTargetName] = {
    executor: `${PLUGIN}:cargo`,
    options: { command: 'test', package: facts.packageName },
    cache: true,
    inputs: testInputs,
    outputs: [],
    metadata: { description: `cargo test -p ${facts.packageName}` },
  };
  targets[options.lintTargetName] = {
    executor: `${PLUGIN}:cargo`,
    options: { command: 'clippy', package: facts.packageName },
    cache: true,
    inputs: testInputs,
    outputs: [],
    metadata: { description: `cargo clippy -p ${facts.packageName} --all-targets -- -D warnings` },
  };

  if (facts.hasLockfile) {
    targets[options.depsTargetName] = {
      executor: `${PLUGIN}:cargo`,
      options: { command: 'tree', package: facts.packageName },
      // It prints what is resolved now; there is nothing to cache.
      cache: false,
      inputs: [workspaceFile(facts.cargoRoot, 'Cargo.lock'), workspaceFile(facts.cargoRoot, 'Cargo.toml')],
      metadata: { description: `cargo tree -p ${facts.packageName}: the crate's resolved dependencies` },
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
        description: `Build image ${facts.name}:latest from a pruned context (only this crate's dependency closure); cached by Nx, with the image record in ${outputPath(facts.root, 'docker')}/image.json`,
      },
    };
    targets[options.dockerRunTargetName] = {
      executor: `${PLUGIN}:docker-run`,
      options: portOption,
      continuous: true,
      dependsOn: [options.dockerBuildTargetName],
      metadata: {
        description: `Run ${facts.name} on 127.0.0.1${facts.docker.port ? `:${facts.docker.port}` : ''}, streaming logs; Ctrl-C stops and removes it`,
      },
    };
    targets[options.dockerPushTargetName] = {
      executor: `${PLUGIN}:docker-push`,
      options: {},
      // A side effect on a registry: never replayed from a cache.
      cache: false,
      dependsOn: [options.dockerBuildTargetName],
      metadata: {
        description: `Push the recorded image of ${facts.name} with every tag to the registry its name names (docker login for credentials)`,
      },
    };
    targets[options.healthCheckTargetName] = {
      executor: `${PLUGIN}:health-check`,
      options: portOption,
      // It checks a live container, which is not a pure function of the inputs.
      cache: false,
      dependsOn: [options.dockerBuildTargetName],
      metadata: {
        description: `Start ${facts.name} on a free loopback port, wait until its health route answers (generated services: GET /health, 200 and {"status":"ok"}; others: the route their sources name, else /, any 2xx), report time-to-healthy, remove the container`,
      },
    };
  }

  // The host dev loop of a service (an existing target of that name, e.g. a renamed docker-run, wins).
  if (facts.docker && facts.bins.length && !targets[options.serveTargetName]) {
    targets[options.serveTargetName] = {
      executor: `${PLUGIN}:serve`,
      options: { package: facts.packageName, ...(facts.docker.port ? { port: facts.docker.port } : {}) },
      continuous: true,
      cache: false,
      metadata: {
        description: `cargo run ${facts.name} on the host with PORT${facts.docker.port ? `=${facts.docker.port}` : ''}; rebuilds on every change in its crates, Cargo.toml or Cargo.lock and swaps the process once the build succeeds`,
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
      [CARGO_ROOT_INPUT]: facts.cargoRootFiles.map((f) => workspaceFile(facts.cargoRoot, f)),
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
