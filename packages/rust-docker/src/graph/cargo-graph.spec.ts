import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, pkg, removeDir, writeFiles } from '../testing/fixtures';
import { analyzeCargo, directProductionDependencies, summarizeLock, workspaceDataDirectory } from './cargo-graph';

const REGISTRY = 'registry+https://github.com/rust-lang/crates.io-index';
const GIT = 'git+https://github.com/serde-rs/serde?rev=abc#abc';

const LOCK = [
  'version = 4',
  '',
  '[[package]]\nname = "api"\nversion = "0.1.0"\ndependencies = [\n "core",\n "serde 1.0.214 (registry+https://github.com/rust-lang/crates.io-index)",\n "tokio",\n]',
  '',
  '[[package]]\nname = "core"\nversion = "0.1.0"\ndependencies = [\n "itoa",\n]',
  '',
  `[[package]]\nname = "itoa"\nversion = "1.0.11"\nsource = "${REGISTRY}"\nchecksum = "aaaa"`,
  '',
  `[[package]]\nname = "serde"\nversion = "1.0.214"\nsource = "${GIT}"`,
  '',
  `[[package]]\nname = "serde"\nversion = "1.0.214"\nsource = "${REGISTRY}"\nchecksum = "bbbb"\ndependencies = [\n "itoa",\n]`,
  '',
  `[[package]]\nname = "tokio"\nversion = "1.41.0"\nsource = "${REGISTRY}"\nchecksum = "cccc"`,
  '',
].join('\n');

describe('summarizeLock', () => {
  const summary = summarizeLock(LOCK);

  it('names external crates cargo:<name>@<version>, with a source digest when a version has several sources', () => {
    expect(Object.keys(summary.nodes).sort()).toEqual([
      'cargo:itoa@1.0.11',
      expect.stringMatching(/^cargo:serde@1\.0\.214\+[0-9a-f]{8}$/),
      expect.stringMatching(/^cargo:serde@1\.0\.214\+[0-9a-f]{8}$/),
      'cargo:tokio@1.41.0',
    ]);
    expect(summary.nodes['cargo:itoa@1.0.11']).toEqual({ packageName: 'itoa', version: '1.0.11', hash: 'aaaa' });
  });

  it('hashes a registry crate by its checksum and a git crate by its source', () => {
    const serdes = Object.entries(summary.nodes).filter(([name]) => name.startsWith('cargo:serde@'));
    expect(serdes.map(([, c]) => c.hash).sort()).toEqual([expect.stringMatching(/^[0-9a-f]{40}$/), 'bbbb'].sort());
  });

  it('lists the external dependencies of external and local crates', () => {
    const registrySerde = Object.entries(summary.nodes).find(([, c]) => c.hash === 'bbbb')![0];
    expect(summary.edges[registrySerde]).toEqual(['cargo:itoa@1.0.11']);
    expect(summary.edges['cargo:tokio@1.41.0']).toBeUndefined();
    expect(summary.localDeps.api).toEqual([registrySerde, 'cargo:tokio@1.41.0']);
    expect(summary.localDeps.core).toEqual(['cargo:itoa@1.0.11']);
  });
});

