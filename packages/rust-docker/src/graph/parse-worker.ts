import { existsSync, readFileSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { manifestEntry, sha1, type ManifestEntry } from './manifest-entry';

/**
 * Reads and parses a share of the workspace's manifests on the second core while the
 * plugin's worker parses the rest (see prefetchManifests). A file gone since Nx listed it
 * comes back without an entry.
 */
const { root, files } = workerData as { root: string; files: string[] };
const entries: Array<[string, ManifestEntry | undefined]> = files.map((file) => {
  const abs = `${root}/${file}`;
  const stat = statSync(abs, { throwIfNoEntry: false });
  if (!stat) return [file, undefined];
  const text = readFileSync(abs, 'utf8');
  const stamp = { size: stat.size, mtimeMs: stat.mtimeMs, hash: sha1(text) };
  return [file, manifestEntry(file, text, stamp, () => existsSync(`${root}/${posix.dirname(file)}/.cargo-checksum.json`))];
});
parentPort!.postMessage(entries);
