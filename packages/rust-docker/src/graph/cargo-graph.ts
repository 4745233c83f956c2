import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { FolderListings } from '../cargo/layout';
import { libraryOnDisk } from '../cargo/load';
import { isRecord } from '../safety/is-record';
import { warn } from './log';
import { impliedManifestFiles } from '../cargo/discover';
import { isExternal, localsThroughExternals, lockGraph, type LockedLocal } from '../cargo/lockfile';
import { ManifestError, parseCargoManifest, type CargoManifest } from '../cargo/manifest';
import {
  addEdgesThroughExternals,
  addPossibleEdgesThroughExternals,
  buildWorkspaceModel,
  CARGO_ROOT_FILES,
  type CargoWorkspaceModel,
  type Crate,
} from '../cargo/workspace';

/**
 * The Cargo side of the Nx graph, computed from manifests and lockfiles alone (no cargo
 * process), and cached in Nx's workspace data folder: a manifest or lockfile is only
 * read again when its size or modification time changed, and only parsed again when its
 * content did.
 */

// Bumped whenever the cached shapes change, so an upgraded plugin never reads old entries.
const CACHE_FORMAT = 3;
/**
 * The plugin's version and the build of the code that parses manifests: a cache written
 * by any other build (an upgrade, or a local rebuild) is ignored.
 */
const PLUGIN_VERSION: string = (() => {
  const parts: string[] = [];
  try {
    parts.push(JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')).version);
  } catch {
    parts.push('dev');
  }
  for (const file of [__filename, require.resolve('../cargo/manifest'), require.resolve('../cargo/toml'), require.resolve('../cargo/lockfile')]) {
    try {
      parts.push(String(statSync(file).mtimeMs));
    } catch {
      // bundled or virtual: the version alone
    }
  }
  return parts.join(':');
})();

export interface ExternalCrate {
  packageName: string;
  version: string;
  /** Registry checksum, or a digest of source and version for git and path-less sources. */
  hash: string;
}

/** What one Cargo.lock says, reduced to what the graph needs. */
interface LockSummary {
  /** External node name (`cargo:serde@1.0.228`) → package. */
  nodes: Record<string, ExternalCrate>;
  /** External node → the external nodes it depends on. */
  edges: Record<string, string[]>;
  /** Local crate name → external nodes it depends on directly (all kinds). */
  localDeps: Record<string, string[]>;
  /** Local crate name → external package → local crates it reaches (`[patch]` deep in a tree). */
  throughExternals: Record<string, Record<string, LockedLocal[]>>;
}

interface Stamp {
  size: number;
  mtimeMs: number;
  hash: string;
}

interface CacheFile {
  format: number;
  plugin: string;
  manifests: Record<string, Stamp & { manifest?: CargoManifest; error?: { message: string; line?: number }; vendored?: boolean }>;
  locks: Record<string, Stamp & { summary: LockSummary }>;
}

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

export function workspaceDataDirectory(workspaceRoot: string): string {
  return process.env.NX_WORKSPACE_DATA_DIRECTORY ?? process.env.NX_PROJECT_GRAPH_CACHE_DIRECTORY ?? join(workspaceRoot, '.nx', 'workspace-data');
}

function cachePath(workspaceRoot: string): string {
  return join(workspaceDataDirectory(workspaceRoot), 'rust-docker-cargo.json');
}

function emptyCache(): CacheFile {
  return { format: CACHE_FORMAT, plugin: PLUGIN_VERSION, manifests: {}, locks: {} };
}

/**
 * The cache, when this build of the plugin wrote it. A missing one, or one an older build
 * wrote, is simply rebuilt; an unreadable one (truncated, edited, another shape) is rebuilt
 * with a warning, and so are entries of an odd shape, which could otherwise break the graph.
 */
function readCache(workspaceRoot: string): CacheFile {
  const file = cachePath(workspaceRoot);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return emptyCache();
  }
  try {
    const cache = JSON.parse(text) as CacheFile;
    if (!isRecord(cache)) throw new Error('not a JSON object');
    if (cache.format !== CACHE_FORMAT || cache.plugin !== PLUGIN_VERSION) return emptyCache();
    if (!isRecord(cache.manifests) || !isRecord(cache.locks)) throw new Error('not the shape this version writes');
    const dropped = dropOddEntries(cache.manifests, isManifestEntry) + dropOddEntries(cache.locks, isLockEntry);
    if (dropped) warn(`@org/rust-docker: ${dropped} entr${dropped === 1 ? 'y' : 'ies'} of the graph cache ${file} had an odd shape; discarded, they will be rebuilt.`);
    return cache;
  } catch (error) {
    warn(`@org/rust-docker: the graph cache ${file} is unreadable (${(error as Error).message.split('\n')[0]}); discarded, it will be rebuilt.`);
    return emptyCache();
  }
}

