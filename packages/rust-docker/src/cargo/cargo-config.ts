import * as TOML from '@iarna/toml';
import { redactProxy, redactUrls } from '../secrets/urls';

/**
 * A Cargo configuration file (`.cargo/config.toml`, `.cargo/config`) as it may enter a
 * build context: without tokens, credential providers or any other secret-bearing key,
 * and with every URL stripped of its user information. Comments go too (an old token
 * commented out is still a token).
 */
export interface SanitizedCargoConfig {
  text: string;
  /** Dotted keys removed or redacted, e.g. `registries.private.token`. */
  removed: string[];
}

// Cargo's own secret-bearing keys, wherever they appear (`[registry]`, `[registries.<name>]`).
const CARGO_SECRET_KEYS = new Set(['token', 'credential-provider', 'global-credential-providers', 'secret-key', 'secret-key-subject']);
// Tables whose every entry can carry a secret: credential provider commands.
const SECRET_TABLES = new Set(['credential-alias']);

/**
 * Environment variable names that say they hold a secret (`GITHUB_TOKEN`, `DB_PASSWORD`,
 * `AWS_SECRET_ACCESS_KEY`, `SIGNING_KEY`): `[env]` entries with such names stay out.
 */
const SECRET_ENV_NAME =
  /passw(or)?d|(^|[-_.])(tokens?|secrets?|pwd|credentials?|api[-_]?keys?|private[-_]?keys?|access[-_]?keys?|auth)([-_.]|$)|(^|[-_.])keys?$/i;

export function isSecretEnvName(name: string): boolean {
  return SECRET_ENV_NAME.test(name);
}

function isSecret(path: string[], key: string, value: unknown): boolean {
  if (CARGO_SECRET_KEYS.has(key)) return true;
  if (path.length === 0) return SECRET_TABLES.has(key);
  if (path.length === 1 && path[0] === 'env') return isSecretEnvName(key);
  // `cargo publish --token ...` as an alias.
  if (path.length === 1 && path[0] === 'alias') return /(^|\s)--token\b/.test(Array.isArray(value) ? value.join(' ') : String(value));
  return false;
}

const isTable = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);

function sanitizeValue(value: unknown, path: string[], removed: string[]): unknown {
  if (typeof value === 'string') {
    const redacted = path[path.length - 1] === 'proxy' ? redactProxy(value) : redactUrls(value);
    if (redacted !== value) removed.push(`${path.join('.')} (user information)`);
    return redacted;
  }
  if (Array.isArray(value)) return value.map((item) => sanitizeValue(item, path, removed));
  if (isTable(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      if (isSecret(path, key, inner)) {
        removed.push([...path, key].join('.'));
        continue;
      }
      const clean = sanitizeValue(inner, [...path, key], removed);
      // A table that held only secrets goes with them.
      const emptied = isTable(inner) && Object.keys(inner).length > 0 && Object.keys(clean as object).length === 0;
      if (!emptied) out[key] = clean;
    }
    return out;
  }
  return value;
}

/** `file` names the config in the error an unreadable one gives. */
export function sanitizeCargoConfig(text: string, file = '.cargo/config.toml'): SanitizedCargoConfig {
  let parsed: TOML.JsonMap;
  try {
    parsed = TOML.parse(text);
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    throw new Error(`${file} is not valid TOML (${reason}), so it cannot enter a build context without its secrets: fix it (cargo cannot read it either).`);
  }
  const removed: string[] = [];
  const clean = sanitizeValue(parsed, [], removed) as TOML.JsonMap;
  return { text: Object.keys(clean).length ? TOML.stringify(clean) : '', removed: [...new Set(removed)] };
}

/** The warning for a config that lost secrets on its way into a context. */
export function sanitizedConfigMessage(project: string, file: string, removed: string[]): string | undefined {
  if (!removed.length) return undefined;
  return `${project}: ${file} enters the build context without ${removed.join(', ')}. Cargo on this machine still reads them; a secret in a committed file is in git's history: keep tokens in $CARGO_HOME/credentials.toml or CARGO_REGISTRIES_<NAME>_TOKEN.`;
}
