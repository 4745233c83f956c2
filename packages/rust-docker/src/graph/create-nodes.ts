import { logger, type CreateNodes, type CreateNodesResult, type ProjectGraphExternalNode } from '@nx/devkit';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { FolderListings } from '../cargo/layout';
import { binaryNames } from '../cargo/manifest';
import type { Crate } from '../cargo/workspace';
import { exposedPort } from '../docker/dockerfile';
import { analyzeCargo, externalsFor, productionClosure, testClosure, type CargoGraph } from './cargo-graph';
import { composeServices } from '../compose/compose-file';
import { composeTargets, crateProject, normalizePluginOptions, type CrateFacts, type RustDockerPluginOptions } from './targets';

/** Every Cargo manifest, and the compose files services add themselves to. */
export const CARGO_MANIFEST_GLOB = '**/{Cargo.toml,compose.yaml}';

export function projectName(crate: Crate): string {
  return crate.manifest.nx.name ?? crate.name;
}

/** Reads what inference needs from a crate's folder on disk and from the Cargo graph. */
export function crateFacts(workspaceRoot: string, crate: Crate, graph: CargoGraph, listings = new FolderListings(workspaceRoot)): CrateFacts {
  const bins = binaryNames(
    crate.manifest,
    (rel) => listings.has(crate.dir, rel),
    (rel) => listings.list(posix.join(crate.dir, rel)),
  );
  const cargoRoot = crate.workspaceDir ?? crate.dir;
  const rootFiles = graph.rootFiles.get(cargoRoot) ?? [];
  const names = (dirs: string[]) => dirs.filter((d) => d !== crate.dir).map((d) => projectName(graph.model.crates.get(d)!)).sort();
  const production = productionClosure(graph, crate.dir);
  const tests = testClosure(graph, crate.dir);
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
    productionDeps: names(production),
    testDeps: names(tests),
    productionExternals: externalsFor(graph, crate.dir, production, false),
    testExternals: externalsFor(graph, crate.dir, tests, true),
  };
  if (bins.length && listings.has(crate.dir, 'Dockerfile')) {
    facts.docker = {
      port: exposedPort(readFileSync(join(workspaceRoot, crate.dir, 'Dockerfile'), 'utf8')),
      hasDockerignore: listings.has(cargoRoot, '.dockerignore'),
    };
  }
  return facts;
}

export function logWarnings(graph: CargoGraph, manifestCount: number): void {
  for (const error of graph.errors) logger.warn(`@org/rust-docker: ${error.message} (the rest of the graph still loads)`);
  for (const w of graph.model.warnings) logger.warn(`@org/rust-docker: ${w.file}${w.line ? `:${w.line}` : ''}: ${w.message}`);
  // A virtual manifest alone (init writes one) has no crate and nothing wrong with it.
  if (manifestCount > 0 && graph.model.crates.size === 0 && graph.errors.length > 0) {
    logger.warn(`@org/rust-docker: ${manifestCount} Cargo.toml file(s) found but no crate could be read; see the warnings above.`);
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
  options: ReturnType<typeof normalizePluginOptions>,
): CreateNodesResult {
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
    const manifests = files.filter((f) => posix.basename(f) === 'Cargo.toml');
    const graph = analyzeCargo(context.workspaceRoot, manifests);
    logWarnings(graph, manifests.length);
    const listings = new FolderListings(context.workspaceRoot);
    const services = new Map<string, string>();
    const results: Array<readonly [string, CreateNodesResult]> = files.map((file) => {
      if (posix.basename(file) !== 'Cargo.toml') return [file, {}] as const;
      const crate = graph.model.crates.get(posix.dirname(file));
      if (!crate || crate.manifest.file !== file) return [file, {}] as const;
      const facts = crateFacts(context.workspaceRoot, crate, graph, listings);
      if (facts.docker) services.set(posix.join(crate.dir === '.' ? '' : crate.dir, 'Dockerfile'), facts.name);
      const project = crateProject(facts, options);
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
