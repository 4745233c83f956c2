import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
} from 'node:fs';
import { join, posix } from 'node:path';
import { sanitizeCargoConfig } from '../cargo/cargo-config';
import { pruneLockfile } from '../cargo/lockfile';
import { copyFileNoFollow, ensureOwnDir, writeFileAtomic } from '../safety/paths';
import { hasFields, isString, readStateFile, writeStateFile } from '../safety/state-file';
import { parseToml, stringifyToml } from '../cargo/toml';
import { dependencyClosure, joinDir, type CargoWorkspaceModel } from '../cargo/workspace';
import { credentialKind, type KeptOut } from '../secrets/credential-files';
import { ALWAYS_EXCLUDED, isIgnored, parseDockerignore, type IgnoreRule } from './dockerignore';
import type { GitFiles } from './git-files';

/**
 * A monorepo-pruned build context: the Cargo workspace reduced to one service's
 * dependency closure. Its root manifest lists only those crates, its Cargo.lock only
 * what they reach, so an edit or a dependency bump elsewhere changes nothing in it.
 */
export interface ContextPlan {
  /** Folder of the Cargo workspace (Nx-workspace-relative); the context mirrors it. */
  workspaceDir: string;
  /** Crate folders in the context, relative to the Cargo workspace folder. */
  crateDirs: string[];
  crateNames: string[];
  /** Generated root files: path relative to the context → content. */
  generated: Map<string, string>;
  /** Root files copied as they are. */
  copied: string[];
}

const WORKSPACE_ONLY_KEYS = new Set(['workspace', 'profile', 'patch', 'replace']);

/** Rewrites the workspace manifest so it names only `memberDirs`. */
export function pruneRootManifest(text: string, memberDirs: string[], keepPackage: boolean): string {
  const root = parseToml(text) as Record<string, any>;
  if (!keepPackage) {
    for (const key of Object.keys(root)) if (!WORKSPACE_ONLY_KEYS.has(key)) delete root[key];
  }
  if (root.workspace) {
    root.workspace.members = memberDirs.filter((d) => d !== '.').sort();
    delete root.workspace['default-members'];
    delete root.workspace.exclude;
  }
  dropOverridesOutside(root, new Set(memberDirs));
  return stringifyToml(root);
}

/**
 * `[patch]` and `[replace]` entries whose path is not in the context go: Cargo reads every
 * patch path (a missing one fails the build), and `--locked` refuses a patch this
 * service does not use. The ones it uses point into its closure, which the context holds.
 */
function dropOverridesOutside(root: Record<string, any>, contextDirs: Set<string>): void {
  const outside = (spec: unknown) =>
    typeof spec === 'object' && spec !== null && typeof (spec as { path?: unknown }).path === 'string' && !contextDirs.has(joinDir('.', (spec as { path: string }).path));
  const prune = (table: Record<string, unknown>) => {
    for (const [key, spec] of Object.entries(table)) if (outside(spec)) delete table[key];
  };
  if (root.patch && typeof root.patch === 'object') {
    for (const [source, entries] of Object.entries(root.patch as Record<string, Record<string, unknown>>)) {
      if (typeof entries !== 'object' || entries === null) continue;
      prune(entries);
      if (!Object.keys(entries).length) delete root.patch[source];
    }
    if (!Object.keys(root.patch).length) delete root.patch;
  }
  if (root.replace && typeof root.replace === 'object') {
    prune(root.replace);
    if (!Object.keys(root.replace).length) delete root.replace;
  }
}

/** The user's Cargo config with its `[source]` tables replaced by the vendored ones. */
export function vendoredCargoConfig(userConfig: string | undefined, vendorSnippet: string): string {
  let base = '';
  if (userConfig) {
    const parsed = parseToml(userConfig);
    delete parsed.source;
    base = Object.keys(parsed).length ? stringifyToml(parsed) + '\n' : '';
  }
  return `${base}${vendorSnippet.trim()}\n`;
}

