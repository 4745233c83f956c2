import { readNxJson, updateNxJson, writeJson, type NxJsonConfiguration, type Tree } from '@nx/devkit';
import { posix } from 'node:path';
import { findCrates } from '../../cargo/tree-crates';
import { dockerfileRuntime } from '../../docker/dockerfile';
import type { NormalizedPluginOptions } from '../../graph/targets';

export const PLUGIN_NAME = '@org/rust-docker';
/** The executor of the build, test, lint and deps targets. */
export const CARGO_EXECUTOR = `${PLUGIN_NAME}:cargo`;
const NX_DOCKER = '@nx/docker';

type PluginEntry = NonNullable<NxJsonConfiguration['plugins']>[number];
const pluginName = (p: PluginEntry) => (typeof p === 'string' ? p : p.plugin);

/** One line of what init changed or proposes: the file and what happened to it. */
export interface Change {
  file: string;
  what: string;
}

export function isRegistered(tree: Tree): boolean {
  return (readNxJson(tree)?.plugins ?? []).some((p) => pluginName(p) === PLUGIN_NAME);
}

/**
 * A workspace without nx.json (Nx runs on package.json alone) gets one, so the plugin can be
 * registered. Without package.json either, this is not an Nx workspace yet: the error says
 * what to run.
 */
export function ensureNxJson(tree: Tree): Change[] {
  if (tree.exists('nx.json')) return [];
  if (!tree.exists('package.json')) {
    throw new Error(
      'neither nx.json nor package.json is here, so this folder is not an Nx workspace yet: run `npx nx@latest init` in it first (it sets Nx up, also for repositories without JavaScript), then `nx add @org/rust-docker`.',
    );
  }
  const schema = 'node_modules/nx/schemas/nx-schema.json';
  writeJson(tree, 'nx.json', tree.exists(schema) ? { $schema: `./${schema}` } : {});
  return [{ file: 'nx.json', what: 'created (Nx read only package.json before)' }];
}

export function registerPlugin(tree: Tree, options: NormalizedPluginOptions): Change[] {
  const nxJson = readNxJson(tree)!;
  nxJson.plugins = [...(nxJson.plugins ?? []), { plugin: PLUGIN_NAME, options }];
  updateNxJson(tree, nxJson);
  // Nx's own generators then write project.json targets instead; this plugin has only inferred ones.
  const inferenceOff = nxJson.useInferencePlugins === false ? ' (useInferencePlugins is false, but this plugin has no other way to add targets)' : '';
  return [{ file: 'nx.json', what: `plugin ${PLUGIN_NAME} registered; its target names are its options there${inferenceOff}` }];
}

/** The plugin's target names as registered (defaults for what the registration leaves out). */
export function registeredOptions(tree: Tree, defaults: NormalizedPluginOptions): NormalizedPluginOptions {
  const entry = (readNxJson(tree)?.plugins ?? []).find((p) => pluginName(p) === PLUGIN_NAME);
  const options = entry && typeof entry !== 'string' ? (entry.options as Partial<NormalizedPluginOptions> | undefined) : undefined;
  return { ...defaults, ...options };
}

/**
 * Nx layers `targetDefaults` over inferred targets, and an entry keyed by target name
 * (create-nx-workspace writes `build` with `inputs: ["production", "^production"]` and
 * `dependsOn: ["^build"]`) would replace the Cargo inputs of the cargo targets: a Cargo.lock
 * bump would then be a cache hit. An entry keyed by the executor takes precedence over one
 * keyed by the name (Nx reads one entry per target, executor first), so an empty one keeps
 * the cargo targets as the plugin infers them. Defaults a team wants for them go there.
 */
export function guardCargoTargets(tree: Tree, options: NormalizedPluginOptions): { changes: Change[]; notes: string[] } {
  const nxJson = readNxJson(tree)!;
  const targetDefaults = nxJson.targetDefaults ?? {};
  if (CARGO_EXECUTOR in targetDefaults) return { changes: [], notes: [] };
  const names = [options.buildTargetName, options.testTargetName, options.lintTargetName, options.depsTargetName];
  const shadowed = names.filter((name) => name in targetDefaults);
  nxJson.targetDefaults = { ...targetDefaults, [CARGO_EXECUTOR]: {} };
  updateNxJson(tree, nxJson);
  return {
    changes: [{ file: 'nx.json', what: `targetDefaults "${CARGO_EXECUTOR}": {} (cargo targets keep the Cargo inputs the plugin infers)` }],
    notes: shadowed.length
      ? [
          `targetDefaults ${shadowed.map((n) => `"${n}"`).join(', ')} no longer apply to the cargo targets (they would replace Cargo.lock, the root Cargo.toml and the toolchain in their inputs); put defaults for cargo targets under "${CARGO_EXECUTOR}".`,
        ]
      : [],
  };
}

/** Dockerfiles this plugin generated (they build with the workspace as context). */
export function generatedDockerfiles(tree: Tree): string[] {
  return [...new Set(findCrates(tree).byName.values())]
    .map((dir) => posix.join(dir, 'Dockerfile'))
    .filter((file) => tree.exists(file) && dockerfileRuntime(tree.read(file, 'utf8')!) !== undefined)
    .sort();
}

/**
 * `@nx/docker` infers `docker build .` from a Dockerfile's folder for every `**\/Dockerfile`.
 * The Dockerfiles this plugin generates need the workspace as build context (docker-build
 * gives them a pruned one), so that target would always fail on them: they go in the
 * `exclude` of every `@nx/docker` registration. Its targets on other Dockerfiles stay.
 */
export function keepNxDockerOff(tree: Tree, dockerfiles: string[]): Change[] {
  const nxJson = readNxJson(tree);
  if (!nxJson?.plugins?.some((p) => pluginName(p) === NX_DOCKER)) return [];
  const added = new Set<string>();
  nxJson.plugins = nxJson.plugins.map((entry) => {
    if (pluginName(entry) !== NX_DOCKER) return entry;
    const registration = typeof entry === 'string' ? { plugin: entry } : entry;
    const exclude = registration.exclude ?? [];
    const missing = dockerfiles.filter((f) => !exclude.includes(f));
    if (!missing.length) return entry;
    missing.forEach((f) => added.add(f));
    return { ...registration, exclude: [...exclude, ...missing] };
  });
  if (!added.size) return [];
  updateNxJson(tree, nxJson);
  return [{ file: 'nx.json', what: `${NX_DOCKER} excludes ${[...added].join(', ')} (generated Dockerfiles build with docker-build, from a pruned workspace context)` }];
}
