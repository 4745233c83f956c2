import { existsSync, readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SKIPPED_DIRS } from '../cargo/load';
import type { WatchPlan } from './watch-plan';

/** Files editors write beside the real one while saving (vim's swap and probe files, backups). */
export function isEditorNoise(name: string): boolean {
  return /\.sw[a-px]$|~$|^\.#|^#.*#$|^4913$|\.tmp$/.test(name);
}

interface WatchedDir {
  watcher: FSWatcher;
  /** Every file of the folder counts (a crate folder), or only these names (a Cargo root). */
  whole: boolean;
  names: Set<string>;
}

/**
 * Watches the folders of a plan with one non-recursive `fs.watch` per folder (inotify on
 * Linux), so `target/`, `node_modules/` and `.git/` are never watched at all: Node's
 * recursive mode would walk into them. New folders are picked up as they appear. Changes
 * are reported once they settle: `debounceMs` after the last one.
 */
export class TreeWatcher {
  private readonly watched = new Map<string, WatchedDir>();
  private changed = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private excluded = new Set<string>();

  constructor(
    private readonly workspaceRoot: string,
    private readonly onChange: (files: string[]) => void,
    private readonly debounceMs = 100,
  ) {}

  /** Watches what the plan names and stops watching what it no longer does. */
  update(plan: WatchPlan): void {
    this.excluded = new Set(plan.excluded.map((d) => join(this.workspaceRoot, d)));
    const wanted = new Map<string, { whole: boolean; names: Set<string> }>();
    const want = (dir: string, whole: boolean, name?: string) => {
      const entry = wanted.get(dir) ?? { whole: false, names: new Set<string>() };
      entry.whole ||= whole;
      if (name) entry.names.add(name);
      wanted.set(dir, entry);
    };
    for (const dir of plan.dirs) for (const sub of this.folders(join(this.workspaceRoot, dir))) want(sub, true);
    for (const file of plan.files) {
      const abs = join(this.workspaceRoot, file);
      want(dirname(abs), false, basename(abs));
    }
    for (const [dir, entry] of this.watched) {
      if (!wanted.has(dir)) this.unwatch(dir);
      else if (entry.whole !== wanted.get(dir)!.whole) this.unwatch(dir);
    }
    for (const [dir, { whole, names }] of wanted) {
      const existing = this.watched.get(dir);
      if (existing) existing.names = names;
      else this.watchDir(dir, whole, names);
    }
  }

  /** Folders watched now (absolute). */
  watchedFolders(): string[] {
    return [...this.watched.keys()].sort();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const dir of [...this.watched.keys()]) this.unwatch(dir);
  }

  /** `dir` and its sub-folders, skipping build output, dependencies, VCS data and other crates. */
  private folders(dir: string): string[] {
    if (this.excluded.has(dir)) return [];
    const out = [dir];
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return [];
    }
    for (const entry of entries) {
      if (!entry.isDirectory() || SKIPPED_DIRS.has(entry.name) || entry.name.startsWith('.')) continue;
      out.push(...this.folders(join(dir, entry.name)));
    }
    return out;
  }

  private watchDir(dir: string, whole: boolean, names: Set<string>): void {
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, { persistent: true }, (_event, filename) => this.event(dir, filename?.toString()));
    } catch {
      return; // gone already, or not there yet (a Cargo root without .cargo/)
    }
    // A removed folder ends its watcher with an error: forget it, the parent saw the removal.
    watcher.on('error', () => this.unwatch(dir));
    this.watched.set(dir, { watcher, whole, names });
  }

  private unwatch(dir: string): void {
    this.watched.get(dir)?.watcher.close();
    this.watched.delete(dir);
  }

  private event(dir: string, filename: string | undefined): void {
    const entry = this.watched.get(dir);
    if (!entry || !filename || isEditorNoise(filename)) return;
    if (entry.whole ? SKIPPED_DIRS.has(filename) || filename.startsWith('.') : !entry.names.has(filename)) return;
    // A removed watched folder reports itself by its own name.
    const path = filename === basename(dir) && !existsSync(join(dir, filename)) && !existsSync(dir) ? dir : join(dir, filename);
    if (entry.whole && !this.watched.has(path)) {
      // A new folder (or one moved in): watch it and what it holds.
      let isDir = false;
      try {
        isDir = statSync(path).isDirectory();
      } catch {
        // removed again already
      }
      if (isDir) for (const sub of this.folders(path)) if (!this.watched.has(sub)) this.watchDir(sub, true, new Set());
    }
    this.changed.add(path);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const files = [...this.changed];
      this.changed = new Set();
      this.timer = undefined;
      this.onChange(files);
    }, this.debounceMs);
  }
}
