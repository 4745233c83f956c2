import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * What `docker-build` leaves in its declared output: enough for an Nx cache hit to stand
 * for the image, and for later targets to find the exact image that was built.
 */
export interface ImageRecord {
  project: string;
  /** Repository name, without tag. */
  image: string;
  /** Image id (`sha256:...`). */
  id: string;
  tags: string[];
  /** Uncompressed size in bytes, as `docker image inspect` reports it. */
  size: number;
  engine: string;
  cacheMounts: boolean;
  vendored: boolean;
  strategy: 'compile' | 'prebuilt';
  /** An image built earlier from the same content was tagged instead of building. */
  reused: boolean;
  /** Registry digest (`sha256:...`), once pushed; with `image`, what another machine pulls. */
  digest?: string;
  /** The image saved with `docker save`, next to this record (a cacheable output). */
  archive?: string;
  /** The commit the image was built from; absent when its sources had uncommitted changes. */
  revision?: string;
  /** Workspace-relative files and folders the image was built from (what a release compares with `revision`). */
  sources?: string[];
  builtAt: string;
  durationMs: number;
}

/** Writes atomically, so an interrupted build never leaves a half-written record. */
export function writeImageRecord(file: string, record: ImageRecord): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(record, null, 2) + '\n');
  renameSync(tmp, file);
}

export function readImageRecord(file: string): ImageRecord | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ImageRecord;
  } catch {
    return undefined;
  }
}

/** Default location of the record: the docker-build target's declared output. */
export function imageRecordPath(workspaceRoot: string, projectRoot: string): string {
  const root = projectRoot === '.' ? '' : `/${projectRoot}`;
  return `${workspaceRoot}/dist${root}/docker/image.json`;
}

/** Where docker-build saves the image archive: beside the record, inside the cached output. */
export function imageArchivePath(recordFile: string): string {
  return recordFile.replace(/[^/\\]+$/, 'image.tar');
}
