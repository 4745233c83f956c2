import {
  formatFiles,
  generateFiles,
  joinPathFragments,
  logger,
  type GeneratorCallback,
  type Tree,
} from '@nx/devkit';
import { execFileSync } from 'node:child_process';
import { join, posix } from 'node:path';
import {
  addComposeService,
  backingList,
  COMPOSE_FILE,
  portTakenMessage,
  publishedPortOwners,
  suggestHostPort,
  type Backing,
  type ComposeService,
} from '../../compose/compose-file';
import { addWorkspaceMember, ensureWorkspaceDependencies } from '../../cargo/root-manifest';
import { addPathDependency, nameList, newCrate, requireCrates } from '../../cargo/tree-crates';
import { normalizeRuntime, renderDockerfile, type RuntimeVariant } from '../../docker/dockerfile';
import { initGenerator } from '../init/generator';
import { checkComposeFile, checkInitInputs, transactional } from '../../safety/tree';
import { keepNxDockerOff } from '../init/nx-json';
import type { ServiceGeneratorSchema } from './schema';

export interface NormalizedServiceOptions {
  name: string;
  projectRoot: string;
  port: number;
  framework: ServiceFramework;
  runtime: RuntimeVariant;
  tags: string[];
  /** Workspace crates the service depends on through path dependencies. */
  deps: Array<{ name: string; dir: string }>;
  /** Backing services in compose.yaml. */
  with: Backing[];
  skipFormat: boolean;
}

/** HTTP frameworks a service can be written with; each has its templates in files/<framework>/. */
export const SERVICE_FRAMEWORKS = ['axum', 'warp', 'actix'] as const;
export type ServiceFramework = (typeof SERVICE_FRAMEWORKS)[number];
export const DEFAULT_FRAMEWORK: ServiceFramework = 'axum';

/**
 * Versions the services of each framework share through `[workspace.dependencies]`; the
 * crate manifests add the features they use. actix-web's default features (compression
 * codecs, cookies, HTTP/2, WebSockets) are off: a crate turns on what it needs.
 */
export const FRAMEWORK_DEPENDENCIES: Record<ServiceFramework, Array<[string, string]>> = {
  axum: [
    ['axum', '"0.8"'],
    ['serde_json', '"1"'],
    ['tokio', '"1"'],
  ],
  warp: [
    ['serde_json', '"1"'],
    ['tokio', '"1"'],
    ['warp', '"0.4"'],
  ],
  actix: [
    ['actix-web', '{ version = "4", default-features = false }'],
    ['serde_json', '"1"'],
  ],
};

/** Versions a service with the default framework (axum) shares through `[workspace.dependencies]`. */
export const SERVICE_DEPENDENCIES: Array<[string, string]> = FRAMEWORK_DEPENDENCIES[DEFAULT_FRAMEWORK];

export const DEFAULT_PORT = 8080;

/** `const DEFAULT_PORT: u16 = 8080;` (as the service templates write it), if present and a port. */
export function defaultPort(source: string): number | undefined {
  const match = /^[ \t]*(?:pub(?:\s*\([^)]*\))?\s+)?const\s+DEFAULT_PORT\s*:\s*u16\s*=\s*([0-9][0-9_]*)(?:_?u16)?\s*;/m.exec(source);
  if (!match) return undefined;
  const port = Number(match[1].replace(/_/g, ''));
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? port : undefined;
}

/**
 * `--port`, checked; else `known` (the port the crate already has); else the first port
 * from DEFAULT_PORT that no service of the workspace takes.
 */
