import * as TOML from '@iarna/toml';
import { buildKitPath, removeImages, STAND_IN_RUST_IMAGE } from './helpers/docker';
import { compiledCrates, run } from './helpers/run';
import { createWorkspace, nxVersion, useBaseImages, type Workspace } from './helpers/workspace';

/**
 * `nx affected` in a real workspace with git: two services sharing a library, a crate
 * nobody depends on, and one test-only dependency. Listing is safe (every edge kind
 * counts); hashing is precise (what cannot change a build never invalidates it).
 */
describe('affected: exactly what a change touches', () => {
  let ws: Workspace;
  const env = { PATH: buildKitPath() };

  const affected = (target?: string) =>
    ws
      .nx(['show', 'projects', '--affected', '--base=HEAD', ...(target ? ['--withTarget', target] : [])])
      .stdout.split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .sort();

  /** Runs `nx affected -t <target>` and returns which tasks ran and which were cache hits. */
  const runAffected = (target: string) => {
    const out = ws.nx(['affected', '-t', target, '--base=HEAD', '--output-style=static']).output;
    const tasks = [...out.matchAll(/> nx run (\S+):\S+(?: +\[(local cache|existing outputs match the cache, left as is)\])?/g)];
    return {
      ran: tasks.filter((t) => !t[2]).map((t) => t[1]).sort(),
      cached: tasks.filter((t) => t[2]).map((t) => t[1]).sort(),
      output: out,
    };
  };

  const revert = () => {
    ws.git(['checkout', '--', '.']);
    ws.git(['clean', '-fdq', '--', 'api', 'worker', 'shared', 'lonely', 'plain', 'fresh']);
  };

  beforeAll(() => {
    ws = createWorkspace('affected', env, { quickRelease: true });
    ws.nx(['g', '@org/rust-docker:init']);
    ws.nx(['g', '@org/rust-docker:service', 'api']);
    ws.nx(['g', '@org/rust-docker:service', 'worker']);
    ws.nx(['g', '@org/rust-docker:library', 'shared', '--service=api,worker']);
    ws.nx(['g', '@org/rust-docker:library', 'lonely']);
    // A test-only dependency: api's tests use `testkit`, its binary never does.
    ws.nx(['g', '@org/rust-docker:library', 'testkit']);
    ws.write('api/Cargo.toml', `${ws.read('api/Cargo.toml')}\n[dev-dependencies]\ntestkit = { path = "../testkit" }\n`);
    // Versions unique to this run: BuildKit's layer cache is shared by every workspace on
    // the engine, and what these tests count is what a build compiles.
    for (const crate of ['api', 'worker']) {
      ws.write(`${crate}/Cargo.toml`, ws.read(`${crate}/Cargo.toml`).replace('version = "0.1.0"', `version = "0.1.0-run${Date.now()}"`));
    }
    // A service with no external crates at all: a std-only binary, containerized by the
    // docker generator. Every web framework's tree has itoa; this one's has nothing.
    ws.write('plain/Cargo.toml', `[package]\nname = "plain"\nversion = "0.1.0-run${Date.now()}"\nedition = "2021"\n\n[dependencies]\n`);
    ws.write('plain/src/main.rs', 'fn main() {\n    println!("plain");\n}\n');
    ws.write('Cargo.toml', ws.read('Cargo.toml').replace(/members = \[/, 'members = ["plain", '));
    ws.nx(['g', '@org/rust-docker:docker', 'plain', '--port=8080']); // it binds nothing, so the generator cannot tell
    // An external crate worker uses directly (api only through axum's tree), locked one
    // version back so a later bump changes one Cargo.lock entry and no manifest.
    ws.write('worker/Cargo.toml', ws.read('worker/Cargo.toml').replace('[dependencies]\n', '[dependencies]\nitoa = "1"\n'));
    run('cargo', ['update', '-p', 'itoa', '--precise', '1.0.14'], { cwd: ws.root, quiet: true });
    useBaseImages(ws, { RUST_IMAGE: STAND_IN_RUST_IMAGE });
    ws.write('README.md', '# affected\n');
    ws.git(['add', '-A']);
    ws.git(['commit', '-qm', 'two services, a shared library, a lonely crate']);
  });

  afterAll(() => {
    removeImages('api');
    removeImages('worker');
    removeImages('plain');
    ws?.remove();
  });

  it('knows the crate graph: edges by kind, and external crates from Cargo.lock', () => {
    const graph = JSON.parse(run(process.execPath, ['-e', `
      const { createProjectGraphAsync } = require('nx/src/devkit-exports');
      createProjectGraphAsync().then((g) => console.log(JSON.stringify({ deps: g.dependencies, external: Object.keys(g.externalNodes) })));
    `], { cwd: ws.root, env: { ...process.env, NX_DAEMON: 'false' }, quiet: true }).stdout);
    const edges = (p: string) => graph.deps[p].filter((d: any) => !d.target.startsWith('cargo:')).map((d: any) => `${d.target}:${d.type}`).sort();
    expect(edges('api')).toEqual(['shared:static', 'testkit:dynamic']);
    expect(edges('worker')).toEqual(['shared:static']);
    expect(edges('lonely')).toEqual([]);
    expect(graph.external).toContain('cargo:itoa@1.0.14');
    expect(graph.deps.worker.map((d: any) => d.target)).toContain('cargo:itoa@1.0.14');
    expect(graph.deps.api.map((d: any) => d.target)).not.toContain('cargo:itoa@1.0.14');
  });

  it('a change to one service affects only that service', () => {
    ws.write('api/src/main.rs', ws.read('api/src/main.rs').replace('"status": "ok"', '"status": "ok", "api": true'));
    try {
      expect(affected()).toEqual(['api']);
    } finally {
      revert();
    }
  });

  it('a change to a crate nobody depends on affects nothing else', () => {
    ws.write('lonely/src/lib.rs', `${ws.read('lonely/src/lib.rs')}\npub const EDITED: bool = true;\n`);
    try {
      expect(affected()).toEqual(['lonely']);
      expect(affected('docker-build')).toEqual([]);
    } finally {
      revert();
    }
  });

  it('a change to the shared library affects both services, and builds exactly their images', () => {
    // Cold builds first, so the change below is measured against a cached state.
    ws.nx(['run-many', '-t', 'docker-build']);
    // A new edit every run: BuildKit's layer cache is shared by every workspace on the engine.
    ws.write('shared/src/lib.rs', ws.read('shared/src/lib.rs').replace('Hello, {name}!', `Hi ${Date.now()}, {name}!`));
    try {
      expect(affected()).toEqual(['api', 'shared', 'worker']);
      expect(affected('docker-build')).toEqual(['api', 'worker']);
      const result = runAffected('docker-build');
      expect(result.ran).toEqual(['api', 'worker']);
      expect(result.cached).toEqual([]);
      // Each service's image rebuilt the library and the service, nothing from crates.io.
      const compiled = compiledCrates(result.output);
      expect(new Set(compiled)).toEqual(new Set(['shared', 'api', 'worker']));
    } finally {
      revert();
    }
  });

  it('a change to a test-only dependency reaches the service\'s tests, never its image', () => {
    ws.write('testkit/src/lib.rs', `${ws.read('testkit/src/lib.rs')}\npub const EDITED: bool = true;\n`);
    try {
      // Project level: api is listed (it has a dev-dependency edge on testkit)...
      expect(affected()).toEqual(['api', 'testkit']);
      // ...task level: api's tests hash testkit, its build and image do not.
      expect(affected('test')).toEqual(['api', 'testkit']);
      if (Number(nxVersion().split('.')[0]) >= 24) {
        // Nx 24 selects affected tasks by their inputs (Nx 23 only with NX_LEGACY_AFFECTED=false).
        expect(affected('docker-build')).toEqual([]);
        expect(runAffected('docker-build').output).toContain('No tasks were run');
      } else {
        // Nx 22 and 23 run every task of an affected project: api's image is a cache hit.
        expect(affected('docker-build')).toEqual(['api']);
        const result = runAffected('docker-build');
        expect(result.ran).toEqual([]);
        expect(result.cached).toEqual(['api']);
      }
    } finally {
      revert();
    }
  });

  const CRATES = ['api', 'lonely', 'plain', 'shared', 'testkit', 'worker'];

  it('a change to the root [workspace.dependencies] reaches every crate of the Cargo workspace', () => {
    const root = ws.read('Cargo.toml');
    ws.write(
      'Cargo.toml',
      root.includes('[workspace.dependencies]\n')
        ? root.replace('[workspace.dependencies]\n', '[workspace.dependencies]\nitoa = "1"\n')
        : `${root}\n[workspace.dependencies]\nitoa = "1"\n`,
    );
    try {
      for (const target of ['build', 'test', 'lint']) expect([target, affected(target)]).toEqual([target, CRATES]);
      expect(affected('docker-build')).toEqual(['api', 'plain', 'worker']);
    } finally {
      revert();
    }
  });

  it('a new member is a project with affected tasks, and so is the crate that starts using it', () => {
    ws.write('fresh/Cargo.toml', '[package]\nname = "fresh"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n');
    ws.write('fresh/src/lib.rs', 'pub fn fresh() -> u8 {\n    1\n}\n');
    ws.write('Cargo.toml', ws.read('Cargo.toml').replace(/members = \[/, 'members = ["fresh", '));
    ws.write('worker/Cargo.toml', ws.read('worker/Cargo.toml').replace('[dependencies]\n', '[dependencies]\nfresh = { path = "../fresh" }\n'));
    try {
      const graph = JSON.parse(ws.nx(['graph', '--file=stdout']).stdout);
      expect(graph.graph.dependencies.worker.map((d: any) => d.target)).toContain('fresh');
      expect(affected('build')).toEqual(expect.arrayContaining(['fresh', 'worker']));
      expect(affected('test')).toEqual(expect.arrayContaining(['fresh', 'worker']));
      expect(affected('docker-build')).toContain('worker');
    } finally {
      revert();
    }
  });

  it('a README edit at the root reaches no cargo or docker task', () => {
    ws.write('README.md', `# affected\n\nEdited ${Date.now()}.\n`);
    try {
      for (const target of ['build', 'test', 'lint', 'docker-build']) expect([target, affected(target)]).toEqual([target, []]);
    } finally {
      revert();
    }
  });

  it('a Cargo.lock bump rebuilds only the images whose crates use the bumped crate, and only what depends on it', () => {
    ws.nx(['run-many', '-t', 'docker-build']);
    run('cargo', ['update', '-p', 'itoa', '--precise', '1.0.15'], { cwd: ws.root, quiet: true });
    expect(ws.git(['status', '--porcelain']).stdout.trim()).toBe('M Cargo.lock');
    const lock = TOML.parse(ws.read('Cargo.lock')) as any;
    expect(lock.package.find((p: any) => p.name === 'itoa').version).toBe('1.0.15');
    try {
      // Nx can only see that Cargo.lock changed, so every image is a candidate...
      expect(affected('docker-build')).toEqual(['api', 'plain', 'worker']);
      const result = runAffected('docker-build');
      expect(result.ran).toEqual(['api', 'plain', 'worker']);
      // ...and docker-build narrows it down: plain's pruned Cargo.lock did not change, so
      // its image is reused without a build; api and worker use itoa (worker directly, api
      // through axum's tree), so they rebuild, compiling itoa and what depends on it only.
      expect(result.output).toMatch(/plain: plain:[0-9a-f]{12} was already built from this exact context; tagged it, no build/);
      expect(result.output).toMatch(/api: built api:latest/);
      expect(result.output).toMatch(/worker: built worker:latest/);
      const compiled = compiledCrates(result.output);
      // (itoa 1.0.15 itself may already sit in the engine's cargo cache mount, which other
      // workspaces on this engine share; what depends on it is rebuilt either way.)
      expect(compiled).toEqual(expect.arrayContaining(['api', 'worker']));
      expect(compiled).not.toContain('tokio');
      expect(compiled).not.toContain('plain');
    } finally {
      revert();
    }
  });
});
