import { posix } from 'node:path';
import { modelOf, pkg } from '../testing/fixtures';
import { parseCargoManifest } from './manifest';
import { addEdgesThroughExternals, addPossibleEdgesThroughExternals, buildWorkspaceModel, dependencyClosure, globToRegExp, joinDir, outgoing, type CargoWorkspaceModel } from './workspace';

const workspaceOf = (model: CargoWorkspaceModel) =>
  Object.fromEntries([...model.crates.values()].map((c) => [c.dir, c.workspaceDir]));

const edges = (model: CargoWorkspaceModel) => model.dependencies.map((d) => `${d.from} -${d.kind}${d.target ? `(${d.target})` : ''}-> ${d.to}`);

describe('globToRegExp', () => {
  it.each([
    ['crates/*', 'crates/api', true],
    ['crates/*', 'crates/api/sub', false],
    ['crates/*', 'crates', false],
    ['crates/*', 'other/api', false],
    ['crates/*/', 'crates/api', true],
    ['./crates/*', 'crates/api', true],
    ['libs/**', 'libs/core', true],
    ['libs/**', 'libs/a/b/c', true],
    ['libs/**/util', 'libs/util', true],
    ['libs/**/util', 'libs/a/b/util', true],
    ['svc-?', 'svc-a', true],
    ['svc-?', 'svc-ab', false],
    ['svc-?', 'svc-/', false],
    ['svc-[ab]', 'svc-b', true],
    ['svc-[ab]', 'svc-c', false],
    ['svc-[!ab]', 'svc-c', true],
    ['svc-[!ab]', 'svc-a', false],
    ['a.b/*', 'a.b/x', true],
    ['a.b/*', 'axb/x', false],
    ['api', 'api', true],
    ['api', 'api2', false],
  ])('%s matches %s: %s', (glob, dir, expected) => {
    expect(globToRegExp(glob).test(dir)).toBe(expected);
  });

  it('does not let ** match part of a folder name', () => {
    expect(globToRegExp('libs/**/util').test('libs/notutil')).toBe(false);
  });
});

