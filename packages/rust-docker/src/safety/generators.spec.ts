import { logger, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { ciGenerator } from '../generators/ci/generator';
import { dockerGenerator } from '../generators/docker/generator';
import { initGenerator } from '../generators/init/generator';
import { libraryGenerator } from '../generators/library/generator';
import { serviceGenerator } from '../generators/service/generator';
import { syncGenerator } from '../generators/sync/generator';
import { makeTempDir, pkg, removeDir, writeFiles } from '../testing/fixtures';

/**
 * Generators in a real repository: paths that climb out, symlinks that lead out, and files
 * they cannot parse or whose shape they do not expect. Each case: one line naming the file
 * (and line), and the Tree exactly as it was.
 */

const changes = (tree: Tree) => tree.listChanges().map((c) => ({ path: c.path, type: c.type, content: c.content?.toString() }));

async function expectRefused(tree: Tree, run: () => Promise<unknown>, message: string | RegExp): Promise<void> {
  const before = changes(tree);
  await expect(run()).rejects.toThrow(message);
  expect(changes(tree)).toEqual(before);
}

const service = (tree: Tree, name: string, extra: Record<string, unknown> = {}) => serviceGenerator(tree, { name, skipFormat: true, ...extra });
const library = (tree: Tree, name: string, extra: Record<string, unknown> = {}) => libraryGenerator(tree, { name, skipFormat: true, ...extra });

const CONFLICTED_ROOT = '[workspace]\nresolver = "2"\n<<<<<<< HEAD\nmembers = ["api"]\n=======\nmembers = ["api", "web"]\n>>>>>>> feature\n';

describe('generators write inside the workspace only', () => {
  let tree: Tree;
  beforeEach(() => (tree = createTreeWithEmptyWorkspace()));

  it.each([
    ['service', 'foo/../../x', 'services/svc'],
    ['service', 'a/b/../../../x', 'services/svc'],
    ['service', '..\\x', 'services/svc'],
    ['service', 'C:/x', 'services/svc'],
    ['library', 'a/../../y', 'libs/svc'],
    ['library', './..', 'libs/svc'],
  ])('%s --directory %j is refused before anything is written', async (kind, directory, example) => {
    const run = () => (kind === 'service' ? service(tree, 'svc', { directory }) : library(tree, 'svc', { directory }));
    await expectRefused(tree, run, `--directory "${directory}" must be a folder inside the workspace, e.g. "${example}".`);
  });

  it('accepts a --directory that stays inside once resolved', async () => {
    await service(tree, 'svc', { directory: 'apps/x/../svc' });
    expect(tree.exists('apps/svc/Cargo.toml')).toBe(true);
  });

  describe('on disk, with symlinks', () => {
    let ws: string;
    let outside: string;
    beforeEach(() => {
      ws = makeTempDir();
      outside = makeTempDir();
      // The Nx Tree reads the disk below its root: this one is a real folder.
      Object.defineProperty(tree, 'root', { value: ws });
    });
    afterEach(() => {
      removeDir(ws);
      removeDir(outside);
    });

    it('refuses a --directory that leads out through a symlink', async () => {
      symlinkSync(outside, join(ws, 'services'));
      await expectRefused(tree, () => service(tree, 'svc', { directory: 'services/svc' }), `--directory services/svc leads outside the workspace through a symlink (services → ${outside}): remove the symlink, or choose another path (e.g. "services/svc").`);
    });

    it('refuses to write a file that is a symlink out of the workspace (compose.yaml)', async () => {
      writeFiles(outside, { 'compose.yaml': 'services: {}\n' });
      symlinkSync(join(outside, 'compose.yaml'), join(ws, 'compose.yaml'));
      await expectRefused(tree, () => service(tree, 'svc'), `the generated file compose.yaml leads outside the workspace through a symlink (compose.yaml → ${join(outside, 'compose.yaml')})`);
      expect(readdirSync(outside)).toEqual(['compose.yaml']);
    });

    it('writes through a symlink that stays inside', async () => {
      mkdirSync(join(ws, 'real'));
      symlinkSync(join(ws, 'real'), join(ws, 'services'));
      await service(tree, 'svc', { directory: 'services/svc' });
      expect(tree.exists('services/svc/Cargo.toml')).toBe(true);
    });
  });
});

describe('generators never edit a file they cannot parse', () => {
  let tree: Tree;
  beforeEach(() => (tree = createTreeWithEmptyWorkspace()));

  it('service: a root Cargo.toml with a merge conflict is refused, naming its line (not given a second [workspace])', async () => {
    tree.write('Cargo.toml', CONFLICTED_ROOT);
    await expectRefused(tree, () => service(tree, 'api'), 'Cargo.toml:3: has merge conflict markers; fix it and run the command again (nothing was written).');
  });

  it.each([
    ['init', (tree: Tree) => initGenerator(tree, { skipFormat: true })],
    ['library', (tree: Tree) => library(tree, 'shared')],
    ['docker', (tree: Tree) => dockerGenerator(tree, { project: 'api', skipFormat: true })],
  ])('%s: a root Cargo.toml that is not TOML is refused, naming its line', async (_, run) => {
    tree.write('api/Cargo.toml', pkg('api'));
    tree.write('api/src/main.rs', 'fn main() {}\n');
    tree.write('Cargo.toml', '[workspace]\nmembers = ["api"\nresolver = "2"\n');
    await expectRefused(tree, () => run(tree), /^Cargo\.toml:3: is not valid TOML \(.+\); fix it and run the command again \(nothing was written\)\.$/);
  });

  it('edits a root Cargo.toml that is valid TOML 1.0 even where the older parser gives up, and leaves it valid', async () => {
    // A heterogeneous array: TOML 1.0 (and Cargo) accept it; TOML 0.5 parsers do not.
    tree.write('Cargo.toml', '[workspace]\nresolver = "2"\nmembers = []\n\n[workspace.metadata.release]\nmatrix = [1, "two"]\n');
    await service(tree, 'api');
    const doc = parseToml(tree.read('Cargo.toml', 'utf8')!) as any;
    expect(doc.workspace.members).toEqual(['api']);
    expect(doc.workspace.metadata.release.matrix).toEqual([1, 'two']);
  });

  it.each([
    ['services:\n  - name: api\n    image: api:latest\n', 'compose.yaml:2: `services:` is a list, where Compose expects a map of service names'],
    ['- api\n- web\n', 'compose.yaml:1: its top level is a list, where Compose expects a map (services:, volumes:)'],
    ['services:\n  web:\n    image: nginx\nvolumes:\n  - data\n', 'compose.yaml:5: `volumes:` is a list, where Compose expects a map of volume names'],
    ['services:\n  web: nginx\n', 'compose.yaml:2: service `web` is a string, where Compose expects a map'],
    ['services:\n  web:\n    image: "nginx\n', /^compose\.yaml:4: is not valid YAML \(Missing closing "quote/],
    ['services:\n<<<<<<< HEAD\n  web: {}\n=======\n  api: {}\n>>>>>>> x\n', 'compose.yaml:2: has merge conflict markers'],
  ])('service: compose.yaml %j is refused, not replaced by a map', async (compose, message) => {
    tree.write('compose.yaml', compose);
    await expectRefused(tree, () => service(tree, 'api'), message);
    expect(tree.read('compose.yaml', 'utf8')).toBe(compose);
  });

  it('service: an empty compose.yaml, or one with an empty services key, is filled in', async () => {
    tree.write('compose.yaml', 'services:\n');
    await service(tree, 'api');
    expect(Object.keys(parseYaml(tree.read('compose.yaml', 'utf8')!).services)).toEqual(['api']);
  });

  it('docker: a compose.yaml whose services is a list is refused', async () => {
    tree.write('api/Cargo.toml', pkg('api'));
    tree.write('api/src/main.rs', 'fn main() {}\n');
    tree.write('compose.yaml', 'services:\n  - api\n');
    await expectRefused(tree, () => dockerGenerator(tree, { project: 'api', skipFormat: true }), 'compose.yaml:2: `services:` is a list');
  });

  it.each([
    ['{ "plugins": "@org/rust-docker" }', 'nx.json: "plugins" is not a list'],
    ['{ "targetDefaults": [] }', 'nx.json: "targetDefaults" is not an object'],
    ['{ "plugins": [ }', /^nx\.json: is not valid JSON \(/],
  ])('init and ci: nx.json %s is refused', async (nxJson, message) => {
    tree.write('nx.json', nxJson);
    await expectRefused(tree, () => initGenerator(tree, { skipFormat: true }), message);
    await expectRefused(tree, () => ciGenerator(tree, { skipFormat: true }), message);
  });

  it('init: a .gitignore that is a folder, or a .dockerignore with conflict markers, is refused', async () => {
    tree.write('.gitignore/keep', '');
    await expectRefused(tree, () => initGenerator(tree, { skipFormat: true }), '.gitignore: is a folder, not a file');
    tree.delete('.gitignore/keep');
    tree.write('.dockerignore', 'target\n<<<<<<< HEAD\n.env\n=======\n>>>>>>> x\n');
    await expectRefused(tree, () => initGenerator(tree, { skipFormat: true }), '.dockerignore:2: has merge conflict markers');
  });

  it("library: a dependent's Cargo.toml it cannot read is named when asked for", async () => {
    await service(tree, 'web');
    tree.write('web/Cargo.toml', '[package]\nname = "web"\n<<<<<<< HEAD\n');
    await expectRefused(tree, () => library(tree, 'shared', { service: 'web' }), /no service named "web" in this workspace \(crates: none yet; these manifests could not be read: web\/Cargo\.toml:3: invalid TOML/);
  });

  it('a generator that fails after it began writing leaves the Tree as it was', async () => {
    await service(tree, 'web');
    // An inline [dependencies] table: the lexical edit cannot add to it, and says so, late.
    tree.write('web/Cargo.toml', `dependencies = { serde = "1" }\n${pkg('web')}`);
    const before = changes(tree);
    await expect(library(tree, 'shared', { service: 'web' })).rejects.toThrow(/cannot add .*shared.* automatically with this file's layout/);
    expect(changes(tree)).toEqual(before);
    expect(tree.exists('shared/Cargo.toml')).toBe(false);
  });

  it('sync: leaves an unreadable root Cargo.toml and compose.yaml alone, saying which line', () => {
    const warnings: string[] = [];
    const warn = jest.spyOn(logger, 'warn').mockImplementation((m) => void warnings.push(String(m)));
    try {
      tree.write('Cargo.toml', CONFLICTED_ROOT);
      tree.write('compose.yaml', 'services:\n  - api\n');
      tree.write('api/Cargo.toml', pkg('api'));
      const before = changes(tree);
      syncGenerator(tree);
      expect(changes(tree)).toEqual(before);
      expect(warnings).toEqual([
        '@org/rust-docker:sync: Cargo.toml:3: has merge conflict markers; left as it is until it is fixed.',
        '@org/rust-docker:sync: compose.yaml:2: `services:` is a list, where Compose expects a map of service names; left as it is until it is fixed.',
      ]);
    } finally {
      warn.mockRestore();
    }
  });
});
