import { formatFiles, logger, type Tree } from '@nx/devkit';
import { findCrates } from '../../cargo/tree-crates';
import { ALWAYS_EXCLUDED } from '../../docker/dockerignore';
import { normalizePluginOptions, type NormalizedPluginOptions } from '../../graph/targets';
import {
  ensureNxJson,
  generatedDockerfiles,
  guardCargoTargets,
  isRegistered,
  keepNxDockerOff,
  PLUGIN_NAME,
  registeredOptions,
  registerPlugin,
  type Change,
} from './nx-json';
import { assertDevkitMatchesNx } from './nx-versions';
import { planRootManifest, RELEASE_PROFILE_CHOICES, standaloneCrates, type ReleaseProfileChoice } from './root-manifest-plan';
import { checkInitInputs, transactional } from '../../safety/tree';
import type { InitGeneratorSchema } from './schema';
import { chooseTargetNames, existingProjects, renamedNote, targetClaims } from './target-names';

export { PLUGIN_NAME };

/** Every target name, written out in nx.json so a team sees what it can rename. */
export const DEFAULT_PLUGIN_OPTIONS = normalizePluginOptions(undefined);

/** The lines Nx itself writes to .gitignore for its cache and workspace data. */
export const NX_IGNORES = ['.nx/cache', '.nx/workspace-data'];

interface NormalizedInitOptions {
  releaseProfile: ReleaseProfileChoice;
  skipFormat: boolean;
}

function normalizeOptions(tree: Tree, schema: InitGeneratorSchema): NormalizedInitOptions {
  if (schema.releaseProfile !== undefined && !(RELEASE_PROFILE_CHOICES as readonly string[]).includes(schema.releaseProfile)) {
    throw new Error(`--releaseProfile must be one of ${RELEASE_PROFILE_CHOICES.join(', ')}; got "${schema.releaseProfile}".`);
  }
  // Where crates exist, the release profile is theirs too.
  const hasCrates = findCrates(tree).byName.size > 0;
  return {
    releaseProfile: schema.releaseProfile ?? (hasCrates ? 'build-only' : 'all'),
    skipFormat: schema.skipFormat ?? false,
  };
}

/** Appends the lines a file is missing, keeping everything it has; returns the lines added. */
export function ensureLines(tree: Tree, file: string, lines: string[], header?: string): string[] {
  const current = tree.exists(file) ? tree.read(file, 'utf8')! : '';
  const present = new Set(current.split(/\r?\n/).map((l) => l.trim()));
  const missing = lines.filter((l) => !present.has(l));
  if (missing.length === 0) return [];
  const block = [...(header && !present.has(header) ? [header] : []), ...missing].join('\n');
  const separator = current === '' ? '' : current.endsWith('\n') ? '\n' : '\n\n';
  tree.write(file, `${current}${separator}${block}\n`);
  return missing;
}

/** `.nx`, `.nx/`, `/.nx/`, `.nx/*` and the like already keep the whole folder out of git. */
function ignoresNxFolder(gitignore: string): boolean {
  return gitignore.split(/\r?\n/).some((l) => /^\/?\.nx(\/\**)?$/.test(l.trim()));
}

function printReport(changes: Change[], notes: string[], proposals: Change[]): void {
  if (!changes.length && !notes.length && !proposals.length) return;
  const width = Math.max(...[...changes, ...proposals].map((c) => c.file.length), 0) + 2;
  const line = (c: Change) => `  ${c.file.padEnd(width)}${c.what}`;
  if (changes.length) logger.info([`${PLUGIN_NAME} init changed:`, ...changes.map(line)].join('\n'));
  for (const note of notes) logger.info(`${PLUGIN_NAME}: ${note}`);
  if (proposals.length) {
    logger.info(
      [
        `${PLUGIN_NAME} init proposes (not applied: existing crates would build or behave differently):`,
        ...proposals.map(line),
        ...(proposals.some((p) => p.what.startsWith('[profile.release]'))
          ? [`  Apply the release profile settings with: nx g ${PLUGIN_NAME}:init --releaseProfile=all`]
          : []),
      ].join('\n'),
    );
  }
}

/**
 * Registers the plugin (with target names no other plugin already uses on the crates'
 * projects), keeps name-keyed targetDefaults off the cargo targets and @nx/docker off the
 * generated Dockerfiles, makes the root Cargo.toml a Cargo workspace with the release
 * profile (proposing, not imposing, what would change existing crates at run time), adds
 * the ignore entries, and prints every change. Safe to run again.
 */
export async function initGenerator(tree: Tree, schema: InitGeneratorSchema = {}): Promise<void> {
  // Checks every file it edits first; fails leaving the Tree as it was.
  await transactional((t: Tree, s: InitGeneratorSchema) => initialize(t, s))(tree, schema);
}

/**
 * The init generator's work. `targetNames` registers the plugin with those names instead of
 * choosing them from the workspace's projects (convert-to-inferred chooses them knowing
 * which targets it removes).
 */
export async function initialize(tree: Tree, schema: InitGeneratorSchema, targetNames?: NormalizedPluginOptions): Promise<void> {
  assertDevkitMatchesNx();
  checkInitInputs(tree);
  const options = normalizeOptions(tree, schema);
  const changes: Change[] = [];
  const notes: string[] = [];
  const proposals: Change[] = [];
  const firstRun = !isRegistered(tree);

  changes.push(...ensureNxJson(tree));
  let names = registeredOptions(tree, DEFAULT_PLUGIN_OPTIONS);
  if (!isRegistered(tree)) {
    if (targetNames) {
      names = targetNames;
    } else {
      const claims = targetClaims(tree);
      const chosen = chooseTargetNames(claims.length ? await existingProjects(tree) : [], claims);
      notes.push(...chosen.renamed.map(renamedNote));
      names = chosen.options;
    }
    changes.push(...registerPlugin(tree, names));
  }
  const guard = guardCargoTargets(tree, names);
  changes.push(...guard.changes);
  notes.push(...guard.notes);
  changes.push(...keepNxDockerOff(tree, generatedDockerfiles(tree)));

  const rootManifest = tree.exists('Cargo.toml') ? tree.read('Cargo.toml', 'utf8')! : undefined;
  const plan = planRootManifest(rootManifest, options.releaseProfile, standaloneCrates(tree));
  if (plan.text !== undefined) tree.write('Cargo.toml', plan.text);
  changes.push(...plan.changes.map((what) => ({ file: 'Cargo.toml', what })));
  // Proposed once, when the plugin is set up; a later run (each service generator runs
  // init) stays quiet about what the team has already declined.
  if (firstRun || schema.releaseProfile !== undefined) proposals.push(...plan.proposals.map((what) => ({ file: 'Cargo.toml', what })));

  const dockerignore = ensureLines(tree, '.dockerignore', ALWAYS_EXCLUDED, '# Never sent to a Docker build (@org/rust-docker)');
  if (dockerignore.length) changes.push({ file: '.dockerignore', what: `added ${dockerignore.join(' ')}` });
  const gitignore = ensureLines(tree, '.gitignore', ['target/', 'dist/'], '# Rust build output (@org/rust-docker)');
  const currentGitignore = tree.read('.gitignore', 'utf8') ?? '';
  const nxIgnores = ignoresNxFolder(currentGitignore) ? [] : ensureLines(tree, '.gitignore', NX_IGNORES);
  if (gitignore.length || nxIgnores.length) changes.push({ file: '.gitignore', what: `added ${[...gitignore, ...nxIgnores].join(' ')}` });

  printReport(changes, notes, proposals);
  if (!options.skipFormat) await formatFiles(tree);
}

export default initGenerator;