describe('analyzeCargo', () => {
  let root: string;
  const files = ['Cargo.toml', 'api/Cargo.toml', 'core/Cargo.toml', 'vendor/x/Cargo.toml'];

  beforeEach(() => {
    root = makeTempDir();
    writeFiles(root, {
      'Cargo.toml': '[workspace]\nmembers = ["api", "core"]\n',
      'Cargo.lock': LOCK,
      'api/Cargo.toml': pkg('api', '[dependencies]\ncore = { path = "../core" }\ntokio = "1"\n\n[dev-dependencies]\nserde = "1"'),
      'api/src/main.rs': '',
      'core/Cargo.toml': pkg('core', '[dependencies]\nitoa = "1"'),
      'core/src/lib.rs': '',
      'vendor/x/Cargo.toml': pkg('x'),
      'vendor/x/.cargo-checksum.json': '{}',
    });
  });
  afterEach(() => removeDir(root));

  it('builds the crate model, skipping vendored crates', () => {
    const graph = analyzeCargo(root, files);
    expect([...graph.model.crates.keys()].sort()).toEqual(['api', 'core']);
    expect(graph.errors).toEqual([]);
    expect([...graph.cargoRoots]).toEqual(['.']);
    expect(graph.rootFiles.get('.')).toEqual(['Cargo.toml', 'Cargo.lock']);
  });

  it("splits a crate's direct external crates into production ones and dev ones", () => {
    const graph = analyzeCargo(root, files);
    const api = graph.externals.get('api')!;
    expect(api.production).toEqual(['cargo:tokio@1.41.0']);
    expect(api.all).toEqual([expect.stringMatching(/^cargo:serde@/), 'cargo:tokio@1.41.0']);
  });

  it('gives the crates a crate names in its normal and build dependencies, never its dev-dependencies', () => {
    writeFiles(root, {
      'Cargo.toml': '[workspace]\nmembers = ["api", "core", "testkit"]\n',
      'api/Cargo.toml': pkg('api', '[dependencies]\ncore = { path = "../core" }\n\n[build-dependencies]\ncore = { path = "../core" }\n\n[dev-dependencies]\ntestkit = { path = "../testkit" }'),
      'testkit/Cargo.toml': pkg('testkit', '[dependencies]\ncore = { path = "../core" }'),
      'testkit/src/lib.rs': '',
    });
    const graph = analyzeCargo(root, [...files, 'testkit/Cargo.toml']);
    expect(directProductionDependencies(graph, 'api')).toEqual(['core']);
    expect(directProductionDependencies(graph, 'testkit')).toEqual(['core']);
    expect(directProductionDependencies(graph, 'core')).toEqual([]);
  });

  it('keeps its cache in the workspace data folder, written once the call has returned', async () => {
    analyzeCargo(root, files);
    const cacheFile = join(workspaceDataDirectory(root), 'rust-docker-cargo.json');
    expect(existsSync(cacheFile)).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(existsSync(cacheFile)).toBe(true);
  });

  it('sees a changed manifest on the next call', () => {
    expect(analyzeCargo(root, files).model.dependencies).toHaveLength(1);
    writeFiles(root, { 'api/Cargo.toml': pkg('api', '[dependencies]\ntokio = "1"') });
    expect(analyzeCargo(root, files).model.dependencies).toHaveLength(0);
  });

  it('hands createDependencies the graph createNodes just built for the same manifests, without reading them again', () => {
    const built = analyzeCargo(root, files);
    writeFiles(root, { 'api/Cargo.toml': pkg('api', '[dependencies]\ntokio = "1"') });
    expect(analyzeCargo(root, files, { reuse: true })).toBe(built);
    expect(analyzeCargo(root, files.slice(0, 3), { reuse: true })).not.toBe(built);
    expect(analyzeCargo(root, files).model.dependencies).toHaveLength(0);
  });

  it('sees a new src/lib.rs without a manifest change', () => {
    removeDir(join(root, 'core/src'));
    expect(analyzeCargo(root, files).model.dependencies).toHaveLength(0);
    writeFiles(root, { 'core/src/lib.rs': '' });
    expect(analyzeCargo(root, files).model.dependencies).toHaveLength(1);
  });

  it('sees a new .cargo/config.toml without a manifest change', () => {
    expect(analyzeCargo(root, files).rootFiles.get('.')).toEqual(['Cargo.toml', 'Cargo.lock']);
    writeFiles(root, { '.cargo/config.toml': '[build]\nrustflags = ["-C", "target-cpu=native"]\n' });
    expect(analyzeCargo(root, files).rootFiles.get('.')).toEqual(['Cargo.toml', 'Cargo.lock', '.cargo/config.toml']);
  });
});
