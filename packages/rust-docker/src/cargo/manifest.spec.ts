import { binaryNames, dependencySource, hasLibrary, ManifestError, normalizeSource, parseCargoManifest, type CargoManifest } from './manifest';

/** The error parseCargoManifest throws for `text`. */
function parseError(text: string, file = 'crates/bad/Cargo.toml'): ManifestError {
  try {
    parseCargoManifest(text, file);
  } catch (error) {
    return error as ManifestError;
  }
  throw new Error('expected parseCargoManifest to throw');
}

describe('parseCargoManifest', () => {
  const API = [
    '[package]', //                                      1
    'name = "api"', //                                   2
    'version = "1.2.3"', //                              3
    'edition = "2021"', //                               4
    '', //                                               5
    '[dependencies]', //                                 6
    'serde = "1"', //                                    7
    'core = { path = "../../libs/core" }', //            8
    'db = { package = "db-client", path = "../db" }', // 9
    'tokio = { workspace = true, features = ["full"] }', // 10
    'metrics = { version = "0.1", optional = true }', // 11
    '', //                                               12
    '[dev-dependencies]', //                             13
    'fixtures = { path = "../../libs/fixtures" }', //    14
    '', //                                               15
    '[build-dependencies]', //                           16
    'codegen = { path = "../../tools/codegen" }', //     17
    '', //                                               18
    "[target.'cfg(unix)'.dependencies]", //              19
    'unix-only = { path = "../unix-only" }', //          20
    '', //                                               21
    '[target.x86_64-pc-windows-msvc.dev-dependencies]', // 22
    'win-fixtures = { workspace = true }', //            23
  ].join('\n');

  const manifest = parseCargoManifest(API, 'services\\api\\Cargo.toml');

  it('normalizes the file path to forward slashes and derives the folder', () => {
    expect(manifest.file).toBe('services/api/Cargo.toml');
    expect(manifest.dir).toBe('services/api');
    expect(parseCargoManifest('[workspace]\n', 'Cargo.toml').dir).toBe('.');
  });

  it('reads the package name and version', () => {
    expect(manifest.packageName).toBe('api');
    expect(manifest.version).toBe('1.2.3');
  });

  it('reads dependencies of every kind, including target-specific ones', () => {
    expect(manifest.dependencies.map((d) => [d.key, d.kind, d.target])).toEqual([
      ['serde', 'normal', undefined],
      ['core', 'normal', undefined],
      ['db', 'normal', undefined],
      ['tokio', 'normal', undefined],
      ['metrics', 'normal', undefined],
      ['fixtures', 'dev', undefined],
      ['codegen', 'build', undefined],
      ['unix-only', 'normal', 'cfg(unix)'],
      ['win-fixtures', 'dev', 'x86_64-pc-windows-msvc'],
    ]);
  });

  it('reads renamed, workspace-inherited, optional and path dependencies', () => {
    const byKey = Object.fromEntries(manifest.dependencies.map((d) => [d.key, d]));
    expect(byKey.serde).toEqual({ key: 'serde', kind: 'normal' });
    expect(byKey.db).toEqual({ key: 'db', kind: 'normal', packageName: 'db-client', path: '../db', line: 9 });
    expect(byKey.tokio).toEqual({ key: 'tokio', kind: 'normal', inheritsWorkspace: true, line: 10 });
    expect(byKey.metrics).toEqual({ key: 'metrics', kind: 'normal', optional: true });
  });

  it('gives path and workspace dependencies the 1-based line of their declaration', () => {
    const lines = Object.fromEntries(manifest.dependencies.filter((d) => d.line).map((d) => [d.key, d.line]));
    expect(lines).toEqual({ core: 8, db: 9, tokio: 10, fixtures: 14, codegen: 17, 'unix-only': 20, 'win-fixtures': 23 });
  });

  it('finds the line of dependencies written as a table or with dotted keys', () => {
    const text = '[package]\nname = "a"\n[dependencies.core]\npath = "../core"\n[dev-dependencies]\nfix.path = "../fix"\n';
    const deps = parseCargoManifest(text, 'a/Cargo.toml').dependencies;
    expect(deps.map((d) => [d.key, d.kind, d.path, d.line])).toEqual([
      ['core', 'normal', '../core', 3],
      ['fix', 'dev', '../fix', 6],
    ]);
  });

  it('gives each path dependency the line in its own table when a key repeats across tables', () => {
    const text = [
      '[package]', //                                 1
      'name = "api"', //                              2
      '', //                                          3
      '[dependencies]', //                            4
      'shared = { path = "../shared" }', //           5
      '', //                                          6
      "[target.'cfg(unix)'.dependencies]", //         7
      'unix = { path = "../unix" }', //               8
      '', //                                          9
      '[dev-dependencies.fixtures]', //               10
      'path = "../fixtures"', //                      11
    ].join('\n');
    const lines = Object.fromEntries(parseCargoManifest(text, 'api/Cargo.toml').dependencies.map((d) => [d.key, d.line]));
    expect(lines).toEqual({ shared: 5, unix: 8, fixtures: 10 });
  });

  it('reads the legacy snake_case dependency tables', () => {
    const text = '[package]\nname = "a"\n[dev_dependencies]\nx = "1"\n[build_dependencies]\ny = "1"\n';
    expect(parseCargoManifest(text, 'a/Cargo.toml').dependencies.map((d) => [d.key, d.kind])).toEqual([
      ['x', 'dev'],
      ['y', 'build'],
    ]);
  });

  it('gives the right line to a path dependency that follows a blank line', () => {
    const text = '[package]\nname = "api"\n\n[dependencies]\ncore = { path = "../core" }\n\nshared = { path = "../shared" }\n';
    const shared = parseCargoManifest(text, 'api/Cargo.toml').dependencies.find((d) => d.key === 'shared')!;
    expect(shared.line).toBe(7);
  });

  it('gives the line in the dependency table, not that of a feature with the same name', () => {
    const text = '[package]\nname = "api"\n[features]\nmetrics = ["dep:metrics"]\n[dependencies]\nmetrics = { path = "../metrics", optional = true }\n';
    expect(parseCargoManifest(text, 'api/Cargo.toml').dependencies[0].line).toBe(6);
  });

  it('reads [package.metadata.nx] tags and name', () => {
    const text = '[package]\nname = "api"\n\n[package.metadata.nx]\ntags = ["scope:billing", "type:service"]\nname = "billing-api"\n';
    expect(parseCargoManifest(text, 'api/Cargo.toml').nx).toEqual({ tags: ['scope:billing', 'type:service'], name: 'billing-api' });
  });

  it('has empty Nx settings without [package.metadata.nx]', () => {
    expect(manifest.nx).toEqual({});
  });

  it('reads [[bin]] tables, [lib] and autobins', () => {
    const text = '[package]\nname = "tool"\nautobins = false\n\n[lib]\npath = "src/lib.rs"\n\n[[bin]]\nname = "tool-cli"\npath = "src/cli.rs"\n\n[[bin]]\nname = "tool-daemon"\n\n[[bin]]\npath = "no-name.rs"\n';
    const m = parseCargoManifest(text, 'tool/Cargo.toml');
    expect(m.explicitBins).toEqual([
      { name: 'tool-cli', path: 'src/cli.rs' },
      { name: 'tool-daemon', path: undefined },
    ]);
    expect(m.autobins).toBe(false);
    expect(m.explicitLib).toBe(true);
  });

  it('reads autolib = false', () => {
    expect(parseCargoManifest('[package]\nname = "a"\nautolib = false\n', 'a/Cargo.toml').autolib).toBe(false);
    expect(manifest.autolib).toBe(true);
  });

  it('defaults to autobins and no explicit lib', () => {
    expect(manifest.autobins).toBe(true);
    expect(manifest.explicitLib).toBe(false);
    expect(manifest.explicitBins).toEqual([]);
  });

  it('reads package.workspace as the workspace root hint', () => {
    const m = parseCargoManifest('[package]\nname = "a"\nworkspace = "../.."\n', 'x/y/a/Cargo.toml');
    expect(m.workspaceRootHint).toBe('../..');
    expect(manifest.workspaceRootHint).toBeUndefined();
  });

  it('reads a virtual workspace: members, exclude and [workspace.dependencies] paths and renames', () => {
    const text = [
      '[workspace]',
      'members = ["crates/*", "libs/**"]',
      'exclude = ["crates/legacy"]',
      '',
      '[workspace.dependencies]',
      'serde = "1"',
      'tokio = { version = "1", features = ["full"] }',
      'core = { path = "libs/core" }',
      'db = { path = "libs/db", package = "db-client" }',
    ].join('\n');
    const m = parseCargoManifest(text, 'Cargo.toml');
    expect(m.packageName).toBeUndefined();
    expect(m.workspace).toEqual({
      members: ['crates/*', 'libs/**'],
      exclude: ['crates/legacy'],
      dependencies: {
        serde: {},
        tokio: { path: undefined, packageName: undefined },
        core: { path: 'libs/core', packageName: undefined },
        db: { path: 'libs/db', packageName: 'db-client' },
      },
    });
  });

  it('reads a workspace without members or exclude as empty lists', () => {
    expect(parseCargoManifest('[workspace]\nresolver = "2"\n', 'Cargo.toml').workspace).toEqual({ members: [], exclude: [], dependencies: {} });
  });

  // @iarna/toml implements TOML 0.5, where arrays must hold one type; Cargo reads TOML 1.0,
  // where mixed arrays are valid: the smol-toml fallback reads them.
  it('accepts a TOML 1.0 mixed-type array, as Cargo does', () => {
    const text = '[package]\nname = "api"\n\n[package.metadata.example]\nargs = ["--port", 8080]\n';
    expect(parseCargoManifest(text, 'api/Cargo.toml').packageName).toBe('api');
  });

  it('throws a ManifestError naming the file and the line on invalid TOML', () => {
    const error = parseError('[package]\nname = "a"\nversion = \n', 'crates/bad/Cargo.toml');
    expect(error).toBeInstanceOf(ManifestError);
    expect(error.name).toBe('ManifestError');
    expect(error.file).toBe('crates/bad/Cargo.toml');
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/^crates\/bad\/Cargo\.toml:3: invalid TOML: /);
    expect(error.message).not.toContain('\n');
  });

  it('reports a duplicate key as invalid TOML with its line', () => {
    const error = parseError('[package]\nname = "a"\nname = "b"\n');
    expect(error.line).toBe(3);
    expect(error.message).toContain('invalid TOML');
  });

  it('throws a ManifestError when [package] has no name, pointing at the [package] line', () => {
    const error = parseError('[workspace]\n[package]\nversion = "1.0.0"\n', 'x/Cargo.toml');
    expect(error).toBeInstanceOf(ManifestError);
    expect(error.message).toBe('x/Cargo.toml:2: [package] has no `name`');
    expect(error.line).toBe(2);
  });

  it('points at the [package] line even after a blank line', () => {
    expect(parseError('# app\n\n[package]\nversion = "1.0.0"\n').line).toBe(3);
  });
});