describe('joinDir', () => {
  it.each([
    ['.', 'crates/a', 'crates/a'],
    ['crates/a', '../b', 'crates/b'],
    ['crates/a', '../..', '.'],
    ['a', './', 'a'],
    ['a', '../../x', '../x'],
  ])('joins %s and %s into %s', (base, rel, expected) => {
    expect(joinDir(base, rel)).toBe(expected);
  });

  it('agrees with posix.normalize(posix.join(...)) on random paths', () => {
    const pieces = ['a', 'bb', '.', '..', '', 'c.d', '..x'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % pieces.length;
    const randomPath = (lead: string) => lead + Array.from({ length: 1 + (seed % 5) }, () => pieces[next()]).join('/');
    for (let i = 0; i < 2000; i++) {
      const base = i % 7 === 0 ? '.' : i % 17 === 0 ? '' : randomPath(i % 11 === 0 ? '/' : '');
      const rel = randomPath(i % 13 === 0 ? '/' : '');
      const expected = posix.normalize(posix.join(base, rel)).replace(/\/$/, '') || '.';
      expect([base, rel, joinDir(base, rel)]).toEqual([base, rel, expected]);
    }
  });
});

describe('buildWorkspaceModel', () => {
  describe('membership', () => {
    const model = modelOf({
      'Cargo.toml': '[workspace]\nmembers = ["crates/*", "libs/**"]\nexclude = ["crates/legacy"]\n',
      'crates/api/Cargo.toml': pkg('api'),
      'crates/worker/Cargo.toml': pkg('worker'),
      'crates/legacy/Cargo.toml': pkg('legacy'),
      'libs/core/Cargo.toml': pkg('core'),
      'libs/deep/util/Cargo.toml': pkg('util'),
      'tools/stray/Cargo.toml': pkg('stray'),
      'tools/xtask/Cargo.toml': `${pkg('xtask')}\n[workspace]\nmembers = ["sub"]\n`,
      'tools/xtask/sub/Cargo.toml': pkg('xtask-sub'),
      'crates/api/tests/fixture/Cargo.toml': '[workspace]\n',
    });

    it('keys crates by folder and skips manifests without [package]', () => {
      expect([...model.crates.keys()].sort()).toEqual([
        'crates/api',
        'crates/legacy',
        'crates/worker',
        'libs/core',
        'libs/deep/util',
        'tools/stray',
        'tools/xtask',
        'tools/xtask/sub',
      ]);
      expect(model.crates.get('crates/api')!.name).toBe('api');
    });

    it('lists every manifest with [workspace] as a workspace', () => {
      expect([...model.workspaces.keys()].sort()).toEqual(['.', 'crates/api/tests/fixture', 'tools/xtask']);
    });

    it('places glob members in the root workspace and the nested workspace crates in theirs', () => {
      expect(workspaceOf(model)).toEqual({
        'crates/api': '.',
        'crates/worker': '.',
        'crates/legacy': undefined,
        'libs/core': '.',
        'libs/deep/util': '.',
        'tools/stray': undefined,
        'tools/xtask': 'tools/xtask',
        'tools/xtask/sub': 'tools/xtask',
      });
    });

    it('warns about a crate inside the workspace folder that is neither a member nor excluded', () => {
      expect(model.warnings).toEqual([
        {
          file: 'tools/stray/Cargo.toml',
          message: expect.stringContaining('crate "stray" is inside the Cargo workspace at Cargo.toml but is not a member; add "tools/stray"'),
        },
      ]);
    });

    it('leaves a crate outside every workspace standalone, without a warning', () => {
      const m = modelOf({
        'ws/Cargo.toml': '[workspace]\nmembers = ["a"]\n',
        'ws/a/Cargo.toml': pkg('a'),
        'tools/cli/Cargo.toml': pkg('cli'),
      });
      expect(workspaceOf(m)).toEqual({ 'ws/a': 'ws', 'tools/cli': undefined });
      expect(m.warnings).toEqual([]);
    });

    it('makes a root package a member of its own workspace', () => {
      const m = modelOf({ 'Cargo.toml': `${pkg('app')}\n[workspace]\nmembers = ["lib"]\n`, 'lib/Cargo.toml': pkg('lib') });
      expect(workspaceOf(m)).toEqual({ '.': '.', lib: '.' });
    });

    it('follows package.workspace to an explicit root', () => {
      const m = modelOf({
        'Cargo.toml': '[workspace]\nmembers = ["ext/plugin"]\n',
        'ext/plugin/Cargo.toml': pkg('plugin', '[package.metadata.x]\ny = 1').replace('edition', 'workspace = "../.."\nedition'),
      });
      expect(m.crates.get('ext/plugin')!.manifest.workspaceRootHint).toBe('../..');
      expect(workspaceOf(m)).toEqual({ 'ext/plugin': '.' });
    });

    const hinted = (name: string, root: string, extra = '') => pkg(name, extra).replace('edition', `workspace = "${root}"\nedition`);

    it('warns when package.workspace names a workspace whose members do not list the crate, and leaves it out of that workspace', () => {
      const m = modelOf({
        'ws/Cargo.toml': '[workspace]\nmembers = ["api"]\n',
        'ws/api/Cargo.toml': pkg('api'),
        'tools/x/Cargo.toml': hinted('x', '../../ws'),
      });
      expect(workspaceOf(m)).toEqual({ 'ws/api': 'ws', 'tools/x': undefined });
      expect(m.warnings).toEqual([
        {
          file: 'tools/x/Cargo.toml',
          message: 'package.workspace names ws/Cargo.toml, whose members do not list "../tools/x"; Cargo rejects that: add it to members',
        },
      ]);
    });

    it('warns the same for a crate inside the workspace folder that the members do not list, naming it relative to the root', () => {
      const m = modelOf({
        'Cargo.toml': '[workspace]\nmembers = ["api"]\n',
        'api/Cargo.toml': pkg('api'),
        'ext/plugin/Cargo.toml': hinted('plugin', '../..'),
      });
      expect(m.crates.get('ext/plugin')!.workspaceDir).toBeUndefined();
      expect(m.warnings).toContainEqual({
        file: 'ext/plugin/Cargo.toml',
        message: 'package.workspace names Cargo.toml, whose members do not list "ext/plugin"; Cargo rejects that: add it to members',
      });
    });

    it('leaves out a crate whose package.workspace names a workspace that excludes it', () => {
      const m = modelOf({
        'Cargo.toml': '[workspace]\nmembers = ["ext/*"]\nexclude = ["ext/plugin"]\n',
        'ext/plugin/Cargo.toml': hinted('plugin', '../..'),
        'ext/other/Cargo.toml': pkg('other'),
      });
      expect(workspaceOf(m)).toEqual({ 'ext/plugin': undefined, 'ext/other': '.' });
      expect(m.warnings.map((w) => w.file)).toEqual(['ext/plugin/Cargo.toml']);
    });

    it('does not place a crate by its folder when package.workspace names another workspace', () => {
      const m = modelOf({
        'Cargo.toml': '[workspace]\nmembers = ["nested/*"]\n',
        'nested/x/Cargo.toml': hinted('x', '../../other'),
        'other/Cargo.toml': '[workspace]\nmembers = ["../nested/x"]\n',
      });
      expect(workspaceOf(m)).toEqual({ 'nested/x': 'other' });
    });

    it('accepts package.workspace on a crate that is an implicit member through a path dependency', () => {
      const m = modelOf({
        'Cargo.toml': '[workspace]\nmembers = ["api"]\n',
        'api/Cargo.toml': pkg('api', '[dependencies]\nplugin = { path = "../ext/plugin" }'),
        'ext/plugin/Cargo.toml': hinted('plugin', '../..'),
      });
      expect(workspaceOf(m)).toEqual({ api: '.', 'ext/plugin': '.' });
      expect(m.warnings).toEqual([]);
    });

    it('warns when package.workspace points where there is no workspace', () => {
      const m = modelOf({ 'a/Cargo.toml': pkg('a').replace('edition', 'workspace = ".."\nedition') });
      expect(workspaceOf(m)).toEqual({ a: undefined });
      expect(m.warnings).toEqual([{ file: 'a/Cargo.toml', message: 'package.workspace points to .., where there is no [workspace]' }]);
    });

    it('warns about a member without a Cargo.toml and a glob that matches no crate', () => {
      const m = modelOf({
        'Cargo.toml': '[workspace]\nmembers = ["api", "services/*", "ghost"]\n',
        'api/Cargo.toml': pkg('api'),
      });
      expect(m.warnings).toEqual([
        { file: 'Cargo.toml', message: 'workspace glob "services/*" matches no crate'.replace('workspace glob', 'workspace member glob') },
        {
          file: 'Cargo.toml',
          line: undefined,
          message: 'workspace member "ghost" has no Cargo.toml; remove it from [workspace] members or create the crate',
        },
      ]);
    });

    it('makes crates reached by path dependencies from members implicit members', () => {
      const m = modelOf({
        'Cargo.toml': '[workspace]\nmembers = ["api"]\nexclude = ["vendor"]\n',
        'api/Cargo.toml': pkg('api', '[dependencies]\nhelper = { path = "../internal/helper" }\npatched = { path = "../vendor/patched" }'),
        'internal/helper/Cargo.toml': pkg('helper', '[dependencies]\nleaf = { path = "../leaf" }'),
        'internal/leaf/Cargo.toml': pkg('leaf'),
        'vendor/patched/Cargo.toml': pkg('patched'),
      });
      expect(workspaceOf(m)).toEqual({ api: '.', 'internal/helper': '.', 'internal/leaf': '.', 'vendor/patched': undefined });
      expect(m.warnings).toEqual([]);
    });

    it('does not pull a crate of a nested workspace into the outer one through a path dependency', () => {
      const m = modelOf({
        'Cargo.toml': '[workspace]\nmembers = ["api"]\n',
        'api/Cargo.toml': pkg('api', '[dependencies]\nother = { path = "../nested/other" }'),
        'nested/Cargo.toml': '[workspace]\nmembers = []\n',
        'nested/other/Cargo.toml': pkg('other'),
      });
      expect(m.crates.get('nested/other')!.workspaceDir).toBeUndefined();
    });

    it('resolves workspace = true dependencies of implicit members', () => {
      const m = modelOf({
        'Cargo.toml': '[workspace]\nmembers = ["api", "core"]\n\n[workspace.dependencies]\ncore = { path = "core" }\n',
        'api/Cargo.toml': pkg('api', '[dependencies]\nhelper = { path = "../helper" }'),
        'helper/Cargo.toml': pkg('helper', '[dependencies]\ncore = { workspace = true }'),
        'core/Cargo.toml': pkg('core'),
      });
      expect(m.crates.get('helper')!.workspaceDir).toBe('.');
      expect(m.warnings).toEqual([]);
      expect(edges(m)).toContain('helper -normal-> core');
    });
  });

  describe('dependencies', () => {
    const model = modelOf({
      'Cargo.toml': [
        '[workspace]',
        'members = ["services/*", "libs/*", "tools/*"]',
        '',
        '[workspace.dependencies]',
        'serde = "1"',
        'core = { path = "libs/core" }',
        'db = { path = "libs/db-client", package = "db-client" }',
      ].join('\n'),
      'services/api/Cargo.toml': pkg(
        'api',
        [
          '[dependencies]',
          'serde = { workspace = true }',
          'core = { workspace = true }',
          'db = { workspace = true }',
          'missing = { workspace = true }',
          'ghost = { path = "../ghost" }',
          '',
          '[dev-dependencies]',
          'fixtures = { path = "../../libs/fixtures" }',
          '',
          '[build-dependencies]',
          'codegen = { path = "../../tools/codegen" }',
          '',
          "[target.'cfg(unix)'.dependencies]",
          'unix = { path = "../../libs/unix" }',
        ].join('\n'),
      ),
      'libs/core/Cargo.toml': pkg('core'),
      'libs/db-client/Cargo.toml': pkg('db-client', '[dependencies]\ncore = { path = "../core" }'),
      'libs/fixtures/Cargo.toml': pkg('fixtures', '[dependencies]\ndb = { workspace = true }'),
      'libs/unix/Cargo.toml': pkg('unix'),
      'tools/codegen/Cargo.toml': pkg('codegen'),
    });

    it('links crates by folder for every kind, through paths and [workspace.dependencies]', () => {
      expect(edges(model).sort()).toEqual(
        [
          'services/api -normal-> libs/core',
          'services/api -normal-> libs/db-client',
          'services/api -dev-> libs/fixtures',
          'services/api -build-> tools/codegen',
          'services/api -normal(cfg(unix))-> libs/unix',
          'libs/db-client -normal-> libs/core',
          'libs/fixtures -normal-> libs/db-client',
        ].sort(),
      );
    });

    it('warns about a workspace = true dependency without a [workspace.dependencies] entry, with its line', () => {
      expect(model.warnings).toContainEqual({
        file: 'services/api/Cargo.toml',
        line: 10,
        message: 'dependency "missing" uses workspace = true, but the workspace has no [workspace.dependencies] entry "missing"',
      });
    });

    it('warns about a path dependency to a folder without a crate, with its line', () => {
      expect(model.warnings).toContainEqual({
        file: 'services/api/Cargo.toml',
        line: 11,
        message: 'path dependency "ghost" points to services/ghost, where there is no crate (no Cargo.toml with [package])',
      });
    });

    it('raises no other warning', () => {
      expect(model.warnings).toHaveLength(2);
    });

    it('warns about workspace = true in a crate that has no workspace', () => {
      const m = modelOf({ 'cli/Cargo.toml': pkg('cli', '[dependencies]\nserde = { workspace = true }') });
      expect(m.warnings).toEqual([expect.objectContaining({ file: 'cli/Cargo.toml', line: 7, message: expect.stringContaining('"serde" uses workspace = true') })]);
    });

    it('drops dependencies on crates that hasLibrary says have no library target', () => {
      const manifests = {
        'Cargo.toml': '[workspace]\nmembers = ["api", "lib", "bin-only"]\n',
        'api/Cargo.toml': pkg('api', '[dependencies]\nlib = { path = "../lib" }\nbin-only = { path = "../bin-only" }'),
        'lib/Cargo.toml': pkg('lib'),
        'bin-only/Cargo.toml': pkg('bin-only'),
      };
      const m = buildWorkspaceModel(
        Object.entries(manifests).map(([file, text]) => parseCargoManifest(text, file)),
        { hasLibrary: (crate) => crate.name !== 'bin-only' },
      );
      expect(edges(m)).toEqual(['api -normal-> lib']);
      expect(m.warnings).toEqual([
        { file: 'api/Cargo.toml', line: 8, message: 'dependency "bin-only" points to crate "bin-only", which has no library target; Cargo ignores it' },
      ]);
      expect(edges(modelOf(manifests))).toEqual(['api -normal-> lib', 'api -normal-> bin-only']);
    });

    it('warns about a dependency cycle through normal and build dependencies', () => {
      const m = modelOf({
        'Cargo.toml': '[workspace]\nmembers = ["a", "b", "c"]\n',
        'a/Cargo.toml': pkg('a', '[dependencies]\nb = { path = "../b" }'),
        'b/Cargo.toml': pkg('b', '[build-dependencies]\nc = { path = "../c" }'),
        'c/Cargo.toml': pkg('c', '[dependencies]\na = { path = "../a" }'),
      });
      expect(m.warnings).toEqual([{ file: 'a/Cargo.toml', message: 'dependency cycle: a -> b -> c -> a' }]);
    });

    it('accepts a cycle through a dev-dependency, as Cargo does', () => {
      const m = modelOf({
        'Cargo.toml': '[workspace]\nmembers = ["a", "b"]\n',
        'a/Cargo.toml': pkg('a', '[dependencies]\nb = { path = "../b" }'),
        'b/Cargo.toml': pkg('b', '[dev-dependencies]\na = { path = "../a" }'),
      });
      expect(m.warnings).toEqual([]);
      expect(edges(m)).toEqual(['a -normal-> b', 'b -dev-> a']);
    });
  });
});

describe('dependencyClosure', () => {
  const model = modelOf({
    'Cargo.toml': '[workspace]\nmembers = ["*"]\n',
    'api/Cargo.toml': pkg('api', '[dependencies]\ncore = { path = "../core" }\n[dev-dependencies]\nfixtures = { path = "../fixtures" }\n[build-dependencies]\ngen = { path = "../gen" }'),
    'core/Cargo.toml': pkg('core', '[dependencies]\nutil = { path = "../util" }\n[dev-dependencies]\ncore-test = { path = "../core-test" }'),
    'util/Cargo.toml': pkg('util', '[dependencies]\ncore = { path = "../core" }'),
    'fixtures/Cargo.toml': pkg('fixtures', '[dependencies]\nfaker = { path = "../faker" }'),
    'faker/Cargo.toml': pkg('faker'),
    'gen/Cargo.toml': pkg('gen'),
    'core-test/Cargo.toml': pkg('core-test'),
    'unrelated/Cargo.toml': pkg('unrelated'),
  });

  const closure = (...args: Parameters<typeof dependencyClosure>) => dependencyClosure(...args).sort();

  it('follows normal and build dependencies by default, starting with the crate itself', () => {
    expect(dependencyClosure(model, 'api')[0]).toBe('api');
    expect(closure(model, 'api')).toEqual(['api', 'core', 'gen', 'util']);
  });

  it('follows dev-dependencies at every level when asked, and terminates on cycles', () => {
    expect(closure(model, 'api', ['normal', 'build', 'dev'])).toEqual(['api', 'core', 'core-test', 'faker', 'fixtures', 'gen', 'util']);
  });

  it('follows only the given kinds', () => {
    expect(closure(model, 'api', ['normal'])).toEqual(['api', 'core', 'util']);
    expect(closure(model, 'api', ['dev'])).toEqual(['api', 'fixtures']);
  });

  it('is the crate alone when it has no dependencies', () => {
    expect(dependencyClosure(model, 'unrelated')).toEqual(['unrelated']);
  });

  it('indexes outgoing dependencies by folder, once per model', () => {
    const index = outgoing(model);
    expect(index.get('api')!.map((d) => `${d.kind}:${d.to}`)).toEqual(['normal:core', 'dev:fixtures', 'build:gen']);
    expect(index.get('unrelated')).toBeUndefined();
    expect(outgoing(model)).toBe(index);
  });
});

describe('[patch] and [replace] path overrides', () => {
  const overrideEdges = (model: CargoWorkspaceModel) =>
    model.dependencies
      .filter((d) => d.through)
      .map((d) => `${d.from} -${d.kind}${d.target ? `(${d.target})` : ''}-> ${d.to} (${'override' in d.through! ? d.through.override : `via ${d.through!.external}`})`)
      .sort();

  it('gives every crate that depends on the registry package an edge to the local crate, with its kind and target', () => {
    const m = modelOf({
      'Cargo.toml': '[workspace]\nmembers = ["a", "b", "c"]\n\n[patch.crates-io]\nitoa = { path = "libs/itoa" }\n',
      'a/Cargo.toml': pkg('a', '[dependencies]\nitoa = "1"'),
      'b/Cargo.toml': pkg('b', "[dev-dependencies]\nitoa = { version = \"1\", features = [\"std\"] }\n[target.'cfg(unix)'.build-dependencies]\nitoa = \"1\""),
      'c/Cargo.toml': pkg('c', '[dependencies]\nryu = "1"'),
      'libs/itoa/Cargo.toml': pkg('itoa'),
    });
    expect(overrideEdges(m)).toEqual([
      'a -normal-> libs/itoa (patch)',
      'b -build(cfg(unix))-> libs/itoa (patch)',
      'b -dev-> libs/itoa (patch)',
    ]);
    // Not a member (Cargo does not make patch targets members): a crate of its own.
    expect(m.crates.get('libs/itoa')!.workspaceDir).toBeUndefined();
  });

  it('follows renames, workspace inheritance and patches of a member crate', () => {
    const m = modelOf({
      'Cargo.toml': '[workspace]\nmembers = ["a", "serde"]\n\n[workspace.dependencies]\nserde = "1"\n\n[patch.crates-io]\nserde = { path = "serde" }\n',
      'a/Cargo.toml': pkg('a', '[dependencies]\nserde = { workspace = true }\nser = { version = "1", package = "serde" }'),
      'serde/Cargo.toml': pkg('serde'),
    });
    expect(overrideEdges(m)).toEqual(['a -normal-> serde (patch)']);
  });

  it('matches the source: a crates.io patch leaves git and other-registry dependencies alone, and theirs apply to them', () => {
    const m = modelOf({
      'Cargo.toml': [
        '[workspace]',
        'members = ["a", "b", "c"]',
        '[patch.crates-io]',
        'tool = { path = "forks/crates-tool" }',
        '[patch."https://github.com/acme/tool"]',
        'tool = { path = "forks/git-tool" }',
        '[patch.my-registry]',
        'tool = { path = "forks/registry-tool" }',
      ].join('\n'),
      'a/Cargo.toml': pkg('a', '[dependencies]\ntool = "1"'),
      'b/Cargo.toml': pkg('b', '[dependencies]\ntool = { git = "https://github.com/acme/tool.git", branch = "main" }'),
      'c/Cargo.toml': pkg('c', '[dependencies]\ntool = { version = "1", registry = "my-registry" }'),
      'forks/crates-tool/Cargo.toml': pkg('tool'),
      'forks/git-tool/Cargo.toml': pkg('tool'),
      'forks/registry-tool/Cargo.toml': pkg('tool'),
    });
    expect(overrideEdges(m)).toEqual([
      'a -normal-> forks/crates-tool (patch)',
      'b -normal-> forks/git-tool (patch)',
      'c -normal-> forks/registry-tool (patch)',
    ]);
  });

  it('matches a patch by the name of the crate it points to', () => {
    const m = modelOf({
      'Cargo.toml': '[workspace]\nmembers = ["a"]\n[patch.crates-io]\nanything = { path = "forks/json" }\n',
      'a/Cargo.toml': pkg('a', '[dependencies]\nserde_json = "1"'),
      'forks/json/Cargo.toml': pkg('serde_json'),
    });
    expect(overrideEdges(m)).toEqual(['a -normal-> forks/json (patch)']);
  });

  it('applies to path dependencies outside the workspace and to the patched crates themselves, not to dev-dependencies of non-members', () => {
    const m = modelOf({
      'ws/Cargo.toml': '[workspace]\nmembers = ["a"]\n[patch.crates-io]\nitoa = { path = "../forks/itoa" }\nryu = { path = "../forks/ryu" }\n',
      'ws/a/Cargo.toml': pkg('a', '[dependencies]\nshared = { path = "../../shared" }'),
      'shared/Cargo.toml': pkg('shared', '[dependencies]\nitoa = "1"\n[dev-dependencies]\nryu = "1"'),
      'forks/itoa/Cargo.toml': pkg('itoa', '[dependencies]\nryu = "1"'),
      'forks/ryu/Cargo.toml': pkg('ryu'),
    });
    expect(overrideEdges(m)).toEqual(['forks/itoa -normal-> forks/ryu (patch)', 'shared -normal-> forks/itoa (patch)']);
  });

  it('ignores [patch] in a member manifest, as Cargo does (with a warning of its own)', () => {
    const m = modelOf({
      'Cargo.toml': '[workspace]\nmembers = ["a"]\n',
      'a/Cargo.toml': pkg('a', '[dependencies]\nitoa = "1"\n[patch.crates-io]\nitoa = { path = "../forks/itoa" }'),
      'forks/itoa/Cargo.toml': pkg('itoa'),
    });
    expect(overrideEdges(m)).toEqual([]);
  });

  it('applies a standalone crate’s own [patch]', () => {
    const m = modelOf({
      'tool/Cargo.toml': pkg('tool', '[dependencies]\nitoa = "1"\n[patch.crates-io]\nitoa = { path = "../forks/itoa" }'),
      'forks/itoa/Cargo.toml': pkg('itoa'),
    });
    expect(overrideEdges(m)).toEqual(['tool -normal-> forks/itoa (patch)']);
  });

  it('reads [replace] entries by package name', () => {
    const m = modelOf({
      'Cargo.toml': '[workspace]\nmembers = ["a"]\n[replace]\n"itoa:1.0.19" = { path = "forks/itoa" }\n',
      'a/Cargo.toml': pkg('a', '[dependencies]\nitoa = "1.0"'),
      'forks/itoa/Cargo.toml': pkg('itoa'),
    });
    expect(overrideEdges(m)).toEqual(['a -normal-> forks/itoa (replace)']);
  });

  it('warns about an entry pointing where there is no crate, and about one outside the Nx workspace', () => {
    const m = modelOf({
      'Cargo.toml': '[workspace]\nmembers = ["a"]\n\n[patch.crates-io]\nitoa = { path = "forks/itoa" }\nryu = { path = "../../elsewhere/ryu" }\n',
      'a/Cargo.toml': pkg('a', '[dependencies]\nitoa = "1"\nryu = "1"'),
    });
    expect(overrideEdges(m)).toEqual([]);
    expect(m.warnings).toEqual([
      {
        file: 'Cargo.toml',
        line: 5,
        message: '[patch] entry "itoa" points to forks/itoa, where there is no crate (no Cargo.toml with [package]); Cargo rejects the workspace',
      },
      {
        file: 'Cargo.toml',
        line: 6,
        message: '[patch] entry "ryu" points to ../../elsewhere/ryu, outside the Nx workspace: Nx cannot see its files, so an edit there invalidates no cache',
      },
    ]);
  });

  it('adds the edges Cargo.lock shows through external crates, with the kind of the crate’s own dependency', () => {
    const m = modelOf({
      'Cargo.toml': '[workspace]\nmembers = ["a", "b"]\n\n[patch.crates-io]\nitoa = { path = "forks/itoa" }\n',
      'a/Cargo.toml': pkg('a', '[dependencies]\njson = { version = "1", package = "serde_json" }\n[dev-dependencies]\nserde_json = "1"'),
      'b/Cargo.toml': pkg('b', '[build-dependencies]\nhelper = "1"'),
      'forks/itoa/Cargo.toml': pkg('itoa'),
    });
    addEdgesThroughExternals(m, '.', {
      a: { serde_json: [{ name: 'itoa', version: '0.1.0' }] },
      b: { helper: [{ name: 'itoa', version: '0.1.0' }] },
      // A lockfile that names a crate the manifests do not know: nothing to add.
      c: { other: [{ name: 'itoa', version: '0.1.0' }] },
    });
    expect(overrideEdges(m)).toEqual([
      'a -dev-> forks/itoa (via serde_json)',
      'a -normal-> forks/itoa (via serde_json)',
      'b -build-> forks/itoa (via helper)',
    ]);
    // The closure index follows the new edges.
    expect(dependencyClosure(m, 'b', ['build'])).toEqual(['b', 'forks/itoa']);
  });
});

describe('default-members', () => {
  it('changes neither membership nor edges', () => {
    const manifests = {
      'Cargo.toml': '[workspace]\nmembers = ["a", "b"]\n',
      'a/Cargo.toml': pkg('a', '[dependencies]\nb = { path = "../b" }'),
      'b/Cargo.toml': pkg('b'),
    };
    const plain = modelOf(manifests);
    const withDefaults = modelOf({ ...manifests, 'Cargo.toml': '[workspace]\nmembers = ["a", "b"]\ndefault-members = ["b"]\n' });
    expect(workspaceOf(withDefaults)).toEqual(workspaceOf(plain));
    expect(edges(withDefaults)).toEqual(edges(plain));
    expect(withDefaults.warnings).toEqual([]);
  });

  it('warns about a default member that is not a member, which Cargo rejects', () => {
    const m = modelOf({
      'Cargo.toml': '[workspace]\nmembers = ["a"]\ndefault-members = ["a", "tools/x"]\n',
      'a/Cargo.toml': pkg('a'),
      'tools/x/Cargo.toml': pkg('x'),
    });
    expect(m.warnings.map((w) => w.message)).toContainEqual(
      'default-members entry "tools/x" is not a workspace member; Cargo rejects the workspace: add it to members or remove it from default-members',
    );
  });

  it('accepts the root package and implicit members as default members', () => {
    const m = modelOf({
      'Cargo.toml': pkg('root', '[dependencies]\nhelper = { path = "helper" }\n[workspace]\ndefault-members = [".", "helper"]'),
      'helper/Cargo.toml': pkg('helper'),
    });
    expect(m.warnings).toEqual([]);
  });
});

describe('edges through external crates without Cargo.lock', () => {
  it('links every crate with a dependency from the overridden source to the local crate, keeping kinds', () => {
    const m = modelOf({
      'Cargo.toml': '[workspace]\nmembers = ["a", "b", "c"]\n\n[patch.crates-io]\nitoa = { path = "forks/itoa" }\n',
      'a/Cargo.toml': pkg('a', '[dependencies]\nserde_json = "1"'),
      'b/Cargo.toml': pkg('b', '[dev-dependencies]\nserde_json = "1"'),
      'c/Cargo.toml': pkg('c', '[dependencies]\ntool = { git = "https://github.com/acme/tool" }'),
      'forks/itoa/Cargo.toml': pkg('itoa', '[dependencies]\nryu = "1"'),
    });
    addPossibleEdgesThroughExternals(m, '.');
    expect(m.dependencies.map((d) => `${d.from} -${d.kind}-> ${d.to}`).sort()).toEqual(['a -normal-> forks/itoa', 'b -dev-> forks/itoa']);
  });

  it('adds nothing to a root without overrides', () => {
    const m = modelOf({ 'Cargo.toml': '[workspace]\nmembers = ["a"]\n', 'a/Cargo.toml': pkg('a', '[dependencies]\nserde_json = "1"') });
    addPossibleEdgesThroughExternals(m, '.');
    expect(m.dependencies).toEqual([]);
  });
});
