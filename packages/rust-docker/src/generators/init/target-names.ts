import { createProjectGraphAsync, getProjects, workspaceRoot, type Tree } from '@nx/devkit';
import { posix } from 'node:path';
import { COMPOSE_FILE } from '../../compose/compose-file';
import { findCrates } from '../../cargo/tree-crates';
import { normalizePluginOptions, type NormalizedPluginOptions } from '../../graph/targets';

type TargetOption = keyof NormalizedPluginOptions;

const DEFAULTS = normalizePluginOptions(undefined);

/** Names tried in order for each target; the first is the default. */
export const TARGET_NAME_CANDIDATES: Record<TargetOption, string[]> = {
  buildTargetName: [DEFAULTS.buildTargetName, 'cargo-build', 'cargo:build'],
  testTargetName: [DEFAULTS.testTargetName, 'cargo-test', 'cargo:test'],
  lintTargetName: [DEFAULTS.lintTargetName, 'clippy', 'cargo-clippy'],
  depsTargetName: [DEFAULTS.depsTargetName, 'cargo-deps', 'cargo-tree'],
  dockerBuildTargetName: [DEFAULTS.dockerBuildTargetName, 'rust-docker-build'],
  dockerRunTargetName: [DEFAULTS.dockerRunTargetName, 'rust-docker-run'],
  healthCheckTargetName: [DEFAULTS.healthCheckTargetName, 'rust-health-check'],
  dockerPushTargetName: [DEFAULTS.dockerPushTargetName, 'rust-docker-push'],
  composeUpTargetName: [DEFAULTS.composeUpTargetName, 'rust-compose-up'],
  composeDownTargetName: [DEFAULTS.composeDownTargetName, 'rust-compose-down'],
  serveTargetName: [DEFAULTS.serveTargetName, 'rust-serve', 'cargo-serve'],
};

const CRATE_TARGETS: TargetOption[] = [
  'buildTargetName',
  'testTargetName',
  'lintTargetName',
  'depsTargetName',
  'dockerBuildTargetName',
  'dockerRunTargetName',
  'healthCheckTargetName',
  'dockerPushTargetName',
  'serveTargetName',
];
const COMPOSE_TARGETS: TargetOption[] = ['composeUpTargetName', 'composeDownTargetName'];

/** A project that exists before the plugin is registered: its root, name and target names. */
export interface ExistingProject {
  root: string;
  name: string;
  targets: string[];
}

/** Where the plugin will put targets: a project root and which of its targets go there. */
export interface TargetClaim {
  root: string;
  options: TargetOption[];
}

export interface RenamedTarget {
  option: TargetOption;
  from: string;
  to: string;
  /** The project that already has a target named `from`. */
  project: string;
}

/**
 * Picks, for each target, the first candidate name that no existing project at a root the
 * plugin will add targets to already has (a `build` script in a crate's package.json, a
 * project.json target, another plugin's inferred target). Nx merges targets of the same
 * name at the same root, so a clash would replace one of them. Nx's own `addPlugin`
 * does the same with the plugin options it is given.
 */
export function chooseTargetNames(existing: ExistingProject[], claims: TargetClaim[]): { options: NormalizedPluginOptions; renamed: RenamedTarget[] } {
  const byRoot = new Map(existing.map((p) => [p.root, p]));
  const options = { ...DEFAULTS };
  const renamed: RenamedTarget[] = [];
  const chosen = new Set<string>();
  for (const option of Object.keys(TARGET_NAME_CANDIDATES) as TargetOption[]) {
    const projects = claims.filter((c) => c.options.includes(option)).map((c) => byRoot.get(c.root)).filter((p): p is ExistingProject => !!p);
    const holder = (name: string) => projects.find((p) => p.targets.includes(name));
    const name = TARGET_NAME_CANDIDATES[option].find((candidate) => !holder(candidate) && !chosen.has(candidate));
    if (!name) {
      const taken = holder(TARGET_NAME_CANDIDATES[option][0]);
      throw new Error(
        `every name tried for the ${option} target (${TARGET_NAME_CANDIDATES[option].join(', ')}) is already a target of project "${taken?.name}": ` +
          `register the plugin by hand in nx.json with a free name, e.g. { "plugin": "@org/rust-docker", "options": { "${option}": "rust-${TARGET_NAME_CANDIDATES[option][0]}" } }, then run init again.`,
      );
    }
    const first = TARGET_NAME_CANDIDATES[option][0];
    if (name !== first) renamed.push({ option, from: first, to: name, project: holder(first)!.name });
    options[option] = name;
    chosen.add(name);
  }
  return { options, renamed };
}

export function renamedNote(r: RenamedTarget): string {
  return `project "${r.project}" already has a "${r.from}" target, so the plugin's is named "${r.to}" (${r.option} in nx.json)`;
}

/** The roots the plugin will add targets to, from the crates and compose file in the tree. */
export function targetClaims(tree: Tree): TargetClaim[] {
  const claims: TargetClaim[] = [...new Set(findCrates(tree).byName.values())].map((root) => ({ root, options: CRATE_TARGETS }));
  if (tree.exists(COMPOSE_FILE)) claims.push({ root: posix.dirname(COMPOSE_FILE), options: COMPOSE_TARGETS });
  return claims;
}

/**
 * The projects of the workspace as Nx sees them now, from every registered plugin, when the
 * generator runs on the real workspace; a virtual tree (or a graph that cannot be built)
 * falls back to the projects the tree declares in project.json and package.json files.
 */
export async function existingProjects(tree: Tree): Promise<ExistingProject[]> {
  if (tree.root === workspaceRoot) {
    try {
      const graph = await createProjectGraphAsync({ exitOnError: false });
      return Object.values(graph.nodes).map((node) => ({ root: node.data.root, name: node.name, targets: Object.keys(node.data.targets ?? {}) }));
    } catch {
      // fall back to what the tree declares
    }
  }
  return [...getProjects(tree).entries()].map(([name, project]) => ({ root: project.root, name, targets: Object.keys(project.targets ?? {}) }));
}
