import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SKIPPED_DIRS } from './load';
import type { CargoManifest } from './manifest';
import { globToRegExp, joinDir } from './workspace';

/**
 * Cargo decides membership and edges from the manifests on disk, while Nx hands a plugin
 * only the files its `include`/`exclude` select. These are the other Cargo.toml files
 * one manifest brings into Cargo's view: manifests in the folders above it (a workspace
 * root), the members its globs match on disk, and the crates that its path dependencies,
 * `[workspace.dependencies]`, `package.workspace` and `[patch]`/`[replace]` entries point
 * to. Paths are Nx-workspace-relative; they may not exist (the caller stats them), and
 * nothing outside the Nx workspace is named.
 */
export function impliedManifestFiles(manifest: CargoManifest, workspaceRoot: string): string[] {
  const out: string[] = [];
  const add = (dir: string) => {
    if (dir !== '..' && !dir.startsWith('../') && !dir.startsWith('/')) out.push(dir === '.' ? 'Cargo.toml' : `${dir}/Cargo.toml`);
  };
  for (let dir = manifest.dir; dir !== '.'; ) {
    const slash = dir.lastIndexOf('/');
    dir = slash < 0 ? '.' : dir.slice(0, slash);
    add(dir);
  }
  for (const dep of manifest.dependencies) if (dep.path !== undefined) add(joinDir(manifest.dir, dep.path));
  for (const o of manifest.overrides) add(joinDir(manifest.dir, o.path));
  if (manifest.workspaceRootHint !== undefined) add(joinDir(manifest.dir, manifest.workspaceRootHint));
  const ws = manifest.workspace;
  if (ws) {
    for (const entry of Object.values(ws.dependencies)) if (entry.path !== undefined) add(joinDir(manifest.dir, entry.path));
    for (const member of ws.members) for (const dir of globOnDisk(joinDir(manifest.dir, member), workspaceRoot)) add(dir);
  }
  return out;
}

const GLOB_CHARS = /[*?[]/;

/**
 * Folders matching a Cargo member pattern (already joined to the workspace folder), as
 * Cargo's glob would find them: `*`, `?` and `[...]` within one name, `**` across folders
 * (build output, dependencies and VCS folders left out). A pattern without glob
 * characters is returned as it is.
 */
export function globOnDisk(pattern: string, workspaceRoot: string): string[] {
  if (!GLOB_CHARS.test(pattern)) return [pattern];
  let current = [''];
  for (const segment of pattern.split('/')) {
    const next: string[] = [];
    if (segment === '**') {
      const walk = (dir: string) => {
        next.push(dir);
        for (const name of subfolders(workspaceRoot, dir)) if (!SKIPPED_DIRS.has(name)) walk(dir ? `${dir}/${name}` : name);
      };
      current.forEach(walk);
    } else if (GLOB_CHARS.test(segment)) {
      const re = globToRegExp(segment); // one name: `*` never meets a `/`
      for (const dir of current) {
        for (const name of subfolders(workspaceRoot, dir)) if (re.test(name)) next.push(dir ? `${dir}/${name}` : name);
      }
    } else {
      for (const dir of current) next.push(dir ? `${dir}/${segment}` : segment);
    }
    current = next;
  }
  return current.map((dir) => dir || '.');
}

/** Names of the folders in a workspace-relative folder (symbolic links to folders too). */
function subfolders(workspaceRoot: string, dir: string): string[] {
  try {
    return readdirSync(join(workspaceRoot, dir), { withFileTypes: true })
      .filter((e) => e.isDirectory() || (e.isSymbolicLink() && statSync(join(workspaceRoot, dir, e.name), { throwIfNoEntry: false })?.isDirectory()))
      .map((e) => e.name);
  } catch {
    return [];
  }
}
