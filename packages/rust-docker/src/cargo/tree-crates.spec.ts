import * as TOML from '@iarna/toml';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { addPathDependency, findCrates, nameList, requireCrates } from './tree-crates';

describe('findCrates', () => {
  it('finds crate folders by name and the ports of Dockerfiles next to a Cargo.toml, skipping invalid manifests', () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('Cargo.toml', '[workspace]\nmembers = ["a"]\n');
    tree.write('a/Cargo.toml', '[package]\nname = "a"\n');
    tree.write('a/Dockerfile', 'FROM scratch\nEXPOSE 7000\n');
    tree.write('b/Cargo.toml', '[package\nname = "b"\n');
    tree.write('c/Dockerfile', 'EXPOSE 7001\n');
    tree.write('d/Cargo.toml', '[package]\nname = "d"\n');
    tree.write('d/Dockerfile', 'FROM scratch\n');
    const { byName, ports } = findCrates(tree);
    expect([...byName].sort()).toEqual([
      ['a', 'a'],
      ['d', 'd'],
    ]);
    expect([...ports]).toEqual([7000]);
  });

  it('skips git-ignored folders', () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('.gitignore', 'target/\n');
    tree.write('target/package/x-0.1.0/Cargo.toml', '[package]\nname = "x"\n');
    expect(findCrates(tree).byName.size).toBe(0);
  });
});

describe('nameList', () => {
  it.each([
    [undefined, []],
    ['', []],
    ['a', ['a']],
    ['a, b,,a', ['a', 'b']],
    [['a', 'b,c', ' c '], ['a', 'b', 'c']],
  ])('reads %j as %j', (value, names) => {
    expect(nameList(value as string | string[] | undefined)).toEqual(names);
  });
});

describe('requireCrates', () => {
  const crates = { byName: new Map([['core', 'libs/core'], ['api', 'services/api']]), ports: new Set<number>() };

  it('returns each crate with its folder, in the order asked', () => {
    expect(requireCrates(crates, ['core', 'api'], 'library')).toEqual([
      { name: 'core', dir: 'libs/core' },
      { name: 'api', dir: 'services/api' },
    ]);
  });

  it('names every missing crate and lists the known ones', () => {
    expect(() => requireCrates(crates, ['core', 'x', 'y'], 'library')).toThrow('no library named "x", "y" in this workspace (crates: api, core).');
    expect(() => requireCrates({ byName: new Map(), ports: new Set() }, ['x'], 'service')).toThrow('no service named "x" in this workspace (crates: none yet).');
  });
});

describe('addPathDependency', () => {
  it('adds a relative path dependency, keeping the manifest formatting', () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('services/api/Cargo.toml', '[package]\nname = "api" # the api\n\n[dependencies]\nserde = "1" # json\n');
    addPathDependency(tree, 'services/api', { name: 'core', dir: 'libs/core' });
    const text = tree.read('services/api/Cargo.toml', 'utf8')!;
    expect(text).toBe('[package]\nname = "api" # the api\n\n[dependencies]\nserde = "1" # json\ncore = { path = "../../libs/core" }\n');
    addPathDependency(tree, 'services/api', { name: 'core', dir: 'libs/core' });
    expect(tree.read('services/api/Cargo.toml', 'utf8')).toBe(text);
  });

  it('creates [dependencies] when the crate has none', () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('api/Cargo.toml', '[package]\nname = "api"\n');
    addPathDependency(tree, 'api', { name: 'util', dir: 'api/util' });
    expect((TOML.parse(tree.read('api/Cargo.toml', 'utf8')!) as Record<string, any>).dependencies).toEqual({ util: { path: 'util' } });
  });
});
