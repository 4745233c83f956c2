import { posix } from 'node:path';
import { parseToml, TomlSyntaxError } from './toml';

/** One dependency declaration, as written in a manifest (before workspace inheritance). */
export interface DependencyDeclaration {
  /** The key in the dependency table: the name the code uses. */
  key: string;
  /** The package it names (`package = "..."` renames it); defaults to the key. */
  packageName?: string;
  kind: 'normal' | 'dev' | 'build';
  /** `cfg(...)` or a target triple, for `[target.'...'.dependencies]`. */
  target?: string;
  /** Path as written, relative to the manifest's folder. */
  path?: string;
  /** `x = { workspace = true }`: the rest comes from `[workspace.dependencies]`. */
  inheritsWorkspace?: boolean;
  /** `registry = "..."`: an alternative registry; `[patch.<registry>]` overrides it. */
  registry?: string;
  /** `git = "..."`: a git source; `[patch."<url>"]` overrides it. */
  git?: string;
  optional?: boolean;
  /** 1-based line of the declaration, for warnings (path and workspace dependencies only). */
  line?: number;
}

export interface WorkspaceSection {
  members: string[];
  exclude: string[];
  /** `[workspace.dependencies]`: key → path (relative to the workspace root), package name and source. */
  dependencies: Record<string, { path?: string; packageName?: string; registry?: string; git?: string }>;
  /** `[workspace.package].version`, which members inherit with `version.workspace = true`. */
  packageVersion?: string;
  /**
   * `default-members`: what `cargo build` builds without `-p`. Membership and edges do not
   * depend on it; every cargo command the plugin runs names its package.
   */
  defaultMembers?: string[];
}

/**
 * A `[patch.<source>]` or `[replace]` entry that points to a local folder: every
 * dependency on that package from that source, anywhere in the root's crate graph
 * (external crates included), builds the local crate instead. Only a Cargo root's
 * entries count (Cargo ignores them in members, with a warning).
 */
export interface PathOverride {
  table: 'patch' | 'replace';
  /** `crates-io`, an alternative registry's name, or a git URL (normalized). */
  source: string;
  /** The package it replaces: `package = "..."` or the key (`name:version` keys of `[replace]` give the name). */
  packageName: string;
  /** Path as written, relative to the manifest's folder. */
  path: string;
  line?: number;
}

export interface BinaryTarget {
  name: string;
  path?: string;
}

/** What the plugin needs to know about one Cargo.toml. */
export interface CargoManifest {
  /** Workspace-relative path of the manifest, with forward slashes. */
  file: string;
  /** Folder of the manifest ('.' for the workspace root). */
  dir: string;
  packageName?: string;
  version?: string;
  /** `version.workspace = true`: the version is `[workspace.package].version`. */
  inheritsVersion?: boolean;
  /** `package.workspace = "..."`: an explicit workspace root. */
  workspaceRootHint?: string;
  workspace?: WorkspaceSection;
  dependencies: DependencyDeclaration[];
  /** `[patch]` and `[replace]` entries with a `path`. */
  overrides: PathOverride[];
  /** `[[bin]]` tables; implicit binaries are found on disk by `binaryNames`. */
  explicitBins: BinaryTarget[];
  autobins: boolean;
  /** `[lib]` is present. */
  explicitLib: boolean;
  /** `autolib = false`: src/lib.rs is not a library unless `[lib]` says so. */
  autolib: boolean;
  /** `[package.metadata.nx]`: Nx settings kept in the crate's own manifest. */
  nx: { tags?: string[]; name?: string };
  /** What was read but not used, and why (an Nx name that is not one): shown as graph warnings. */
  problems?: Array<{ line?: number; message: string }>;
}

/**
 * An Nx project name given in `[package.metadata.nx] name`: letters, digits, `.`, `_`, `-`,
 * optionally after an npm-style `@scope/`. Nothing that reads as a path (`..`, `/`) or a
 * target (`:`): the name becomes a folder, an image and a container name downstream.
 */
const NX_PROJECT_NAME = /^(?:@[a-z0-9][a-z0-9._-]*\/)?[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A package name Cargo accepts: letters, digits, `-` and `_` (Unicode letters too). */
const CARGO_PACKAGE_NAME = /^[\p{L}\p{N}_-]+$/u;

export function nxProjectNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'is not a string';
  if (name.length > 214) return `is ${name.length} characters long (at most 214)`;
  if (!NX_PROJECT_NAME.test(name)) return 'is not a project name: use letters, digits, ".", "_" and "-", optionally after an npm-style "@scope/"';
  return undefined;
}

