import { arrayOf, hasFields, isBoolean, isNumber, isString, optional, readStateFile, writeStateFile } from '../safety/state-file';
import { imageReferenceProblem, isDigest, isImageId } from './image-reference';

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
  writeStateFile(file, record, true);
}

const isReference = (v: unknown) => typeof v === 'string' && imageReferenceProblem(v) === undefined;

/** What a record must hold before any of it reaches the engine (a record may come from a cache). */
export const isImageRecord = hasFields<ImageRecord>({
  project: isString,
  image: isReference,
  id: isImageId,
  tags: arrayOf(isReference),
  size: isNumber,
  engine: isString,
  cacheMounts: isBoolean,
  vendored: isBoolean,
  strategy: (v) => v === 'compile' || v === 'prebuilt',
  reused: isBoolean,
  digest: optional(isDigest),
  // A file name beside the record, never a path that leads elsewhere.
  archive: optional((v) => typeof v === 'string' && /^[\w.-]+$/.test(v) && !/^\.+$/.test(v)),
  revision: optional(isString),
  sources: optional(arrayOf(isString)),
  builtAt: isString,
  durationMs: isNumber,
});

/** The record, or undefined when there is none; an unreadable one is discarded with a warning. */
export function readImageRecord(file: string, warn?: (message: string) => void): ImageRecord | undefined {
  return readStateFile(file, isImageRecord, 'image record', warn);
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
