import * as TOML from '@iarna/toml';
import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { libraryGenerator } from './generator';
import type { LibraryGeneratorSchema } from './schema';

type Doc = Record<string, any>;
const parse = (text: string): Doc => TOML.parse(text) as Doc;
const read = (tree: Tree, file: string) => tree.read(file, 'utf8')!;
const changes = (tree: Tree) => tree.listChanges().map((c) => ({ path: c.path, type: c.type, content: c.content?.toString() }));
const generate = (tree: Tree, schema: Partial<LibraryGeneratorSchema> & { name: string }) => libraryGenerator(tree, { skipFormat: true, ...schema });

describe('library generator', () => {
  let tree: Tree;
  beforeEach(() => (tree = createTreeWithEmptyWorkspace()));

  it('writes a library crate and adds it to the workspace members', async () => {
    const callback = await generate(tree, { name: 'shared', directory: 'libs/shared', tags: 'type:lib' });
    expect(typeof callback).toBe('function');
    expect(tree.exists('libs/shared/src/lib.rs')).toBe(true);
    expect(tree.exists('libs/shared/src/main.rs')).toBe(false);
    expect(tree.exists('libs/shared/Dockerfile')).toBe(false);
    const crate = parse(read(tree, 'libs/shared/Cargo.toml'));
    expect(crate.package.name).toBe('shared');
    expect(crate.package.metadata?.nx?.tags).toEqual(['type:lib']);
    expect(crate.bin).toBeUndefined();
    expect(parse(read(tree, 'Cargo.toml')).workspace.members).toEqual(['libs/shared']);
    expect(read(tree, 'libs/shared/src/lib.rs')).not.toMatch(/<%|%>/);
  });

  it('adds a path dependency on the library to each --service', async () => {
    tree.write('services/api/Cargo.toml', '[package]\nname = "api"\nversion = "0.1.0"\n\n[dependencies]\naxum = { workspace = true }\n');
    await generate(tree, { name: 'shared', directory: 'libs/shared', service: 'api' });
    expect(parse(read(tree, 'services/api/Cargo.toml')).dependencies).toEqual({ axum: { workspace: true }, shared: { path: '../../libs/shared' } });
  });

  it.each([
    [{ name: 'Core' }, 'is not a valid library name'],
    [{ name: 'std' }, 'clashes with a built-in Rust crate'],
    [{ name: 'shared', directory: '../x' }, 'must be a folder inside the workspace, e.g. "libs/shared"'],
    [{ name: 'shared', service: 'nope' }, 'no service named "nope" in this workspace'],
  ])('rejects %j and changes nothing', async (schema, message) => {
    const before = changes(tree);
    await expect(generate(tree, schema)).rejects.toThrow(message);
    expect(changes(tree)).toEqual(before);
  });

  it('rejects an existing crate name or folder and changes nothing', async () => {
    await generate(tree, { name: 'shared' });
    const before = changes(tree);
    await expect(generate(tree, { name: 'shared', directory: 'libs/shared' })).rejects.toThrow('a crate or project named "shared" already exists (shared/Cargo.toml); choose another name.');
    await expect(generate(tree, { name: 'util', directory: 'shared' })).rejects.toThrow('folder "shared" already exists');
    expect(changes(tree)).toEqual(before);
  });

  it('rejects the Nx name an existing crate takes through [package.metadata.nx] and changes nothing', async () => {
    tree.write('services/api/Cargo.toml', '[package]\nname = "api"\nversion = "0.1.0"\n\n[package.metadata.nx]\nname = "shared"\n');
    const before = changes(tree);
    await expect(generate(tree, { name: 'shared', directory: 'libs/shared' })).rejects.toThrow(
      'a crate or project named "shared" already exists (services/api/Cargo.toml); choose another name.',
    );
    expect(changes(tree)).toEqual(before);
  });
});
