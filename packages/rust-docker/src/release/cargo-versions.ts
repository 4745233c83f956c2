import * as TOML from '@iarna/toml';
import { findTable, findValue, listTables } from '../cargo/toml-text';

/**
 * Reading and writing the versions a release changes in a Cargo.toml: the package's
 * own, the workspace's (`[workspace.package]`, which members take with
 * `version.workspace = true`), and the `version` requirement of path dependencies.
 * Edits splice the text in place, so comments, order and quoting stay as they were.
 */

type Table = Record<string, unknown>;

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parse(text: string, file: string): Table {
  try {
    return TOML.parse(text) as Table;
  } catch (error) {
    throw new Error(`${file} is not valid TOML (${(error as Error).message.split('\n')[0]}); fix it before releasing.`);
  }
}

export interface PackageVersionInfo {
  packageName?: string;
  /** `[package] version`; Cargo reads a missing one as 0.0.0. */
  version?: string;
  /** `version.workspace = true`: the version is the workspace's `[workspace.package] version`. */
  inherits: boolean;
  /** `[package] publish`: false, true, or the registries it may go to. */
  publish: boolean | string[];
  /** `[package] workspace = "..."`: the workspace root, when it is not the nearest one above. */
  workspaceHint?: string;
  /** `[workspace]` is present: this manifest is a workspace root. */
  isWorkspaceRoot: boolean;
  /** `[workspace.package] version`. */
  workspaceVersion?: string;
}

export function packageVersionInfo(text: string, file: string): PackageVersionInfo {
  const doc = parse(text, file);
  const pkg = isTable(doc.package) ? doc.package : undefined;
  const ws = isTable(doc.workspace) ? doc.workspace : undefined;
  const publish = pkg?.publish;
  return {
    packageName: typeof pkg?.name === 'string' ? pkg.name : undefined,
    version: typeof pkg?.version === 'string' ? pkg.version : undefined,
    inherits: isTable(pkg?.version) && pkg.version.workspace === true,
    publish: Array.isArray(publish) ? publish.filter((r): r is string => typeof r === 'string') : publish !== false,
    workspaceHint: typeof pkg?.workspace === 'string' ? pkg.workspace : undefined,
    isWorkspaceRoot: ws !== undefined,
    workspaceVersion: isTable(ws?.package) && typeof ws.package.version === 'string' ? ws.package.version : undefined,
  };
}

/** End of a basic ("...") or literal ('...') single-line string starting at `i`. */
function stringEnd(text: string, i: number): number {
  const quote = text[i];
  let j = i + 1;
  while (j < text.length && text[j] !== quote && text[j] !== '\n') {
    if (quote === '"' && text[j] === '\\') j++;
    j++;
  }
  return j + 1;
}

/** A string literal in the quoting of the one it replaces. */
function literalLike(existing: string, value: string): string {
  return existing.startsWith("'") && !value.includes("'") ? `'${value}'` : JSON.stringify(value);
}

