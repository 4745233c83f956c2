import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { loadCargoWorkspace } from '../packages/rust-docker/src/cargo/load';
import { planBuildContext } from '../packages/rust-docker/src/docker/build-context';
import { cargoMetadata, cargoView, modelEdges, nxEdgesFromCargo, nxProjectGraph } from './helpers/cargo-oracle';
import { writeFidelityWorkspace, writeSyntheticWorkspace } from './helpers/synthetic-workspace';
import { createWorkspace, type Workspace } from './helpers/workspace';

/** Crate-to-crate edges and workspace members as `cargo metadata` reports them. */
function cargoOracle(root: string, cargoRoot: string): { edges: Set<string>; members: Set<string> } {
  return cargoView(root, cargoRoot);
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
        const inferred = modelEdges(model);
        expect([...inferred].sort()).toEqual([...expectedEdges].sort());
        expect(inferred.size).toBeGreaterThan(crates / 2);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  }
});

/** Copies the crates a build context holds, with its generated and copied root files, into `dest`. */
function materializeContext(workspace: string, plan: ReturnType<typeof planBuildContext>, dest: string): void {
  const from = join(workspace, plan.workspaceDir);
  for (const dir of plan.crateDirs) cpSync(join(from, dir), join(dest, dir), { recursive: true, filter: (src) => !src.endsWith('/target') });
  for (const file of plan.copied) cpSync(join(from, file), join(dest, file));
  for (const [file, content] of plan.generated) {
    mkdirSync(dirname(join(dest, file)), { recursive: true });
    writeFileSync(join(dest, file), content);
  }
}

/**
 * The shapes Cargo allows that generated workspaces never have ([patch], [replace],
 * default-members, TOML 1.0/1.1, a root package, a self dev-dependency, a cargo-fuzz
 * workspace inside a member): the model equals Cargo's resolve, edges through registry
 * crates included.
 */
describe('Cargo shapes beyond path dependencies', () => {
  let root: string;
  let shapes: ReturnType<typeof writeFidelityWorkspace>;
  const cargoEdges = new Set<string>();

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'rust-docker-oracle-shapes-'));
    shapes = writeFidelityWorkspace(root);
    // Cargo first: it writes the Cargo.lock files the plugin reads.
    for (const cargoRoot of shapes.cargoRoots) cargoView(root, cargoRoot).edges.forEach((e) => cargoEdges.add(e));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads every manifest, members and edges as cargo metadata does', () => {
    const { model, errors } = loadCargoWorkspace(root);
    expect(errors).toEqual([]);
    expect(model.warnings).toEqual([]);
    expect([...model.crates.keys()].sort()).toEqual([...shapes.crateDirs].sort());
    for (const cargoRoot of shapes.cargoRoots) {
      const ours = [...model.crates.values()].filter((c) => (c.workspaceDir ?? c.dir) === cargoRoot).map((c) => c.dir);
      expect(ours.sort()).toEqual([...cargoView(root, cargoRoot).members].sort());
    }
    expect([...modelEdges(model)].sort()).toEqual([...cargoEdges].sort());
    // What each shape contributes, so a shape that stopped producing its edge is noticed.
    expect([...cargoEdges]).toEqual(
      expect.arrayContaining([
        'services/api -> forks/itoa [normal]', //                 [patch], direct and through serde_json
        'services/worker -> forks/itoa [normal cfg(unix)]', //   [patch], target-specific
        'services/worker -> forks/itoa [dev]', //                [patch], only through a renamed dev-dependency
        'replaced/a -> replaced/forks/itoa [normal]', //         [replace]
        'replaced/b -> replaced/forks/itoa [normal]', //         [replace], only through serde_json
        'crates/util -> crates/util [dev]', //                   a crate that dev-depends on itself
        'crates/app/fuzz -> crates/app [normal]', //             cargo-fuzz workspace inside a member
        '. -> crates/core [normal]', //                          root package = workspace root
        'crates/core -> crates/util [normal]', //                inline table over several lines (TOML 1.1)
      ]),
    );
  });

  it('without Cargo.lock, misses no edge through a registry crate (and adds only edges to patched crates)', () => {
    const unlocked = mkdtempSync(join(tmpdir(), 'rust-docker-oracle-unlocked-'));
    try {
      writeFidelityWorkspace(unlocked);
      const ours = modelEdges(loadCargoWorkspace(unlocked).model);
      expect([...cargoEdges].filter((e) => !ours.has(e))).toEqual([]);
      for (const extra of [...ours].filter((e) => !cargoEdges.has(e))) expect(extra).toMatch(/ -> (replaced\/)?forks\/itoa \[/);
    } finally {
      rmSync(unlocked, { recursive: true, force: true });
    }
  });

  it('gives each service a build context that cargo resolves under --locked, patched crates included', () => {
    const { model } = loadCargoWorkspace(root);
    for (const [service, patched] of [
      ['services/api', 'forks/itoa'],
      ['services/worker', 'forks/itoa'],
      ['replaced/b', 'forks/itoa'],
    ] as const) {
      const plan = planBuildContext(model, service, (file) => {
        const abs = join(root, model.crates.get(service)!.workspaceDir ?? service, file);
        return existsSync(abs) ? readFileSync(abs, 'utf8') : undefined;
      });
      expect(plan.crateDirs).toContain(patched);
      const context = mkdtempSync(join(tmpdir(), 'rust-docker-oracle-context-'));
      try {
        materializeContext(root, plan, context);
        const metadata = cargoMetadata(context, true);
        expect(metadata.packages.filter((p) => p.source === null).map((p) => posix.dirname(p.manifest_path.slice(context.length + 1))).sort()).toEqual(plan.crateDirs);
      } finally {
        rmSync(context, { recursive: true, force: true });
      }
    }
  });
});

