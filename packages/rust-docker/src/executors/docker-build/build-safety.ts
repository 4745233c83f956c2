import { logger } from '@nx/devkit';
import { existsSync, lstatSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { unpinnedBaseImages } from '../../docker/base-images';
import { imageArchivePath } from '../../docker/image-record';
import { checkImageReference } from '../../docker/image-reference';
import { ARG_KINDS, checkArg, checkKeys } from '../../safety/argv';
import { projectFolderName, resolveInside } from '../../safety/paths';
import type { NormalizedBuildOptions } from './executor';

/**
 * What docker-build checks before it touches anything: every path option stays inside the
 * workspace, every value that reaches the engine's argv is what it claims to be, and the
 * files it will replace are its own.
 */
export function checkBuildOptions(
  root: string,
  o: NormalizedBuildOptions,
  defaultOutputFile: string,
  /** The path options as given, for the messages. */
  given: { dockerfile?: string; outputFile?: string } = {},
): NormalizedBuildOptions {
  for (const [option, path] of [
    ['dockerfile', given.dockerfile ?? o.dockerfile],
    ['outputFile', given.outputFile ?? o.outputFile],
  ] as const) {
    if (resolveInside(root, path, option) === resolve(root)) throw new Error(`${option} ${JSON.stringify(path)} names the workspace root: give a file path inside it.`);
  }
  const repository = checkImageReference(o.image, o.image === o.project ? 'image (the project name; set the "image" option)' : 'image');
  if (repository.tag || repository.digest) {
    throw new Error(`image "${o.image}" names a tag or digest: give the repository alone (e.g. registry.example.com/team/api) and extra tags in "tags".`);
  }
  if (o.target !== undefined) checkArg(o.target, 'target', ARG_KINDS.stage);
  if (o.platform !== undefined) checkArg(o.platform, 'platform', ARG_KINDS.platform);
  if (o.network !== undefined) checkArg(o.network, 'network', ARG_KINDS.network);
  if (o.builder !== undefined) checkArg(o.builder, 'builder', ARG_KINDS.builder);
  if (o.bin !== undefined) checkArg(o.bin, 'bin', ARG_KINDS.cargoName);
  checkKeys(o.buildArgs, 'buildArgs', ARG_KINDS.buildArg);
  checkKeys(o.labels, 'labels', ARG_KINDS.label);
  checkOwnRecord(root, o.outputFile, o.project, o.outputFile === defaultOutputFile);
  return o;
}

/**
 * With `requirePinnedBaseImages`, every base image the build would use (ARG defaults, or the
 * build arguments given instead, and literal FROM images) must be pinned by digest.
 */
export function checkPinnedBaseImages(dockerfileText: string, buildArgs: Record<string, string>, dockerfile: string): void {
  const unpinned = unpinnedBaseImages(dockerfileText, buildArgs);
  if (unpinned.length === 0) return;
  const list = unpinned.map(({ ref, source }) => `${ref} (${source})`).join(', ');
  throw new Error(
    `requirePinnedBaseImages: ${dockerfile} would build on ${list}, not pinned by digest: run \`nx g @org/rust-docker:pin-base-images\`, or give each as name:tag@sha256:<digest>.`,
  );
}

/** target/rust-docker/<project>, the executor's own folder; throws when it would lead outside. */
export function projectWorkDir(root: string, cargoWorkspaceAbs: string, project: string): string {
  return resolveInside(root, join(cargoWorkspaceAbs, 'target', 'rust-docker', projectFolderName(project)), 'work folder');
}

type Previous = { kind: 'none' } | { kind: 'ours'; archive?: string } | { kind: 'corrupt' } | { kind: 'foreign'; why: string };

function previousRecord(file: string, project: string): Previous {
  if (!existsSync(file)) return { kind: 'none' };
  if (!lstatSync(file).isFile()) return { kind: 'foreign', why: 'is not a file' };
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return { kind: 'corrupt' };
  }
  const record = value as { project?: unknown; builtAt?: unknown; archive?: unknown };
  if (typeof value !== 'object' || value === null || typeof record.builtAt !== 'string' || typeof record.project !== 'string') {
    return { kind: 'foreign', why: 'is not an image record' };
  }
  if (record.project !== project) return { kind: 'foreign', why: `is project "${record.project}"'s image record` };
  return { kind: 'ours', archive: typeof record.archive === 'string' ? record.archive : undefined };
}

/**
 * docker-build replaces its own files only: a file at `outputFile` that is not this
 * project's record is refused, except an unreadable one at the default place (an
 * interrupted write), which is discarded with a warning; so is an `image.tar` beside it.
 */
function checkOwnRecord(root: string, file: string, project: string, isDefault: boolean): void {
  const previous = previousRecord(file, project);
  const shown = relative(root, file);
  if (previous.kind === 'foreign' || (previous.kind === 'corrupt' && !isDefault)) {
    const why = previous.kind === 'foreign' ? previous.why : 'is not JSON';
    throw new Error(`outputFile ${shown} already exists and ${why}; docker-build replaces only files it wrote: choose another "outputFile", or remove it.`);
  }
  if (previous.kind === 'corrupt') {
    logger.warn(`image record ${shown} is unreadable; discarded, it will be rebuilt.`);
    rmSync(file, { force: true });
  }
  // The default place is the target's declared output folder, which Nx itself replaces on
  // a cache hit; elsewhere the archive beside the record is ours only if the record names it.
  const archive = imageArchivePath(file);
  if (!isDefault && existsSync(archive) && !(previous.kind === 'ours' && previous.archive !== undefined)) {
    throw new Error(`${relative(root, archive)} exists and docker-build did not write it (no record of this project names it); move it, or choose another "outputFile".`);
  }
}
