import * as TOML from '@iarna/toml';
import { addToStringArray, appendToArray, ensureTableEntries, findTable, findValue, listTables, readStringArray } from './toml-text';

type Doc = Record<string, any>;
const parse = (text: string): Doc => TOML.parse(text) as Doc;

/** Every comment line or trailing comment of `before` is still in `after`. */
function expectCommentsKept(before: string, after: string): void {
  const comments = before.match(/#[^\n]*/g) ?? [];
  for (const comment of comments) expect(after).toContain(comment);
}

function members(text: string): string[] {
  return parse(text).workspace.members;
}

/** The text of a value found with findValue. */
function valueText(text: string, table: string, key: string): string | undefined {
  const span = findValue(text, findTable(text, table)!, key);
  return span && text.slice(span.valueStart, span.valueEnd);
}

describe('toml-text', () => {
  it('adds a member to a multi-line array, keeping comments and layout', () => {
    const text = `# my workspace\n[workspace]\nresolver = "2"\nmembers = [\n    "a", # first\n    "b"\n]\n`;
    const out = addToStringArray(text, 'workspace', 'members', 'c');
    expect(out).toContain('# my workspace');
    expect(out).toContain('"a", # first');
    expect((TOML.parse(out) as any).workspace.members).toEqual(['a', 'b', 'c']);
    expect(out).toContain('    "b",\n    "c",\n]');
  });

  describe('listTables', () => {
    it('lists the root table first, then every header in order with its kind', () => {
      const text = [
        'cargo-features = []',
        '[package]',
        'name = "app"',
        '',
        '[[bin]]',
        'name = "one"',
        '',
        '[[bin]]',
        'name = "two"',
        '',
        "[target.'cfg(unix)'.dependencies]",
        'libc = "0.2"',
        '',
        '[ profile . "release" ]',
        'lto = true',
      ].join('\n');
      const tables = listTables(text);
      expect(tables.map((t) => [t.name, t.isArrayTable])).toEqual([
        ['', false],
        ['package', false],
        ['bin', true],
        ['bin', true],
        ['target.cfg(unix).dependencies', false],
        ['profile.release', false],
      ]);
    });

    it('gives each table a span that ends where the next header starts', () => {
      const text = '[a]\nx = 1\n\n[b]\ny = 2';
      const [root, a, b] = listTables(text);
      expect(root.end).toBe(0);
      expect(text.slice(a.headerStart, a.bodyStart)).toBe('[a]\n');
      expect(text.slice(a.bodyStart, a.end)).toBe('x = 1\n\n');
      expect(text.slice(b.bodyStart, b.end)).toBe('y = 2');
      expect(b.end).toBe(text.length);
    });

    it('does not take brackets inside strings, arrays, multi-line strings or comments for headers', () => {
      const text = [
        '[package]',
        'name = "app"',
        'description = """',
        '[not-a-table]',
        '"""',
        "notes = '''",
        '[also-not]',
        "'''",
        'keywords = [',
        '  "[x]", # [comment]',
        '  "]",',
        ']',
        '# [commented-out]',
        'homepage = "https://example.com/#[frag]"',
        '[dependencies]',
        'serde = "1"',
      ].join('\n');
      expect(listTables(text).map((t) => t.name)).toEqual(['', 'package', 'dependencies']);
      expect(parse(text).package.keywords).toEqual(['[x]', ']']);
    });

    it('handles a header on the last line without a trailing newline', () => {
      const text = 'a = 1\n[workspace]';
      const tables = listTables(text);
      expect(tables.map((t) => t.name)).toEqual(['', 'workspace']);
      expect(tables[1].bodyStart).toBe(text.length);
      expect(tables[1].end).toBe(text.length);
    });
  });

  describe('findTable', () => {
    it('finds a table by its normalized dotted name', () => {
      const text = '[package]\nname = "a"\n\n["profile".release]\nlto = true\n';
      const table = findTable(text, 'profile.release')!;
      expect(text.slice(table.bodyStart, table.end)).toBe('lto = true\n');
    });

    it('does not confuse an array table [[bin]] with a table [bin]', () => {
      const text = '[[bin]]\nname = "a"\n';
      expect(findTable(text, 'bin')).toBeUndefined();
    });

    it('returns undefined for a missing table', () => {
      expect(findTable('[package]\nname = "a"\n', 'workspace')).toBeUndefined();
    });
  });

  describe('findValue', () => {
    const text = [
      '[workspace]',
      '# members = ["commented"]',
      'description = """',
      'members = ["inside a string"]',
      '"""',
      'exclude = [',
      '  "x", # members = ["in a comment"]',
      ']',
      '"default-members" = ["a"]',
      'members = ["a", "b"] # the real one',
      '',
      '[other]',
      'resolver = "2"',
    ].join('\n');

    it('finds the real key, skipping comments, multi-line strings and arrays', () => {
      expect(valueText(text, 'workspace', 'members')).toBe('["a", "b"]');
    });

    it('finds quoted keys by their bare name', () => {
      expect(valueText(text, 'workspace', 'default-members')).toBe('["a"]');
    });

    it('ends a scalar value before a trailing comment', () => {
      expect(valueText('[t]\nx = 1   # one\ny = 2\n', 't', 'x')).toBe('1');
      expect(valueText('[t]\ns = "a # not a comment" # comment\n', 't', 's')).toBe('"a # not a comment"');
    });

    it('only looks inside the given table', () => {
      expect(valueText(text, 'workspace', 'resolver')).toBeUndefined();
      expect(valueText(text, 'other', 'resolver')).toBe('"2"');
    });

    it('returns undefined for a missing key', () => {
      expect(valueText(text, 'workspace', 'nothing')).toBeUndefined();
    });

    it('does not return a key of a nested inline table', () => {
      expect(valueText('[t]\ndep = { members = ["x"] }\n', 't', 'members')).toBeUndefined();
    });

    it('finds a key in a table at the end of the file without a trailing newline', () => {
      expect(valueText('[a]\nx = 1\n[t]\nkey = "v"', 't', 'key')).toBe('"v"');
    });
  });

  describe('readStringArray', () => {
    it('reads basic and literal strings, ignoring comments', () => {
      const text = 'a = [\n  "x#y", # "not-an-item"\n  \'C:\\\\lit\',\n  "esc\\"aped",\n]\n';
      const span = findValue(text, listTables(text)[0], 'a')!;
      expect(readStringArray(text, span)).toEqual(parse(text).a);
    });
  });

  describe('appendToArray', () => {
    it('rejects a value that is not an array', () => {
      const text = '[workspace]\nmembers = "a"\n';
      const span = findValue(text, findTable(text, 'workspace')!, 'members')!;
      expect(() => appendToArray(text, span, 'b')).toThrow(/expected an array, found "a"/);
    });
  });

  describe('addToStringArray', () => {
    it.each([
      ['an empty array', 'members = []', ['c'], 'members = ["c"]'],
      ['an empty array with spaces', 'members = [ ]', ['c'], 'members = ["c"]'],
      ['a one-item array', 'members = ["a"]', ['a', 'c'], 'members = ["a", "c"]'],
      ['a one-line array with a trailing comma', 'members = ["a", "b",]', ['a', 'b', 'c'], 'members = ["a", "b", "c"]'],
      ['a one-line array with a trailing comma and space', 'members = ["a", ]', ['a', 'c'], 'members = ["a", "c"]'],
      ['a one-line array with a comment after it', 'members = ["a"] # keep me', ['a', 'c'], 'members = ["a", "c"] # keep me'],
      ['a one-line array with brackets in strings', 'members = ["[x]", "]"]', ['[x]', ']', 'c'], 'members = ["[x]", "]", "c"]'],
    ])('adds to %s on one line', (_, line, expected, expectedLine) => {
      const text = `# top\n[workspace]\n${line}\n\n[profile.release]\nlto = true\n`;
      const out = addToStringArray(text, 'workspace', 'members', 'c');
      expect(members(out)).toEqual(expected);
      expect(out).toContain(`\n${expectedLine}\n`);
      expect(parse(out).profile.release.lto).toBe(true);
      expectCommentsKept(text, out);
    });

    it('adds to a multi-line array that has a trailing comma', () => {
      const text = '[workspace]\nmembers = [\n  "a",\n  "b",\n]\n';
      const out = addToStringArray(text, 'workspace', 'members', 'c');
      expect(out).toBe('[workspace]\nmembers = [\n  "a",\n  "b",\n  "c",\n]\n');
    });

    it('adds to a multi-line array without a trailing comma, putting the comma after the value and before its comment', () => {
      const text = '[workspace]\nmembers = [\n    "a",\n    "b" # last one\n]\n';
      const out = addToStringArray(text, 'workspace', 'members', 'c');
      expect(out).toBe('[workspace]\nmembers = [\n    "a",\n    "b", # last one\n    "c",\n]\n');
      expect(members(out)).toEqual(['a', 'b', 'c']);
    });

    it('adds to a multi-line array whose closing bracket is on the last item line', () => {
      const text = '[workspace]\nmembers = [\n  "a",\n  "b"]\nresolver = "2"\n';
      const out = addToStringArray(text, 'workspace', 'members', 'c');
      expect(members(out)).toEqual(['a', 'b', 'c']);
      expect(parse(out).workspace.resolver).toBe('2');
      expect(out).toContain('  "b",\n  "c",\n]');
    });

    it('adds to a multi-line array that starts with items on the opening line', () => {
      const text = '[workspace]\nmembers = ["a",\n           "b",\n]\n';
      const out = addToStringArray(text, 'workspace', 'members', 'c');
      expect(members(out)).toEqual(['a', 'b', 'c']);
      expect(out).toContain('           "c",\n]');
    });

    it('adds to a multi-line array holding only comments, with a default indent', () => {
      const text = '[workspace]\nmembers = [\n  # none yet, ["x"]\n]\n';
      const out = addToStringArray(text, 'workspace', 'members', 'c');
      expect(members(out)).toEqual(['c']);
      expect(out).toBe('[workspace]\nmembers = [\n  # none yet, ["x"]\n    "c",\n]\n');
    });

    it('keeps comments with quotes, brackets and "#" strings inside a multi-line array', () => {
      const text = [
        '# Root manifest',
        '[workspace] # the workspace',
        'members = [',
        '    # services',
        '    "services/api", # don\'t move, see ["docs"]',
        '    "libs/#hash",',
        '    \'libs/[lit]\' # literal',
        ']',
        'resolver = "2" # pinned',
      ].join('\n');
      const out = addToStringArray(text, 'workspace', 'members', 'services/new');
      expect(members(out)).toEqual(['services/api', 'libs/#hash', 'libs/[lit]', 'services/new']);
      expect(out).toContain("'libs/[lit]', # literal");
      expect(parse(out).workspace.resolver).toBe('2');
      expectCommentsKept(text, out);
    });

    it('escapes the new item as a TOML basic string', () => {
      const out = addToStringArray('[workspace]\nmembers = []\n', 'workspace', 'members', 'we"ird\\path');
      expect(members(out)).toEqual(['we"ird\\path']);
    });

    it('creates the key when the table has none, after its last entry and before the blank separator line', () => {
      const text = '[workspace]\nresolver = "2" # r\n\n[profile.release]\nlto = true\n';
      const out = addToStringArray(text, 'workspace', 'members', 'a');
      expect(parse(out)).toEqual({ workspace: { resolver: '2', members: ['a'] }, profile: { release: { lto: true } } });
      expect(out).toBe('[workspace]\nresolver = "2" # r\nmembers = ["a"]\n\n[profile.release]\nlto = true\n');
    });

    it('does not put a new key below a comment that belongs to the next table', () => {
      const text = '[workspace]\nresolver = "2"\n\n# Release settings\n[profile.release]\nlto = true\n';
      const out = addToStringArray(text, 'workspace', 'members', 'a');
      expect(parse(out).workspace.members).toEqual(['a']);
      expect(out).toBe('[workspace]\nresolver = "2"\nmembers = ["a"]\n\n# Release settings\n[profile.release]\nlto = true\n');
    });

    it('creates the table at the end when it is missing', () => {
      const text = '[package]\nname = "app" # the app';
      const out = addToStringArray(text, 'workspace', 'members', 'a');
      expect(out).toBe('[package]\nname = "app" # the app\n\n[workspace]\nmembers = ["a"]\n');
      expect(parse(out)).toEqual({ package: { name: 'app' }, workspace: { members: ['a'] } });
    });

    it('does not confuse [[bin]] with a [bin] table', () => {
      const text = '[[bin]]\nname = "a"\n';
      // Adding to an array table is never asked for; what matters is that [[bin]] is never
      // rewritten into invalid TOML: the edit is refused with a message saying what to do.
      expect(() => addToStringArray(text, 'bin', 'members', 'x')).toThrow(
        "cannot add members to [bin] automatically with this file's layout; add it by hand and run the command again.",
      );
    });

    it.each([
      ['one line', '[workspace]\nmembers = ["a", "b"]\n'],
      ['multi-line', '[workspace]\nmembers = [\n  "a", # x\n  "b"\n]\n'],
      ['literal strings', "[workspace]\nmembers = ['a', 'b']\n"],
    ])('is idempotent: adding an existing member (%s) changes nothing', (_, text) => {
      expect(addToStringArray(text, 'workspace', 'members', 'b')).toBe(text);
      const once = addToStringArray(text, 'workspace', 'members', 'c');
      expect(addToStringArray(once, 'workspace', 'members', 'c')).toBe(once);
    });
  });

  describe('ensureTableEntries', () => {
    const entries: Array<[string, string]> = [
      ['strip', 'true'],
      ['lto', 'true'],
    ];

    it('creates the table in an empty document', () => {
      expect(ensureTableEntries('', 'profile.release', entries)).toBe('[profile.release]\nstrip = true\nlto = true\n');
    });

    it.each([
      ['no trailing newline', '[package]\nname = "a"'],
      ['one trailing newline', '[package]\nname = "a"\n'],
      ['a blank line at the end', '[package]\nname = "a"\n\n'],
    ])('creates a missing table after %s, separated by one blank line', (_, text) => {
      const out = ensureTableEntries(text, 'profile.release', entries);
      expect(out).toBe('[package]\nname = "a"\n\n[profile.release]\nstrip = true\nlto = true\n');
    });

    it('adds only the missing keys, keeping the user values, order and comments', () => {
      const text = '[profile.release]\n# smaller\nlto = "thin" # user choice\n\n[workspace]\nmembers = []\n';
      const out = ensureTableEntries(text, 'profile.release', entries);
      expect(parse(out).profile.release).toEqual({ lto: 'thin', strip: true });
      expect(out).toBe('[profile.release]\n# smaller\nlto = "thin" # user choice\nstrip = true\n\n[workspace]\nmembers = []\n');
    });

    it('returns the text unchanged when every key is there', () => {
      const text = '[profile.release]\nstrip = false\nlto = false\n';
      expect(ensureTableEntries(text, 'profile.release', entries)).toBe(text);
    });

    it('fills an empty table that is followed by another table', () => {
      const text = '[profile.release]\n\n[workspace]\nmembers = []\n';
      const out = ensureTableEntries(text, 'profile.release', entries);
      expect(parse(out)).toEqual({ profile: { release: { strip: true, lto: true } }, workspace: { members: [] } });
    });

    it('fills a table at the end of the file without a trailing newline', () => {
      const out = ensureTableEntries('[package]\nname = "a"\n[profile.release]\nlto = 1', 'profile.release', entries);
      expect(parse(out).profile.release).toEqual({ lto: 1, strip: true });
    });

    it('fills an empty table whose header is the last line, without a trailing newline', () => {
      const out = ensureTableEntries('[package]\nname = "a"\n\n[profile.release]', 'profile.release', entries);
      expect(parse(out).profile.release).toEqual({ strip: true, lto: true });
    });

    it('does not take a key of a multi-line string for an entry of the table', () => {
      const text = '[profile.release]\nnotes = """\nlto = false\n"""\n';
      const out = ensureTableEntries(text, 'profile.release', entries);
      expect(parse(out).profile.release).toEqual({ notes: 'lto = false\n', strip: true, lto: true });
    });

    it('does not add a key that the table already defines as a sub-table or with dotted keys', () => {
      const subTable = '[workspace]\nmembers = []\n\n[workspace.dependencies]\naxum = "0.8"\n\n[workspace.dependencies.tokio]\nversion = "1"\n';
      const dotted = '[workspace.dependencies]\ntokio.version = "1"\ntokio.features = ["full"]\n';
      for (const text of [subTable, dotted]) {
        const out = ensureTableEntries(text, 'workspace.dependencies', [['tokio', '"1"']]);
        expect(parse(out).workspace.dependencies.tokio.version).toBe('1');
      }
    });
  });
});