/**
 * The same shapes in a real Nx workspace, through the real nx CLI: Nx's edges are Cargo's
 * where Nx can hold them (between projects, no self-edges, no kinds: a pair is `dynamic`
 * when only dev-dependencies join it). Plugin include/exclude in nx.json changes which
 * crates are projects, not Cargo membership nor what a crate is built from, and
 * `nx affected` misses nothing: a patched crate's edit affects its users, directly or
 * through a registry crate, and an edit to a crate left out of the projects affects
 * the projects built from it.
 */
describe('the Nx graph of those shapes', () => {
  let ws: Workspace;
  let shapes: ReturnType<typeof writeFidelityWorkspace>;
  const cargoEdges = new Set<string>();
  const setPlugin = (registration: unknown) => {
    const nxJson = ws.json('nx.json');
    ws.write('nx.json', JSON.stringify({ ...nxJson, plugins: [registration] }, null, 2));
  };
  const projectsOf = (graph: ReturnType<typeof nxProjectGraph>) => {
    const byRoot = new Map([...graph.roots].filter(([, r]) => shapes.crateDirs.includes(r)).map(([name, r]) => [r, name]));
    return (dir: string) => byRoot.get(dir);
  };
  const crateEdges = (graph: ReturnType<typeof nxProjectGraph>) => {
    const projectOf = projectsOf(graph);
    const crateProjects = new Set(shapes.crateDirs.map(projectOf).filter(Boolean));
    return new Map([...graph.edges].filter(([key]) => key.split(' -> ').every((p) => crateProjects.has(p))));
  };
  const affected = () =>
    ws
      .nx(['show', 'projects', '--affected', '--withTarget', 'build', '--base=HEAD'])
      .stdout.split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .sort();

  beforeAll(() => {
    ws = createWorkspace('oracle');
    shapes = writeFidelityWorkspace(ws.root);
    for (const cargoRoot of shapes.cargoRoots) cargoView(ws.root, cargoRoot).edges.forEach((e) => cargoEdges.add(e));
    ws.write('.gitignore', `${ws.read('.gitignore')}target/\n`);
    ws.git(['add', '-A']);
    ws.git(['commit', '-qm', 'cargo shapes']);
  });
  afterAll(() => ws?.remove());

  it('has Cargo’s edges between projects, except the ones Nx cannot hold', () => {
    setPlugin('@org/rust-docker');
    const graph = nxProjectGraph(ws.root);
    const projectOf = projectsOf(graph);
    expect(shapes.crateDirs.filter((d) => !projectOf(d))).toEqual([]);
    expect(Object.fromEntries(crateEdges(graph))).toEqual(Object.fromEntries(nxEdgesFromCargo(cargoEdges, projectOf)));
    // Declared: the only Cargo edge Nx does not hold. A crate's own files are its inputs already.
    expect([...cargoEdges].filter((e) => projectOf(e.split(' ')[0]) === projectOf(e.split(' ')[2]))).toEqual(['crates/util -> crates/util [dev]']);
  });

  it('keeps Cargo membership and passes edges through crates that plugin include/exclude leave out', () => {
    setPlugin({ plugin: '@org/rust-docker', include: ['crates/**', 'services/**', 'forks/**', 'replaced/**'], exclude: ['crates/core/**', 'crates/app/fuzz/**'] });
    const graph = nxProjectGraph(ws.root);
    const projectOf = projectsOf(graph);
    expect(shapes.crateDirs.filter((d) => !projectOf(d)).sort()).toEqual(['.', 'crates/app/fuzz', 'crates/core']);
    expect(Object.fromEntries(crateEdges(graph))).toEqual(Object.fromEntries(nxEdgesFromCargo(cargoEdges, projectOf)));
    expect(crateEdges(graph).get('api -> util')).toBe('static');
    const api = JSON.parse(ws.nx(['show', 'project', 'api', '--json']).stdout);
    // Still a member of the root workspace, whose manifest Nx no longer passes the plugin.
    expect(api.targets.build.inputs).toEqual(expect.arrayContaining(['cargoRoot', '{workspaceRoot}/crates/core/**/*']));
    expect(api.namedInputs.cargoRoot).toEqual(expect.arrayContaining(['{workspaceRoot}/Cargo.toml', '{workspaceRoot}/Cargo.lock']));
    ws.git(['add', '-A']);
    ws.git(['commit', '-qm', 'plugin include/exclude']);
  });

  it('affects the users of a patched crate, and those of a crate that is no project', () => {
    const edit = (file: string, check: () => void) => {
      ws.write(file, `${ws.read(file)}// edited\n`);
      try {
        check();
      } finally {
        ws.git(['checkout', '--', file]);
      }
    };
    edit('forks/itoa/src/lib.rs', () => expect(affected()).toEqual(['api', 'itoa', 'worker']));
    edit('replaced/forks/itoa/src/lib.rs', () => expect(affected()).toEqual(['replaced-a', 'replaced-b', 'replaced-itoa']));
    edit('crates/core/src/lib.rs', () => expect(affected()).toEqual(['api', 'app', 'worker']));
  });
});
