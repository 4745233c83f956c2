import { parse as parseToml } from 'smol-toml';
import * as TOML from '@iarna/toml';
import { addWorkspaceMember, ensureCargoWorkspace, ensureWorkspaceDependencies, RELEASE_PROFILE } from './root-manifest';

type Doc = Record<string, any>;
const parse = (text: string): Doc => TOML.parse(text) as Doc;

const RELEASE = { strip: true, lto: true, 'codegen-units': 1, panic: 'abort', 'opt-level': 3 };

describe('ensureCargoWorkspace', () => {
  it('creates a virtual workspace with a resolver, no members and the release profile when there is no Cargo.toml', () => {
    const out = ensureCargoWorkspace(undefined);
    expect(parse(out)).toEqual({ workspace: { resolver: '2', members: [] }, profile: { release: RELEASE } });
    expect(out.endsWith('\n')).toBe(true);
    expect(out).toContain('members = []\n\n[profile.release]\n');
  });

  it('declares exactly the RELEASE_PROFILE keys', () => {
    expect(Object.keys(parse(ensureCargoWorkspace('')).profile.release)).toEqual(RELEASE_PROFILE.map(([k]) => k));
  });

  it('turns a package-only manifest into a workspace root, keeping the package, its order and comments', () => {
    const text = '# The app\n[package]\nname = "app" # crate name\nversion = "0.1.0"\n\n[dependencies]\nserde = "1" # serialization\n';
    const out = ensureCargoWorkspace(text);
    expect(out.startsWith(text)).toBe(true);
    const doc = parse(out);
    expect(doc.package).toEqual({ name: 'app', version: '0.1.0' });
    expect(doc.dependencies).toEqual({ serde: '1' });
    expect(doc.workspace).toEqual({ resolver: '2', members: [] });
    expect(doc.profile.release).toEqual(RELEASE);
  });

  it('keeps the user profile values and adds only the missing ones', () => {
    const text = [
      '[workspace]',
      'members = ["a"] # services',
      '',
      '[profile.release]',
      '# debuggable releases',
      'strip = false',
      'lto = "thin"',
      'debug = 1',
      '',
    ].join('\n');
    const out = ensureCargoWorkspace(text);
    expect(parse(out).profile.release).toEqual({
      strip: false,
      lto: 'thin',
      debug: 1,
      'codegen-units': 1,
      panic: 'abort',
      'opt-level': 3,
    });
    expect(out).toContain('# debuggable releases');
    expect(out).toContain('members = ["a"] # services');
  });

  it.each(['"3"', '"1"'])('keeps an existing resolver %s and the existing members', (resolver) => {
    const text = `[workspace]\nresolver = ${resolver}\nmembers = [\n  "a",\n]\n`;
    const doc = parse(ensureCargoWorkspace(text));
    expect(doc.workspace).toEqual({ resolver: JSON.parse(resolver), members: ['a'] });
  });

  it('adds a resolver to an existing workspace without one, and no members key when it has none', () => {
    const doc = parse(ensureCargoWorkspace('[workspace]\nexclude = ["tmp"]\n'));
    expect(doc.workspace).toEqual({ exclude: ['tmp'], resolver: '2' });
  });

  it('adds [workspace] to a manifest that only has [workspace.dependencies]', () => {
    const doc = parse(ensureCargoWorkspace('[workspace.dependencies]\nserde = "1"\n'));
    expect(doc.workspace).toEqual({ dependencies: { serde: '1' }, resolver: '2', members: [] });
  });

  it('keeps a release profile written with dotted keys, adding to it the same way (a second header is a duplicate key to Cargo)', () => {
    const text = ensureCargoWorkspace('[workspace]\nmembers = []\n\n[profile]\nrelease.lto = "thin"\n');
    const doc = parse(text);
    expect(doc.profile.release.lto).toBe('thin');
    expect(doc.profile.release.strip).toBe(true);
    expect(text).not.toContain('[profile.release]');
    expect(() => parseToml(text)).not.toThrow();
  });

  it('is idempotent', () => {
    for (const start of [undefined, '[package]\nname = "a"\n', '[workspace]\nmembers = ["x"]\n[profile.release]\nlto = false']) {
      const once = ensureCargoWorkspace(start);
      expect(ensureCargoWorkspace(once)).toBe(once);
    }
  });
});

describe('addWorkspaceMember', () => {
  it('appends a member, keeping the others and the comments', () => {
    const text = '[workspace]\n# all crates\nmembers = [\n    "libs/core", # shared code\n]\nresolver = "2"\n';
    const out = addWorkspaceMember(text, 'services/api');
    expect(parse(out).workspace.members).toEqual(['libs/core', 'services/api']);
    expect(out).toContain('# all crates');
    expect(out).toContain('"libs/core", # shared code');
  });

  it('creates the members key when the workspace has none', () => {
    expect(parse(addWorkspaceMember('[workspace]\nresolver = "2"\n', 'api')).workspace).toEqual({ resolver: '2', members: ['api'] });
  });

  it('does not add a member twice', () => {
    const text = '[workspace]\nmembers = ["api"]\n';
    expect(addWorkspaceMember(text, 'api')).toBe(text);
  });
});

describe('ensureWorkspaceDependencies', () => {
  const deps: Array<[string, string]> = [
    ['axum', '"0.8"'],
    ['tokio', '"1"'],
  ];

  it('creates [workspace.dependencies] when it is missing', () => {
    const out = ensureWorkspaceDependencies('[workspace]\nmembers = []\n', deps);
    expect(parse(out).workspace).toEqual({ members: [], dependencies: { axum: '0.8', tokio: '1' } });
  });

  it("adds only missing entries: the user's versions win", () => {
    const text = '[workspace.dependencies]\n# pinned on purpose\ntokio = { version = "=1.40.0", features = ["full"] }\n';
    const out = ensureWorkspaceDependencies(text, deps);
    expect(parse(out).workspace.dependencies).toEqual({
      tokio: { version: '=1.40.0', features: ['full'] },
      axum: '0.8',
    });
    expect(out).toContain('# pinned on purpose');
  });

  it('changes nothing when every entry is there', () => {
    const text = '[workspace.dependencies]\naxum = "0.7"\ntokio = "1.0"\n';
    expect(ensureWorkspaceDependencies(text, deps)).toBe(text);
  });
});