function replaceString(text: string, start: number, end: number, value: string, what: string): string {
  const existing = text.slice(start, end);
  if (!/^["']/.test(existing)) throw new Error(`${what} is ${existing.split('\n')[0]}, not a string; set it by hand.`);
  return text.slice(0, start) + literalLike(existing, value) + text.slice(end);
}

/** Sets `key = "value"` in a table, where the key is there already. */
function setTableString(text: string, tableName: string, key: string, value: string, file: string): string {
  const table = findTable(text, tableName);
  const span = table && findValue(text, table, key);
  if (!span) throw new Error(`${file} has no \`${key}\` in [${tableName}] to update; add it by hand.`);
  return replaceString(text, span.valueStart, span.valueEnd, value, `${file}: [${tableName}] ${key}`);
}

/** Writes a crate's own version: `[package] version`, added after `name` when absent. */
export function setPackageVersion(text: string, version: string, file: string): string {
  const table = findTable(text, 'package');
  if (!table) throw new Error(`${file} has no [package]; it is not a crate.`);
  if (findValue(text, table, 'version')) return setTableString(text, 'package', 'version', version, file);
  const name = findValue(text, table, 'name');
  if (!name) throw new Error(`${file} has no \`name\` in [package]; it is not a crate Cargo can read.`);
  const lineEnd = text.indexOf('\n', name.valueEnd);
  const at = lineEnd < 0 ? text.length : lineEnd + 1;
  return `${text.slice(0, at)}${lineEnd < 0 ? '\n' : ''}version = ${JSON.stringify(version)}\n${text.slice(at)}`;
}

/** Writes `[workspace.package] version`, the one `version.workspace = true` members take. */
export function setWorkspaceVersion(text: string, version: string, file: string): string {
  return setTableString(text, 'workspace.package', 'version', version, file);
}

/** Where a dependency's `version` requirement is written in a manifest. */
export interface DependencyEntry {
  /** The dependency table, as listTables names it: `dependencies`, `target.cfg(unix).dev-dependencies`, `workspace.dependencies`. */
  table: string;
  /** The key in that table (the name the code uses). */
  key: string;
  /** `dependencies`, `dev-dependencies` or `build-dependencies` (`workspace.dependencies` for the root's). */
  collection: string;
  path?: string;
  /** The version requirement, when the entry pins one. */
  version?: string;
  /** `{ workspace = true }`: path and version come from the root's `[workspace.dependencies]`. */
  inheritsWorkspace: boolean;
}

const KINDS: Array<[string, string]> = [
  ['dependencies', 'dependencies'],
  ['dev-dependencies', 'dev-dependencies'],
  ['dev_dependencies', 'dev-dependencies'],
  ['build-dependencies', 'build-dependencies'],
  ['build_dependencies', 'build-dependencies'],
];

function entriesOf(table: unknown, tableName: string, collection: string): DependencyEntry[] {
  if (!isTable(table)) return [];
  return Object.entries(table)
    .filter(([, spec]) => isTable(spec))
    .map(([key, spec]) => {
      const s = spec as Table;
      return {
        table: tableName,
        key,
        collection,
        path: typeof s.path === 'string' ? s.path : undefined,
        version: typeof s.version === 'string' ? s.version : undefined,
        inheritsWorkspace: s.workspace === true,
      };
    });
}

/** Every table-valued dependency of a manifest (plain `"1.0"` strings name registry crates only). */
export function dependencyEntries(text: string, file: string): DependencyEntry[] {
  const doc = parse(text, file);
  const out: DependencyEntry[] = [];
  for (const [name, collection] of KINDS) out.push(...entriesOf(doc[name], name, collection));
  if (isTable(doc.target)) {
    for (const [target, tables] of Object.entries(doc.target)) {
      if (!isTable(tables)) continue;
      for (const [name, collection] of KINDS) out.push(...entriesOf(tables[name], `target.${target}.${name}`, collection));
    }
  }
  if (isTable(doc.workspace)) out.push(...entriesOf(doc.workspace.dependencies, 'workspace.dependencies', 'workspace.dependencies'));
  return out;
}

/** The span of `key = <string>` directly inside the inline table at [start, end). */
function inlineStringSpan(text: string, start: number, end: number, key: string): { start: number; end: number } | undefined {
  let depth = 0;
  let expectKey = false;
  for (let i = start; i < end; ) {
    const ch = text[i];
    if (ch === '"' || ch === "'") {
      i = stringEnd(text, i);
      continue;
    }
    if (ch === '{' || ch === '[') {
      depth++;
      expectKey = ch === '{' && depth === 1;
      i++;
      continue;
    }
    if (ch === '}' || ch === ']') {
      depth--;
      i++;
      continue;
    }
    if (ch === ',' && depth === 1) {
      expectKey = true;
      i++;
      continue;
    }
    if (depth === 1 && expectKey && /[A-Za-z0-9_-]/.test(ch)) {
      const m = /^([A-Za-z0-9_-]+)\s*=\s*/.exec(text.slice(i, end));
      expectKey = false;
      if (m) {
        const valueStart = i + m[0].length;
        if (m[1] === key && (text[valueStart] === '"' || text[valueStart] === "'")) return { start: valueStart, end: stringEnd(text, valueStart) };
        i = valueStart;
        continue;
      }
    }
    i++;
  }
  return undefined;
}

/**
 * Rewrites the `version` requirement of one dependency entry, wherever the manifest
 * writes it: inline (`domain = { path = "../domain", version = "0.1" }`) or as its own
 * table (`[dependencies.domain]`). The entry must have a version already.
 */
export function setDependencyVersion(text: string, entry: Pick<DependencyEntry, 'table' | 'key'>, version: string, file: string): string {
  const what = `${file}: ${entry.key} in [${entry.table}]`;
  const table = findTable(text, entry.table);
  const inline = table && findValue(text, table, entry.key);
  if (inline && text[inline.valueStart] === '{') {
    const span = inlineStringSpan(text, inline.valueStart, inline.valueEnd, 'version');
    if (span) return replaceString(text, span.start, span.end, version, what);
  }
  const own = listTables(text).find((t) => t.name === `${entry.table}.${entry.key}` && !t.isArrayTable);
  const span = own && findValue(text, own, 'version');
  if (span) return replaceString(text, span.valueStart, span.valueEnd, version, what);
  throw new Error(`cannot find the version requirement of ${what} in this file's layout; update it by hand.`);
}
