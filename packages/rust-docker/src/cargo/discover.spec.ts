import { makeTempDir, pkg, removeDir, writeFiles } from '../testing/fixtures';
import { globOnDisk, impliedManifestFiles } from './discover';
import { parseCargoManifest } from './manifest';

describe('impliedManifestFiles', () => {
  let root: string;
  beforeAll(() => {
    root = makeTempDir();
    writeFiles(root, {
      'Cargo.toml': [
        '[workspace]',
        'members = ["crates/*", "services/api", "libs/**/core-?"]',
        '[workspace.dependencies]',
        'shared = { path = "shared" }',
        '[patch.crates-io]',
        'itoa = { path = "forks/itoa" }',
        'ryu = { path = "../outside/ryu" }',
      ].join('\n'),
      'crates/a/Cargo.toml': pkg('a'),
      'crates/b/Cargo.toml': pkg('b'),
      'crates/notes.txt': 'not a crate',
      'libs/x/core-1/Cargo.toml': pkg('core-1'),
      'libs/x/y/core-2/Cargo.toml': pkg('core-2'),
      'libs/node_modules/core-3/Cargo.toml': pkg('core-3'),
      'libs/core-10/Cargo.toml': pkg('core-10'),
      'services/api/Cargo.toml': pkg('api', '[dependencies]\na = { path = "../../crates/a" }\nfar = { path = "../../../far" }'),
    });
  });
  afterAll(() => removeDir(root));

  const implied = (file: string) => {
    const text = require('node:fs').readFileSync(`${root}/${file}`, 'utf8');
    return impliedManifestFiles(parseCargoManifest(text, file), root).sort();
  };

  it('names what a workspace root brings in: members on disk, inherited paths and overrides inside the Nx workspace', () => {
    expect(implied('Cargo.toml')).toEqual([
      'crates/a/Cargo.toml',
      'crates/b/Cargo.toml',
      'forks/itoa/Cargo.toml',
      'libs/x/core-1/Cargo.toml',
      'libs/x/y/core-2/Cargo.toml',
      'services/api/Cargo.toml',
      'shared/Cargo.toml',
    ]);
  });

  it('names the folders above a crate and its path dependencies', () => {
    expect(implied('services/api/Cargo.toml')).toEqual(['Cargo.toml', 'crates/a/Cargo.toml', 'services/Cargo.toml']);
  });
});

describe('globOnDisk', () => {
  let root: string;
  beforeAll(() => {
    root = makeTempDir();
    writeFiles(root, { 'a/x/.keep': '', 'a/y/.keep': '', 'b/x/.keep': '', 'a/target/z/.keep': '' });
  });
  afterAll(() => removeDir(root));

  it.each([
    ['a/*', ['a/target', 'a/x', 'a/y']],
    ['a/nothing-*', []],
    ['*/x', ['a/x', 'b/x']],
    ['a/[xy]', ['a/x', 'a/y']],
    ['a/?', ['a/x', 'a/y']],
    ['a/**', ['a', 'a/x', 'a/y']],
    ['plain/path', ['plain/path']],
  ])('%s finds %j', (pattern, expected) => {
    expect(globOnDisk(pattern, root).sort()).toEqual(expected);
  });
});