describe('overrides and dependency sources', () => {
  it('reads [patch.<source>] entries with a path, by source, key and package', () => {
    const manifest = parseCargoManifest(
      [
        '[workspace]', //                                            1
        'members = ["a"]', //                                        2
        '', //                                                       3
        '[patch.crates-io]', //                                      4
        'itoa = { path = "libs/itoa" }', //                          5
        'serde = { git = "https://github.com/serde-rs/serde" }', //  6
        'json2 = { path = "forks/json", package = "serde_json" }', //7
        '', //                                                       8
        '[patch."https://github.com/acme/tools.git"]', //            9
        'tool = { path = "vendor/tool" }', //                       10
        '', //                                                      11
        '[patch.my-registry.inner]', //                             12
        'path = "libs/inner"', //                                   13
      ].join('\n'),
      'Cargo.toml',
    );
    expect(manifest.overrides).toEqual([
      { table: 'patch', source: 'crates-io', packageName: 'itoa', path: 'libs/itoa', line: 5 },
      { table: 'patch', source: 'crates-io', packageName: 'serde_json', path: 'forks/json', line: 7 },
      { table: 'patch', source: 'https://github.com/acme/tools', packageName: 'tool', path: 'vendor/tool', line: 10 },
      { table: 'patch', source: 'my-registry', packageName: 'inner', path: 'libs/inner', line: 12 },
    ]);
  });

  it('reads [replace] entries in every package ID spelling', () => {
    const manifest = parseCargoManifest(
      [
        '[replace]',
        '"itoa:1.0.19" = { path = "libs/itoa" }',
        '"ryu@1.0.5" = { path = "libs/ryu" }',
        '"https://github.com/rust-lang/crates.io-index#memchr:2.7.0" = { path = "libs/memchr" }',
        '"libc:0.2.0" = { git = "https://github.com/rust-lang/libc" }',
      ].join('\n'),
      'Cargo.toml',
    );
    expect(manifest.overrides.map((o) => [o.table, o.source, o.packageName, o.path, o.line])).toEqual([
      ['replace', 'crates-io', 'itoa', 'libs/itoa', 2],
      ['replace', 'crates-io', 'ryu', 'libs/ryu', 3],
      ['replace', 'crates-io', 'memchr', 'libs/memchr', 4],
    ]);
  });

  it('has no overrides without [patch] or [replace]', () => {
    expect(parseCargoManifest('[package]\nname = "a"\n', 'a/Cargo.toml').overrides).toEqual([]);
  });

  it('reads where registry and git dependencies come from, in members and [workspace.dependencies]', () => {
    const manifest = parseCargoManifest(
      [
        '[package]',
        'name = "a"',
        '[dependencies]',
        'itoa = "1"',
        'inner = { version = "1", registry = "my-registry" }',
        'tool = { git = "https://github.com/acme/tools.git" }',
        '[workspace]',
        '[workspace.dependencies]',
        'shared = { git = "https://github.com/acme/shared/", package = "acme-shared" }',
        'priv = { version = "2", registry = "my-registry" }',
      ].join('\n'),
      'Cargo.toml',
    );
    expect(manifest.dependencies.map((d) => [d.key, dependencySource(d)])).toEqual([
      ['itoa', 'crates-io'],
      ['inner', 'my-registry'],
      ['tool', 'https://github.com/acme/tools'],
    ]);
    expect(manifest.workspace!.dependencies).toEqual({
      shared: { path: undefined, packageName: 'acme-shared', git: 'https://github.com/acme/shared/' },
      priv: { path: undefined, packageName: undefined, registry: 'my-registry' },
    });
    expect(dependencySource(manifest.workspace!.dependencies.shared)).toBe('https://github.com/acme/shared');
  });

  it.each([
    ['crates-io', 'crates-io'],
    ['https://github.com/rust-lang/crates.io-index', 'crates-io'],
    ['sparse+https://index.crates.io/', 'crates-io'],
    ['https://github.com/acme/tools.git', 'https://github.com/acme/tools'],
    ['https://github.com/acme/tools/', 'https://github.com/acme/tools'],
    ['git+https://github.com/acme/tools', 'https://github.com/acme/tools'],
    ['my-registry', 'my-registry'],
  ])('spells the source %s as %s', (source, expected) => {
    expect(normalizeSource(source)).toBe(expected);
  });

  it('reads default-members', () => {
    const manifest = parseCargoManifest('[workspace]\nmembers = ["a", "b"]\ndefault-members = ["a"]\n', 'Cargo.toml');
    expect(manifest.workspace!.defaultMembers).toEqual(['a']);
    expect(parseCargoManifest('[workspace]\nmembers = ["a"]\n', 'Cargo.toml').workspace!.defaultMembers).toBeUndefined();
  });
});

