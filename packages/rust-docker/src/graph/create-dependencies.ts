import { DependencyType, type CreateDependencies, type RawProjectGraphDependency } from '@nx/devkit';
import { posix } from 'node:path';
import { readManifests } from '../cargo/load';
import { buildWorkspaceModel } from '../cargo/workspace';
import type { RustDockerPluginOptions } from './targets';

/**
 * Edges for path dependencies between crates (normal, dev, build, target-specific, and
 * inherited through `[workspace.dependencies]`), matched by folder, never by name.
 */
export const createDependencies: CreateDependencies<RustDockerPluginOptions> = (_options, context) => {
  const manifestFiles = [
    ...context.fileMap.nonProjectFiles.map((f) => f.file),
    ...Object.values(context.fileMap.projectFileMap).flatMap((files) => files.map((f) => f.file)),
  ].filter((file) => posix.basename(file) === 'Cargo.toml');
  const { manifests } = readManifests(context.workspaceRoot, manifestFiles);
  const model = buildWorkspaceModel(manifests);
  const projectByRoot = new Map(Object.entries(context.projects).map(([name, p]) => [p.root, name]));
  const seen = new Set<string>();
  const edges: RawProjectGraphDependency[] = [];
  for (const dep of model.dependencies) {
    const source = projectByRoot.get(dep.from);
    const target = projectByRoot.get(dep.to);
    if (!source || !target || source === target) continue;
    const key = `${source}>${target}`;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push({
      source,
      target,
      type: DependencyType.static,
      sourceFile: posix.join(dep.from === '.' ? '' : dep.from, 'Cargo.toml'),
    });
  }
  return edges;
};
