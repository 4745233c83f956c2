import {
  formatFiles,
  getProjects,
  logger,
  readJson,
  readNxJson,
  updateNxJson,
  writeJson,
  type TargetConfiguration,
  type Tree,
} from '@nx/devkit';
import { posix } from 'node:path';
import { parseCargoManifest } from '../../cargo/manifest';
import type { NormalizedPluginOptions } from '../../graph/targets';
import { DEFAULT_PLUGIN_OPTIONS, initialize } from '../init/generator';
import { isRegistered, PLUGIN_NAME, registeredOptions } from '../init/nx-json';
import { chooseTargetNames, existingProjects, renamedNote, targetClaims } from '../init/target-names';
import { convertTarget, oldPluginOf, OLD_PLUGINS, targetKind, type OldPlugin, type TargetKind } from './old-targets';
import type { ConvertToInferredGeneratorSchema } from './schema';

interface NormalizedConvertOptions {
  project?: string;
  skipFormat: boolean;
}

/** One project.json target of an old plugin and what becomes of it. */
interface TargetPlan {
  name: string;
  plugin: OldPlugin;
  kind: TargetKind | undefined;
  target: TargetConfiguration;
}

interface ProjectPlan {
  name: string;
  root: string;
  /** The project name the plugin infers for the crate (crate name or [package.metadata.nx] name). */
  inferredName?: string;
  targets: TargetPlan[];
}

const projectJsonPath = (root: string) => posix.join(root, 'project.json');

/** The names the old generators may have derived defaults from: the project's and the crate's. */
const projectNames = (plan: ProjectPlan) => [...new Set([plan.name, ...(plan.inferredName ? [plan.inferredName] : [])])];

/** Projects with a project.json whose targets run an old plugin's executors. */
function findOldProjects(tree: Tree): ProjectPlan[] {
  const plans: ProjectPlan[] = [];
  for (const [name, project] of getProjects(tree)) {
    if (!tree.exists(projectJsonPath(project.root))) continue;
    const raw = readJson(tree, projectJsonPath(project.root));
    const targets = Object.entries((raw.targets ?? {}) as Record<string, TargetConfiguration>)
      .map(([targetName, target]) => ({ name: targetName, plugin: oldPluginOf(target.executor), kind: targetKind(target.executor), target }))
      .filter((t): t is TargetPlan => t.plugin !== undefined);
    if (!targets.length) continue;
    const manifestFile = posix.join(project.root, 'Cargo.toml');
    let inferredName: string | undefined;
    if (tree.exists(manifestFile)) {
      try {
        const manifest = parseCargoManifest(tree.read(manifestFile, 'utf8')!, manifestFile);
        if (manifest.packageName) inferredName = manifest.nx.name ?? manifest.packageName;
      } catch {
        // an unreadable manifest: the project stays as it is (said below)
      }
    }
    plans.push({ name, root: project.root, inferredName, targets });
  }
  return plans.sort((a, b) => a.name.localeCompare(b.name));
}

function normalizeOptions(tree: Tree, schema: ConvertToInferredGeneratorSchema, plans: ProjectPlan[]): NormalizedConvertOptions {
  if (schema.project !== undefined) {
    if (!getProjects(tree).has(schema.project)) throw new Error(`project "${schema.project}" does not exist; run nx show projects to see the names.`);
    if (!plans.some((p) => p.name === schema.project)) {
      throw new Error(`project "${schema.project}" has no ${OLD_PLUGINS.join(' or ')} targets in a project.json: nothing to convert.`);
    }
  } else if (!plans.length) {
    throw new Error(`no project.json target runs ${OLD_PLUGINS.join(' or ')} executors: nothing to convert.`);
  }
  return { project: schema.project, skipFormat: schema.skipFormat ?? false };
}

const KIND_OPTION: Record<TargetKind, keyof NormalizedPluginOptions> = {
  build: 'buildTargetName',
  test: 'testTargetName',
  lint: 'lintTargetName',
};

/** The targets of a project that will convert: one per kind, preferring the one already named as the inferred target. */
function convertible(plan: ProjectPlan, names: NormalizedPluginOptions): Map<string, TargetPlan> {
  const chosen = new Map<string, TargetPlan>();
  if (!plan.inferredName) return chosen;
  for (const kind of Object.keys(KIND_OPTION) as TargetKind[]) {
    const ofKind = plan.targets.filter((t) => t.kind === kind);
    const pick = ofKind.find((t) => t.name === names[KIND_OPTION[kind]]) ?? ofKind[0];
    if (pick && convertTarget(pick.plugin, kind, projectNames(plan), pick.target).converted) chosen.set(pick.name, pick);
  }
  return chosen;
}

/** Target names for a first registration: free once the converted targets are gone. */
async function chooseNames(tree: Tree, plans: ProjectPlan[]): Promise<{ names: NormalizedPluginOptions; notes: string[] }> {
  if (isRegistered(tree)) return { names: registeredOptions(tree, DEFAULT_PLUGIN_OPTIONS), notes: [] };
  // Every old target that converts (now or in a later run for another project) goes.
  const leaving = new Map(plans.map((p) => [p.root, new Set(convertible(p, DEFAULT_PLUGIN_OPTIONS).keys())]));
  const existing = (await existingProjects(tree)).map((p) => ({ ...p, targets: p.targets.filter((t) => !leaving.get(p.root)?.has(t)) }));
  const chosen = chooseTargetNames(existing, targetClaims(tree));
  return { names: chosen.options, notes: chosen.renamed.map(renamedNote) };
}

/** project.json keys that say nothing the plugin does not infer once the targets are gone. */
const INFERRED_KEYS = new Set(['$schema', 'name', 'root', 'sourceRoot', 'projectType', 'tags']);