export function planBuildContext(model: CargoWorkspaceModel, crateDir: string, readRoot: (file: string) => string | undefined): ContextPlan {
  const crate = model.crates.get(crateDir);
  if (!crate) throw new Error(`no crate at ${crateDir}`);
  const workspaceDir = crate.workspaceDir ?? crateDir;
  const closure = dependencyClosure(model, crateDir, ['normal', 'build', 'dev']);
  const rel = (dir: string) => posix.relative(workspaceDir === '.' ? '' : workspaceDir, dir === '.' ? '' : dir) || '.';
  for (const dir of closure) {
    if (rel(dir).startsWith('..')) {
      throw new Error(
        `crate "${model.crates.get(dir)!.name}" (${dir}) is outside the Cargo workspace at ${workspaceDir}; a build context cannot reach it. Move it inside the workspace.`,
      );
    }
  }
  const crateDirs = closure.map(rel).sort();
  const crateNames = closure.map((d) => model.crates.get(d)!.name).sort();
  const generated = new Map<string, string>();
  const copied: string[] = [];

  const rootManifest = readRoot('Cargo.toml');
  if (rootManifest !== undefined && crate.workspaceDir !== undefined) {
    generated.set('Cargo.toml', pruneRootManifest(rootManifest, crateDirs, crateDirs.includes('.')));
  }
  const lock = readRoot('Cargo.lock');
  if (lock === undefined) {
    throw new Error(
      `${posix.join(workspaceDir, 'Cargo.lock')} not found: a service image is built with --locked. Run \`cargo generate-lockfile\` (or any cargo build) and commit Cargo.lock.`,
    );
  }
  generated.set('Cargo.lock', pruneLockfile(lock, crateNames));
  for (const file of ['rust-toolchain.toml', 'rust-toolchain', '.cargo/config.toml', '.cargo/config']) {
    if (readRoot(file) !== undefined) copied.push(file);
  }
  return { workspaceDir, crateDirs, crateNames, generated, copied };
}

interface SourceEntry {
  source: string;
}

/** What else decides which files enter, besides .dockerignore and the built-in exclusions. */
export interface ContextFilter {
  /** The files git lists (see listGitFiles): nothing else enters. Outside git, undefined. */
  git?: GitFiles;
  /** Receives every credential file kept out (see credentialKind), for the warning. */
  keptOut?: KeptOut[];
  /** Also walk into crates nested in a crate folder (a whole-workspace context). */
  nestedCrates?: boolean;
}

/**
 * Lists the files of each crate folder (not those of other crates nested inside it):
 * only what git lists when there is git, never a credential file, and nothing that
 * .dockerignore or the built-in exclusions name.
 */
export function collectCrateFiles(
  workspaceAbs: string,
  crateDirs: string[],
  rules: IgnoreRule[],
  /** Root files the context gets a generated version of (the pruned Cargo.toml and Cargo.lock). */
  generatedRootFiles: Set<string> = new Set(),
  filter: ContextFilter = {},
): Map<string, SourceEntry> {
  const files = new Map<string, SourceEntry>();
  const always = parseDockerignore(ALWAYS_EXCLUDED.join('\n'));
  const crateSet = new Set(crateDirs);
  const { git } = filter;
  const submodules = new Set<string>();
  const visible = (relPath: string, isDir: boolean) => {
    if (!git) return true;
    if (!isDir) return git.files.has(relPath);
    if (git.files.has(relPath) && !submodules.has(relPath)) {
      submodules.add(relPath);
      git.addSubmodule(relPath);
    }
    return git.folders.has(relPath);
  };
  const keepOut = (relPath: string, isDir: boolean, what: string) => {
    if (!isDir) return void filter.keptOut?.push({ path: relPath, what });
    for (const entry of readdirSync(join(workspaceAbs, relPath), { withFileTypes: true })) {
      const inner = `${relPath}/${entry.name}`;
      if (entry.isDirectory() || entry.isFile()) {
        if (visible(inner, entry.isDirectory())) keepOut(inner, entry.isDirectory(), what);
      }
    }
  };
  const walk = (relDir: string, ownerDir: string) => {
    const absDir = join(workspaceAbs, relDir);
    for (const entry of readdirSync(absDir, { withFileTypes: true })) {
      const relPath = relDir === '.' ? entry.name : `${relDir}/${entry.name}`;
      const isDir = entry.isDirectory();
      if (!isDir && !entry.isFile()) continue;
      if (!visible(relPath, isDir)) continue;
      const what = credentialKind(relPath, isDir);
      if (what) {
        keepOut(relPath, isDir, what);
        continue;
      }
      // The built-in exclusions cannot be re-included by a `!` pattern.
      if (isIgnored(always, relPath) || isIgnored(rules, relPath)) continue;
      if (isDir) {
        if (!filter.nestedCrates && existsSync(join(workspaceAbs, relPath, 'Cargo.toml')) && relPath !== ownerDir) continue; // another crate
        walk(relPath, ownerDir);
      } else {
        if (generatedRootFiles.has(relPath)) continue;
        files.set(relPath, { source: join(workspaceAbs, relPath) });
      }
    }
  };
  for (const dir of crateSet) {
    if (dir !== '.') visible(dir, true); // a crate that is a submodule
    walk(dir, dir);
  }
  return files;
}

