import {
  formatFiles,
  generateFiles,
  joinPathFragments,
  logger,
  normalizePath,
  type GeneratorCallback,
  type Tree,
} from '@nx/devkit';
import { execFileSync } from 'node:child_process';
import { join, posix } from 'node:path';
import { crateNameProblem } from '../../cargo/crate-name';
import { addWorkspaceMember, ensureWorkspaceDependencies } from '../../cargo/root-manifest';
import { addPathDependency, findCrates, nameList, requireCrates, requireFreeName } from '../../cargo/tree-crates';
import { DEFAULT_RUNTIME, renderDockerfile, RUNTIME_VARIANTS, type RuntimeVariant } from '../../docker/dockerfile';
import { initGenerator } from '../init/generator';
import type { ServiceGeneratorSchema } from './schema';

export interface NormalizedServiceOptions {
  name: string;
  projectRoot: string;
  port: number;
  runtime: RuntimeVariant;
  tags: string[];
  /** Workspace crates the service depends on through path dependencies. */
  deps: Array<{ name: string; dir: string }>;
  skipFormat: boolean;
}

/** Versions every generated service shares through `[workspace.dependencies]`. */
export const SERVICE_DEPENDENCIES: Array<[string, string]> = [
  ['axum', '"0.8"'],
  ['serde_json', '"1"'],
  ['tokio', '"1"'],
];

export const DEFAULT_PORT = 8080;

export function normalizeOptions(tree: Tree, schema: ServiceGeneratorSchema): NormalizedServiceOptions {
  const name = (schema.name ?? '').trim();
  const problem = crateNameProblem(name, 'service name');
  if (problem) throw new Error(problem);
  const projectRoot = normalizePath(schema.directory?.trim() || name).replace(/^\.\/|\/$/g, '');
  if (!projectRoot || projectRoot.startsWith('..') || posix.isAbsolute(projectRoot)) {
    throw new Error(`--directory "${schema.directory}" must be a folder inside the workspace, e.g. "services/${name}".`);
  }
  const crates = findCrates(tree);
  requireFreeName(tree, crates, name);
  const deps = requireCrates(crates, nameList(schema.deps), 'library', { libraryOnly: true });
  if (tree.exists(projectRoot)) {
    throw new Error(`folder "${projectRoot}" already exists; choose another --directory or name.`);
  }
  let port = DEFAULT_PORT;
  if (schema.port !== undefined) {
    port = Number(schema.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new Error(`--port ${schema.port} is not a port: use a whole number from 1 to 65535 (e.g. --port 8080).`);
    }
  } else {
    while (crates.ports.has(port)) port++;
  }
  const tags = (schema.tags ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const runtime = schema.runtime ?? DEFAULT_RUNTIME;
  if (!RUNTIME_VARIANTS.includes(runtime)) {
    throw new Error(`--runtime "${runtime}" is not one of ${RUNTIME_VARIANTS.join(', ')}.`);
  }
  return { name, projectRoot, port, runtime, tags, deps, skipFormat: schema.skipFormat ?? false };
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

export async function serviceGenerator(tree: Tree, schema: ServiceGeneratorSchema): Promise<GeneratorCallback> {
  const options = normalizeOptions(tree, schema);
  await initGenerator(tree, { skipFormat: true });

  let rootManifest = tree.read('Cargo.toml', 'utf8')!;
  rootManifest = addWorkspaceMember(rootManifest, options.projectRoot);
  rootManifest = ensureWorkspaceDependencies(rootManifest, SERVICE_DEPENDENCIES);
  tree.write('Cargo.toml', rootManifest);

  generateFiles(tree, join(__dirname, 'files'), options.projectRoot, { ...options, tmpl: '' });
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
  if (!options.skipFormat) await formatFiles(tree);
  return () => updateLockfile(tree.root);
}

export default serviceGenerator;
