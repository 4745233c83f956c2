import * as TOML from '@iarna/toml';
import { dependencyEntries, packageVersionInfo, setDependencyVersion, setPackageVersion, setWorkspaceVersion } from './cargo-versions';

const parse = (text: string) => TOML.parse(text) as Record<string, any>;

describe('package versions', () => {
  const manifest = `# The API service
[package]
name = "api"   # keep this name
version = '0.1.0' # bumped by nx release
edition = "2024"
publish = false

[dependencies]
domain = { path = "../domain", version = "0.1.0" } # pinned
axum = { workspace = true }
`;

  it('reads the version, the publish field and whether it is inherited', () => {
    expect(packageVersionInfo(manifest, 'api/Cargo.toml')).toEqual(
      expect.objectContaining({ packageName: 'api', version: '0.1.0', inherits: false, publish: false, isWorkspaceRoot: false }),
    );
    const inherited = packageVersionInfo('[package]\nname = "a"\nversion.workspace = true\npublish = ["internal"]\n', 'a/Cargo.toml');
    expect(inherited).toEqual(expect.objectContaining({ version: undefined, inherits: true, publish: ['internal'] }));
    expect(packageVersionInfo('[package]\nname = "a"\nversion = { workspace = true }\n', 'a/Cargo.toml').inherits).toBe(true);
    expect(packageVersionInfo('[package]\nname = "a"\n', 'a/Cargo.toml').publish).toBe(true);
  });

  it('rewrites only the version, keeping comments, quoting and everything else byte for byte', () => {
    const out = setPackageVersion(manifest, '0.2.0', 'api/Cargo.toml');
    expect(out).toBe(manifest.replace("version = '0.1.0'", "version = '0.2.0'"));
    expect(parse(out).package.version).toBe('0.2.0');
  });

  it('adds a version after the name when the crate has none (Cargo reads 0.0.0)', () => {
    const out = setPackageVersion('[package]\nname = "a" # the crate\nedition = "2024"\n', '1.0.0', 'a/Cargo.toml');
    expect(out).toBe('[package]\nname = "a" # the crate\nversion = "1.0.0"\nedition = "2024"\n');
  });

  it('writes [workspace.package] version and refuses what it cannot edit with a clear message', () => {
    const root = '[workspace]\nmembers = ["a"]\n\n[workspace.package]\nversion = "1.2.3" # shared\nedition = "2024"\n';
    expect(setWorkspaceVersion(root, '1.3.0', 'Cargo.toml')).toBe(root.replace('1.2.3', '1.3.0'));
    expect(() => setWorkspaceVersion('[workspace]\nmembers = []\n', '1.0.0', 'Cargo.toml')).toThrow('Cargo.toml has no `version` in [workspace.package] to update; add it by hand.');
    expect(() => setPackageVersion('[workspace]\n', '1.0.0', 'Cargo.toml')).toThrow('Cargo.toml has no [package]; it is not a crate.');
    expect(() => packageVersionInfo('[package\nname=', 'x/Cargo.toml')).toThrow(/^x\/Cargo.toml is not valid TOML .*fix it before releasing\.$/);
  });
});

describe('dependency requirements', () => {
  const manifest = `[package]
name = "api"
version = "0.1.0"

[dependencies]
domain = { path = "../domain", version = "0.1.0", features = ["serde"] } # pinned for publishing
cache = { path = "../cache" }
serde = "1"

[dependencies.metrics]
path = "../metrics"
version = "=0.3.0" # exact

[target.'cfg(unix)'.dev-dependencies]
testkit = { version = '0.1', path = "../testkit" }

[build-dependencies]
codegen = { workspace = true }
`;

  it('lists table-valued entries with their path, requirement and collection', () => {
    const entries = dependencyEntries(manifest, 'api/Cargo.toml');
    expect(entries).toEqual([
      { table: 'dependencies', key: 'domain', collection: 'dependencies', path: '../domain', version: '0.1.0', inheritsWorkspace: false },
      { table: 'dependencies', key: 'cache', collection: 'dependencies', path: '../cache', version: undefined, inheritsWorkspace: false },
      { table: 'dependencies', key: 'metrics', collection: 'dependencies', path: '../metrics', version: '=0.3.0', inheritsWorkspace: false },
      { table: 'build-dependencies', key: 'codegen', collection: 'build-dependencies', path: undefined, version: undefined, inheritsWorkspace: true },
      { table: 'target.cfg(unix).dev-dependencies', key: 'testkit', collection: 'dev-dependencies', path: '../testkit', version: '0.1', inheritsWorkspace: false },
    ]);
  });

  it('rewrites an inline requirement, a table requirement and a target-specific one, nothing else', () => {
    let out = setDependencyVersion(manifest, { table: 'dependencies', key: 'domain' }, '0.2.0', 'api/Cargo.toml');
    out = setDependencyVersion(out, { table: 'dependencies', key: 'metrics' }, '=0.4.0', 'api/Cargo.toml');
    out = setDependencyVersion(out, { table: 'target.cfg(unix).dev-dependencies', key: 'testkit' }, '0.2', 'api/Cargo.toml');
    expect(out).toBe(
      manifest
        .replace('version = "0.1.0", features', 'version = "0.2.0", features')
        .replace('version = "=0.3.0"', 'version = "=0.4.0"')
        .replace("version = '0.1'", "version = '0.2'"),
    );
    const doc = parse(out);
    expect(doc.dependencies.domain).toEqual({ path: '../domain', version: '0.2.0', features: ['serde'] });
    expect(doc.package.version).toBe('0.1.0');
  });

  it('finds the version key, not a string that merely contains it', () => {
    const text = '[dependencies]\nx = { path = "version = \\"9\\"", version = "1.0.0" }\n';
    expect(setDependencyVersion(text, { table: 'dependencies', key: 'x' }, '2.0.0', 'Cargo.toml')).toBe(text.replace('"1.0.0"', '"2.0.0"'));
  });

  it('says so when the entry has no requirement to rewrite', () => {
    expect(() => setDependencyVersion(manifest, { table: 'dependencies', key: 'cache' }, '1.0.0', 'api/Cargo.toml')).toThrow(
      'cannot find the version requirement of api/Cargo.toml: cache in [dependencies] in this file\'s layout; update it by hand.',
    );
  });
});
