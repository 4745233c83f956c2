import * as TOML from '@iarna/toml';
import type { ProjectGraph, Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import CargoVersionActions, { afterAllProjectsVersioned, lockfileRoots } from './version-actions';

type Ctor = ConstructorParameters<typeof CargoVersionActions>;

const graph: ProjectGraph = {
  nodes: {
    api: { name: 'api', type: 'app', data: { root: 'services/api' } },
    web: { name: 'web', type: 'app', data: { root: 'services/web' } },
    domain: { name: 'domain', type: 'lib', data: { root: 'libs/domain' } },
    shared: { name: 'shared', type: 'lib', data: { root: 'libs/shared' } },
  },
  dependencies: {},
};

async function actionsFor(tree: Tree, project: string, relationship: 'fixed' | 'independent' = 'independent') {
  const group = { name: 'crates', projectsRelationship: relationship, projects: Object.keys(graph.nodes) } as unknown as Ctor[0];
  const config = { manifestRootsToUpdate: [], preserveLocalDependencyProtocols: true, versionPrefix: 'auto' } as unknown as Ctor[2];
  const actions = new CargoVersionActions(group, graph.nodes[project] as Ctor[1], config);
  await actions.init(tree);
  await actions.validate(tree);
  return actions;
}

const ROOT = `# The workspace
[workspace]
resolver = "2"
members = ["services/*", "libs/*"]

[workspace.package]
version = "1.4.0" # shared by every crate that says version.workspace = true
edition = "2024"

[workspace.dependencies]
shared = { path = "libs/shared", version = "1.4.0" }
serde = "1"
`;

const API = `[package]
name = "api"
version = "0.3.0" # the service's own
edition.workspace = true

[dependencies]
domain = { path = "../../libs/domain", version = "0.5.0" } # pinned: publishable
shared = { workspace = true, features = ["json"] }
serde = { workspace = true }

[dev-dependencies]
domain = { path = "../../libs/domain" }
`;

const WEB = `[package]
name = "web"
version.workspace = true

[dependencies]
domain = { path = "../../libs/domain" } # a path only: nothing to pin
`;

const DOMAIN = `[package]
name = "domain"
version = "0.5.0"
`;

const SHARED = `[package]
name = "shared"
version.workspace = true
`;

describe('CargoVersionActions on a Cargo workspace', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    tree.write('Cargo.toml', ROOT);
    tree.write('services/api/Cargo.toml', API);
    tree.write('services/web/Cargo.toml', WEB);
    tree.write('libs/domain/Cargo.toml', DOMAIN);
    tree.write('libs/shared/Cargo.toml', SHARED);
  });
  const read = (file: string) => tree.read(file, 'utf8')!;

  it('reads a crate\'s own version from its Cargo.toml', async () => {
    const api = await actionsFor(tree, 'api');
    expect(api.validManifestFilenames).toEqual(['Cargo.toml']);
    expect(api.manifestsToUpdate.map((m) => m.manifestPath)).toEqual(['services/api/Cargo.toml']);
    await expect(api.readCurrentVersionFromSourceManifest(tree)).resolves.toEqual({ currentVersion: '0.3.0', manifestPath: 'services/api/Cargo.toml' });
  });

  it('reads an inherited version from the root [workspace.package]', async () => {
    const web = await actionsFor(tree, 'web');
    await expect(web.readCurrentVersionFromSourceManifest(tree)).resolves.toEqual({ currentVersion: '1.4.0', manifestPath: 'Cargo.toml' });
  });

  it('writes a crate\'s own version in place, keeping its comments and layout', async () => {
    const api = await actionsFor(tree, 'api');
    const logs = await api.updateProjectVersion(tree, '0.4.0');
    expect(read('services/api/Cargo.toml')).toBe(API.replace('version = "0.3.0"', 'version = "0.4.0"'));
    expect(read('Cargo.toml')).toBe(ROOT);
    expect(logs).toEqual(['✍️  New version 0.4.0 written to manifest: services/api/Cargo.toml']);
  });

  it('writes an inherited version to [workspace.package], not to the member', async () => {
    const web = await actionsFor(tree, 'web', 'fixed');
    const shared = await actionsFor(tree, 'shared', 'fixed');
    await web.updateProjectVersion(tree, '1.5.0');
    await shared.updateProjectVersion(tree, '1.5.0');
    expect(read('services/web/Cargo.toml')).toBe(WEB);
    expect(read('Cargo.toml')).toBe(ROOT.replace('version = "1.4.0" # shared', 'version = "1.5.0" # shared'));
    expect((TOML.parse(read('Cargo.toml')) as any).workspace.package.version).toBe('1.5.0');
  });

  it('refuses two different versions for crates sharing the workspace version, naming the fix', async () => {
    const web = await actionsFor(tree, 'web');
    const shared = await actionsFor(tree, 'shared');
    await web.updateProjectVersion(tree, '1.4.1');
    await expect(shared.updateProjectVersion(tree, '1.5.0')).rejects.toThrow(
      'web and shared both take their version from [workspace.package] in Cargo.toml (version.workspace = true), so they cannot be released as 1.4.1 and 1.5.0: put them in one release group with "projectsRelationship": "fixed".',
    );
  });

  it('reads the pinned requirement of a path dependency, and none for a path-only one', async () => {
    const api = await actionsFor(tree, 'api');
    await expect(api.readCurrentVersionOfDependency(tree, graph, 'domain')).resolves.toEqual({ currentVersion: '0.5.0', dependencyCollection: 'dependencies' });
    // `shared = { workspace = true }`: the requirement is the root's [workspace.dependencies] entry.
    await expect(api.readCurrentVersionOfDependency(tree, graph, 'shared')).resolves.toEqual({ currentVersion: '1.4.0', dependencyCollection: 'dependencies' });
    const web = await actionsFor(tree, 'web');
    await expect(web.readCurrentVersionOfDependency(tree, graph, 'domain')).resolves.toEqual({ currentVersion: null, dependencyCollection: 'dependencies' });
  });

  it('updates dependents\' pinned requirements, in the crate or in [workspace.dependencies], and leaves path-only ones alone', async () => {
    const api = await actionsFor(tree, 'api');
    const logs = await api.updateProjectDependencies(tree, graph, { domain: '0.6.0', shared: '1.5.0' });
    expect(read('services/api/Cargo.toml')).toBe(API.replace('version = "0.5.0" }', 'version = "0.6.0" }'));
    expect(read('Cargo.toml')).toBe(ROOT.replace('shared = { path = "libs/shared", version = "1.4.0" }', 'shared = { path = "libs/shared", version = "1.5.0" }'));
    expect(logs).toEqual([
      '✍️  Updated the requirement on domain in [dependencies] of services/api/Cargo.toml: 0.5.0 → 0.6.0',
      '✍️  Updated the requirement on shared in [workspace.dependencies] of Cargo.toml: 1.4.0 → 1.5.0',
    ]);
    const web = await actionsFor(tree, 'web');
    expect(await web.updateProjectDependencies(tree, graph, { domain: '0.6.0' })).toEqual([]);
    expect(read('services/web/Cargo.toml')).toBe(WEB);
  });

  it('keeps Nx\'s Prettier pass away from Cargo.toml and resolves no versions from a registry', async () => {
    const api = await actionsFor(tree, 'api');
    expect(api.excludeManifestsFromFormatting).toBe(true);
    await expect(api.readCurrentVersionFromRegistry()).resolves.toBeNull();
  });

  it('says clearly when an inherited version has nowhere to come from', async () => {
    tree.write('Cargo.toml', '[workspace]\nmembers = ["services/*", "libs/*"]\n');
    const web = await actionsFor(tree, 'web');
    await expect(web.readCurrentVersionFromSourceManifest(tree)).rejects.toThrow(
      'services/web/Cargo.toml takes its version from the workspace (version.workspace = true), but Cargo.toml has no [workspace.package] version; add one.',
    );
  });
});

