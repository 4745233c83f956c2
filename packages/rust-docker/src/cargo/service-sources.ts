import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { lexRust, lineAt, type LexedSource, type SourceFile } from './rust-source';

/**
 * What a service's own sources say about how it runs: the port it listens on, its health
 * route, the files it reads at run time, whether it has a `healthcheck` subcommand. Read
 * from the text (comments and `#[cfg(test)]` modules left out), never by running anything,
 * so the generators (through the Tree) and the executors (from disk) agree.
 */

export type { SourceFile } from './rust-source';

/** Where something was found, for messages: `services/api/src/main.rs:12`. */
export interface Evidence {
  where: string;
  /** The source text that said so, trimmed to one line. */
  text: string;
}

function lex(files: SourceFile[]): LexedSource[] {
  return files.map((f) => {
    const lexed = lexRust(f);
    const code = withoutTestModules(lexed.code);
    // Strings inside the test modules went with them.
    const strings = lexed.strings.filter((s) => code.slice(s.start, s.end) === f.text.slice(s.start, s.end));
    return { ...lexed, code, strings };
  });
}

/** `#[cfg(test)] mod tests { ... }` blanked out: test code binds ports and names routes too. */
export function withoutTestModules(code: string): string {
  let out = code;
  const re = /#\s*\[\s*cfg\s*\(\s*test\s*\)\s*\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+\w+\s*\{/g;
  for (let match = re.exec(out); match; match = re.exec(out)) {
    let depth = 1;
    let i = match.index + match[0].length;
    while (i < out.length && depth > 0) {
      if (out[i] === '{') depth++;
      else if (out[i] === '}') depth--;
      i++;
    }
    out = out.slice(0, match.index) + out.slice(match.index, i).replace(/[^\n]/g, ' ') + out.slice(i);
  }
  return out;
}

function evidence(source: LexedSource, offset: number, length: number): Evidence {
  const line = lineAt(source.text, offset);
  const text = source.text.slice(offset, offset + length).replace(/\s+/g, ' ').trim();
  return { where: `${source.file}:${line}`, text: text.length > 80 ? `${text.slice(0, 77)}...` : text };
}

function asPort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text.replace(/_/g, ''));
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? port : undefined;
}

// ---------------------------------------------------------------------------------------
// The port
// ---------------------------------------------------------------------------------------

/**
 * How a port was found, strongest first: an environment variable read with a default
 * (`PORT`, and the default the binary falls back to), a named setting (`const PORT`, a
 * `default_port()` function, a clap or config default), a literal bind address.
 */
export type PortKind = 'env' | 'setting' | 'bind';
const RANK: Record<PortKind, number> = { env: 3, setting: 2, bind: 1 };

export interface PortEvidence extends Evidence {
  kind: PortKind;
  /** Undefined for an environment variable read without a default. */
  port?: number;
  /** The environment variable the port is read from. */
  env?: string;
  /** A bind address only the container itself can reach (127.0.0.1, localhost, ::1). */
  loopback?: boolean;
}

export interface PortDetection {
  /** The port, when the strongest evidence agrees on one. */
  port?: number;
  /** The evidence that decided it. */
  source?: PortEvidence;
  /** Different ports with equal weight: the caller has to ask. */
  conflicting: PortEvidence[];
  /** An environment variable the binary reads its port from, with or without a default. */
  env?: string;
  /** Every bind address found only on loopback: unreachable from outside the container. */
  loopbackOnly: boolean;
  evidence: PortEvidence[];
}