/** Why an old target stays as it is, or undefined when it converts. */
function leftReason(old: TargetPlan, chosen: Map<string, TargetPlan>, project: string[]): string | undefined {
  if (!old.kind) return `${old.target.executor} has no inferred counterpart`;
  if (chosen.has(old.name)) return undefined;
  const conversion = convertTarget(old.plugin, old.kind, project, old.target);
  return conversion.converted ? `another ${old.kind} target (${[...chosen.keys()].join(', ')}) becomes the inferred one` : conversion.reason;
}

function convertProject(tree: Tree, plan: ProjectPlan, names: NormalizedPluginOptions): string[] {
  const file = projectJsonPath(plan.root);
  if (!plan.inferredName) {
    return [`${plan.name}: left as it was (${plan.root}/Cargo.toml is missing or has no [package], so the plugin infers no project there)`];
  }
  const raw = readJson(tree, file);
  const targets: Record<string, TargetConfiguration> = { ...(raw.targets ?? {}) };
  const chosen = convertible(plan, names);
  const lines: string[] = [];
  const converted: string[] = [];
  for (const old of plan.targets) {
    const reason = leftReason(old, chosen, projectNames(plan));
    if (reason || !old.kind) {
      lines.push(`${plan.name}:${old.name} left as it was: ${reason}`);
      continue;
    }
    const conversion = convertTarget(old.plugin, old.kind, projectNames(plan), old.target);
    if (!conversion.converted) continue;
    const newName = names[KIND_OPTION[old.kind]];
    if (newName !== old.name && targets[newName] && !chosen.has(newName)) {
      lines.push(`${plan.name}:${old.name} left as it was: the project already has a "${newName}" target of its own`);
      continue;
    }
    delete targets[old.name];
    const kept: TargetConfiguration = {
      ...(Object.keys(conversion.options).length ? { options: conversion.options } : {}),
      ...(Object.keys(conversion.configurations).length ? { configurations: conversion.configurations } : {}),
      ...(conversion.dependsOn ? { dependsOn: conversion.dependsOn } : {}),
    };
    if (Object.keys(kept).length) targets[newName] = kept;
    const keptText = Object.keys(kept).length ? `; kept in project.json: ${JSON.stringify(kept)}` : '';
    const renamed = newName !== old.name ? ` (now "${newName}")` : '';
    converted.push(old.name);
    lines.push(`${plan.name}:${old.name}${renamed} is inferred by ${PLUGIN_NAME}${keptText}`);
    for (const note of conversion.notes) lines.push(`${plan.name}:${newName} ${note}`);
  }
  if (!converted.length) return lines;
  const rest = { ...raw, targets };
  if (!Object.keys(targets).length) delete rest.targets;
  const removable =
    Object.keys(rest).every((k) => INFERRED_KEYS.has(k)) && (rest.name === undefined || rest.name === plan.inferredName) && !(rest.tags ?? []).length;
  if (removable) {
    tree.delete(file);
    lines.push(`${plan.name}: ${file} removed (everything in it is inferred now)`);
  } else {
    writeJson(tree, file, rest);
  }
  return lines;
}

/** An old plugin stays registered while a target uses its executors (or, for @monodon/rust, nx release may use its release targets). */
function removeUnusedRegistrations(tree: Tree): string[] {
  const nxJson = readNxJson(tree);
  if (!nxJson?.plugins?.length) return [];
  const used = new Set<string>();
  for (const [, project] of getProjects(tree)) {
    for (const target of Object.values(project.targets ?? {})) {
      const plugin = oldPluginOf(target.executor);
      if (plugin) used.add(plugin);
    }
  }
  const lines: string[] = [];
  const keep = nxJson.plugins.filter((entry) => {
    const name = typeof entry === 'string' ? entry : entry.plugin;
    if (!(OLD_PLUGINS as readonly string[]).includes(name)) return true;
    if (used.has(name)) {
      lines.push(`nx.json: ${name} stays registered (targets still run its executors)`);
      return true;
    }
    if (name === '@monodon/rust' && nxJson.release) {
      lines.push(`nx.json: ${name} stays registered (nx release may publish crates through its nx-release-publish targets)`);
      return true;
    }
    lines.push(`nx.json: ${name} unregistered (${PLUGIN_NAME} infers the crates and their dependencies); nothing runs it any more: npm uninstall ${name}`);
    return false;
  });
  if (keep.length !== nxJson.plugins.length) updateNxJson(tree, { ...nxJson, plugins: keep });
  return lines;
}

/**
 * Turns @monodon/rust and @nxrs/cargo project.json targets into this plugin's inferred
 * ones: options that differ from what the plugin infers stay in project.json (as the
 * cargo executor's release, args and toolArgs), the rest goes, then project.json itself
 * when nothing in it is left, and the old plugin's registration when nothing uses it.
 */
export async function convertToInferredGenerator(tree: Tree, schema: ConvertToInferredGeneratorSchema = {}) {
  const all = findOldProjects(tree);
  const options = normalizeOptions(tree, schema, all);
  const plans = options.project ? all.filter((p) => p.name === options.project) : all;
  const { names, notes } = await chooseNames(tree, all);
  const lines = plans.flatMap((plan) => convertProject(tree, plan, names));
  lines.push(...removeUnusedRegistrations(tree));
  await initialize(tree, { skipFormat: true }, names);
  for (const note of notes) logger.info(`${PLUGIN_NAME}: ${note}`);
  logger.info([`${PLUGIN_NAME} convert-to-inferred:`, ...lines.map((l) => `  ${l}`)].join('\n'));
  if (!options.skipFormat) await formatFiles(tree);
}

export default convertToInferredGenerator;
