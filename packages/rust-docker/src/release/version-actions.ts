import { logger, type ProjectGraph, type Tree } from '@nx/devkit';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { VersionActions, type AfterAllProjectsVersioned } from 'nx/release';
import { findManifestFiles } from '../cargo/load';
import { setDependencyVersion, setPackageVersion, setWorkspaceVersion } from './cargo-versions';
import { entriesPointingAt, manifestOf, read, versionHome } from './crate-manifests';

/**
 * `nx release` for Rust crates: versions are read from and written to each crate's
 * Cargo.toml (the workspace's `[workspace.package]` for `version.workspace = true`),
 * dependents' pinned requirements follow, and Cargo.lock is brought in step by cargo.
 *
 * nx.json: `"release": { "version": { "versionActions": "@org/rust-docker/release" } }`
 * (`nx g @org/rust-docker:release` writes it).
 */

/** Versions this run wrote to a shared `[workspace.package]`, per tree: two different ones is a conflict. */
const sharedVersionsWritten = new WeakMap<Tree, Map<string, { version: string; project: string }>>();

export default class CargoVersionActions extends VersionActions {
  validManifestFilenames = ['Cargo.toml'];

  constructor(...args: ConstructorParameters<typeof VersionActions>) {
    super(...args);
    // Nx's Prettier pass has no business with TOML.
    this.excludeManifestsFromFormatting = true;
  }

  private get crateDir(): string {
    return this.projectGraphNode.data.root;
  }

  private manifests(): string[] {
    const listed = this.manifestsToUpdate.map((m) => posix.normalize(m.manifestPath.split('\\').join('/')));
    return listed.length ? listed : [manifestOf(this.crateDir)];
  }

  async readCurrentVersionFromSourceManifest(tree: Tree): Promise<{ currentVersion: string; manifestPath: string } | null> {
    const file = manifestOf(this.crateDir);
    if (!tree.exists(file)) return null;
    const home = versionHome(tree, this.crateDir);
    // Cargo reads a crate without a version as 0.0.0.
    return { currentVersion: home.version ?? '0.0.0', manifestPath: home.file };
  }

  async readCurrentVersionFromRegistry(): Promise<{ currentVersion: string | null; logText: string } | null> {
    // Registries differ (crates.io, sparse or git indexes, private ones): the version a
    // release starts from comes from git tags or Cargo.toml ("git-tag" or "disk").
    return null;
  }

  async readCurrentVersionOfDependency(
    tree: Tree,
    projectGraph: ProjectGraph,
    dependencyProjectName: string,
  ): Promise<{ currentVersion: string | null; dependencyCollection: string | null }> {
    const dep = projectGraph.nodes[dependencyProjectName];
    if (!dep) return { currentVersion: null, dependencyCollection: null };
    const entries = entriesPointingAt(tree, this.crateDir, dep.data.root);
    // A path dependency without a version needs nothing from a release.
    const pinned = entries.find((e) => e.version !== undefined);
    return { currentVersion: pinned?.version ?? null, dependencyCollection: (pinned ?? entries[0])?.collection ?? null };
  }

  async updateProjectVersion(tree: Tree, newVersion: string): Promise<string[]> {
    const logs: string[] = [];
    for (const manifest of this.manifests()) {
      const crateDir = posix.dirname(manifest) === '' ? '.' : posix.dirname(manifest);
      const home = versionHome(tree, crateDir);
      if (home.inherited) {
        const written = sharedVersionsWritten.get(tree) ?? new Map<string, { version: string; project: string }>();
        sharedVersionsWritten.set(tree, written);
        const earlier = written.get(home.file);
        if (earlier && earlier.version !== newVersion) {
          throw new Error(
            `${earlier.project} and ${this.projectGraphNode.name} both take their version from [workspace.package] in ${home.file} (version.workspace = true), so they cannot be released as ${earlier.version} and ${newVersion}: put them in one release group with "projectsRelationship": "fixed".`,
          );
        }
        written.set(home.file, { version: newVersion, project: earlier?.project ?? this.projectGraphNode.name });
        tree.write(home.file, setWorkspaceVersion(read(tree, home.file), newVersion, home.file));
        logs.push(`✍️  New version ${newVersion} written to [workspace.package] in ${home.file} (${manifest} has version.workspace = true)`);
      } else {
        tree.write(manifest, setPackageVersion(read(tree, manifest), newVersion, manifest));
        logs.push(`✍️  New version ${newVersion} written to manifest: ${manifest}`);
      }
    }
    return logs;
  }

  async updateProjectDependencies(tree: Tree, projectGraph: ProjectGraph, dependenciesToUpdate: Record<string, string>): Promise<string[]> {
    const logs: string[] = [];
    for (const [depProject, version] of Object.entries(dependenciesToUpdate)) {
      const dep = projectGraph.nodes[depProject];
      if (!dep) continue;
      for (const entry of entriesPointingAt(tree, this.crateDir, dep.data.root)) {
        if (entry.version === undefined || entry.version === version) continue;
        tree.write(entry.file, setDependencyVersion(read(tree, entry.file), entry, version, entry.file));
        logs.push(`✍️  Updated the requirement on ${depProject} in [${entry.table}] of ${entry.file}: ${entry.version} → ${version}`);
      }
    }
    return logs;
  }
}

/** Cargo workspaces (or standalone crates) with a Cargo.lock, found on disk under `root`. */
export function lockfileRoots(root: string): string[] {
  const dirs = findManifestFiles(root).map((f) => posix.dirname(f.split('\\').join('/')) || '.');
  return [...new Set(dirs)].filter((dir) => existsSync(join(root, dir, 'Cargo.lock'))).sort();
}

function cargoUpdate(dir: string, offline: boolean): { ok: boolean; detail: string } {
  try {
    execFileSync('cargo', ['update', '--workspace', ...(offline ? ['--offline'] : [])], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    return { ok: true, detail: '' };
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    return { ok: false, detail: (e.stderr || e.message).trim().split('\n').filter(Boolean).pop() ?? '' };
  }
}

/**
 * After every manifest is written: Cargo.lock records the workspace's own crates with
 * their versions, so cargo brings it in step (`cargo update --workspace` touches only
 * those; offline first, as the registry index it needs is usually cached).
 */
export const afterAllProjectsVersioned: AfterAllProjectsVersioned = async (cwd, { dryRun }) => {
  const changedFiles: string[] = [];
  for (const dir of lockfileRoots(cwd)) {
    const lockfile = posix.join(dir === '.' ? '' : dir, 'Cargo.lock');
    if (dryRun) {
      logger.info(`Would update ${lockfile} with \`cargo update --workspace\` (dry run).`);
      continue;
    }
    const before = readFileSync(join(cwd, lockfile), 'utf8');
    const abs = join(cwd, dir);
    const result = cargoUpdate(abs, true).ok ? { ok: true, detail: '' } : cargoUpdate(abs, false);
    if (!result.ok) {
      throw new Error(`${lockfile} could not be brought in step with the new versions (cargo update --workspace: ${result.detail}); run \`cargo update --workspace\` in ${dir}, then commit Cargo.lock with the release.`);
    }
    if (readFileSync(join(cwd, lockfile), 'utf8') !== before) {
      changedFiles.push(lockfile);
      logger.info(`✍️  Updated ${lockfile} (cargo update --workspace)`);
    }
  }
  return { changedFiles, deletedFiles: [] };
};
