import { outgoing, type CargoWorkspaceModel, type CrateDependency } from '../cargo/workspace';

/**
 * Crate edges as Nx can hold them. Cargo builds every crate of its graph, but a crate is
 * an Nx project only when Nx passed its Cargo.toml to the plugin (nx.json `include` and
 * `exclude` can leave crates out). Nx edges join projects, so a crate that is no project
 * is passed through: its dependents get edges to the projects it depends on, with the kind
 * and target of their own edge (its dev-dependencies never reach them). Its files become
 * inputs of those dependents instead (`CrateFacts.foldersOutsideProjects`).
 */
export function edgesBetweenProjects(model: CargoWorkspaceModel, isProject: (dir: string) => boolean): CrateDependency[] {
  const adjacency = outgoing(model);
  const out: CrateDependency[] = [];
  // Projects a non-project crate leads to through non-project crates (normal and build edges).
  const memo = new Map<string, Set<string>>();
  const projectsBehind = (dir: string): Set<string> => {
    let found = memo.get(dir);
    if (found) return found;
    found = new Set();
    memo.set(dir, found); // a cycle ends here
    for (const d of adjacency.get(dir) ?? []) {
      if (d.kind === 'dev') continue;
      if (isProject(d.to)) found.add(d.to);
      else for (const p of projectsBehind(d.to)) found.add(p);
    }
    return found;
  };
  for (const dep of model.dependencies) {
    if (!isProject(dep.from)) continue;
    if (isProject(dep.to)) {
      out.push(dep);
      continue;
    }
    for (const to of projectsBehind(dep.to)) out.push({ from: dep.from, to, kind: dep.kind, ...(dep.target ? { target: dep.target } : {}) });
  }
  return out;
}
