import { makeTempDir, pkg, removeDir, writeFiles } from '../testing/fixtures';
import { fileExists, findManifestFiles, loadCargoWorkspace, readManifests } from './load';
import { ManifestError } from './manifest';

describe('load', () => {
  let root: string;
  beforeAll(() => {
    root = makeTempDir();
    writeFiles(root, {
      'Cargo.toml': '[workspace]\nmembers = ["crates/*"]\n',
      'crates/api/Cargo.toml': pkg('api', '[dependencies]\ncore = { path = "../core" }'),
      'crates/core/Cargo.toml': pkg('core'),
      'crates/core/src/lib.rs': '',
      'crates/broken/Cargo.toml': '[package\n',
      'vendor/serde/Cargo.toml': pkg('serde'),
      'vendor/serde/.cargo-checksum.json': '{}',
      'target/package/api-0.1.0/Cargo.toml': pkg('api'),
      'node_modules/x/Cargo.toml': pkg('x'),
      'dist/y/Cargo.toml': pkg('y'),
      '.hidden/z/Cargo.toml': pkg('z'),
      'tmp/t/Cargo.toml': pkg('t'),
    });
  });
  afterAll(() => removeDir(root));

  it('finds every Cargo.toml except in build output, dependencies, hidden folders and vendored crates', () => {
    expect(findManifestFiles(root).sort()).toEqual(['Cargo.toml', 'crates/api/Cargo.toml', 'crates/broken/Cargo.toml', 'crates/core/Cargo.toml']);
  });

  it('finds nothing in a folder that does not exist', () => {
    expect(findManifestFiles(root, 'nowhere')).toEqual([]);
  });

  it('collects invalid manifests as errors and parses the others', () => {
    const { manifests, errors } = readManifests(root, ['crates/core/Cargo.toml', 'crates/broken/Cargo.toml']);
    expect(manifests.map((m) => m.packageName)).toEqual(['core']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ManifestError);
    expect(errors[0].message).toMatch(/^crates\/broken\/Cargo\.toml:1: invalid TOML/);
  });

  it('loads the crate graph of a folder', () => {
    const { model, errors } = loadCargoWorkspace(root);
    expect([...model.crates.keys()].sort()).toEqual(['crates/api', 'crates/core']);
    expect(model.dependencies).toEqual([{ from: 'crates/api', to: 'crates/core', kind: 'normal' }]);
    expect(errors.map((e) => e.file)).toEqual(['crates/broken/Cargo.toml']);
  });

  it('drops a dependency on a crate without a library target, with a warning, as Cargo does', () => {
    const dir = makeTempDir();
    try {
      writeFiles(dir, {
        'Cargo.toml': '[workspace]\nmembers = ["api", "tool"]\n',
        'api/Cargo.toml': pkg('api', '[dependencies]\ntool = { path = "../tool" }'),
        'tool/Cargo.toml': pkg('tool'),
        'tool/src/main.rs': 'fn main() {}\n',
      });
      const { model } = loadCargoWorkspace(dir);
      expect(model.dependencies).toEqual([]);
      expect(model.warnings).toEqual([
        { file: 'api/Cargo.toml', line: 7, message: 'dependency "tool" points to crate "tool", which has no library target; Cargo ignores it' },
      ]);
    } finally {
      removeDir(dir);
    }
  });

  it('checks files relative to a root', () => {
    expect(fileExists(root, 'crates', 'api', 'Cargo.toml')).toBe(true);
    expect(fileExists(root, 'crates', 'nope')).toBe(false);
  });
});