export function servicePort(requested: number | string | undefined, taken: Set<number>, known?: number): number {
  let port = requested !== undefined ? Number(requested) : known;
  if (port === undefined) {
    port = DEFAULT_PORT;
    while (taken.has(port)) port++;
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${requested !== undefined ? '--port' : 'port'} ${requested ?? port} is not a port: use a whole number from 1 to 65535 (e.g. --port 8080).`);
  }
  return port;
}

/** `--framework`, trimmed and lower-cased; axum when not given. */
export function normalizeFramework(value: unknown): ServiceFramework {
  if (value === undefined || value === null) return DEFAULT_FRAMEWORK;
  const framework = String(value).trim().toLowerCase();
  if (!(SERVICE_FRAMEWORKS as readonly string[]).includes(framework)) {
    throw new Error(`--framework "${String(value)}" is not one of ${SERVICE_FRAMEWORKS.join(', ')} (e.g. --framework warp).`);
  }
  return framework as ServiceFramework;
}

export function normalizeOptions(tree: Tree, schema: ServiceGeneratorSchema): NormalizedServiceOptions {
  const { name, projectRoot, tags, crates } = newCrate(tree, schema, 'service', 'services');
  const deps = requireCrates(crates, nameList(schema.deps), 'library', { libraryOnly: true });
  const port = servicePort(schema.port, crates.ports);
  // A generated service publishes the port it listens on, so --port must be free in compose.yaml.
  const owner = composePortOwners(tree).get(port);
  if (owner !== undefined) throw new Error(portTakenMessage(port, owner, suggestHostPort(port, crates.ports), '--port'));
  const runtime = normalizeRuntime(schema.runtime);
  const framework = normalizeFramework(schema.framework);
  return { name, projectRoot, port, framework, runtime, tags, deps, with: backingList(schema.with), skipFormat: schema.skipFormat ?? false };
}

/** Updates Cargo.lock for the new crate, resolving only what is new. */
export function updateLockfile(workspaceRoot: string): void {
  try {
    execFileSync('cargo', ['metadata', '--format-version', '1'], { cwd: workspaceRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const detail = (error as { stderr?: Buffer }).stderr?.toString().trim().split('\n').pop() ?? String(error);
    logger.warn(`Cargo.lock not updated (${detail}); run \`cargo update --workspace\` before building the image.`);
  }
}

async function generateService(tree: Tree, schema: ServiceGeneratorSchema): Promise<GeneratorCallback> {
  // Every file it edits is readable, and of the shape it expects, before the first write.
  checkInitInputs(tree);
  checkComposeFile(tree, COMPOSE_FILE);
  const options = normalizeOptions(tree, schema);
  await initGenerator(tree, { skipFormat: true });

  let rootManifest = tree.read('Cargo.toml', 'utf8')!;
  rootManifest = addWorkspaceMember(rootManifest, options.projectRoot);
  rootManifest = ensureWorkspaceDependencies(rootManifest, FRAMEWORK_DEPENDENCIES[options.framework]);
  tree.write('Cargo.toml', rootManifest);

  generateFiles(tree, join(__dirname, 'files', options.framework), options.projectRoot, { ...options, tmpl: '' });
  for (const dep of options.deps) addPathDependency(tree, options.projectRoot, dep);
  tree.write(
    joinPathFragments(options.projectRoot, 'Dockerfile'),
    renderDockerfile({
      name: options.name,
      bin: options.name,
      project: options.name,
      port: options.port,
      dockerfilePath: posix.join(options.projectRoot, 'Dockerfile'),
      runtime: options.runtime,
    }),
  );
  addToCompose(tree, { name: options.name, dockerfile: posix.join(options.projectRoot, 'Dockerfile'), bin: options.name, port: options.port, with: options.with });
  keepNxDockerOff(tree, [posix.join(options.projectRoot, 'Dockerfile')]);
  if (!options.skipFormat) await formatFiles(tree);
  return () => updateLockfile(tree.root);
}

export const serviceGenerator = transactional(generateService);

/** Host ports compose.yaml publishes, with the service publishing each (none when it is unreadable). */
export function composePortOwners(tree: Tree): Map<number, string> {
  if (!tree.exists(COMPOSE_FILE)) return new Map();
  try {
    return publishedPortOwners(tree.read(COMPOSE_FILE, 'utf8')!);
  } catch {
    return new Map();
  }
}

/** Adds the service's entry (and its backing services) to the workspace's compose.yaml. */
export function addToCompose(tree: Tree, service: ComposeService): void {
  const current = tree.exists(COMPOSE_FILE) ? tree.read(COMPOSE_FILE, 'utf8')! : undefined;
  tree.write(COMPOSE_FILE, addComposeService(current, service));
}

export default serviceGenerator;
