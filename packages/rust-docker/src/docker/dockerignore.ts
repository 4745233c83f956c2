/**
 * `.dockerignore` semantics (moby's patternmatcher): patterns are relative to the context
 * root, `*` and `?` stop at `/`, `**` spans folders, a matched folder excludes all it
 * holds, `!` re-includes, and the last matching pattern wins.
 */

/** Never part of a build context the plugin prepares, whatever .dockerignore says. */
export const ALWAYS_EXCLUDED = [
  '.git',
  '**/.git',
  '**/target',
  '**/node_modules',
  '**/.env',
  '**/.env.*',
  '**/*.pem',
  '**/*.key',
  '**/.cargo/credentials',
  '**/.cargo/credentials.toml',
  '.nx',
  'dist',
];

export interface IgnoreRule {
  pattern: string;
  negate: boolean;
  regex: RegExp;
}

function patternToRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*' && pattern[i + 1] === '*') {
      const slashAfter = pattern[i + 2] === '/';
      out += slashAfter ? '(?:.*/)?' : '.*';
      i += slashAfter ? 2 : 1;
    } else if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else if (ch === '[' && pattern.indexOf(']', i + 1) > i + 1) {
      const close = pattern.indexOf(']', i + 1);
      // Like Docker's matcher, a class never matches a path separator, negated or not.
      const body = pattern.slice(i + 1, close).replace(/\\/g, '\\\\');
      out += /^[!^]/.test(body) ? `[^/${body.slice(1)}]` : `[${body}]`;
      i = close;
    } else if (ch === '\\' && i + 1 < pattern.length) out += `\\${pattern[++i]}`;
    else out += ch.replace(/[.+^${}()|[\]]/g, '\\$&');
  }
  // A folder pattern also excludes everything inside it.
  return new RegExp(`^${out}(?:/.*)?$`);
}

export function parseDockerignore(text: string): IgnoreRule[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const negate = line.startsWith('!');
      const pattern = (negate ? line.slice(1) : line).trim().replace(/^\/+/, '').replace(/\/+$/, '');
      return { pattern, negate, regex: patternToRegExp(pattern.replace(/^\.\//, '')) };
    });
}

export function isIgnored(rules: IgnoreRule[], relativePath: string): boolean {
  let ignored = false;
  for (const rule of rules) {
    if (rule.regex.test(relativePath)) ignored = !rule.negate;
  }
  return ignored;
}
