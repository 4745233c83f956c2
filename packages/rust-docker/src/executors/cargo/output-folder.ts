import { existsSync, lstatSync, mkdirSync, rmSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { assertNoSymlinkOut, copyFileNoFollow } from '../../safety/paths';
import { arrayOf, isString, hasFields, readStateFile, writeStateFile } from '../../safety/state-file';

/**
 * The cargo executor's `outputPath` is a folder a user names, so it may hold files that
 * are not the executor's. It replaces or removes only the binaries it copied there itself,
 * listed in a small record beside them, and never writes through a symlink.
 */
export const OUTPUT_RECORD = '.rust-docker-outputs.json';

interface OutputRecord {
  files: string[];
}

const isOutputRecord = hasFields<OutputRecord>({ files: arrayOf((v) => isString(v) && basename(v) === v && v !== '..' && v !== '.') });

function isExecutableFile(path: string): boolean {
  const stat = lstatSync(path);
  return stat.isFile() && (stat.mode & 0o111) !== 0;
}

/** Copies `executables` into `outDir`; removes the ones an earlier run copied that are gone now. */
export function copyBinaries(root: string, outDir: string, executables: string[]): void {
  const recordFile = join(outDir, OUTPUT_RECORD);
  const previous = new Set(readStateFile(recordFile, isOutputRecord, 'output record')?.files ?? []);
  const names = executables.map((exe) => basename(exe));
  for (const name of names) {
    const dest = join(outDir, name);
    if (!existsSync(dest) || previous.has(name)) continue;
    const stat = lstatSync(dest);
    // A binary of an earlier build (before this record existed) is replaced; anything else is the user's.
    if (stat.isSymbolicLink() || isExecutableFile(dest)) continue;
    throw new Error(`outputPath ${relative(root, outDir)} already holds ${name}, which this target did not put there: move it, or choose another outputPath.`);
  }
  if (names.length || previous.size) {
    assertNoSymlinkOut(root, outDir, 'outputPath');
    mkdirSync(outDir, { recursive: true });
  }
  for (const stale of previous) {
    if (names.includes(stale)) continue;
    const path = join(outDir, stale);
    if (existsSync(path) && lstatSync(path).isFile()) rmSync(path, { force: true });
  }
  for (const exe of executables) copyFileNoFollow(exe, join(outDir, basename(exe)));
  if (names.length || previous.size) writeStateFile(recordFile, { files: names });
}
