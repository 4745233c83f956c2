import { logger, type ExecutorContext } from '@nx/devkit';
import { spawn } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { ensureRecordedImage, pushTags } from '../../docker/container';
import { checkDocker, chooseCli, docker, lastLines, runDocker, useCli, useEngineBounds } from '../../docker/docker-cli';
import { imageRecordPath, readImageRecord, writeImageRecord } from '../../docker/image-record';
import { packageVersionInfo } from '../../release/cargo-versions';
import { diskReader, manifestOf, read, versionHome } from '../../release/crate-manifests';
import { imageFreshness } from '../../release/image-freshness';
import { redactUrls } from '../../secrets/urls';
import { receivingOptions } from '../command-line';
import schema from './schema.json';
import type { ReleasePublishExecutorOptions } from './schema';

const DOCKER_BUILD_EXECUTOR = '@org/rust-docker:docker-build';

export interface NormalizedPublishOptions {
  project: string;
  projectRoot: string;
  packageName: string;
  /** The version being published. */
  version: string;
  /** `nx release` decided no new version for this project: there is nothing to publish. */
  unreleased: boolean;
  image: boolean;
  dockerBuildTarget?: string;
  cargoPublish: boolean;
  /** Cargo's `publish` field. */
  cargoPublishField: boolean | string[];
  tags: string[];
  registry?: string;
  verify: boolean;
  engine: NonNullable<ReleasePublishExecutorOptions['engine']>;
  dryRun: boolean;
  recordFile: string;
}

export function normalizeOptions(options: ReleasePublishExecutorOptions, context: ExecutorContext): NormalizedPublishOptions {
  const project = context.projectName!;
  const config = context.projectsConfigurations.projects[project];
  const projectRoot = config.root;
  const reader = diskReader(context.root);
  const manifest = manifestOf(projectRoot);
  const info = packageVersionInfo(read(reader, manifest), manifest);
  if (!info.packageName) throw new Error(`${manifest} has no [package]: nx-release-publish publishes crates.`);
  const dockerBuildTarget = Object.entries(config.targets ?? {}).find(([, t]) => t.executor === DOCKER_BUILD_EXECUTOR)?.[0];
  const released = options.nxReleaseVersionData?.[project];
  const image = options.image ?? dockerBuildTarget !== undefined;
  const cargoPublish = options.cargoPublish ?? (!image && info.publish !== false);
  if (options.cargoPublish === true && info.publish === false) {
    throw new Error(`${manifest} says \`publish = false\`, so cargo will not publish it: remove that line, or set "cargoPublish": false on nx-release-publish.`);
  }
  return {
    project,
    projectRoot,
    packageName: info.packageName,
    version: released?.newVersion ?? versionHome(reader, projectRoot).version ?? '0.0.0',
    unreleased: options.nxReleaseVersionData !== undefined && !released?.newVersion,
    image,
    dockerBuildTarget,
    cargoPublish,
    cargoPublishField: info.publish,
    tags: options.tags ?? [],
    registry: options.registry,
    verify: options.verify ?? true,
    engine: options.engine ?? 'auto',
    dryRun: options.dryRun === true || process.env.NX_DRY_RUN === 'true',
    recordFile: imageRecordPath(context.root, projectRoot),
  };
}

/** Tags given as `latest` or `{major}.{minor}`, with the released version filled in. */
export function releaseTags(image: string, version: string, extra: string[]): string[] {
  const [major, minor, patch] = version.replace(/[-+].*$/, '').split('.');
  const fill = (t: string) =>
    t.replace(/\{version\}/g, version).replace(/\{major\}/g, major ?? '').replace(/\{minor\}/g, minor ?? '').replace(/\{patch\}/g, patch ?? '');
  // Docker tags cannot hold `+` (semver build metadata); Docker's own convention writes `_`.
  const tags = [version, ...extra].map(fill).map((t) => t.replace(/\+/g, '_'));
  return [...new Set(tags)].map((t) => `${image}:${t}`);
}

/** The `cargo publish` command line. */
export function cargoPublishArgs(o: Pick<NormalizedPublishOptions, 'packageName' | 'registry' | 'verify' | 'dryRun'>): string[] {
  const args = ['publish', '--package', o.packageName];
  if (o.registry) args.push('--registry', o.registry);
  if (!o.verify) args.push('--no-verify');
  if (o.dryRun) args.push('--dry-run');
  return args;
}

export type ImageOutcome = { published: true; reference: string } | { published: false; reason: string };

/** What a release writes beside the image record: the exact image each version names. */
export interface ReleaseRecord {
  project: string;
  version: string;
  image: string;
  id: string;
  digest: string;
  tags: string[];
  revision?: string;
  pushedAt: string;
}

async function registryDigest(image: string, tag: string): Promise<string | undefined> {
  const inspect = await runDocker(['image', 'inspect', '--format', '{{json .RepoDigests}}', tag]);
  if (inspect.code !== 0) return undefined;
  const digests = JSON.parse(inspect.stdout.trim() || '[]') as string[];
  return digests.find((d) => d.startsWith(`${image}@`))?.split('@')[1];
}

