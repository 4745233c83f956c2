import { ALWAYS_EXCLUDED, isIgnored, parseDockerignore } from './dockerignore';

const ignores = (text: string) => {
  const rules = parseDockerignore(text);
  return (path: string) => isIgnored(rules, path);
};

describe('parseDockerignore', () => {
  it('skips comments and blank lines, trims, strips leading and trailing slashes and ./', () => {
    const rules = parseDockerignore('# comment\n\n  /target/  \r\n!/keep\n./docs\n   # indented comment\n');
    expect(rules.map((r) => [r.pattern, r.negate])).toEqual([
      ['target', false],
      ['keep', true],
      ['./docs', false],
    ]);
    expect(rules[2].regex.test('docs')).toBe(true);
  });
});

describe('isIgnored', () => {
  it('ignores nothing without rules', () => {
    expect(isIgnored([], 'anything')).toBe(false);
  });

  it('matches a plain name only at the context root', () => {
    const ignored = ignores('secrets.txt');
    expect(ignored('secrets.txt')).toBe(true);
    expect(ignored('sub/secrets.txt')).toBe(false);
    expect(ignored('secrets.txt.bak')).toBe(false);
  });

  it('lets * and ? stop at a slash', () => {
    const ignored = ignores('*.log\nlogs/?.txt');
    expect(ignored('a.log')).toBe(true);
    expect(ignored('dir/a.log')).toBe(false);
    expect(ignored('logs/a.txt')).toBe(true);
    expect(ignored('logs/ab.txt')).toBe(false);
    expect(ignored('logs/a/b.txt')).toBe(false);
  });

  it('lets ** span any number of folders, including none', () => {
    const ignored = ignores('**/*.tmp\ndocs/**/draft.md\nbuild/**');
    expect(ignored('a.tmp')).toBe(true);
    expect(ignored('x/y/z.tmp')).toBe(true);
    expect(ignored('docs/draft.md')).toBe(true);
    expect(ignored('docs/a/b/draft.md')).toBe(true);
    expect(ignored('docs/nodraft.md')).toBe(false);
    expect(ignored('build/a/b')).toBe(true);
  });

  it('treats a leading slash as the context root', () => {
    const ignored = ignores('/config.local.toml');
    expect(ignored('config.local.toml')).toBe(true);
    expect(ignored('a/config.local.toml')).toBe(false);
  });

  it('excludes everything inside a matched folder', () => {
    const ignored = ignores('docs\ncrates/*/fixtures/');
    expect(ignored('docs')).toBe(true);
    expect(ignored('docs/a/b.md')).toBe(true);
    expect(ignored('docsite/index.md')).toBe(false);
    expect(ignored('crates/api/fixtures/big.json')).toBe(true);
    expect(ignored('crates/api/src/fixtures.rs')).toBe(false);
  });

  it('re-includes with !, the last matching rule winning', () => {
    const ignored = ignores('*.md\n!README.md\ndocs\n!docs/keep.md\ndocs/keep.md');
    expect(ignored('CHANGELOG.md')).toBe(true);
    expect(ignored('README.md')).toBe(false);
    expect(ignored('docs/keep.md')).toBe(true);
    const reincluded = ignores('docs\n!docs/keep.md');
    expect(reincluded('docs/keep.md')).toBe(false);
    expect(reincluded('docs/other.md')).toBe(true);
  });

  it('treats regular-expression characters literally', () => {
    const ignored = ignores('a+b.(x)|y$');
    expect(ignored('a+b.(x)|y$')).toBe(true);
    expect(ignored('aab.(x)|y$')).toBe(false);
    expect(ignored('a+bX(x)|y$')).toBe(false);
  });

  it('takes a backslash as an escape for the next character', () => {
    const ignored = ignores('\\*.txt');
    expect(ignored('*.txt')).toBe(true);
    expect(ignored('a.txt')).toBe(false);
  });

  it('supports character classes like Docker does', () => {
    const ignored = ignores('*.[oa]');
    expect(ignored('x.o')).toBe(true);
    expect(ignored('x.a')).toBe(true);
    expect(ignored('x.c')).toBe(false);
  });
});

describe('ALWAYS_EXCLUDED', () => {
  const always = parseDockerignore(ALWAYS_EXCLUDED.join('\n'));

  it.each([
    '.env',
    'a/.env',
    'a/.env.local',
    '.env.production',
    'x/target/debug/y',
    'target/release/api',
    'node_modules/z',
    'web/node_modules/react/index.js',
    '.git/config',
    'sub/.git/HEAD',
    'k.pem',
    'certs/server.key',
    '.cargo/credentials',
    'crates/a/.cargo/credentials.toml',
    '.nx/cache/x',
    'dist/api/bin/api',
  ])('excludes %s', (path) => {
    expect(isIgnored(always, path)).toBe(true);
  });

  it.each(['src/main.rs', 'Cargo.toml', '.cargo/config.toml', 'src/env.rs', '.envrc', 'crates/dist/src/lib.rs', 'src/targets.rs', 'README.md'])(
    'keeps %s',
    (path) => {
      expect(isIgnored(always, path)).toBe(false);
    },
  );
});
