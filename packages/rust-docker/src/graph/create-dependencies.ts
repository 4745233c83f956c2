import { DependencyType, type CreateDependencies, type RawProjectGraphDependency } from '@nx/devkit';
import { posix } from 'node:path';
import { analyzeCargo } from './cargo-graph';
import { edgesBetweenProjects } from './project-edges';
import type { RustDockerPluginOptions } from './targets';

/**
 * Edges between crates for path dependencies (normal, dev, build, target-specific, and
 * inherited through `[workspace.dependencies]`), matched by folder, never by name.
 * Dev-only edges are `dynamic` (dashed in `nx graph`), the others `static`. Crates also
 * get edges to the external crates their Cargo.lock entries name.
 */
export const createDependencies: CreateDependencies<RustDockerPluginOptions> = (_options, context) => {
  const manifestFiles = [
    ...context.fileMap.nonProjectFiles.map((f) => f.file),
    ...Object.values(context.fileMap.projectFileMap).flatMap((files) => files.map((f) => f.file)),
  ].filter((file) => posix.basename(file) === 'Cargo.toml');
  const graph = analyzeCargo(context.workspaceRoot, manifestFiles);
  const projectByRoot = new Map(Object.entries(context.projects).map(([name, p]) => [p.root, name]));
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
      type: devOnly ? DependencyType.dynamic : DependencyType.static,
      sourceFile: manifestOf(context.projects[source].root),
    });
  }

  const known = context.externalNodes ?? {};
  for (const [dir, externals] of graph.externals) {
    const source = projectByRoot.get(dir);
    if (!source) continue;
    for (const target of externals.all) {
      if (known[target]) edges.push({ source, target, type: DependencyType.static, sourceFile: manifestOf(dir) });
    }
  }
  for (const [source, targets] of Object.entries(graph.externalEdges)) {
    if (!known[source]) continue;
    for (const target of targets) if (known[target]) edges.push({ source, target, type: DependencyType.static });
  }
  return edges;
};