const isStamp = (v: unknown): v is Stamp => isRecord(v) && typeof v.size === 'number' && typeof v.mtimeMs === 'number' && typeof v.hash === 'string';

function isManifestEntry(v: unknown): boolean {
  if (!isStamp(v)) return false;
  const entry = v as CacheFile['manifests'][string];
  if (entry.vendored !== undefined && typeof entry.vendored !== 'boolean') return false;
  if (entry.error !== undefined) return isRecord(entry.error) && typeof entry.error.message === 'string';
  if (entry.manifest === undefined) return entry.vendored === true;
  const m = entry.manifest as unknown as Record<string, unknown>;
  return isRecord(m) && typeof m.file === 'string' && typeof m.dir === 'string' && Array.isArray(m.dependencies) && Array.isArray(m.explicitBins) && isRecord(m.nx);
}

function isLockEntry(v: unknown): boolean {
  if (!isStamp(v)) return false;
  const summary = (v as { summary?: unknown }).summary;
  return isRecord(summary) && isRecord(summary.nodes) && isRecord(summary.edges) && isRecord(summary.localDeps);
}

function dropOddEntries(entries: Record<string, unknown>, valid: (v: unknown) => boolean): number {
  let dropped = 0;
  for (const [key, entry] of Object.entries(entries)) {
    if (!valid(entry)) {
      delete entries[key];
      dropped++;
    }
  }
  return dropped;
}

/** Temp file then rename: a reader never sees half a cache, and a crash leaves the old one. */
function writeCache(workspaceRoot: string, cache: CacheFile): void {
  const file = cachePath(workspaceRoot);
  try {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(tmp, JSON.stringify(cache));
    renameSync(tmp, file);
  } catch {
    // A read-only workspace still gets a graph, just not a cached one.
  }
}

const pendingWrites = new Map<string, CacheFile>();

/**
 * Writes the cache once the current call has returned: Nx merges what createNodes returned
 * meanwhile (in its own process), so writing it is not part of the graph's wait.
 */
function scheduleCacheWrite(workspaceRoot: string, cache: CacheFile): void {
  if (pendingWrites.has(workspaceRoot)) return;
  pendingWrites.set(workspaceRoot, cache);
  setImmediate(() => {
    pendingWrites.delete(workspaceRoot);
    writeCache(workspaceRoot, cache);
  });
}

/**
 * Parsed manifests and lockfiles per workspace, kept in memory for the life of the plugin
 * worker: the file on disk is read once per process, and an edit re-parses only the edited
 * file. (Nx 24 starts a new worker for each graph computation of a plugin that has only
 * graph hooks, daemon or not, so it is the disk cache that carries over between them.)
 */
const caches = new Map<string, CacheFile>();

function cacheOf(workspaceRoot: string): CacheFile {
  let cache = caches.get(workspaceRoot);
  if (!cache) caches.set(workspaceRoot, (cache = readCache(workspaceRoot)));
  return cache;
}