describe('binaryNames', () => {
  const manifest = (extra: Partial<CargoManifest> = {}): CargoManifest => ({
    file: 'api/Cargo.toml',
    dir: 'api',
    packageName: 'api',
    dependencies: [],
    overrides: [],
    explicitBins: [],
    autobins: true,
    explicitLib: false,
    autolib: true,
    nx: {},
    ...extra,
  });
  const fs = (files: string[]) => ({
    exists: (rel: string) => files.includes(rel),
    listDir: (rel: string) => [
      ...new Set(files.filter((f) => f.startsWith(`${rel}/`)).map((f) => f.slice(rel.length + 1).split('/')[0])),
    ],
  });

  it('finds src/main.rs as a binary named after the package', () => {
    const { exists, listDir } = fs(['src/main.rs']);
    expect(binaryNames(manifest(), exists, listDir)).toEqual(['api']);
  });

  it('finds no binary in a library crate', () => {
    const { exists, listDir } = fs(['src/lib.rs']);
    expect(binaryNames(manifest(), exists, listDir)).toEqual([]);
  });

  it('finds src/bin/*.rs files and src/bin/*/main.rs folders', () => {
    const { exists, listDir } = fs(['src/main.rs', 'src/bin/migrate.rs', 'src/bin/worker/main.rs', 'src/bin/helpers/mod.rs']);
    expect(binaryNames(manifest(), exists, listDir)).toEqual(['api', 'migrate', 'worker']);
  });

  it('lists [[bin]] targets first and does not list a discovered binary twice', () => {
    const { exists, listDir } = fs(['src/main.rs', 'src/bin/migrate.rs']);
    const m = manifest({ explicitBins: [{ name: 'api' }, { name: 'migrate', path: 'src/bin/migrate.rs' }] });
    expect(binaryNames(m, exists, listDir)).toEqual(['api', 'migrate']);
  });

  it('does not add src/main.rs under the package name when a [[bin]] with another name uses it', () => {
    const { exists, listDir } = fs(['src/main.rs']);
    const m = manifest({ explicitBins: [{ name: 'server', path: 'src/main.rs' }] });
    expect(binaryNames(m, exists, listDir)).toEqual(['server']);
  });

  it.each(['./src/main.rs', 'src/./main.rs', 'src//main.rs'])('sees [[bin]] path %j as src/main.rs, so the package name is not added for it', (path) => {
    const { exists, listDir } = fs(['src/main.rs']);
    expect(binaryNames(manifest({ explicitBins: [{ name: 'server', path }] }), exists, listDir)).toEqual(['server']);
  });

  it('sees a [[bin]] path src/bin/<x>/main.rs as the folder src/bin/<x>, not a second binary named <x>', () => {
    const { exists, listDir } = fs(['src/main.rs', 'src/bin/admin/main.rs', 'src/bin/worker/main.rs']);
    const m = manifest({ explicitBins: [{ name: 'admin-cli', path: 'src/bin/admin/main.rs' }, { name: 'jobs', path: './src/bin/worker/main.rs' }] });
    expect(binaryNames(m, exists, listDir)).toEqual(['admin-cli', 'jobs', 'api']);
  });

  it('sees a [[bin]] path ./src/bin/<x>.rs as that file, not a second binary named <x>', () => {
    const { exists, listDir } = fs(['src/bin/tool.rs', 'src/bin/other.rs']);
    expect(binaryNames(manifest({ explicitBins: [{ name: 'the-tool', path: './src/bin/tool.rs' }] }), exists, listDir)).toEqual(['the-tool', 'other']);
  });

  it('still discovers src/main.rs when the [[bin]] paths point elsewhere', () => {
    const { exists, listDir } = fs(['src/main.rs', 'src/cli.rs']);
    expect(binaryNames(manifest({ explicitBins: [{ name: 'cli', path: './src/cli.rs' }] }), exists, listDir)).toEqual(['cli', 'api']);
  });

  it('normalizes [[bin]] paths read by parseCargoManifest too', () => {
    const m = parseCargoManifest('[package]\nname = "svc"\n\n[[bin]]\nname = "svc-server"\npath = "./src/main.rs"\n\n[[bin]]\nname = "svc-admin"\npath = "src/bin/admin/main.rs"\n', 'svc/Cargo.toml');
    const { exists, listDir } = fs(['src/main.rs', 'src/bin/admin/main.rs', 'src/bin/report.rs']);
    expect(binaryNames(m, exists, listDir)).toEqual(['svc-server', 'svc-admin', 'report']);
  });

  it('only lists [[bin]] targets when autobins = false', () => {
    const { exists, listDir } = fs(['src/main.rs', 'src/bin/migrate.rs']);
    expect(binaryNames(manifest({ autobins: false, explicitBins: [{ name: 'cli', path: 'src/cli.rs' }] }), exists, listDir)).toEqual(['cli']);
    expect(binaryNames(manifest({ autobins: false }), exists, listDir)).toEqual([]);
  });

  it('discovers nothing for a manifest without [package]', () => {
    const { exists, listDir } = fs(['src/main.rs']);
    expect(binaryNames(manifest({ packageName: undefined }), exists, listDir)).toEqual([]);
  });

  it('does not list src/bin when no listDir is given', () => {
    expect(binaryNames(manifest(), (rel) => rel === 'src/main.rs')).toEqual(['api']);
  });

  it('works on a manifest from parseCargoManifest', () => {
    const m = parseCargoManifest('[package]\nname = "svc"\n\n[[bin]]\nname = "svc-admin"\npath = "src/admin.rs"\n', 'svc/Cargo.toml');
    const { exists, listDir } = fs(['src/main.rs', 'src/admin.rs']);
    expect(binaryNames(m, exists, listDir)).toEqual(['svc-admin', 'svc']);
  });
});

describe('hasLibrary', () => {
  const parse = (extra = '') => parseCargoManifest(`[package]\nname = "a"\n${extra}`, 'a/Cargo.toml');
  const withLib = (rel: string) => rel === 'src/lib.rs';
  const without = () => false;

  it('sees src/lib.rs as a library', () => {
    expect(hasLibrary(parse(), withLib)).toBe(true);
    expect(hasLibrary(parse(), without)).toBe(false);
  });

  it('sees a [lib] table as a library, wherever its file is', () => {
    expect(hasLibrary(parse('[lib]\npath = "lib/mod.rs"\n'), without)).toBe(true);
  });

  it('ignores src/lib.rs when autolib = false and there is no [lib]', () => {
    expect(hasLibrary(parse('autolib = false\n'), withLib)).toBe(false);
    expect(hasLibrary(parse('autolib = false\n[lib]\n'), withLib)).toBe(true);
  });
});
