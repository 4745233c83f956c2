import { readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { releaseGenerator, VERSION_ACTIONS } from './generator';

const crate = (name: string, version = 'version = "0.1.0"') => `[package]\nname = "${name}"\n${version}\nedition = "2024"\n`;

describe('release generator', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    tree.write('Cargo.toml', '[workspace]\nmembers = ["api", "web", "libs/domain"]\n\n[workspace.package]\nversion = "1.0.0"\n');
    tree.write('api/Cargo.toml', crate('api'));
    tree.write('web/Cargo.toml', crate('web'));
    tree.write('libs/domain/Cargo.toml', '[package]\nname = "domain"\nversion = "0.1.0"\n\n[package.metadata.nx]\nname = "domain-lib"\n');
  });
  const release = () => readNxJson(tree)!.release;

  it('configures an independent release of every crate, versions in Cargo.toml, from conventional commits', async () => {
    await releaseGenerator(tree, { skipFormat: true });
    expect(release()).toEqual({
      projects: ['api', 'domain-lib', 'web'],
      projectsRelationship: 'independent',
      version: { conventionalCommits: true, versionActions: '@org/rust-docker/release', fallbackCurrentVersionResolver: 'disk' },
      changelog: { projectChangelogs: true },
    });
    expect(VERSION_ACTIONS).toBe('@org/rust-docker/release');
  });

  it('releases crates that all take the workspace version together, and asks when told to', async () => {
    for (const name of ['api', 'web']) tree.write(`${name}/Cargo.toml`, crate(name, 'version.workspace = true'));
    tree.delete('libs/domain/Cargo.toml');
    await releaseGenerator(tree, { skipFormat: true, conventionalCommits: false });
    expect(release()).toEqual({
      projects: ['api', 'web'],
      projectsRelationship: 'fixed',
      version: { versionActions: VERSION_ACTIONS, fallbackCurrentVersionResolver: 'disk' },
      changelog: { workspaceChangelog: true },
    });
  });

  it('puts crates sharing the workspace version in a fixed group of their own beside the independent ones', async () => {
    tree.write('web/Cargo.toml', crate('web', 'version.workspace = true'));
    await releaseGenerator(tree, { skipFormat: true });
    expect(release()!.groups).toEqual({
      crates: expect.objectContaining({ projects: ['api', 'domain-lib'], projectsRelationship: 'independent', changelog: true }),
      'cargo-workspace': expect.objectContaining({ projects: ['web'], projectsRelationship: 'fixed', releaseTag: { pattern: 'cargo-workspace@{version}' } }),
    });
    expect(release()!.groups!.crates.version).toEqual(expect.objectContaining({ versionActions: VERSION_ACTIONS }));
  });

  it('adds crates created since, keeping what the team changed', async () => {
    await releaseGenerator(tree, { skipFormat: true });
    const nxJson = readNxJson(tree)!;
    updateNxJson(tree, { ...nxJson, release: { ...nxJson.release, git: { commit: false } } });
    tree.write('worker/Cargo.toml', crate('worker'));
    await releaseGenerator(tree, { skipFormat: true });
    expect(release()).toEqual(expect.objectContaining({ projects: ['api', 'domain-lib', 'web', 'worker'], git: { commit: false } }));
  });

  it('refuses to touch a release configuration of other projects, and writes nothing', async () => {
    const nxJson = readNxJson(tree)!;
    updateNxJson(tree, { ...nxJson, release: { projects: ['frontend'] } });
    const before = tree.read('nx.json', 'utf8');
    await expect(releaseGenerator(tree, { skipFormat: true })).rejects.toThrow(
      'nx.json already has a "release" configuration that is not for the crates; add them to a release group with "version": { "versionActions": "@org/rust-docker/release" } (see "Releasing" in the @org/rust-docker README).',
    );
    expect(tree.read('nx.json', 'utf8')).toBe(before);
  });

  it('says what to do in a workspace without crates, and checks --relationship', async () => {
    const empty = createTreeWithEmptyWorkspace();
    await expect(releaseGenerator(empty, {})).rejects.toThrow('no crates in this workspace to release: add one with `nx g @org/rust-docker:service` or `nx g @org/rust-docker:library`.');
    await expect(releaseGenerator(tree, { relationship: 'loose' as 'fixed' })).rejects.toThrow('--relationship "loose" is not one of independent, fixed (e.g. --relationship fixed).');
  });
});