/** Returns the cached entry when the file is unchanged, else reads it and calls `parse`. */
function cached<T extends Stamp>(
  entries: Record<string, T>,
  key: string,
  absPath: string,
  stat: { size: number; mtimeMs: number },
  parse: (text: string, stamp: Stamp) => T,
): { entry: T; changed: boolean } {
  const previous = entries[key];
  if (previous && previous.size === stat.size && previous.mtimeMs === stat.mtimeMs) return { entry: previous, changed: false };
  const text = readFileSync(absPath, 'utf8');
  const hash = sha1(text);
  if (previous && previous.hash === hash) {
    const entry = { ...previous, size: stat.size, mtimeMs: stat.mtimeMs };
    entries[key] = entry;
    return { entry, changed: true };
  }
  const entry = parse(text, { size: stat.size, mtimeMs: stat.mtimeMs, hash });
  entries[key] = entry;
  return { entry, changed: true };
}

export function summarizeLock(text: string): LockSummary {
  const graph = lockGraph(text);
  const names = new Map<(typeof graph.packages)[number], string>();
  const counts = new Map<string, number>();
  for (const p of graph.packages) counts.set(`${p.name}@${p.version}`, (counts.get(`${p.name}@${p.version}`) ?? 0) + 1);
  for (const p of graph.packages) {
    if (!isExternal(p)) continue;
    const base = `cargo:${p.name}@${p.version}`;
    names.set(p, counts.get(`${p.name}@${p.version}`)! > 1 ? `${base}+${sha1(p.source!).slice(0, 8)}` : base);
  }
  const summary: LockSummary = { nodes: {}, edges: {}, localDeps: {}, throughExternals: localsThroughExternals(graph) };
  for (const p of graph.packages) {
    const deps = graph.dependenciesOf.get(p)!.filter(isExternal).map((d) => names.get(d)!);
    if (isExternal(p)) {
      const name = names.get(p)!;
      const checksum = /^checksum = "([^"]+)"/m.exec(p.text)?.[1];
      summary.nodes[name] = { packageName: p.name, version: p.version, hash: checksum ?? sha1(`${p.source}#${p.version}`) };
      if (deps.length) summary.edges[name] = deps;
    } else {
      summary.localDeps[p.name] = deps;
    }
  }
  return summary;
}

export interface CrateExternals {
  /** External nodes the crate's normal and build dependencies name directly. */
  production: string[];
  /** Also its dev-dependencies. */
  all: string[];
}

export interface CargoGraph {
  model: CargoWorkspaceModel;
  errors: ManifestError[];
  externalNodes: Record<string, ExternalCrate>;
  externalEdges: Record<string, string[]>;
  /** Crate folder → external nodes it depends on directly. */
  externals: Map<string, CrateExternals>;
  /** Folders of Cargo workspace roots and standalone crates. */
  cargoRoots: Set<string>;
  /** Cargo root → which of CARGO_ROOT_FILES it has. */
  rootFiles: Map<string, string[]>;
}

function classifyExternals(crate: Crate, model: CargoWorkspaceModel, direct: string[], nodes: Record<string, ExternalCrate>): CrateExternals {
  const ws = crate.workspaceDir !== undefined ? model.workspaces.get(crate.workspaceDir) : undefined;
  const kindsByPackage = new Map<string, Set<string>>();
  for (const dep of crate.manifest.dependencies) {
    const inherited = dep.inheritsWorkspace ? ws?.workspace?.dependencies[dep.key] : undefined;
    const packageName = dep.packageName ?? inherited?.packageName ?? dep.key;
    kindsByPackage.set(packageName, (kindsByPackage.get(packageName) ?? new Set()).add(dep.kind));
  }
  const production = direct.filter((node) => {
    const kinds = kindsByPackage.get(nodes[node].packageName);
    // Unknown to the manifest (it should not happen): count it, to stay safe.
    return !kinds || kinds.has('normal') || kinds.has('build');
  });
  return { production, all: direct };
}

/**
 * The last graph this process computed, with the stamps of the files it came from. Nx runs
 * createNodes and createDependencies of a graph computation in the same plugin worker;
 * every call but createDependencies' re-checks the stamps, so it is never stale.
 */
let lastGraph: { files: string; key: string; stamped: string[]; graph: CargoGraph; libraries: Map<string, boolean> } | undefined;

