import type { CreateDependenciesContext, ProjectConfiguration, ProjectGraphExternalNode } from '@nx/devkit';
import { DependencyType } from '@nx/devkit';
import { makeTempDir, pkg, removeDir, writeFiles } from '../testing/fixtures';
import { createDependencies } from './create-dependencies';

const REGISTRY = 'registry+https://github.com/rust-lang/crates.io-index';

describe('createDependencies', () => {
  let root: string;

  beforeAll(() => {
    root = makeTempDir();
    writeFiles(root, {
      'Cargo.toml': '[workspace]\nmembers = ["services/*", "libs/*"]\n\n[workspace.dependencies]\ncore = { path = "libs/core" }\n',
      'Cargo.lock': [
        'version = 4',
        '',
        '[[package]]\nname = "api"\nversion = "0.1.0"\ndependencies = [\n "core",\n "serde",\n "util",\n]',
        '',
        '[[package]]\nname = "core"\nversion = "0.1.0"',
        '',
        '[[package]]\nname = "hidden"\nversion = "0.1.0"',
        '',
        `[[package]]\nname = "serde"\nversion = "1.0.214"\nsource = "${REGISTRY}"\nchecksum = "f55c3193aca71c12ad7890f1785d2b73e1b9f63a0bbc353c08ef26fe03fc56b5"\ndependencies = [\n "serde_derive",\n]`,
        '',
        `[[package]]\nname = "serde_derive"\nversion = "1.0.214"\nsource = "${REGISTRY}"\nchecksum = "de523f781f095e28fa605cdce0f8307e451cc0fd14e2eb4cd2e98a355b147766"`,
        '',
        '[[package]]\nname = "util"\nversion = "0.1.0"\ndependencies = [\n "core",\n]',
        '',
        '[[package]]\nname = "worker"\nversion = "0.1.0"\ndependencies = [\n "core",\n "hidden",\n "util",\n]',
        '',
      ].join('\n'),
      'services/api/Cargo.toml': pkg(
        'api',
        '[dependencies]\ncore = { workspace = true }\nutil = { path = "../../libs/util" }\nserde = "1"\n\n[dev-dependencies]\ncore = { path = "../../libs/core" }\n\n[build-dependencies]\ncore = { workspace = true }',
      ),
      'services/api/src/main.rs': 'fn main() {}\n',
      'services/worker/Cargo.toml': pkg(
        'worker',
        "[target.'cfg(unix)'.dependencies]\nutil = { path = \"../../libs/util\" }\nhidden = { path = \"../../libs/hidden\" }\n\n[dev-dependencies]\ncore = { workspace = true }",
      ),
      'services/worker/src/main.rs': 'fn main() {}\n',
      'libs/core/Cargo.toml': pkg('core', '[package.metadata.nx]\nname = "rust-core"'),
      'libs/core/src/lib.rs': '\n',
      'libs/util/Cargo.toml': pkg('util', '[dependencies]\ncore = { path = "../core" }'),
      'libs/util/src/lib.rs': '\n',
      'libs/hidden/Cargo.toml': pkg('hidden'),
      'libs/hidden/src/lib.rs': '\n',
      'packages/core/package.json': '{ "name": "core" }',
    });
  });
  afterAll(() => removeDir(root));

  const projects: Record<string, ProjectConfiguration> = {
    api: { root: 'services/api' },
    worker: { root: 'services/worker' },
    'rust-core': { root: 'libs/core' },
    util: { root: 'libs/util' },
    // An npm project with the same name as the `core` crate: edges must never go to it.
    core: { root: 'packages/core' },
  };

  const context = (externalNodes: Record<string, ProjectGraphExternalNode> = {}): CreateDependenciesContext => {
    const file = (f: string) => ({ file: f, hash: '0' });
    return {
      workspaceRoot: root,
      projects,
      externalNodes,
      nxJsonConfiguration: {},
      fileMap: {
        nonProjectFiles: [file('Cargo.toml'), file('Cargo.lock'), file('libs/hidden/Cargo.toml'), file('README.md')],
        projectFileMap: {
          api: [file('services/api/Cargo.toml'), file('services/api/src/main.rs')],
          worker: [file('services/worker/Cargo.toml')],
          'rust-core': [file('libs/core/Cargo.toml')],
          util: [file('libs/util/Cargo.toml')],
          core: [file('packages/core/package.json')],
        },
      },
      filesToProcess: { nonProjectFiles: [], projectFileMap: {} },
    };
  };

  const local = (edges: Awaited<ReturnType<typeof createDependencies>>) => edges.filter((e) => !e.source.startsWith('cargo:') && !e.target.startsWith('cargo:'));

  it('links projects by crate folder, never by name, with one edge per pair', async () => {
    const edges = local(await createDependencies(undefined, context()));
    expect(edges.map((e) => `${e.source} -> ${e.target}`).sort()).toEqual(['api -> rust-core', 'api -> util', 'util -> rust-core', 'worker -> rust-core', 'worker -> util']);
    expect(edges.some((e) => e.target === 'core')).toBe(false);
  });

  it('makes static edges for production dependencies and dynamic ones for dev-only dependencies, pointing at the manifest', async () => {
    const edges = local(await createDependencies(undefined, context()));
    const byPair = Object.fromEntries(edges.map((e) => [`${e.source} -> ${e.target}`, e]));
    expect(byPair['api -> rust-core']).toEqual({ source: 'api', target: 'rust-core', type: DependencyType.static, sourceFile: 'services/api/Cargo.toml' });
    expect(byPair['worker -> util']).toEqual({ source: 'worker', target: 'util', type: DependencyType.static, sourceFile: 'services/worker/Cargo.toml' });
    expect(byPair['worker -> rust-core']).toEqual({ source: 'worker', target: 'rust-core', type: DependencyType.dynamic, sourceFile: 'services/worker/Cargo.toml' });
  });

  it('makes no edge to a crate that is not an Nx project', async () => {
    const edges = local(await createDependencies(undefined, context()));
    expect(edges.filter((e) => e.source === 'worker').map((e) => e.target).sort()).toEqual(['rust-core', 'util']);
  });

  it('links crates to the external crates of Cargo.lock that Nx knows, and those to each other', async () => {
    const node = (name: string): ProjectGraphExternalNode => ({ type: 'cargo', name, data: { packageName: name.split(/[:@]/)[1], version: '1.0.214' } } as ProjectGraphExternalNode);
    const known = { 'cargo:serde@1.0.214': node('cargo:serde@1.0.214'), 'cargo:serde_derive@1.0.214': node('cargo:serde_derive@1.0.214') };
    const external = (await createDependencies(undefined, context(known))).filter((e) => e.source.startsWith('cargo:') || e.target.startsWith('cargo:'));
    expect(external).toEqual([
      { source: 'api', target: 'cargo:serde@1.0.214', type: DependencyType.static, sourceFile: 'services/api/Cargo.toml' },
      { source: 'cargo:serde@1.0.214', target: 'cargo:serde_derive@1.0.214', type: DependencyType.static },
    ]);
  });

  it('makes no external edge to a node Nx does not know', async () => {
    const edges = await createDependencies(undefined, context());
    expect(edges.filter((e) => e.target.startsWith('cargo:'))).toEqual([]);
  });

  it('finds no edges without Cargo manifests', async () => {
    const empty = { ...context(), fileMap: { nonProjectFiles: [], projectFileMap: { core: [{ file: 'packages/core/package.json', hash: '0' }] } } };
    expect(await createDependencies(undefined, empty)).toEqual([]);
  });
});
