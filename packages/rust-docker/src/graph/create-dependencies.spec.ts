import type { CreateDependenciesContext, ProjectConfiguration } from '@nx/devkit';
import { DependencyType } from '@nx/devkit';
import { makeTempDir, pkg, removeDir, writeFiles } from '../testing/fixtures';
import { createDependencies } from './create-dependencies';

describe('createDependencies', () => {
  let root: string;

  beforeAll(() => {
    root = makeTempDir();
    writeFiles(root, {
      'Cargo.toml': '[workspace]\nmembers = ["services/*", "libs/*"]\n\n[workspace.dependencies]\ncore = { path = "libs/core" }\n',
      'services/api/Cargo.toml': pkg(
        'api',
        '[dependencies]\ncore = { workspace = true }\nutil = { path = "../../libs/util" }\n\n[dev-dependencies]\ncore = { path = "../../libs/core" }\n\n[build-dependencies]\ncore = { workspace = true }',
      ),
      'services/worker/Cargo.toml': pkg('worker', "[target.'cfg(unix)'.dependencies]\nutil = { path = \"../../libs/util\" }\nhidden = { path = \"../../libs/hidden\" }"),
      'libs/core/Cargo.toml': pkg('core', '[package.metadata.nx]\nname = "rust-core"'),
      'libs/util/Cargo.toml': pkg('util', '[dependencies]\ncore = { path = "../core" }'),
      'libs/hidden/Cargo.toml': pkg('hidden'),
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

  const context = (): CreateDependenciesContext => {
    const file = (f: string) => ({ file: f, hash: '0' });
    return {
      workspaceRoot: root,
      projects,
      externalNodes: {},
      nxJsonConfiguration: {},
      fileMap: {
        nonProjectFiles: [file('Cargo.toml'), file('libs/hidden/Cargo.toml'), file('README.md')],
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

  it('links projects by crate folder, never by name, with one edge per pair', async () => {
    const edges = await createDependencies(undefined, context());
    expect(edges.map((e) => `${e.source} -> ${e.target}`).sort()).toEqual(['api -> rust-core', 'api -> util', 'util -> rust-core', 'worker -> util']);
    expect(edges.some((e) => e.target === 'core')).toBe(false);
  });

  it('makes static edges that point at the manifest declaring them', async () => {
    const edges = await createDependencies(undefined, context());
    for (const edge of edges) {
      expect(edge).toEqual({ source: edge.source, target: edge.target, type: DependencyType.static, sourceFile: `${projects[edge.source].root}/Cargo.toml` });
    }
  });

  it('makes no edge to a crate that is not an Nx project', async () => {
    const edges = await createDependencies(undefined, context());
    expect(edges.filter((e) => e.source === 'worker').map((e) => e.target)).toEqual(['util']);
  });

  it('finds no edges without Cargo manifests', async () => {
    const empty = { ...context(), fileMap: { nonProjectFiles: [], projectFileMap: { core: [{ file: 'packages/core/package.json', hash: '0' }] } } };
    expect(await createDependencies(undefined, empty)).toEqual([]);
  });
});
