import { formatFiles, readNxJson, updateNxJson, type NxJsonConfiguration, type Tree } from '@nx/devkit';
import { posix } from 'node:path';
import { findCrates } from '../../cargo/tree-crates';
import { packageVersionInfo } from '../../release/cargo-versions';
import type { ReleaseGeneratorSchema } from './schema';

/** What nx.json names as the version actions of the crates' release groups. */
export const VERSION_ACTIONS = '@org/rust-docker/release';

type ReleaseConfig = NonNullable<NxJsonConfiguration['release']>;
type ReleaseGroup = NonNullable<ReleaseConfig['groups']>[string];

export interface NormalizedReleaseOptions {
  /** Nx project names of the crates taking a version of their own. */
  ownVersion: string[];
  /** Nx project names of the crates taking `[workspace.package] version`. */
  workspaceVersion: string[];
  relationship?: 'independent' | 'fixed';
  conventionalCommits: boolean;
  skipFormat: boolean;
}

export function normalizeOptions(tree: Tree, schema: ReleaseGeneratorSchema): NormalizedReleaseOptions {
  if (schema.relationship !== undefined && schema.relationship !== 'independent' && schema.relationship !== 'fixed') {
    throw new Error(`--relationship "${schema.relationship}" is not one of independent, fixed (e.g. --relationship fixed).`);
  }
  const ownVersion: string[] = [];
  const workspaceVersion: string[] = [];
  for (const [project, dir] of findCrates(tree).byProject) {
    const file = posix.join(dir === '.' ? '' : dir, 'Cargo.toml');
    (packageVersionInfo(tree.read(file, 'utf8')!, file).inherits ? workspaceVersion : ownVersion).push(project);
  }
  if (!ownVersion.length && !workspaceVersion.length) {
    throw new Error('no crates in this workspace to release: add one with `nx g @org/rust-docker:service` or `nx g @org/rust-docker:library`.');
  }
  return {
    ownVersion: ownVersion.sort(),
    workspaceVersion: workspaceVersion.sort(),
    relationship: schema.relationship,
    conventionalCommits: schema.conventionalCommits ?? true,
    skipFormat: schema.skipFormat ?? false,
  };
}

function versionConfig(o: NormalizedReleaseOptions): ReleaseConfig['version'] {
  return {
    ...(o.conventionalCommits ? { conventionalCommits: true } : {}),
    versionActions: VERSION_ACTIONS,
    // The first release has no git tag to start from: the versions in Cargo.toml are it.
    fallbackCurrentVersionResolver: 'disk',
  };
}

/**
 * The release configuration for the crates: one group of them (all crates, with the
 * relationship asked for or implied), or, when some crates take the workspace's version
 * and others do not, an independent group and a fixed one (crates sharing
 * `[workspace.package] version` can only move together).
 */
export function releaseConfiguration(o: NormalizedReleaseOptions): ReleaseConfig {
  const all = [...o.ownVersion, ...o.workspaceVersion].sort();
  const relationship = o.relationship ?? (o.ownVersion.length ? 'independent' : 'fixed');
  if (relationship === 'fixed' || !o.workspaceVersion.length) {
    return {
      projects: all,
      projectsRelationship: relationship,
      version: versionConfig(o),
      // Independent crates get a changelog each (Nx writes no workspace changelog for them).
      changelog: relationship === 'independent' ? { projectChangelogs: true } : { workspaceChangelog: true },
    };
  }
  const group = (projects: string[], projectsRelationship: 'independent' | 'fixed'): ReleaseGroup => ({
    projects,
    projectsRelationship,
    version: versionConfig(o),
    changelog: true,
    ...(projectsRelationship === 'fixed' ? { releaseTag: { pattern: 'cargo-workspace@{version}' } } : {}),
  });
  return {
    ...(o.conventionalCommits ? { version: { conventionalCommits: true } } : {}),
    groups: { crates: group(o.ownVersion, 'independent'), 'cargo-workspace': group(o.workspaceVersion, 'fixed') },
  };
}

function projectList(value: string[] | string | undefined): string[] {
  return Array.isArray(value) ? value : value ? [value] : [];
}

/** Adds crates a configuration written earlier does not list yet; undefined when it is not ours. */
function withMissingCrates(existing: ReleaseConfig, wanted: ReleaseConfig): ReleaseConfig | undefined {
  const ours = (config: { version?: { versionActions?: string } } | undefined) => config?.version?.versionActions === VERSION_ACTIONS;
  if (!existing.groups && ours(existing)) {
    const listed = projectList(existing.projects);
    const missing = projectList(wanted.projects ?? Object.values(wanted.groups ?? {}).flatMap((g) => projectList(g.projects))).filter((p) => !listed.includes(p));
    return { ...existing, projects: [...listed, ...missing] };
  }
  if (existing.groups && Object.values(existing.groups).some(ours)) {
    const listed = new Set(Object.values(existing.groups).flatMap((g) => projectList(g.projects)));
    const groups = { ...existing.groups };
    const wantedGroups = wanted.groups ?? { crates: wanted as ReleaseGroup };
    for (const [name, group] of Object.entries(wantedGroups)) {
      const missing = projectList(group.projects).filter((p) => !listed.has(p));
      if (!missing.length) continue;
      // Into the group of ours with the same relationship, else a group of their own.
      const target = Object.entries(groups).find(([, g]) => ours(g) && (g.projectsRelationship ?? 'fixed') === (group.projectsRelationship ?? 'fixed'));
      if (target) groups[target[0]] = { ...target[1], projects: [...projectList(target[1].projects), ...missing] };
      else groups[groups[name] ? `${name}-rust` : name] = { ...group, projects: missing };
    }
    return { ...existing, groups };
  }
  return undefined;
}

export async function releaseGenerator(tree: Tree, schema: ReleaseGeneratorSchema = {}) {
  const options = normalizeOptions(tree, schema);
  const nxJson = readNxJson(tree) ?? {};
  const wanted = releaseConfiguration(options);
  let release = wanted;
  if (nxJson.release) {
    const merged = withMissingCrates(nxJson.release, wanted);
    if (!merged) {
      throw new Error(
        `nx.json already has a "release" configuration that is not for the crates; add them to a release group with "version": { "versionActions": "${VERSION_ACTIONS}" } (see "Releasing" in the @org/rust-docker README).`,
      );
    }
    release = merged;
  }
  updateNxJson(tree, { ...nxJson, release });
  if (!options.skipFormat) await formatFiles(tree);
}

export default releaseGenerator;
