import * as TOML from '@iarna/toml';
import { readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { ALWAYS_EXCLUDED } from '../../docker/dockerignore';
import { DEFAULT_PLUGIN_OPTIONS, ensureLines, initGenerator, PLUGIN_NAME } from './generator';

type Doc = Record<string, any>;

/** Every file of the tree with its content, to compare before and after. */
function snapshot(tree: Tree): Record<string, string> {
  return Object.fromEntries(tree.listChanges().map((c) => [c.path, c.content?.toString() ?? '<deleted>']));
}

const pluginsOf = (tree: Tree) => readNxJson(tree)!.plugins ?? [];
const read = (tree: Tree, file: string) => tree.read(file, 'utf8')!;

describe('init generator', () => {
  let tree: Tree;
  beforeEach(() => (tree = createTreeWithEmptyWorkspace()));

  it('registers the plugin in nx.json with the default target names', async () => {
    await initGenerator(tree, { skipFormat: true });
    expect(pluginsOf(tree)).toEqual([{ plugin: PLUGIN_NAME, options: DEFAULT_PLUGIN_OPTIONS }]);
    expect(PLUGIN_NAME).toBe('@org/rust-docker');
  });

  it('keeps the other plugins and registers this one once, also when it is given as a string', async () => {
    const nxJson = readNxJson(tree)!;
    updateNxJson(tree, { ...nxJson, plugins: ['@nx/js/typescript', PLUGIN_NAME] });
    await initGenerator(tree, { skipFormat: true });
    expect(pluginsOf(tree)).toEqual(['@nx/js/typescript', PLUGIN_NAME]);
  });

  it('keeps a registration with custom options', async () => {
    const nxJson = readNxJson(tree)!;
    updateNxJson(tree, { ...nxJson, plugins: [{ plugin: PLUGIN_NAME, options: { buildTargetName: 'cargo-build' } }] });
    await initGenerator(tree, { skipFormat: true });
    expect(pluginsOf(tree)).toEqual([{ plugin: PLUGIN_NAME, options: { buildTargetName: 'cargo-build' } }]);
  });

  it('creates a Cargo workspace root with the release profile', async () => {
    await initGenerator(tree, { skipFormat: true });
    const doc = TOML.parse(read(tree, 'Cargo.toml')) as Doc;
    expect(doc.workspace).toEqual({ resolver: '2', members: [] });
    expect(doc.profile.release).toEqual({ strip: true, lto: true, 'codegen-units': 1, panic: 'abort', 'opt-level': 3 });
  });

  it("keeps an existing Cargo.toml's comments, members and settings", async () => {
    const existing = '# Our Rust workspace\n[workspace]\nresolver = "3" # edition 2024\nmembers = [\n    "libs/core", # shared\n]\n\n[profile.release]\nlto = "thin"\n';
    tree.write('Cargo.toml', existing);
    await initGenerator(tree, { skipFormat: true });
    const text = read(tree, 'Cargo.toml');
    expect(text.startsWith('# Our Rust workspace\n[workspace]\nresolver = "3" # edition 2024\nmembers = [\n    "libs/core", # shared\n]\n')).toBe(true);
    const doc = TOML.parse(text) as Doc;
    expect(doc.workspace).toEqual({ resolver: '3', members: ['libs/core'] });
    expect(doc.profile.release.lto).toBe('thin');
    expect(doc.profile.release.strip).toBe(true);
  });

  it('does not rewrite a Cargo.toml that already has everything', async () => {
    await initGenerator(tree, { skipFormat: true });
    const cargo = read(tree, 'Cargo.toml');
    await initGenerator(tree, { skipFormat: true });
    expect(read(tree, 'Cargo.toml')).toBe(cargo);
  });

  it('creates a .dockerignore with the built-in exclusions under a header', async () => {
    await initGenerator(tree, { skipFormat: true });
    expect(read(tree, '.dockerignore')).toBe(`# Never sent to a Docker build (@org/rust-docker)\n${ALWAYS_EXCLUDED.join('\n')}\n`);
  });

  it('extends an existing .dockerignore with the missing exclusions only', async () => {
    tree.write('.dockerignore', '# mine\n*.md\n.git\n**/target');
    await initGenerator(tree, { skipFormat: true });
    const lines = read(tree, '.dockerignore').split('\n');
    expect(lines.slice(0, 4)).toEqual(['# mine', '*.md', '.git', '**/target']);
    expect(lines[4]).toBe('');
    for (const pattern of ALWAYS_EXCLUDED) expect(lines.filter((l) => l === pattern)).toHaveLength(1);
  });

  it('adds target/ and dist/ to .gitignore without duplicating what is there', async () => {
    tree.write('.gitignore', 'node_modules\ntarget/\n');
    await initGenerator(tree, { skipFormat: true });
    expect(read(tree, '.gitignore')).toBe('node_modules\ntarget/\n\n# Rust build output (@org/rust-docker)\ndist/\n');
  });

  it('creates a .gitignore when there is none', async () => {
    await initGenerator(tree, { skipFormat: true });
    expect(read(tree, '.gitignore')).toBe('# Rust build output (@org/rust-docker)\ntarget/\ndist/\n');
  });

  it('is idempotent: a second run changes no file', async () => {
    tree.write('Cargo.toml', '[package]\nname = "app"\n');
    tree.write('.gitignore', 'node_modules');
    await initGenerator(tree, { skipFormat: true });
    const first = snapshot(tree);
    await initGenerator(tree, { skipFormat: true });
    expect(snapshot(tree)).toEqual(first);
    expect(pluginsOf(tree).filter((p) => (typeof p === 'string' ? p : p.plugin) === PLUGIN_NAME)).toHaveLength(1);
  });
});

describe('ensureLines', () => {
  it('writes nothing when every line is there, ignoring surrounding spaces', () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('f', '  a  \nb\r\n');
    ensureLines(tree, 'f', ['a', 'b'], '# header');
    expect(tree.read('f', 'utf8')).toBe('  a  \nb\r\n');
  });

  it('does not repeat the header when it is already there', () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('f', '# header\na\n');
    ensureLines(tree, 'f', ['a', 'c'], '# header');
    expect(tree.read('f', 'utf8')).toBe('# header\na\n\nc\n');
  });
});
