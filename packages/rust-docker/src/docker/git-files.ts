import { execFileSync } from 'node:child_process';
import { join, posix } from 'node:path';

/**
 * What git would let a fresh clone have: the files it tracks, plus the untracked ones it
 * does not ignore (a new file not committed yet). A build context takes nothing else, so
 * a file that git ignores (a local `.env`, a key, a scratch folder) never reaches an engine.
 */
export interface GitFiles {
  /** Paths relative to the folder asked about, with `/`. */
  files: Set<string>;
  /** Every folder holding one of them (and '.'). */
  folders: Set<string>;
  /** Lists a submodule's own files (git lists only its folder); call when a walk meets one. */
  addSubmodule(relDir: string): void;
}

export type GitListing = { kind: 'git'; files: GitFiles } | { kind: 'none' } | { kind: 'failed'; reason: string };

// Folders never part of a context (see ALWAYS_EXCLUDED): not worth listing when git does not ignore them.
const SKIPPED = [':(exclude,glob)**/target/**', ':(exclude,glob)**/node_modules/**'];

function listFiles(cwd: string, pathspecs: string[]): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...pathspecs, ...SKIPPED], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1024 * 1024 * 1024,
  });
  // An untracked folder ending in `/` is another repository inside this one: not part of a clone.
  return out.split('\0').filter((path) => path && !path.endsWith('/'));
}

/**
 * One `git ls-files` for `pathspecs` (relative to `root`). `none` outside a git work tree,
 * where a context falls back to .dockerignore and the built-in exclusions; `failed` when
 * git is there but cannot answer (e.g. it refuses a repository owned by another user).
 */
export function listGitFiles(root: string, pathspecs: string[]): GitListing {
  let paths: string[];
  try {
    paths = listFiles(root, pathspecs);
  } catch (error) {
    const e = error as { code?: string; stderr?: string };
    if (e.code === 'ENOENT' || /not a git repository/i.test(e.stderr ?? '')) return { kind: 'none' };
    return { kind: 'failed', reason: (e.stderr ?? String(error)).trim().split('\n')[0] };
  }
  const files = new Set<string>();
  const folders = new Set<string>(['.']);
  const add = (path: string) => {
    files.add(path);
    for (let dir = posix.dirname(path); dir !== '.' && !folders.has(dir); dir = posix.dirname(dir)) folders.add(dir);
  };
  for (const path of paths) add(path);
  const listing: GitFiles = {
    files,
    folders,
    addSubmodule(relDir) {
      try {
        for (const path of listFiles(join(root, relDir), ['.'])) add(`${relDir}/${path}`);
      } catch {
        // Not checked out: nothing of it enters.
      }
    },
  };
  return { kind: 'git', files: listing };
}
