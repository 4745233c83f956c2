import { randomBytes } from 'node:crypto';
import { copyFileSync, lstatSync, mkdirSync, realpathSync, renameSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * Every path the plugin writes to, or reads a build from, comes from an option, a manifest
 * or a project name: it must stay inside the workspace, and no symlink may carry a write
 * out of it. These helpers say so in one line naming the option and what to do.
 */

export class OutsideWorkspaceError extends Error {
  override name = 'OutsideWorkspaceError';
}

function inside(root: string, abs: string): boolean {
  const rel = relative(root, abs);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/**
 * `path` (workspace-relative or absolute) resolved against `root`; throws when it leaves
 * the workspace, lexically (`a/../../x`) or through a symlink already on disk.
 */
export function resolveInside(root: string, path: string, what: string): string {
  const abs = resolve(root, path);
  if (!inside(resolve(root), abs)) {
    throw new OutsideWorkspaceError(`${what} "${path}" resolves to ${abs}, outside the workspace ${resolve(root)}: use a path inside the workspace.`);
  }
  assertNoSymlinkOut(root, abs, what);
  return abs;
}

/** Throws when the part of `abs` that exists on disk resolves (through a symlink) outside `root`. */
export function assertNoSymlinkOut(root: string, abs: string, what: string): void {
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    return; // a workspace that is not on disk (a virtual Tree): nothing to follow
  }
  let existing = abs;
  while (!lstatOrUndefined(existing) && dirname(existing) !== existing) existing = dirname(existing);
  let real: string;
  try {
    real = realpathSync(existing);
  } catch {
    // A dangling symlink: where it points decides.
    throw new OutsideWorkspaceError(`${what} ${relative(root, abs) || '.'} goes through a broken symlink (${existing}): remove it, or choose another path.`);
  }
  if (!inside(realRoot, real)) {
    throw new OutsideWorkspaceError(
      `${what} ${relative(root, abs) || '.'} leads outside the workspace through a symlink (${relative(root, existing) || existing} → ${real}): remove the symlink, or choose another path.`,
    );
  }
}

/**
 * A project name as one folder name: the characters a file system takes everywhere, never
 * `.` or `..` (a scoped name `@org/api` becomes `@org+api`).
 */
export function projectFolderName(project: string): string {
  const folder = project.replace(/\//g, '+').replace(/[^A-Za-z0-9_.@+-]/g, '-');
  if (!folder || /^\.+$/.test(folder)) throw new OutsideWorkspaceError(`project name "${project}" cannot name a folder: rename the project.`);
  return folder;
}

/**
 * Makes `rel` (a folder below `base`, a folder the plugin owns) a real directory: a
 * symlink or a file standing in the way is removed (never followed), then it is created.
 */
export function ensureOwnDir(base: string, rel = ''): string {
  let current = base;
  const parts = rel.split(/[\\/]/).filter((p) => p && p !== '.');
  if (parts.includes('..')) throw new OutsideWorkspaceError(`"${rel}" leaves ${base}`);
  for (const part of ['', ...parts]) {
    current = part ? join(current, part) : current;
    const stat = lstatOrUndefined(current);
    if (stat?.isDirectory()) continue;
    if (stat) rmSync(current, { force: true });
    mkdirSync(current, { recursive: part === '' });
  }
  return current;
}

/**
 * Writes `file` whole or not at all: a temp file in the same folder (created exclusively,
 * so nothing already there is followed), then a rename, which replaces a symlink at the
 * destination instead of writing through it.
 */
export function writeFileAtomic(file: string, content: string | Buffer): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, content, { flag: 'wx' });
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

/** Copies `source` to `dest` without following a symlink that sits at `dest`. */
export function copyFileNoFollow(source: string, dest: string): void {
  const stat = lstatOrUndefined(dest);
  if (stat && !stat.isFile()) rmSync(dest, { recursive: stat.isDirectory(), force: true });
  copyFileSync(source, dest);
}
