import type { CreateNodes, CreateNodesResult, ProjectGraphExternalNode } from '@nx/devkit';
import { readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { FolderListings } from '../cargo/layout';
import { binaryNames } from '../cargo/manifest';
import { dependencyClosure, outgoing, type Crate } from '../cargo/workspace';
import { analyzeCargo, directProductionDependencies, type CargoGraph } from './cargo-graph';
import { warn } from './log';
import { composeTargets, crateProject, normalizePluginOptions, type CrateFacts, type NormalizedPluginOptions, type RustDockerPluginOptions } from './targets';
import { addReleasePublishTarget } from '../release/publish-target';

/** Every Cargo manifest, and the compose files services add themselves to. */
export const CARGO_MANIFEST_GLOB = '**/{Cargo.toml,compose.yaml}';

export function isManifest(file: string): boolean {
  return file === 'Cargo.toml' || file.endsWith('/Cargo.toml');
}

export function projectName(crate: Crate): string {
  return crate.manifest.nx.name ?? crate.name;
}

/**
 * The port a Dockerfile EXPOSEs, read again only when the file changed. The parser lives
 * with the Dockerfile template, which the graph loads only for crates that have one.
 */
const exposedPorts = new Map<string, { size: number; mtimeMs: number; port?: number }>();

function dockerfilePort(absPath: string): number | undefined {
  const stat = statSync(absPath, { throwIfNoEntry: false });
  if (!stat) return undefined;
  const known = exposedPorts.get(absPath);
  if (known && known.size === stat.size && known.mtimeMs === stat.mtimeMs) return known.port;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { exposedPort } = require('../docker/dockerfile') as typeof import('../docker/dockerfile');
  const port = exposedPort(readFileSync(absPath, 'utf8'));
  exposedPorts.set(absPath, { size: stat.size, mtimeMs: stat.mtimeMs, port });
  return port;
}

/** Reads what inference needs from a crate's folder on disk and from the Cargo graph. */
export function crateFacts(
  workspaceRoot: string,
  crate: Crate,
  graph: CargoGraph,
  listings = new FolderListings(workspaceRoot),
  /**
   * Whether a crate folder is an Nx project (Nx passed its Cargo.toml to the plugin);
   * undefined when every crate is one.
   */
  isProject?: (dir: string) => boolean,
): CrateFacts {
  const bins = binaryNames(
    crate.manifest,
    (rel) => listings.has(crate.dir, rel),
    (rel) => listings.list(posix.join(crate.dir, rel)),
  );
  const cargoRoot = crate.workspaceDir ?? crate.dir;
  const rootFiles = graph.rootFiles.get(cargoRoot) ?? [];
  const facts: CrateFacts = {
    name: projectName(crate),
    packageName: crate.name,
    root: crate.dir,
    cargoRoot,
    bins,
    tags: crate.manifest.nx.tags,
    // Already in CARGO_ROOT_FILES order: the graph lists them that way.
    cargoRootFiles: rootFiles,
    hasLockfile: rootFiles.includes('Cargo.lock'),
    productionDeps: directProductionDependencies(graph, crate.dir)
      .map((dir) => projectName(graph.model.crates.get(dir)!))
      .sort(),
    productionExternals: [...(graph.externals.get(crate.dir)?.production ?? [])].sort(),
  };
  // Crates Cargo builds this one from that are no Nx project (left out by the plugin's
  // include/exclude): no node stands for them, so their folders are inputs, their external
  // crates are named, and the projects behind them are named directly (edges pass through
  // them too). Only then is a closure walked; with every crate a project, inputs stay direct.
  if (isProject) {
    const production = dependencyClosure(graph.model, crate.dir, ['normal', 'build']);
    const direct = (outgoing(graph.model).get(crate.dir) ?? []).map((d) => d.to);
    const tests = [...new Set([crate.dir, ...direct.flatMap((d) => dependencyClosure(graph.model, d, ['normal', 'build']))])];
    const outside = { production: production.filter((d) => !isProject(d)).sort(), test: tests.filter((d) => !isProject(d)).sort() };
    if (outside.test.length) {
      facts.foldersOutsideProjects = outside;
      const reached = [crate.dir, ...outside.production].flatMap((d) => directProductionDependencies(graph, d));
      const projects = new Set(reached.filter((d) => d !== crate.dir && isProject(d)));
      facts.productionDeps = [...projects].map((d) => projectName(graph.model.crates.get(d)!)).sort();
      const externals = new Set(facts.productionExternals);
      for (const d of outside.production) for (const node of graph.externals.get(d)?.production ?? []) externals.add(node);
      facts.productionExternals = [...externals].sort();
    }
  }
  if (bins.length && listings.has(crate.dir, 'Dockerfile')) {
    facts.docker = {
      port: dockerfilePort(join(workspaceRoot, crate.dir, 'Dockerfile')),
      hasDockerignore: listings.has(cargoRoot, '.dockerignore'),
    };
  }
  return facts;
}

export function logWarnings(graph: CargoGraph, manifestCount: number): void {
  for (const error of graph.errors) warn(`@org/rust-docker: ${error.message} (the rest of the graph still loads)`);
  for (const w of graph.model.warnings) warn(`@org/rust-docker: ${w.file}${w.line ? `:${w.line}` : ''}: ${w.message}`);
  // A virtual manifest alone (init writes one) has no crate and nothing wrong with it.
  if (manifestCount > 0 && graph.model.crates.size === 0 && graph.errors.length > 0) {
    warn(`@org/rust-docker: ${manifestCount} Cargo.toml file(s) found but no crate could be read; see the warnings above.`);
  }
}

export function externalGraphNodes(graph: CargoGraph): Record<string, ProjectGraphExternalNode> {
  const nodes: Record<string, ProjectGraphExternalNode> = {};
  for (const [name, crate] of Object.entries(graph.externalNodes)) {
    nodes[name] = { type: 'cargo', name, data: { packageName: crate.packageName, version: crate.version, hash: crate.hash } };
  }
  return nodes;
}

/**
 * A compose file that runs images built from this workspace's crates gets compose-up and
 * compose-down, on the project of its folder (a project named `compose` at the root).
 */
function composeProject(
  workspaceRoot: string,
  file: string,
  services: Map<string, string>,
  graph: CargoGraph,
  options: NormalizedPluginOptions,
): CreateNodesResult {
  // Loaded only when there is a compose file: the YAML parser is most of the plugin's code.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { composeServices } = require('../compose/compose-file') as typeof import('../compose/compose-file');
  let entries: ReturnType<typeof composeServices>;
  try {
    entries = composeServices(readFileSync(join(workspaceRoot, file), 'utf8'));
  } catch {
    return {};
  }
  const root = posix.dirname(file);
  const imageProjects = entries
    .map((e) => (e.dockerfile ? services.get(posix.normalize(posix.join(root, e.dockerfile))) : undefined))
    .filter((p): p is string => !!p);
  if (!imageProjects.length) return {};
  const crate = graph.model.crates.get(root);
  const name = crate ? projectName(crate) : root === '.' ? 'compose' : `${posix.basename(root)}-compose`;
  return {
    projects: {
      [root]: {
        root,
        name,
        metadata: { technologies: ['docker'], description: `Compose services of ${file}` },
        targets: composeTargets(file, [...new Set(imageProjects)].sort(), options),
      },
    },
  };
}

/** One Nx project per crate (keyed by its Cargo.toml), with cargo and docker targets. */
export const createNodes: CreateNodes<RustDockerPluginOptions> = [
  CARGO_MANIFEST_GLOB,
  (files, rawOptions, context) => {
    const options = normalizePluginOptions(rawOptions);
    const manifests = files.filter(isManifest);
    const graph = analyzeCargo(context.workspaceRoot, manifests);
    logWarnings(graph, manifests.length);
    const listings = new FolderListings(context.workspaceRoot);
    const projectDirs = new Set(manifests.map((f) => posix.dirname(f)));
    // Plugin include/exclude can leave crates of the Cargo graph out of the projects.
    const isProject = [...graph.model.crates.keys()].every((dir) => projectDirs.has(dir)) ? undefined : (dir: string) => projectDirs.has(dir);
    const services = new Map<string, string>();
    const results: Array<readonly [string, CreateNodesResult]> = files.map((file) => {
      if (!isManifest(file)) return [file, {}] as const;
      const crate = graph.model.crates.get(posix.dirname(file));
      if (!crate || crate.manifest.file !== file) return [file, {}] as const;
      const facts = crateFacts(context.workspaceRoot, crate, graph, listings, isProject);
      if (facts.docker) services.set(posix.join(crate.dir === '.' ? '' : crate.dir, 'Dockerfile'), facts.name);
      const project = crateProject(facts, options);
      if (context.nxJsonConfiguration?.release) addReleasePublishTarget(project, facts); // nx release (see release/publish-target)
      return [file, { projects: { [project.root]: project } }] as const;
    });
    for (const [i, file] of files.entries()) {
      if (posix.basename(file) === 'compose.yaml') results[i] = [file, composeProject(context.workspaceRoot, file, services, graph, options)];
    }
    // External crates from the lockfiles hang on the first manifest's result.
    if (results.length && Object.keys(graph.externalNodes).length) {
      const [file, result] = results[0];
      results[0] = [file, { ...result, externalNodes: externalGraphNodes(graph) }];
    }
    return results;
  },
];
