import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Memoized questions about crate folders on disk. Inference asks the same few of every
 * crate (src/main.rs? src/lib.rs? a Dockerfile? vendored?), several times per graph;
 * on 500 crates these system calls are a large part of its cost, so each is asked once.
 * (An existence check is cheaper than listing a folder here, so that is what it uses.)
 */
export class FolderListings {
  private readonly exists = new Map<string, boolean>();
  private readonly listings = new Map<string, string[]>();

  constructor(private readonly root: string) {}

  /** Whether `relativePath` exists under the workspace-relative folder `dir`. */
  has(dir: string, relativePath: string): boolean {
    // Plain concatenation: both parts are normalized, and path.join is most of the cost here.
    const key = dir === '.' || dir === '' ? relativePath : relativePath === '.' ? dir : `${dir}/${relativePath}`;
    let found = this.exists.get(key);
    if (found === undefined) this.exists.set(key, (found = existsSync(`${this.root}/${key}`)));
    return found;
  }

  /** Names in a workspace-relative folder (empty when it does not exist). */
  list(dir: string): string[] {
    let names = this.listings.get(dir);
    if (!names) {
      names = this.has(dir, '.') ? readdirSync(join(this.root, dir)) : [];
      this.listings.set(dir, names);
    }
    return names;
  }
}