/** `.cargo/config.toml` and `.cargo/config`, at any depth. */
export function isCargoConfig(relPath: string): boolean {
  return /(^|\/)\.cargo\/config(\.toml)?$/.test(relPath);
}

/**
 * Moves every Cargo config among `files` into `generated`, without its secrets (see
 * sanitizeCargoConfig); returns what each one lost.
 */
export function sanitizeCargoConfigs(files: Map<string, SourceEntry>, generated: Map<string, string>): Array<{ file: string; removed: string[] }> {
  const report: Array<{ file: string; removed: string[] }> = [];
  for (const [rel, { source }] of [...files]) {
    if (!isCargoConfig(rel)) continue;
    const { text, removed } = sanitizeCargoConfig(readFileSync(source, 'utf8'), rel);
    files.delete(rel);
    generated.set(rel, text);
    report.push({ file: rel, removed });
  }
  return report;
}

/** `b` (in the context) is a regular file, not a symlink, with `a`'s size and time. */
function sameFile(a: string, b: string): boolean {
  try {
    const sa = statSync(a);
    const sb = lstatSync(b);
    return sb.isFile() && sa.size === sb.size && Math.abs(sa.mtimeMs - sb.mtimeMs) < 1;
  } catch {
    return false;
  }
}

/** The context is the plugin's own folder: nothing in it is followed, a symlink is replaced. */
function writeIfChanged(contextDir: string, rel: string, content: string): void {
  const path = join(contextDir, rel);
  if (existsSync(path) && lstatSync(path).isFile() && readFileSync(path, 'utf8') === content) return;
  ensureOwnDir(contextDir, posix.dirname(rel));
  writeFileAtomic(path, content);
}

/**
 * Makes `contextDir` hold exactly the planned files. Copies keep their modification
 * times, so Cargo's freshness checks inside the image build see what changed and no more.
 */
