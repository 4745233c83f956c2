import * as IarnaToml from '@iarna/toml';
import { parseToml, stringifyToml, TomlSyntaxError } from './toml';

const syntaxError = (text: string): TomlSyntaxError => {
  try {
    parseToml(text);
  } catch (error) {
    return error as TomlSyntaxError;
  }
  throw new Error('expected a syntax error');
};

describe('parseToml', () => {
  // Each of these is accepted by cargo 1.95 (checked with `cargo metadata --no-deps`) and
  // rejected by @iarna/toml, which speaks TOML 0.5.
  it.each([
    ['a mixed-type array (TOML 1.0)', 'args = ["--port", 8080]\n', { args: ['--port', 8080] }],
    ['an array of inline tables of different shapes', 'a = [{ b = 1 }, { b = [1, "x"] }]\n', { a: [{ b: 1 }, { b: [1, 'x'] }] }],
    ['the \\e escape (TOML 1.1)', 's = "\\e[0m"\n', { s: '\u001b[0m' }],
    ['the \\xHH escape (TOML 1.1)', 's = "\\x41"\n', { s: 'A' }],
    ['an inline table over several lines with a trailing comma (TOML 1.1)', 'b = {\n  path = "b",\n}\n', { b: { path: 'b' } }],
    ['a literal string ending in quotes', "a = '''x''''\n", { a: "x'" }],
    ['a basic string ending in quotes', 'a = """x"""""\n', { a: 'x""' }],
    ['a byte-order mark', '\ufeffname = "api"\n', { name: 'api' }],
  ])('reads %s', (_what, text, expected) => {
    expect(() => IarnaToml.parse(text)).toThrow();
    expect(JSON.parse(JSON.stringify(parseToml(text)))).toEqual(expected);
  });

  it('reads a local time without seconds (TOML 1.1)', () => {
    expect(() => IarnaToml.parse('t = 07:32\n')).toThrow();
    expect(String(parseToml('t = 07:32\n').t)).toContain('07:32');
  });

  it('keeps integers beyond 2^53 where the fallback reads the document', () => {
    expect(parseToml('args = ["x", 1]\nn = 9223372036854775807\n').n).toBe(9223372036854775807n);
  });

  it('reads with @iarna/toml when it can (its values, unchanged)', () => {
    const text = '[package]\nname = "api"\n[dependencies]\ncore = { path = "../core" }\n';
    expect(parseToml(text)).toEqual(IarnaToml.parse(text));
  });

  it('reports invalid TOML in one line, with the 1-based line', () => {
    const error = syntaxError('[package]\nname = "a"\nversion = \n');
    expect(error).toBeInstanceOf(TomlSyntaxError);
    expect(error.line).toBe(3);
    expect(error.message).not.toContain('\n');
    expect(error.message).toBe('invalid value');
  });

  it('reports a duplicate key on the line that repeats it', () => {
    expect(syntaxError('[package]\nname = "a"\nname = "b"\n').line).toBe(3);
  });

  it('rejects what Cargo rejects too: an unquoted non-ASCII key', () => {
    expect(syntaxError('[x]\nclé = 1\n').line).toBe(2);
  });
});

describe('stringifyToml', () => {
  it('writes with @iarna/toml when it can', () => {
    const doc = { workspace: { members: ['a', 'b'] } };
    expect(stringifyToml(doc)).toBe(IarnaToml.stringify(doc));
  });

  it('writes a mixed-type array, which @iarna/toml cannot, so the result reads back the same', () => {
    const doc = parseToml('[workspace]\nmembers = ["a"]\n\n[workspace.metadata.x]\nargs = ["--port", 8080]\n');
    const text = stringifyToml(doc);
    expect(JSON.parse(JSON.stringify(parseToml(text)))).toEqual({ workspace: { members: ['a'], metadata: { x: { args: ['--port', 8080] } } } });
  });
});
