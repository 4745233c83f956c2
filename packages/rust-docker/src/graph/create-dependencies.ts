import type { CreateDependencies, DependencyType, RawProjectGraphDependency } from '@nx/devkit';
import { posix } from 'node:path';
import { analyzeCargo, type CargoGraph } from './cargo-graph';
import { isManifest } from './create-nodes';
import { edgesBetweenProjects } from './project-edges';
import type { RustDockerPluginOptions } from './targets';

// DependencyType's values; importing the enum would load all of @nx/devkit for two strings.
const STATIC = 'static' as DependencyType.static;
const DYNAMIC = 'dynamic' as DependencyType.dynamic;

/** The edges last returned, with what they were made from: a worker kept alive is asked again after every change. */
let last: { graph: CargoGraph; projects: string; externals: string; edges: RawProjectGraphDependency[] } | undefined;

/**
 * Edges between crates for path dependencies (normal, dev, build, target-specific, and
 * inherited through `[workspace.dependencies]`), matched by folder, never by name.
 * Dev-only edges are `dynamic` (dashed in `nx graph`), the others `static`. Crates also
 * get edges to the external crates their Cargo.lock entries name. Nx calls this right after
 * createNodes in the same worker, so the Cargo graph is the one createNodes just built.
 */
export const createDependencies: CreateDependencies<RustDockerPluginOptions> = (_options, context) => {
  const manifestFiles: string[] = [];
  for (const f of context.fileMap.nonProjectFiles) if (isManifest(f.file)) manifestFiles.push(f.file);
  for (const files of Object.values(context.fileMap.projectFileMap)) for (const f of files) if (isManifest(f.file)) manifestFiles.push(f.file);
  const graph = analyzeCargo(context.workspaceRoot, manifestFiles, { reuse: true });
  const projectByRoot = new Map<string, string>();
  let projectsKey = '';
  for (const [name, p] of Object.entries(context.projects)) {
    projectByRoot.set(p.root, name);
    projectsKey += `${name}\0${p.root}\n`;
  }
  const known = context.externalNodes ?? {};
  const externalsKey = Object.keys(known).join('\n');
  if (last && last.graph === graph && last.projects === projectsKey && last.externals === externalsKey) return last.edges;

  const manifestOf = (dir: string) => posix.join(dir === '.' ? '' : dir, 'Cargo.toml');
  const kinds = new Map<string, Set<string>>();
  for (const dep of edgesBetweenProjects(graph.model, (dir) => projectByRoot.has(dir))) {
    const source = projectByRoot.get(dep.from);
    const target = projectByRoot.get(dep.to);
    if (!source || !target || source === target) continue;
    const key = `${source}\0${target}`;
    kinds.set(key, (kinds.get(key) ?? new Set()).add(dep.kind));
  }
  const edges: RawProjectGraphDependency[] = [];
  for (const [key, set] of kinds) {
    const [source, target] = key.split('\0');
    const devOnly = set.size === 1 && set.has('dev');
    edges.push({
      source,
      target,
      type: devOnly ? DYNAMIC : STATIC,
      sourceFile: manifestOf(context.projects[source].root),
    });
  }

  for (const [dir, externals] of graph.externals) {
    const source = projectByRoot.get(dir);
    if (!source) continue;
    for (const target of externals.all) {
      if (known[target]) edges.push({ source, target, type: STATIC, sourceFile: manifestOf(dir) });
    }
  }
  for (const [source, targets] of Object.entries(graph.externalEdges)) {
    if (!known[source]) continue;
    for (const target of targets) if (known[target]) edges.push({ source, target, type: STATIC });
  }
  last = { graph, projects: projectsKey, externals: externalsKey, edges };
  return edges;
};
