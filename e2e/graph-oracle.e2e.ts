import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, relative } from 'node:path';
import { loadCargoWorkspace } from '../packages/rust-docker/src/cargo/load';
import { run } from './helpers/run';
import { writeSyntheticWorkspace } from './helpers/synthetic-workspace';

interface Metadata {
  packages: Array<{ id: string; manifest_path: string; source: string | null }>;
  workspace_members: string[];
  resolve: { nodes: Array<{ id: string; deps: Array<{ pkg: string; dep_kinds: Array<{ kind: string | null; target: string | null }> }> }> };
}

/** Crate-to-crate edges and workspace members as `cargo metadata` reports them. */
function cargoOracle(root: string, cargoRoot: string): { edges: Set<string>; members: Set<string> } {
  const out = run('cargo', ['metadata', '--format-version', '1', '--offline'], { cwd: join(root, cargoRoot), quiet: true });
  const metadata = JSON.parse(out.stdout) as Metadata;
  const dirOf = new Map(metadata.packages.map((p) => [p.id, posix.dirname(relative(root, p.manifest_path).split('\\').join('/')) || '.']));
  const local = new Set(metadata.packages.filter((p) => p.source === null).map((p) => p.id));
  const edges = new Set<string>();
  for (const node of metadata.resolve.nodes) {
    if (!local.has(node.id)) continue;
    for (const dep of node.deps) {
      if (!local.has(dep.pkg)) continue;
      for (const kind of dep.dep_kinds) {
        edges.add(`${dirOf.get(node.id)} -> ${dirOf.get(dep.pkg)} [${kind.kind ?? 'normal'}${kind.target ? ` ${kind.target}` : ''}]`);
      }
    }
  }
  return { edges, members: new Set(metadata.workspace_members.map((id) => dirOf.get(id)!)) };
}

/**
 * The correctness oracle: on generated workspaces of varied shape, the crate graph the
 * plugin infers from manifests alone equals what `cargo metadata` resolves.
 */
describe('crate graph equals cargo metadata', () => {
  for (const [crates, seed] of [
    [12, 1],
    [40, 7],
    [120, 2026],
    [300, 99],
  ] as const) {
    it(`${crates} crates, seed ${seed}`, () => {
      const root = mkdtempSync(join(tmpdir(), 'rust-docker-oracle-'));
      try {
        const synthetic = writeSyntheticWorkspace(root, { crates, seed });
        const { model, errors } = loadCargoWorkspace(root);
        expect(errors).toEqual([]);
        // The only warnings: dependencies on binary-only crates, which Cargo ignores too.
        for (const warning of model.warnings) expect(warning.message).toMatch(/has no library target; Cargo ignores it$/);
        expect([...model.crates.keys()].sort()).toEqual([...synthetic.crateDirs].sort());

        const expectedEdges = new Set<string>();
        for (const cargoRoot of synthetic.cargoRoots) {
          const oracle = cargoOracle(root, cargoRoot);
          oracle.edges.forEach((e) => expectedEdges.add(e));
          const ours = [...model.crates.values()]
            .filter((c) => (c.workspaceDir ?? c.dir) === cargoRoot)
            .map((c) => c.dir)
            .sort();
          expect(ours).toEqual([...oracle.members].sort());
        }
        const inferred = new Set(
          model.dependencies.map((d) => `${d.from} -> ${d.to} [${d.kind}${d.target ? ` ${d.target}` : ''}]`),
        );
        expect([...inferred].sort()).toEqual([...expectedEdges].sort());
        expect(inferred.size).toBeGreaterThan(crates / 2);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  }
});