type FileStat = { size: number; mtimeMs: number } | undefined;

/** Size and modification time of each file (undefined when missing), stat'ed once per graph. */
function statAll(workspaceRoot: string, files: string[]): Map<string, FileStat> {
  const stats = new Map<string, FileStat>();
  for (const file of files) {
    const stat = statSync(`${workspaceRoot}/${file}`, { throwIfNoEntry: false });
    stats.set(file, stat && { size: stat.size, mtimeMs: stat.mtimeMs });
  }
  return stats;
}

function stampKey(stats: Map<string, FileStat>): string {
  return [...stats].map(([file, stat]) => (stat ? `${file}:${stat.size}:${stat.mtimeMs}` : `${file}:-`)).join('\n');
}

/**
 * Reads (or reuses) every manifest and lockfile and builds the Cargo graph. With `reuse`,
 * the graph last built from the same manifests is returned without looking at the disk:
 * createDependencies asks right after createNodes built it, in the same graph computation
 * (a file that changes since makes Nx compute the graph again).
 */
export function analyzeCargo(workspaceRoot: string, files: string[], options: { reuse?: boolean } = {}): CargoGraph {
  const manifestFiles = [...files].sort();
  const fileList = `${workspaceRoot}\n${manifestFiles.join('\n')}`;
  if (options.reuse && lastGraph?.files === fileList) return lastGraph.graph;
  const manifestStats = statAll(workspaceRoot, manifestFiles);
  const manifestKey = `${workspaceRoot}\n${stampKey(manifestStats)}`;
  const listings = new FolderListings(workspaceRoot);
  if (
    lastGraph &&
    lastGraph.key === `${manifestKey}\n${stampKey(statAll(workspaceRoot, lastGraph.stamped))}` &&
    // A crate that gained or lost src/lib.rs changes which dependencies Cargo honours.
    [...lastGraph.libraries].every(([dir, had]) => libraryOnDisk(listings)(lastGraph!.graph.model.crates.get(dir)!) === had)
  ) {
    lastGraph.files = fileList;
    return lastGraph.graph;
  }
  const libraries = new Map<string, boolean>();
  const graph = analyzeFromFiles(workspaceRoot, manifestStats, listings, libraries);
  // Lockfiles, toolchain files and Cargo configs: adding or removing one changes the targets.
  const stamped = [...graph.cargoRoots].flatMap((root) => CARGO_ROOT_FILES.filter((f) => f !== 'Cargo.toml').map((f) => posix.join(root === '.' ? '' : root, f)));
  // Manifests read beyond those Nx passed (analyzeFromFiles added them): theirs count too.
  const passed = new Set(manifestFiles);
  stamped.push(...[...manifestStats.keys()].filter((f) => !passed.has(f)));
  lastGraph = { files: fileList, key: `${manifestKey}\n${stampKey(statAll(workspaceRoot, stamped))}`, stamped, graph, libraries };
  return graph;
}

