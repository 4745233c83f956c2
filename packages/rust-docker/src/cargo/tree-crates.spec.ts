import * as TOML from '@iarna/toml';
import { addProjectConfiguration } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { addPathDependency, findCrates, nameList, requireCrates, requireFreeName, type TreeCrates } from './tree-crates';

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

  it('knows the Nx project name of each crate and which crates have a library target', () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('libs/core/Cargo.toml', '[package]\nname = "core"\n\n[package.metadata.nx]\nname = "rust-core"\n');
    tree.write('libs/core/src/lib.rs', '');
    tree.write('libs/custom/Cargo.toml', '[package]\nname = "custom"\n\n[lib]\npath = "lib.rs"\n');
    tree.write('libs/custom/lib.rs', '');
    tree.write('services/api/Cargo.toml', '[package]\nname = "api"\n');
    tree.write('services/api/src/main.rs', 'fn main() {}\n');
    const { byName, byProject, libraries } = findCrates(tree);
    expect([...byName].sort()).toEqual([
      ['api', 'services/api'],
      ['core', 'libs/core'],
      ['custom', 'libs/custom'],
    ]);
    expect([...byProject].sort()).toEqual([
      ['api', 'services/api'],
      ['custom', 'libs/custom'],
      ['rust-core', 'libs/core'],
    ]);
    expect([...libraries].sort()).toEqual(['libs/core', 'libs/custom']);
  });

  it('skips vendored crates (cargo vendor output, with .cargo-checksum.json), and their Dockerfiles', () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('services/api/Cargo.toml', '[package]\nname = "api"\n');
    tree.write('services/api/src/main.rs', 'fn main() {}\n');
    tree.write('vendor/serde-1.0.214/Cargo.toml', '[package]\nname = "serde"\n');
    tree.write('vendor/serde-1.0.214/.cargo-checksum.json', '{"files":{},"package":"abc"}');
    tree.write('vendor/serde-1.0.214/src/lib.rs', '');
    tree.write('target/rust-docker/api/context/vendor/tokio-1.41.0/Cargo.toml', '[package]\nname = "tokio"\n');
    tree.write('target/rust-docker/api/context/vendor/tokio-1.41.0/.cargo-checksum.json', '{}');
    const { byName, byProject, libraries } = findCrates(tree);
    expect([...byName]).toEqual([['api', 'services/api']]);
    expect([...byProject.keys()]).toEqual(['api']);
    expect([...libraries]).toEqual([]);
  });

  it('still finds a crate with a .cargo-checksum.json elsewhere than next to its manifest', () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('libs/core/Cargo.toml', '[package]\nname = "core"\n');
    tree.write('libs/core/fixtures/.cargo-checksum.json', '{}');
    expect([...findCrates(tree).byName.keys()]).toEqual(['core']);
  });

  it('counts the host ports compose.yaml publishes as taken, with those the Dockerfiles expose', () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('a/Cargo.toml', '[package]\nname = "a"\n');
    tree.write('a/Dockerfile', 'FROM scratch\nEXPOSE 8080\n');
    tree.write(
      'compose.yaml',
      'services:\n  a:\n    ports:\n      - 127.0.0.1:8080:8080\n  gone:\n    ports: ["127.0.0.1:8081:8081"]\n  admin:\n    ports:\n      - "127.0.0.1:9000:80"\n',
    );
    expect([...findCrates(tree).ports].sort()).toEqual([8080, 8081, 9000]);
  });

  it('takes no port from a compose.yaml that is not at the workspace root, nor without one', () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('deploy/compose.yaml', 'services:\n  x:\n    ports: ["127.0.0.1:8085:8085"]\n');
    expect([...findCrates(tree).ports]).toEqual([]);
  });

  it('counts host ports compose.yaml publishes on every interface too, not the container ports', () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('compose.yaml', 'services:\n  web:\n    ports:\n      - "8080:80"\n      - 0.0.0.0:8082:81\n');
    expect([...findCrates(tree).ports].sort()).toEqual([8080, 8082]);
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
  const crates: TreeCrates = {
    byName: new Map([
      ['core', 'libs/core'],
      ['api', 'services/api'],
    ]),
    byProject: new Map([
      ['core', 'libs/core'],
      ['api', 'services/api'],
    ]),
    libraries: new Set(['libs/core']),
    ports: new Set<number>(),
  };
  const none: TreeCrates = { byName: new Map(), byProject: new Map(), libraries: new Set(), ports: new Set() };

  it('returns each crate with its folder, in the order asked', () => {
    expect(requireCrates(crates, ['core', 'api'], 'library')).toEqual([
      { name: 'core', dir: 'libs/core' },
      { name: 'api', dir: 'services/api' },
    ]);
  });

  it('names every missing crate and lists the known ones', () => {
    expect(() => requireCrates(crates, ['core', 'x', 'y'], 'library')).toThrow('no library named "x", "y" in this workspace (crates: api, core).');
    expect(() => requireCrates(none, ['x'], 'service')).toThrow('no service named "x" in this workspace (crates: none yet).');
  });

  it('accepts a crate without a library target unless only libraries are asked for', () => {
    expect(requireCrates(crates, ['api'], 'library')).toEqual([{ name: 'api', dir: 'services/api' }]);
    expect(requireCrates(crates, ['core'], 'library', { libraryOnly: true })).toEqual([{ name: 'core', dir: 'libs/core' }]);
    expect(() => requireCrates(crates, ['core', 'api'], 'library', { libraryOnly: true })).toThrow(
      '"api" has no library target (src/lib.rs), so Cargo would ignore a dependency on it; depend on a library crate (nx g @org/rust-docker:library).',
    );
  });

  it('names every crate without a library target in one message', () => {
    const two: TreeCrates = { ...crates, byName: new Map([...crates.byName, ['worker', 'services/worker']]) };
    expect(() => requireCrates(two, ['api', 'worker'], 'library', { libraryOnly: true })).toThrow('"api", "worker" have no library target (src/lib.rs)');
  });
});

describe('requireFreeName', () => {
  const crates: TreeCrates = {
    byName: new Map([['core', 'libs/core']]),
    byProject: new Map([['rust-core', 'libs/core']]),
    libraries: new Set(['libs/core']),
    ports: new Set<number>(),
  };

  it('accepts a name no crate or project uses', () => {
    expect(() => requireFreeName(createTreeWithEmptyWorkspace(), crates, 'api')).not.toThrow();
  });

  it('rejects a crate name and the Nx name a crate takes through [package.metadata.nx], naming its manifest', () => {
    const tree = createTreeWithEmptyWorkspace();
    expect(() => requireFreeName(tree, crates, 'core')).toThrow('a crate or project named "core" already exists (libs/core/Cargo.toml); choose another name.');
    expect(() => requireFreeName(tree, crates, 'rust-core')).toThrow('a crate or project named "rust-core" already exists (libs/core/Cargo.toml); choose another name.');
  });

  it('rejects the name of an Nx project that is not a crate', () => {
    const tree = createTreeWithEmptyWorkspace();
    addProjectConfiguration(tree, 'web', { root: 'apps/web' });
    expect(() => requireFreeName(tree, crates, 'web')).toThrow('project "web" already exists (apps/web); choose another name.');
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