export class ManifestError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly line?: number,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${message}`);
    this.name = 'ManifestError';
  }
}

type Table = Record<string, unknown>;

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function readDependencyTable(
  table: unknown,
  kind: DependencyDeclaration['kind'],
  target?: string,
): DependencyDeclaration[] {
  if (!isTable(table)) return [];
  return Object.entries(table).map(([key, spec]) => {
    const declaration: DependencyDeclaration = { key, kind };
    if (target) declaration.target = target;
    if (isTable(spec)) {
      if (typeof spec.path === 'string') declaration.path = spec.path;
      if (typeof spec.package === 'string') declaration.packageName = spec.package;
      if (spec.workspace === true) declaration.inheritsWorkspace = true;
      if (spec.optional === true) declaration.optional = true;
      if (typeof spec.registry === 'string') declaration.registry = spec.registry;
      if (typeof spec.git === 'string') declaration.git = spec.git;
    }
    return declaration;
  });
}

function readAllDependencies(root: Table): DependencyDeclaration[] {
  const sections: Array<[string, DependencyDeclaration['kind']]> = [
    ['dependencies', 'normal'],
    ['dev-dependencies', 'dev'],
    ['dev_dependencies', 'dev'],
    ['build-dependencies', 'build'],
    ['build_dependencies', 'build'],
  ];
  const out: DependencyDeclaration[] = [];
  for (const [section, kind] of sections) out.push(...readDependencyTable(root[section], kind));
  if (isTable(root.target)) {
    for (const [target, tables] of Object.entries(root.target)) {
      if (!isTable(tables)) continue;
      for (const [section, kind] of sections) {
        out.push(...readDependencyTable(tables[section], kind, target));
      }
    }
  }
  return out;
}

/** Parses a Cargo.toml. Throws a ManifestError naming the file and line on invalid TOML. */
export function parseCargoManifest(text: string, file: string): CargoManifest {
  let root: Table;
  try {
    root = parseToml(text);
  } catch (error) {
    if (!(error instanceof TomlSyntaxError)) throw error;
    throw new ManifestError(file, `invalid TOML: ${error.message}`, error.line);
  }
  const normalizedFile = file.split('\\').join('/');
  const dependencies = readAllDependencies(root);
  if (dependencies.some((dep) => dep.path !== undefined || dep.inheritsWorkspace)) {
    const lines = dependencyLines(text);
    for (const dep of dependencies) {
      if (dep.path !== undefined || dep.inheritsWorkspace) dep.line = lines.get(dep.key);
    }
  }
  const dir = posix.dirname(normalizedFile);
  const manifest: CargoManifest = {
    file: normalizedFile,
    dir,
    dependencies,
    overrides: readOverrides(root, text),
    explicitBins: [],
    autobins: true,
    explicitLib: isTable(root.lib),
    autolib: true,
    nx: {},
  };

  if (isTable(root.package)) {
    const pkg = root.package;
    if (typeof pkg.name !== 'string') {
      throw new ManifestError(normalizedFile, '[package] has no `name`', lineOf(text, /^[ \t]*\[package\]/m));
    }
    if (!CARGO_PACKAGE_NAME.test(pkg.name)) {
      throw new ManifestError(
        normalizedFile,
        `package name ${JSON.stringify(pkg.name)} is not one Cargo accepts (letters, digits, "-" and "_"); this crate is left out of the graph`,
        lineOf(text, /^[ \t]*name[ \t]*=/m),
      );
    }
    manifest.packageName = pkg.name;
    manifest.version = stringOrUndefined(pkg.version);
    if (isTable(pkg.version) && pkg.version.workspace === true) manifest.inheritsVersion = true;
    manifest.workspaceRootHint = stringOrUndefined(pkg.workspace);
    if (pkg.autobins === false) manifest.autobins = false;
    if (pkg.autolib === false) manifest.autolib = false;
    const metadata = isTable(pkg.metadata) ? pkg.metadata : {};
    const nx = isTable(metadata.nx) ? metadata.nx : {};
    if (Array.isArray(nx.tags)) manifest.nx.tags = stringArray(nx.tags);
    if (nx.name !== undefined) {
      // Refused rather than made safe: a guessed name would surprise; the crate name is what
      // the project is called without the setting, and the warning points at the line.
      const problem = nxProjectNameProblem(nx.name);
      if (problem) {
        manifest.problems = [
          { line: nxNameLine(text), message: `[package.metadata.nx] name ${JSON.stringify(nx.name)} ${problem}; the project is named after the crate, "${pkg.name}"` },
        ];
      } else manifest.nx.name = nx.name as string;
    }
  }

  if (Array.isArray(root.bin)) {
    for (const bin of root.bin) {
      if (isTable(bin) && typeof bin.name === 'string') {
        manifest.explicitBins.push({ name: bin.name, path: stringOrUndefined(bin.path) });
      }
    }
  }

  if (isTable(root.workspace)) {
    const ws = root.workspace;
    const dependencies: WorkspaceSection['dependencies'] = {};
    if (isTable(ws.dependencies)) {
      for (const [key, spec] of Object.entries(ws.dependencies)) {
        dependencies[key] = isTable(spec)
          ? {
              path: stringOrUndefined(spec.path),
              packageName: stringOrUndefined(spec.package),
              ...(typeof spec.registry === 'string' ? { registry: spec.registry } : {}),
              ...(typeof spec.git === 'string' ? { git: spec.git } : {}),
            }
          : {};
      }
    }
    manifest.workspace = {
      members: stringArray(ws.members),
      exclude: stringArray(ws.exclude),
      dependencies,
      packageVersion: isTable(ws.package) ? stringOrUndefined(ws.package.version) : undefined,
    };
    if (Array.isArray(ws['default-members'])) manifest.workspace.defaultMembers = stringArray(ws['default-members']);
  }
  return manifest;
}

/** The names crates.io goes by in `[patch.<source>]` keys and dependency sources. */
const CRATES_IO_SOURCES = new Set(['crates-io', 'https://github.com/rust-lang/crates.io-index', 'sparse+https://index.crates.io/']);

/**
 * A source as `[patch]` keys and dependencies name it, in one spelling: `crates-io` for
 * crates.io, a git URL without a trailing slash or `.git` (Cargo treats those alike),
 * otherwise the registry's name.
 */
export function normalizeSource(source: string): string {
  if (CRATES_IO_SOURCES.has(source)) return 'crates-io';
  if (/^(?:git\+)?(?:https?|ssh|git|file):\/\//.test(source)) return source.replace(/^git\+/, '').replace(/\/+$/, '').replace(/\.git$/, '');
  return source;
}

/** The source a registry or git dependency comes from (see `normalizeSource`). */
export function dependencySource(dep: { registry?: string; git?: string }): string {
  if (dep.git !== undefined) return normalizeSource(dep.git);
  return dep.registry !== undefined ? normalizeSource(dep.registry) : 'crates-io';
}

function readOverrides(root: Table, text: string): PathOverride[] {
  // Each with what finds its line: the key in [patch], the path in [replace].
  const found: Array<[PathOverride, string]> = [];
  if (isTable(root.patch)) {
    for (const [source, entries] of Object.entries(root.patch)) {
      if (!isTable(entries)) continue;
      for (const [key, spec] of Object.entries(entries)) {
        if (!isTable(spec) || typeof spec.path !== 'string') continue;
        found.push([{ table: 'patch', source: normalizeSource(source), packageName: stringOrUndefined(spec.package) ?? key, path: spec.path }, key]);
      }
    }
  }
  if (isTable(root.replace)) {
    for (const [spec, target] of Object.entries(root.replace)) {
      if (!isTable(target) || typeof target.path !== 'string') continue;
      // A package ID spec: `name:version`, `name@version`, or `<source>#name[:@]version`.
      const hash = spec.lastIndexOf('#');
      const source = hash >= 0 ? spec.slice(0, hash) : 'crates-io';
      const name = (hash >= 0 ? spec.slice(hash + 1) : spec).split(/[:@]/)[0];
      found.push([{ table: 'replace', source: normalizeSource(source), packageName: name, path: target.path }, target.path]);
    }
  }
  if (found.length) {
    const lines = overrideLines(text);
    for (const [o, lookup] of found) o.line = lines.get(lookup);
  }
  return found.map(([o]) => o);
}