/** Names of variables and constants that mean "the port this server listens on" (not a database's). */
const PORT_NAME = /^(?:(?:DEFAULT|HTTP|HTTPS|SERVER|APP|APPLICATION|LISTEN|API|WEB|SERVICE|BIND)_)*PORT$/;
const LOOPBACK_HOST = /^(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\]|::1)$/;
const ANY_HOST = /^(?:0\.0\.0\.0|\[::\]|::)$/;
/** `"0.0.0.0:8080"`, `"127.0.0.1:3000"`, `"[::]:8080"`, `"localhost:8000"`. */
const ADDRESS_LITERAL = /^(0\.0\.0\.0|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::\]|\[::1\]):(\d{1,5})$/;
/** A host in a `(host, port)` pair: a string, an octet array, an `Ipv4Addr`/`IpAddr` expression. */
const HOST_EXPR = [
  '"(?<str>[^"]*)"',
  '\\[\\s*(?<o1>\\d{1,3})\\s*,\\s*\\d{1,3}\\s*,\\s*\\d{1,3}\\s*,\\s*\\d{1,3}\\s*\\]',
  '(?:[\\w:]*::)?IpAddr::V[46]\\(\\s*(?:[\\w:]*::)?Ipv[46]Addr::(?<c1>UNSPECIFIED|LOCALHOST)\\s*\\)',
  '(?:[\\w:]*::)?IpAddr::V4\\(\\s*(?:[\\w:]*::)?Ipv4Addr::new\\(\\s*(?<o2>\\d{1,3})\\s*,[^()]*\\)\\s*\\)',
  '(?:[\\w:]*::)?Ipv[46]Addr::(?<c2>UNSPECIFIED|LOCALHOST)(?:\\.into\\(\\))?',
  '(?:[\\w:]*::)?Ipv4Addr::new\\(\\s*(?<o3>\\d{1,3})\\s*,[^()]*\\)(?:\\.into\\(\\))?',
].join('|');
const HOST_PORT_PAIR = new RegExp(`\\(\\s*(?:${HOST_EXPR})\\s*,\\s*(?<port>\\d[\\d_]*)(?:_?u16)?\\s*\\)`, 'g');

function pairIsLoopback(groups: Record<string, string | undefined>): boolean | undefined {
  if (groups.str !== undefined) {
    if (LOOPBACK_HOST.test(groups.str)) return true;
    if (ANY_HOST.test(groups.str)) return false;
    return undefined; // some other host: not a bind address of this server
  }
  const octet = groups.o1 ?? groups.o2 ?? groups.o3;
  if (octet !== undefined) return octet === '127';
  return (groups.c1 ?? groups.c2) === 'LOCALHOST';
}

/** Integer constants of the sources by name, to resolve `unwrap_or(DEFAULT_PORT)`. */
function constants(sources: LexedSource[]): Map<string, { value: number; source: LexedSource; offset: number; length: number }> {
  const out = new Map<string, { value: number; source: LexedSource; offset: number; length: number }>();
  for (const source of sources) {
    const re = /(?:pub(?:\s*\([^)]*\))?\s+)?(?:const|static)\s+([A-Z][A-Z0-9_]*)\s*:\s*u(?:16|32|64|size)\s*=\s*(\d[\d_]*)(?:_?u(?:16|32|64|size))?\s*;/g;
    for (const m of source.code.matchAll(re)) {
      const value = asPort(m[2]);
      if (value !== undefined && !out.has(m[1])) out.set(m[1], { value, source, offset: m.index!, length: m[0].length });
    }
  }
  return out;
}

/** The statement that follows an offset: up to `;`, the end of a block, or the next item. */
function statementAfter(code: string, offset: number): string {
  const rest = code.slice(offset, offset + 400);
  const stops = [rest.indexOf(';'), rest.search(/\n\s*}/), rest.search(/\bfn\s/)].filter((i) => i >= 0);
  return rest.slice(0, stops.length ? Math.min(...stops) : rest.length);
}