export function syncContext(contextDir: string, files: Map<string, SourceEntry>, generated: Map<string, string>, keep: string[] = []): { copied: number; removed: number } {
  ensureOwnDir(contextDir);
  // A kept folder (vendor/) that is a symlink would let cargo write through it.
  for (const k of keep) if (lstatOrUndefined(join(contextDir, k))?.isSymbolicLink()) rmSync(join(contextDir, k), { force: true });
  let copied = 0;
  for (const [rel, { source }] of files) {
    const dest = join(contextDir, rel);
    if (sameFile(source, dest)) continue;
    ensureOwnDir(contextDir, posix.dirname(rel));
    copyFileNoFollow(source, dest);
    // Seconds as a number keep sub-millisecond precision, which a Date would round.
    const { atimeMs, mtimeMs } = statSync(source);
    utimesSync(dest, atimeMs / 1000, mtimeMs / 1000);
    copied++;
  }
  for (const [rel, content] of generated) writeIfChanged(contextDir, rel, content);
  let removed = 0;
  const wanted = new Set([...files.keys(), ...generated.keys()]);
  const prune = (relDir: string): boolean => {
    const absDir = join(contextDir, relDir);
    let empty = true;
    for (const entry of readdirSync(absDir, { withFileTypes: true })) {
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (keep.some((k) => rel === k || rel.startsWith(`${k}/`))) {
        empty = false;
        continue;
      }
      if (entry.isDirectory()) {
        if (prune(rel)) rmSync(join(contextDir, rel), { recursive: true, force: true });
        else empty = false;
      } else if (!wanted.has(rel)) {
        rmSync(join(contextDir, rel), { force: true });
        removed++;
      } else empty = false;
    }
    return empty;
  };
  prune('');
  return { copied, removed };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Cargo's own Cargo.lock for the pruned workspace. Reachability in the full lockfile
 * over-approximates it: the full file lists what the features of *every* member pull in
 * (tokio's parking_lot when another service asks for it), and `--locked` compares text.
 * So cargo trims the over-approximation itself (`cargo metadata`, which keeps every
 * locked version and drops what nothing uses), offline when the host has the index,
 * online otherwise. The result is cached under `stampFile`, keyed by its inputs.
 */
export function exactLockfile(
  contextDir: string,
  supersetLock: string,
  manifests: string[],
  stampFile: string,
  /** Writes the context (manifests and the superset lockfile) for cargo to read. */
  prepare: () => void,
): string {
  const key = sha256([supersetLock, ...manifests].join('\0'));
  const stamp = readStateFile(stampFile, isLockfileStamp, 'lockfile stamp');
  if (stamp?.key === key) return stamp.lockfile;
  prepare();
  const run = (offline: boolean) =>
    execFileSync('cargo', ['metadata', '--format-version', '1', ...(offline ? ['--offline'] : [])], {
      cwd: contextDir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  try {
    try {
      run(true);
    } catch {
      run(false);
    }
  } catch (error) {
    const e = error as { code?: string; stderr?: Buffer };
    if (e.code === 'ENOENT') {
      throw new Error('cargo not found on PATH: the pruned build context needs cargo on the host to trim Cargo.lock. Install Rust (https://rustup.rs) or set "context": "workspace".');
    }
    throw new Error(`cargo could not resolve the pruned workspace: ${(e.stderr?.toString() ?? String(error)).trim().split('\n').slice(-4).join('\n')}`);
  }
  const lockfile = readFileSync(join(contextDir, 'Cargo.lock'), 'utf8');
  writeStateFile(stampFile, { key, lockfile });
  return lockfile;
}

const isLockfileStamp = hasFields<{ key: string; lockfile: string }>({ key: isString, lockfile: isString });
const isVendorStamp = hasFields<{ hash: string; snippet: string }>({ hash: isString, snippet: isString });

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** The vendored `[source]` config from the last run, if the lockfile has not changed since. */
export function currentVendorSnippet(contextDir: string, lockfile: string, stampFile: string): string | undefined {
  if (!existsSync(stampFile) || !lstatOrUndefined(join(contextDir, 'vendor'))?.isDirectory()) return undefined;
  const stamp = readStateFile(stampFile, isVendorStamp, 'vendor stamp');
  return stamp?.hash === sha256(lockfile) ? stamp.snippet : undefined;
}

/**
 * Puts every crate the context's lockfile names into `<context>/vendor` with `cargo vendor`
 * on the host, so the image build needs no network, and returns the `[source]` config
 * cargo printed for them. `stampFile` records the lockfile it was made for.
 */
export function vendorCrates(contextDir: string, lockfile: string, stampFile: string): string {
  let snippet: string;
  try {
    // A relative output folder makes cargo print `directory = "vendor"`, which resolves
    // against the context root, where .cargo/ lives. Versioned folders matter: crate files
    // all carry the same fixed modification time, so a bumped crate in an unversioned
    // folder can keep its old size and time, and BuildKit, which sends only files whose
    // size or time changed, would build with the old one.
    snippet = execFileSync('cargo', ['vendor', '--locked', '--versioned-dirs', 'vendor'], {
      cwd: contextDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const e = error as { code?: string; stderr?: string };
    if (e.code === 'ENOENT') {
      throw new Error('cargo not found on PATH: vendoring crates needs cargo on the host. Install Rust (https://rustup.rs) or set "vendor": false.');
    }
    throw new Error(`cargo vendor failed: ${(e.stderr ?? String(error)).trim().split('\n').slice(-5).join('\n')}`);
  }
  writeStateFile(stampFile, { hash: sha256(lockfile), snippet });
  return snippet;
}