/** 1-based lines of `[patch]` keys (by key) and `[replace]` entries (by path), for warnings. */
function overrideLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let section: 'patch' | 'replace' | undefined;
  text.split('\n').forEach((line, index) => {
    const header = /^\s*\[([^\]]+)\]/.exec(line);
    if (header) {
      const name = header[1].replace(/\s|["']/g, '');
      section = /^patch\./.test(name) ? 'patch' : name === 'replace' ? 'replace' : undefined;
      // `[patch.crates-io.foo]`: the key is in the header.
      const dotted = /^patch\.[^.]+\.([^.]+)$/.exec(name);
      if (dotted && !lines.has(dotted[1])) lines.set(dotted[1], index + 1);
      if (dotted) section = undefined;
      return;
    }
    if (section === 'patch') {
      const key = /^\s*["']?([A-Za-z0-9_-]+)["']?\s*=/.exec(line);
      if (key && !lines.has(key[1])) lines.set(key[1], index + 1);
    } else if (section === 'replace') {
      const path = /path\s*=\s*["']([^"']+)["']/.exec(line);
      if (path && !lines.has(path[1])) lines.set(path[1], index + 1);
    }
  });
  return lines;
}

/** 1-based line of each dependency key, found in one pass over the text. */
function dependencyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let inDependencies = false;
  // Line by line without splitting: only table headers, and keys inside dependency
  // tables, are looked at (inference parses every manifest of the workspace).
  for (let start = 0, number = 1; start < text.length; number++) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    let first = start;
    while (first < end && (text[first] === ' ' || text[first] === '\t')) first++;
    if (text[first] === '[') {
      const header = /^\[([^\]]+)\]/.exec(text.slice(first, end));
      if (header) {
        const name = header[1].replace(/\s|["']/g, '');
        const dotted = /(?:^|\.)(?:dev-|build-)?dependencies\.([^.]+)$/.exec(name);
        if (dotted && !lines.has(dotted[1])) lines.set(dotted[1], number);
        inDependencies = /(?:^|\.)(?:dev-|build-)?dependencies$/.test(name);
      }
    } else if (inDependencies && first < end && text[first] !== '#') {
      const key = /^["']?([A-Za-z0-9_-]+)["']?\s*[=.]/.exec(text.slice(first, end));
      if (key && !lines.has(key[1])) lines.set(key[1], number);
    }
    start = end + 1;
  }
  return lines;
}

/** The line of `name` in `[package.metadata.nx]` (or of a dotted `metadata.nx.name`). */
function nxNameLine(text: string): number | undefined {
  const header = /^[ \t]*\[[ \t]*package[ \t]*\.[ \t]*metadata[ \t]*\.[ \t]*nx[ \t]*\][ \t]*$/m.exec(text);
  if (header) {
    const key = /^[ \t]*name[ \t]*=/m.exec(text.slice(header.index));
    if (key) return text.slice(0, header.index + key.index).split('\n').length;
  }
  return lineOf(text, /^[ \t]*(?:metadata\.)?nx\.name[ \t]*=/m);
}

function lineOf(text: string, pattern: RegExp): number | undefined {
  const match = pattern.exec(text);
  return match ? text.slice(0, match.index).split('\n').length : undefined;
}

/**
 * The crate's binary targets, as Cargo discovers them: `[[bin]]` tables, then (unless
 * `autobins = false`) `src/main.rs` and `src/bin/*`. `exists` is relative to the crate folder.
 */
export function binaryNames(
  manifest: CargoManifest,
  exists: (relativePath: string) => boolean,
  listDir: (relativePath: string) => string[] = () => [],
): string[] {
  const names = manifest.explicitBins.map((b) => b.name);
  if (!manifest.packageName || !manifest.autobins) return names;
  // `./src/main.rs` and `src/main.rs` are one file; `src/bin/x/main.rs` is the folder `src/bin/x`.
  const explicitPaths = new Set(
    manifest.explicitBins.flatMap((b) => (b.path ? [posix.normalize(b.path), posix.dirname(posix.normalize(b.path))] : [])),
  );
  if (exists('src/main.rs') && !explicitPaths.has('src/main.rs') && !names.includes(manifest.packageName)) {
    names.push(manifest.packageName);
  }
  for (const entry of listDir('src/bin')) {
    const name = entry.endsWith('.rs') ? entry.slice(0, -3) : exists(`src/bin/${entry}/main.rs`) ? entry : undefined;
    if (name && !names.includes(name) && !explicitPaths.has(`src/bin/${entry}`)) names.push(name);
  }
  return names;
}

/** Whether Cargo sees a library target: `[lib]`, or `src/lib.rs` unless `autolib = false`. */
export function hasLibrary(manifest: CargoManifest, exists: (relativePath: string) => boolean): boolean {
  return manifest.explicitLib || (manifest.autolib && exists('src/lib.rs'));
}
