import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadCargoWorkspace } from '../packages/rust-docker/src/cargo/load';
import { cargoRoots, cargoView, manifestsUnder, modelEdges, nxEdgesFromCargo, nxProjectGraph } from './helpers/cargo-oracle';
import { seconds } from './helpers/run';
import { createWorkspace, type Workspace } from './helpers/workspace';

/**
 * The graph on real open-source Cargo workspaces, against `cargo metadata --all-features`
 * (every optional dependency counts: a build with `--features` uses it, so the graph has
 * it). Each fixture is the project's Cargo skeleton at a pinned commit (manifests,
 * lockfiles, licenses, empty stubs for target files; see fixtures/real-workspaces/README.md),
 * placed at the root of a real Nx workspace, so a root package is the Nx root project.
 *
 * - The plugin's crate model equals Cargo's resolve: members of every Cargo root, and
 *   every edge between local crates with its kind and target, including edges through
 *   registry crates (a `[patch]`ed crate under one). No exception.
 * - Nx's edges equal Cargo's where Nx can hold them. Nx edges have no kind nor target: a
 *   pair of projects is one edge, `dynamic` when only dev-dependencies join them. The Cargo
 *   edges Nx cannot hold are declared below, each with its reason; any other difference fails.
 *
 * `cargo metadata` reads crates.io: offline when the crates are already downloaded, else
 * with the network (a first run on a clean machine).
 */
interface Fixture {
  name: string;
  /** The shapes it brings, for the reader. */
  shapes: string;
  /** Cargo edges Nx cannot hold, with why. */
  notInNx: Array<{ edge: string; reason: string }>;
}

const SELF_EDGE = 'a crate that dev-depends on itself (to turn on a test feature): Nx has no edge from a project to itself, and the crate’s own files are its inputs already';

const FIXTURES: Fixture[] = [
  { name: 'regex', shapes: 'root package that is the workspace root; cargo-fuzz workspace depending on it with path = ".."', notInNx: [] },
  { name: 'ripgrep', shapes: 'root package that is the workspace root; cargo-fuzz workspace; optional path dependencies', notInNx: [] },
  { name: 'serde', shapes: '[patch.crates-io] of three members; a dev-dependency cycle; a nested no_std workspace', notInNx: [] },
  { name: 'tracing', shapes: 'two nested workspaces inside a member reaching it with path = ".."; cfg-specific path dependencies', notInNx: [] },
  { name: 'jj', shapes: 'a crate that dev-depends on itself; [workspace.dependencies] paths', notInNx: [{ edge: 'cli -> cli [dev]', reason: SELF_EDGE }] },
  { name: 'axum', shapes: 'glob members ("axum-*", "*"); a nested examples workspace of 55 crates with exclude', notInNx: [] },
];

describe('real Cargo workspaces: the graph equals cargo metadata', () => {
  let ws: Workspace;
  const rows: string[] = [];

  beforeAll(() => {
    ws = createWorkspace('real-workspaces');
    ws.write('nx.json', JSON.stringify({ ...ws.json('nx.json'), plugins: ['@org/rust-docker'] }, null, 2));
  });
  afterAll(() => {
    console.log(
      [
        'Real Cargo workspaces (cargo metadata --all-features against the plugin)',
        '',
        '| workspace | Cargo roots | crates | crate edges (Cargo) | through registry crates | Nx edges | not in Nx | cargo metadata | nx graph |',
        '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
        ...rows,
      ].join('\n'),
    );
    ws?.remove();
  });

  for (const fixture of FIXTURES) {
    it(`${fixture.name}: ${fixture.shapes}`, () => {
      const source = join(__dirname, 'fixtures', 'real-workspaces', fixture.name);
      const entries = readdirSync(source);
      for (const entry of entries) cpSync(join(source, entry), join(ws.root, entry), { recursive: true });
      try {
        const started = Date.now();
        const roots = cargoRoots(ws.root, manifestsUnder(ws.root));
        const views = new Map(roots.map((r) => [r, cargoView(ws.root, r, true)]));
        const cargoMs = Date.now() - started;
        const cargoEdges = new Set([...views.values()].flatMap((v) => [...v.edges]));
        const crates = new Set([...views.values()].flatMap((v) => [...v.locals]));

        const { model, errors } = loadCargoWorkspace(ws.root);
        expect(errors).toEqual([]);
        expect(model.warnings).toEqual([]);
        expect([...model.crates.keys()].sort()).toEqual([...crates].sort());
        for (const [root, view] of views) {
          expect({ root, members: [...model.crates.values()].filter((c) => (c.workspaceDir ?? c.dir) === root).map((c) => c.dir).sort() }).toEqual({
            root,
            members: [...view.members].sort(),
          });
        }
        expect([...modelEdges(model)].sort()).toEqual([...cargoEdges].sort());

        const nxStarted = Date.now();
        const graph = nxProjectGraph(ws.root);
        const nxMs = Date.now() - nxStarted;
        const byRoot = new Map([...graph.roots].filter(([, root]) => crates.has(root)).map(([name, root]) => [root, name]));
        expect([...crates].filter((dir) => !byRoot.has(dir))).toEqual([]);
        const projectOf = (dir: string) => byRoot.get(dir);
        const projects = new Set(byRoot.values());
        const nxEdges = new Map([...graph.edges].filter(([key]) => key.split(' -> ').every((p) => projects.has(p))));
        expect(Object.fromEntries(nxEdges)).toEqual(Object.fromEntries(nxEdgesFromCargo(cargoEdges, projectOf)));
        // Cargo edges that no Nx edge stands for: exactly the declared ones.
        const represented = (e: string) => {
          const [from, , to] = e.split(' ');
          return nxEdges.has(`${projectOf(from)} -> ${projectOf(to)}`);
        };
        expect([...cargoEdges].filter((e) => !represented(e)).sort()).toEqual(fixture.notInNx.map((n) => n.edge).sort());

        const throughRegistry = model.dependencies.filter((d) => d.through && 'external' in d.through).length;
        rows.push(
          `| ${fixture.name} | ${roots.length} | ${crates.size} | ${cargoEdges.size} | ${throughRegistry} | ${nxEdges.size} | ${fixture.notInNx.length} | ${seconds(cargoMs)} | ${seconds(nxMs)} |`,
        );
      } finally {
        for (const entry of entries) rmSync(join(ws.root, entry), { recursive: true, force: true });
      }
    });
  }
});
