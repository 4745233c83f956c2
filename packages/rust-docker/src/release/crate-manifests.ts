import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { joinDir } from '../cargo/workspace';
import { dependencyEntries, packageVersionInfo, type DependencyEntry, type PackageVersionInfo } from './cargo-versions';

/** Finding a crate's version and its dependencies on other crates, through a Tree or on disk. */

export function manifestOf(root: string): string {
  return posix.join(root === '.' ? '' : root, 'Cargo.toml');
}

/** What reading manifests needs: an Nx Tree, or the disk (see diskReader). */
export interface ManifestReader {
  read(file: string, encoding: 'utf8'): string | null;
  exists(file: string): boolean;
}

/** Reads workspace-relative files from the disk under `root`. */
export function diskReader(root: string): ManifestReader {
  return {
    read: (file) => (existsSync(join(root, file)) ? readFileSync(join(root, file), 'utf8') : null),
    exists: (file) => existsSync(join(root, file)),
  };
}

export function read(tree: ManifestReader, file: string): string {
  const text = tree.read(file, 'utf8');
  if (text === null) throw new Error(`${file} not found.`);
  return text;
}

/** The root manifest of the Cargo workspace a crate belongs to, as Cargo finds it. */
export function workspaceManifest(tree: ManifestReader, crateDir: string, info: PackageVersionInfo): string | undefined {
  if (info.isWorkspaceRoot) return manifestOf(crateDir);
  if (info.workspaceHint) {
    const file = manifestOf(joinDir(crateDir, info.workspaceHint));
    return tree.exists(file) ? file : undefined;
  }
  let dir = crateDir;
  while (dir !== '.') {
    dir = posix.dirname(dir) === '' ? '.' : posix.dirname(dir);
    const file = manifestOf(dir);
    if (!tree.exists(file)) continue;
    try {
      if (packageVersionInfo(read(tree, file), file).isWorkspaceRoot) return file;
    } catch {
      // an unreadable manifest above is not the workspace root
    }
  }
  return undefined;
}

/** Where a crate's version lives: its own manifest, or its workspace root's. */
export function versionHome(tree: ManifestReader, crateDir: string): { file: string; version?: string; inherited: boolean } {
  const file = manifestOf(crateDir);
  const info = packageVersionInfo(read(tree, file), file);
  if (!info.inherits) return { file, version: info.version, inherited: false };
  const root = workspaceManifest(tree, crateDir, info);
  if (!root) {
    throw new Error(`${file} takes its version from the workspace (version.workspace = true), but no Cargo.toml above it has [workspace]; give it a version of its own.`);
  }
  const version = packageVersionInfo(read(tree, root), root).workspaceVersion;
  if (!version) throw new Error(`${file} takes its version from the workspace (version.workspace = true), but ${root} has no [workspace.package] version; add one.`);
  return { file: root, version, inherited: true };
}

/** The dependency entries of `crateDir` that point at the crate in `depDir`, resolving `workspace = true`. */
export function entriesPointingAt(tree: ManifestReader, crateDir: string, depDir: string): Array<DependencyEntry & { file: string }> {
  const file = manifestOf(crateDir);
  const text = read(tree, file);
  const out: Array<DependencyEntry & { file: string }> = [];
  let root: { file: string; entries: DependencyEntry[]; dir: string } | undefined | null = null;
  for (const entry of dependencyEntries(text, file)) {
    if (entry.collection === 'workspace.dependencies') continue;
    if (entry.path !== undefined) {
      if (joinDir(crateDir, entry.path) === depDir) out.push({ ...entry, file });
      continue;
    }
    if (!entry.inheritsWorkspace) continue;
    if (root === null) {
      const wsFile = workspaceManifest(tree, crateDir, packageVersionInfo(text, file));
      root = wsFile ? { file: wsFile, dir: posix.dirname(wsFile), entries: dependencyEntries(read(tree, wsFile), wsFile) } : undefined;
    }
    const inherited = root?.entries.find((e) => e.collection === 'workspace.dependencies' && e.key === entry.key);
    if (root && inherited?.path !== undefined && joinDir(root.dir, inherited.path) === depDir) {
      out.push({ ...inherited, collection: entry.collection, file: root.file });
    }
  }
  return out;
}