async function publishImage(o: NormalizedPublishOptions, root: string): Promise<ImageOutcome> {
  const recordPath = relative(root, o.recordFile);
  const record = readImageRecord(o.recordFile);
  if (!record) {
    return {
      published: false,
      reason: `no image record at ${recordPath}: ${o.dockerBuildTarget ?? 'docker-build'} did not run for ${o.project} here (not affected by this change, or another machine built it), so there is nothing to push; to publish it, run \`nx run ${o.project}:${o.dockerBuildTarget ?? 'docker-build'}\`, then \`nx release publish --projects=${o.project}\``,
    };
  }
  const freshness = imageFreshness(root, record, o.project);
  if (!freshness.current) return { published: false, reason: freshness.reason };
  const tags = releaseTags(record.image, o.version, o.tags);
  if (o.dryRun) {
    logger.info(`${o.project}: would tag ${record.image} (${record.id.slice(7, 19)}, built from ${record.revision!.slice(0, 12)}) as ${tags.join(', ')} and push it (dry run)`);
    return { published: false, reason: 'dry run' };
  }
  useCli(chooseCli(o.engine));
  await checkDocker();
  // The exact image that was recorded (from this engine, its registry digest, or the archive).
  const resolved = await ensureRecordedImage(o.recordFile, o.project);
  for (const tag of tags) await docker(['tag', resolved.ref, tag]);
  const digest = (await pushTags(tags)) ?? (await registryDigest(record.image, tags[0]));
  if (!digest) throw new Error(`pushed ${tags[0]}, but the engine reported no registry digest; check the registry with \`docker manifest inspect ${tags[0]}\`.`);
  const release: ReleaseRecord = {
    project: o.project,
    version: o.version,
    image: record.image,
    id: record.id,
    digest,
    tags,
    revision: record.revision,
    pushedAt: new Date().toISOString(),
  };
  const releaseFile = join(dirname(o.recordFile), 'release.json');
  writeJson(releaseFile, release);
  // Another machine pulls this exact image by digest (see ensureRecordedImage).
  writeImageRecord(o.recordFile, { ...record, digest });
  return { published: true, reference: `${record.image}@${digest}` };
}

/** Written whole or not at all (a temp file renamed), like the image record. */
function writeJson(file: string, value: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, file);
}

/** Runs cargo in the crate's folder, its output shown as it comes; resolves with the exit code and stderr. */
function runCargo(args: string[], cwd: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('cargo', args, { cwd, stdio: ['ignore', 'inherit', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (data: Buffer) => {
      stderr += data.toString();
      process.stderr.write(data);
    });
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new Error('cargo not found: install Rust (https://rustup.rs) and make sure `cargo` is on PATH.') : error),
    );
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
  });
}

async function publishCrate(o: NormalizedPublishOptions, root: string): Promise<void> {
  const args = cargoPublishArgs(o);
  logger.info(`${o.project}: cargo ${args.join(' ')}`);
  const result = await runCargo(args, join(root, o.projectRoot));
  if (result.code !== 0) throw new Error(`cargo publish failed (exit ${result.code}): ${lastLines(result.stderr, 3)}`);
  logger.info(`${o.project}: ${o.dryRun ? 'cargo publish --dry-run passed for' : 'published crate'} ${o.packageName} ${o.version}${o.registry ? ` to ${o.registry}` : ''}`);
}

/**
 * nx-release-publish for a crate: its image (services) and/or its crate (libraries).
 * Skipping an image that was not built for this release is reported, never a failure:
 * after an affected-only CI run, only the affected services have images to publish.
 */
async function releasePublishExecutor(options: ReleasePublishExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const started = Date.now();
  let o: NormalizedPublishOptions | undefined;
  try {
    useEngineBounds(options);
    o = normalizeOptions(options, context);
    if (o.unreleased) {
      logger.info(`${o.project}: nothing published: this release gives it no new version (no changes since its last release).`);
      return { success: true };
    }
    if (!o.image && !o.cargoPublish) {
      logger.info(`${o.project}: nothing to publish: it has no image, and ${manifestOf(o.projectRoot)} says \`publish = false\` (remove it to publish the crate with cargo).`);
      return { success: true };
    }
    if (o.image) {
      if (o.registry && !o.cargoPublish) logger.info(`${o.project}: --registry ${o.registry} is for cargo; the image goes to the registry its name names.`);
      const outcome = await publishImage(o, context.root);
      if (outcome.published) {
        logger.info(`${o.project}: published ${outcome.reference} as ${o.version} in ${((Date.now() - started) / 1000).toFixed(1)} s; ${posix.join(relative(context.root, dirname(o.recordFile)).split('\\').join('/'), 'release.json')}`);
      } else if (outcome.reason !== 'dry run') {
        logger.warn(`${o.project}: image not published: ${outcome.reason}.`);
      }
    }
    if (o.cargoPublish) await publishCrate(o, context.root);
    return { success: true };
  } catch (error) {
    logger.error(`${o?.project ?? context.projectName}: ${redactUrls((error as Error).message)}`);
    return { success: false };
  }
}

export default receivingOptions(schema, releasePublishExecutor);