describe('afterAllProjectsVersioned: Cargo.lock in step', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rust-docker-lock-'));
    writeFileSync(join(dir, 'Cargo.toml'), '[workspace]\nresolver = "2"\nmembers = ["a", "b"]\n');
    for (const [name, deps] of [['a', ''], ['b', 'a = { path = "../a", version = "0.1.0" }\n']]) {
      mkdirSync(join(dir, name, 'src'), { recursive: true });
      writeFileSync(join(dir, name, 'Cargo.toml'), `[package]\nname = "${name}"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n${deps}`);
      writeFileSync(join(dir, name, 'src', 'lib.rs'), '');
    }
    execFileSync('cargo', ['generate-lockfile', '--offline'], { cwd: dir, stdio: 'ignore' });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lets cargo rewrite the workspace crates\' versions in Cargo.lock and reports the file', async () => {
    writeFileSync(join(dir, 'a', 'Cargo.toml'), readFileSync(join(dir, 'a', 'Cargo.toml'), 'utf8').replace('0.1.0', '0.2.0'));
    writeFileSync(join(dir, 'b', 'Cargo.toml'), readFileSync(join(dir, 'b', 'Cargo.toml'), 'utf8').replace(/0\.1\.0/g, '0.2.0'));
    expect(lockfileRoots(dir)).toEqual(['.']);
    await expect(afterAllProjectsVersioned(dir, { dryRun: true })).resolves.toEqual({ changedFiles: [], deletedFiles: [] });
    expect(readFileSync(join(dir, 'Cargo.lock'), 'utf8')).toContain('name = "a"\nversion = "0.1.0"');
    await expect(afterAllProjectsVersioned(dir, {})).resolves.toEqual({ changedFiles: ['Cargo.lock'], deletedFiles: [] });
    const lock = readFileSync(join(dir, 'Cargo.lock'), 'utf8');
    expect(lock).toContain('name = "a"\nversion = "0.2.0"');
    expect(lock).toContain('name = "b"\nversion = "0.2.0"');
    // Nothing left to do: nothing reported.
    await expect(afterAllProjectsVersioned(dir, {})).resolves.toEqual({ changedFiles: [], deletedFiles: [] });
  });
});
