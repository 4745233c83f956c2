import { formatFiles, readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { ensureCargoWorkspace } from '../../cargo/root-manifest';
import { ALWAYS_EXCLUDED } from '../../docker/dockerignore';
import { normalizePluginOptions } from '../../graph/targets';
import { checkInitInputs, transactional } from '../../safety/tree';
import type { InitGeneratorSchema } from './schema';

export const PLUGIN_NAME = '@org/rust-docker';

/** Every target name, written out in nx.json so a team sees what it can rename. */
export const DEFAULT_PLUGIN_OPTIONS = normalizePluginOptions(undefined);

function registerPlugin(tree: Tree): void {
  const nxJson = readNxJson(tree) ?? {};
  const plugins = nxJson.plugins ?? [];
  const registered = plugins.some((p) => (typeof p === 'string' ? p : p.plugin) === PLUGIN_NAME);
  if (registered) return;
  nxJson.plugins = [...plugins, { plugin: PLUGIN_NAME, options: DEFAULT_PLUGIN_OPTIONS }];
  updateNxJson(tree, nxJson);
}

/** Appends the lines a file is missing, keeping everything it has. */
export function ensureLines(tree: Tree, file: string, lines: string[], header?: string): void {
  const current = tree.exists(file) ? tree.read(file, 'utf8')! : '';
  const present = new Set(current.split(/\r?\n/).map((l) => l.trim()));
  const missing = lines.filter((l) => !present.has(l));
  if (missing.length === 0) return;
  const block = [...(header && !present.has(header) ? [header] : []), ...missing].join('\n');
  const separator = current === '' ? '' : current.endsWith('\n') ? '\n' : '\n\n';
  tree.write(file, `${current}${separator}${block}\n`);
}

async function generateInit(tree: Tree, schema: InitGeneratorSchema = {}): Promise<void> {
  checkInitInputs(tree);
  registerPlugin(tree);
  const rootManifest = tree.exists('Cargo.toml') ? tree.read('Cargo.toml', 'utf8')! : undefined;
  const updated = ensureCargoWorkspace(rootManifest);
  if (updated !== rootManifest) tree.write('Cargo.toml', updated);
  ensureLines(tree, '.dockerignore', ALWAYS_EXCLUDED, '# Never sent to a Docker build (@org/rust-docker)');
  ensureLines(tree, '.gitignore', ['target/', 'dist/'], '# Rust build output (@org/rust-docker)');
  if (!schema.skipFormat) await formatFiles(tree);
}

/** Checks every file it edits first; fails leaving the Tree as it was. */
export const initGenerator = transactional(generateInit);

export default initGenerator;