function analyzeFromFiles(
  workspaceRoot: string,
  manifestStats: Map<string, FileStat>,
  listings: FolderListings,
  libraries: Map<string, boolean>,
): CargoGraph {
  const cache = cacheOf(workspaceRoot);
  let dirty = false;
  const manifests: CargoManifest[] = [];
  const errors: ManifestError[] = [];
  const seen = new Set<string>();
  for (const [file, stat] of manifestStats) {
    seen.add(file);
    if (!stat) continue; // gone since Nx listed it: the next graph drops it
    const { entry, changed } = cached(cache.manifests, file, `${workspaceRoot}/${file}`, stat, (text, stamp) => {
      // Vendored crates (cargo vendor output) carry a checksum file; they are not workspace crates.
      if (listings.has(posix.dirname(file), '.cargo-checksum.json')) return { ...stamp, vendored: true };
      try {
        return { ...stamp, manifest: parseCargoManifest(text, file) };
      } catch (error) {
        const e = error as ManifestError;
        return { ...stamp, error: { message: e.message, line: e.line } };
      }
    });
    dirty ||= changed;
    if (entry.manifest) {
      manifests.push(entry.manifest);
      // Plugin include/exclude in nx.json narrows what Nx passes, never what Cargo reads:
      // manifests this one brings in join the loop (a Map visits entries added while iterating).
      for (const implied of impliedManifestFiles(entry.manifest, workspaceRoot)) {
        if (!manifestStats.has(implied)) manifestStats.set(implied, statAll(workspaceRoot, [implied]).get(implied));
      }
    } else if (entry.error) errors.push(Object.assign(new ManifestError(file, ''), { message: entry.error.message, line: entry.error.line }));
  }
  for (const file of Object.keys(cache.manifests)) {
    if (!seen.has(file)) {
      delete cache.manifests[file];
      dirty = true;
    }
  }

  const onDisk = libraryOnDisk(listings);
  const model = buildWorkspaceModel(manifests, {
    hasLibrary: (crate) => libraries.get(crate.dir) ?? libraries.set(crate.dir, onDisk(crate)).get(crate.dir)!,
  });
  const externalNodes: Record<string, ExternalCrate> = {};
  const externalEdges: Record<string, string[]> = {};
  const externals = new Map<string, CrateExternals>();
  const cratesByRoot = new Map<string, Crate[]>();
  for (const crate of model.crates.values()) {
    const root = crate.workspaceDir ?? crate.dir;
    const list = cratesByRoot.get(root);
    if (list) list.push(crate);
    else cratesByRoot.set(root, [crate]);
  }
  const roots = new Set(cratesByRoot.keys());
  const seenLocks = new Set<string>();
  for (const root of roots) {
    const lockFile = posix.join(root === '.' ? '' : root, 'Cargo.lock');
    const abs = join(workspaceRoot, lockFile);
    const stat = statSync(abs, { throwIfNoEntry: false });
    if (!stat) {
      addPossibleEdgesThroughExternals(model, root);
      continue;
    }
    seenLocks.add(lockFile);
    const { entry, changed } = cached(cache.locks, lockFile, abs, stat, (text, stamp) => ({ ...stamp, summary: summarizeLock(text) }));
    dirty ||= changed;
    Object.assign(externalNodes, entry.summary.nodes);
    Object.assign(externalEdges, entry.summary.edges);
    for (const crate of cratesByRoot.get(root)!) {
      const direct = entry.summary.localDeps[crate.name] ?? [];
      externals.set(crate.dir, classifyExternals(crate, model, direct, entry.summary.nodes));
    }
    addEdgesThroughExternals(model, root, entry.summary.throughExternals);
  }
  for (const file of Object.keys(cache.locks)) {
    if (!seenLocks.has(file)) {
      delete cache.locks[file];
      dirty = true;
    }
  }
  if (dirty) scheduleCacheWrite(workspaceRoot, cache);
  const rootFiles = new Map<string, string[]>();
  for (const root of roots) {
    rootFiles.set(root, CARGO_ROOT_FILES.filter((f) => listings.has(root, f)));
  }
  return { model, errors, externalNodes, externalEdges, externals, cargoRoots: roots, rootFiles };
}

const productionDependencies = new WeakMap<CargoGraph, Map<string, string[]>>();

/**
 * Folders of the crates `dir` names in its normal and build dependencies (target-specific
 * ones included), never its dev-dependencies: what its build compiles besides itself.
 * Nx follows the rest of the closure itself (see targets.ts).
 */
export function directProductionDependencies(graph: CargoGraph, dir: string): string[] {
  let byCrate = productionDependencies.get(graph);
  if (!byCrate) {
    byCrate = new Map();
    for (const dep of graph.model.dependencies) {
      if (dep.kind === 'dev' || dep.from === dep.to) continue;
      const list = byCrate.get(dep.from);
      if (!list) byCrate.set(dep.from, [dep.to]);
      else if (!list.includes(dep.to)) list.push(dep.to);
    }
    productionDependencies.set(graph, byCrate);
  }
  return byCrate.get(dir) ?? [];
}