/** `unwrap_or(8080)`, `unwrap_or_else(|_| "8080".into())`, `map_or(8080, ..)`, `unwrap_or(DEFAULT_PORT)`. */
const FALLBACK =
  /\b(?:unwrap_or(?:_else)?|map_or(?:_else)?|or(?:_else)?)\s*\(\s*(?:\|[^|]*\|\s*)?(?:(?:[\w:]+|Ok::<[^>]*>)\s*\(\s*)?(?:"(\d{1,5})"|(\d[\d_]*)(?:_?u16)?\b|([A-Z][A-Z0-9_]*)\b)/;

export function detectPort(files: SourceFile[]): PortDetection {
  const sources = lex(files);
  const consts = constants(sources);
  const found: PortEvidence[] = [];

  for (const source of sources) {
    const { code } = source;
    // 1. An environment variable read, with the default it falls back to.
    for (const m of code.matchAll(/\bvar(?:_os)?\s*\(\s*"([A-Z][A-Z0-9_]*)"\s*\)/g)) {
      if (!PORT_NAME.test(m[1])) continue;
      const statement = statementAfter(code, m.index! + m[0].length);
      const fallback = FALLBACK.exec(statement);
      const port = fallback ? asPort(fallback[1] ?? fallback[2]) ?? (fallback[3] ? consts.get(fallback[3])?.value : undefined) : undefined;
      found.push({ kind: 'env', env: m[1], port, ...evidence(source, m.index!, m[0].length + statement.length) });
    }
    // clap: #[arg(long, env = "PORT", default_value_t = 8080)] port: u16
    for (const m of code.matchAll(/#\s*\[\s*(?:arg|clap|structopt|argh)\s*\(([^\]]*)\)\s*\]\s*(?:#\s*\[[^\]]*\]\s*)*(?:pub(?:\([^)]*\))?\s+)?(\w+)\s*:/g)) {
      const field = m[2];
      if (!PORT_NAME.test(field.toUpperCase())) continue;
      const value = asPort(/\bdefault(?:_value(?:_t)?)?\s*=\s*"?(\d[\d_]*)"?/.exec(m[1])?.[1]);
      const env = /\benv\s*=\s*"([A-Z][A-Z0-9_]*)"/.exec(m[1])?.[1] ?? (/\benv\b(?!\s*=)/.test(m[1]) ? field.toUpperCase() : undefined);
      if (value === undefined && env === undefined) continue;
      found.push({ kind: env ? 'env' : 'setting', env, port: value, ...evidence(source, m.index!, m[0].length) });
    }
    // 2. Named settings: const PORT, fn default_port() -> u16 { 8080 }, config's set_default("port", 8080).
    for (const m of code.matchAll(/(?:const|static)\s+([A-Z][A-Z0-9_]*)\s*:\s*u16\s*=\s*(\d[\d_]*)/g)) {
      if (PORT_NAME.test(m[1]) && asPort(m[2])) found.push({ kind: 'setting', port: asPort(m[2]), ...evidence(source, m.index!, m[0].length) });
    }
    for (const m of code.matchAll(/\bfn\s+default_(?:\w+_)?port\s*\(\s*\)\s*->\s*u16\s*\{\s*(\d[\d_]*)(?:_?u16)?\s*\}/g)) {
      if (asPort(m[1])) found.push({ kind: 'setting', port: asPort(m[1]), ...evidence(source, m.index!, m[0].length) });
    }
    for (const m of code.matchAll(/\bset_default\s*\(\s*"(?:[\w.]*\.)?port"\s*,\s*(\d[\d_]*)/g)) {
      if (asPort(m[1])) found.push({ kind: 'setting', port: asPort(m[1]), ...evidence(source, m.index!, m[0].length) });
    }
    // 3. Literal bind addresses: "0.0.0.0:8080", ("0.0.0.0", 8080), ([0, 0, 0, 0], 8000), SocketAddr::new(.., 8080).
    for (const literal of source.strings) {
      const m = ADDRESS_LITERAL.exec(literal.value);
      const port = asPort(m?.[2]);
      if (!m || port === undefined) continue;
      found.push({ kind: 'bind', port, loopback: LOOPBACK_HOST.test(m[1]), ...evidence(source, literal.start, literal.end - literal.start) });
    }
    for (const m of code.matchAll(HOST_PORT_PAIR)) {
      const loopback = pairIsLoopback(m.groups ?? {});
      const port = asPort(m.groups?.port);
      if (loopback === undefined || port === undefined) continue;
      found.push({ kind: 'bind', port, loopback, ...evidence(source, m.index!, m[0].length) });
    }
  }

  const withPort = found.filter((e) => e.port !== undefined);
  const top = Math.max(0, ...withPort.map((e) => RANK[e.kind]));
  const best = withPort.filter((e) => RANK[e.kind] === top);
  const ports = [...new Set(best.map((e) => e.port!))];
  const binds = found.filter((e) => e.kind === 'bind');
  const detection: PortDetection = {
    conflicting: ports.length > 1 ? ports.map((p) => best.find((e) => e.port === p)!).sort((a, b) => a.where.localeCompare(b.where, 'en', { numeric: true })) : [],
    env: found.find((e) => e.env)?.env,
    loopbackOnly: binds.length > 0 && binds.every((e) => e.loopback),
    evidence: found,
  };
  if (ports.length === 1) {
    detection.port = ports[0];
    detection.source = best[0];
  }
  return detection;
}

// ---------------------------------------------------------------------------------------
// The health route
// ---------------------------------------------------------------------------------------

/** Route names that mean "am I up", most specific first. */
export const HEALTH_ROUTE_NAMES = [
  'health',
  'healthz',
  'health_check',
  'healthcheck',
  'health-check',
  'livez',
  'live',
  'liveness',
  'readyz',
  'ready',
  'readiness',
  'status',
  'ping',
  '_health',
];

export interface HealthRoute extends Evidence {
  path: string;
}

/** The route literal a health check should probe: "/health", "/healthz", warp's path!("health")... */
export function detectHealthRoute(files: SourceFile[]): HealthRoute | undefined {
  const candidates: Array<HealthRoute & { rank: number }> = [];
  const rankOf = (path: string) => {
    const last = path.replace(/\/$/, '').split('/').pop() ?? '';
    return HEALTH_ROUTE_NAMES.indexOf(last.toLowerCase());
  };
  for (const source of lex(files)) {
    for (const literal of source.strings) {
      if (!/^(?:\/[\w.-]+)+\/?$/.test(literal.value)) continue;
      const rank = rankOf(literal.value);
      if (rank >= 0) candidates.push({ path: literal.value, rank, ...evidence(source, literal.start, literal.end - literal.start) });
    }
    // warp: path!("health"), path!("api" / "health"), path("healthz")
    for (const m of source.code.matchAll(/\bpath!?\s*\(\s*((?:"[\w.-]+"\s*\/?\s*)+)\)/g)) {
      const segments = [...m[1].matchAll(/"([\w.-]+)"/g)].map((s) => s[1]);
      const path = `/${segments.join('/')}`;
      const rank = rankOf(path);
      if (rank >= 0) candidates.push({ path, rank, ...evidence(source, m.index!, m[0].length) });
    }
  }
  candidates.sort((a, b) => a.rank - b.rank);
  if (!candidates.length) return undefined;
  const { rank: _rank, ...best } = candidates[0];
  return best;
}

/** Whether the sources define a `healthcheck` subcommand, as generated services do. */
export function hasHealthcheckCommand(files: SourceFile[]): boolean {
  return lex(files).some((source) => source.strings.some((s) => s.value === 'healthcheck'));
}

// ---------------------------------------------------------------------------------------
// Runtime files
// ---------------------------------------------------------------------------------------

/** Folders services commonly read at run time, from their working directory. */
export const RUNTIME_FOLDERS = ['configuration', 'config', 'templates', 'static', 'public', 'assets', 'migrations', 'locales'];
/** Files at the crate's top that a service may read at run time, when its sources name them. */
const RUNTIME_FILE = /^[\w][\w.-]*\.(?:toml|ya?ml|json|ron|ini|conf|env\.example)$/;
const NOT_RUNTIME_FILES = new Set(['Cargo.toml', 'Cargo.lock', 'rust-toolchain.toml', 'rustfmt.toml', '.rustfmt.toml', 'clippy.toml', 'deny.toml', 'package.json', 'project.json']);
/** Macros and attributes that read files when the crate compiles, not when it runs. */
const COMPILE_TIME_MACROS = new Set([
  'include_str',
  'include_bytes',
  'include',
  'include_dir',
  'migrate',
  'embed_migrations',
  'embed_dir',
  'include_static',
  'load_dotenv',
]);

export interface RuntimeFile extends Evidence {
  /** Crate-relative path, e.g. `configuration` or `settings.toml`. */
  path: string;
  kind: 'folder' | 'file';
}

/** True when the literal at `offset` is read at compile time (a macro or attribute argument). */
function compileTime(code: string, offset: number): boolean {
  let depth = 0;
  for (let i = offset - 1; i >= 0 && offset - i < 2000; i--) {
    const c = code[i];
    if (c === ')' || c === ']') depth++;
    else if (c === '(' || c === '[') {
      if (depth > 0) {
        depth--;
        continue;
      }
      const before = code.slice(Math.max(0, i - 60), i);
      if (c === '[' && /#!?\s*$/.test(before)) return true;
      const macro = /(\w+)\s*!\s*$/.exec(before);
      if (macro && COMPILE_TIME_MACROS.has(macro[1])) return true;
    } else if (c === ';' || c === '{' || c === '}') {
      if (depth === 0) return false;
    }
  }
  return false;
}

/**
 * Folders (of RUNTIME_FOLDERS) and top-level config files that exist in the crate folder
 * and that its sources name in a string read at run time: `"configuration"`,
 * `"templates/**\/*"`, `ServeDir::new("static")`, `Path::new("./migrations")`. Names inside
 * `include_str!`, `sqlx::migrate!`, `#[folder = ...]` and the like are compiled in, so not.
 */
export function detectRuntimeFiles(files: SourceFile[], crateEntries: { folders: string[]; files: string[] }): RuntimeFile[] {
  const folders = new Set(crateEntries.folders.filter((f) => RUNTIME_FOLDERS.includes(f)));
  const topFiles = new Set(crateEntries.files.filter((f) => RUNTIME_FILE.test(f) && !NOT_RUNTIME_FILES.has(f)));
  const found = new Map<string, RuntimeFile>();
  for (const source of lex(files)) {
    for (const literal of source.strings) {
      const value = literal.value.replace(/^\.\//, '');
      const first = value.split('/')[0];
      const kind = folders.has(first) ? 'folder' : topFiles.has(value) ? 'file' : undefined;
      if (!kind || found.has(first) || compileTime(source.code, literal.start)) continue;
      const path = kind === 'folder' ? first : value;
      found.set(path, { path, kind, ...evidence(source, literal.start, literal.end - literal.start) });
    }
  }
  return [...found.values()].sort((a, b) => a.path.localeCompare(b.path));
}

// ---------------------------------------------------------------------------------------
// Reading a crate's sources from disk (executors; generators read through the Tree)
// ---------------------------------------------------------------------------------------

/** The `.rs` files under `<crate>/src`, shown relative to the workspace root. */
export function crateSourcesOnDisk(workspaceRoot: string, projectRoot: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (rel: string) => {
    const abs = join(workspaceRoot, rel);
    if (!existsSync(abs)) return;
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const child = posix.join(rel, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile() && entry.name.endsWith('.rs')) out.push({ file: child, text: readFileSync(join(workspaceRoot, child), 'utf8') });
    }
  };
  walk(posix.join(projectRoot === '.' ? '' : projectRoot, 'src'));
  return out;
}
