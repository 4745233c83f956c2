import { logger, type ExecutorContext } from '@nx/devkit';
import { dirname, relative } from 'node:path';
import { ensureRecordedImage, pushTags } from '../../docker/container';
import { checkDocker, chooseCli, useCli, docker, useEngineBounds } from '../../docker/docker-cli';
import { checkImageReference } from '../../docker/image-reference';
import { imageRecordPath, readImageRecord } from '../../docker/image-record';
import { assertNoSymlinkOut } from '../../safety/paths';
import { writeStateFile } from '../../safety/state-file';
import type { DockerPushExecutorOptions } from './schema';
import { redactUrls } from '../../secrets/urls';
import { receivingOptions } from '../command-line';
import schema from './schema.json';

/** Pushes the recorded image; the digest goes to push.json beside the record. */
async function dockerPushExecutor(options: DockerPushExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const project = context.projectName!;
  const projectRoot = context.projectsConfigurations.projects[project].root;
  const recordFile = imageRecordPath(context.root, projectRoot);
  const started = Date.now();
  try {
    useEngineBounds(options);
    useCli(chooseCli(options.engine));
    await checkDocker();
    const resolved = await ensureRecordedImage(recordFile, project);
    const record = readImageRecord(recordFile)!;
    const extra = (options.tags ?? []).map((t) => {
      const ref = t.includes(':') ? t : `${record.image}:${t}`;
      checkImageReference(ref, 'tag');
      return ref;
    });
    for (const tag of extra) await docker(['tag', resolved.ref, tag]);
    const digest = await pushTags([...record.tags, ...extra]);
    const pushFile = `${dirname(recordFile)}/push.json`;
    assertNoSymlinkOut(context.root, pushFile, 'push record');
    writeStateFile(pushFile, { image: record.image, id: record.id, digest, tags: [...record.tags, ...extra], pushedAt: new Date().toISOString() }, true);
    logger.info(`${project}: pushed ${[...record.tags, ...extra].join(', ')} (${digest ?? 'no digest reported'}) in ${((Date.now() - started) / 1000).toFixed(1)} s; ${relative(context.root, pushFile)}`);
    return { success: true };
  } catch (error) {
    logger.error(`${project}: ${redactUrls((error as Error).message)}`);
    return { success: false };
  }
}

export default receivingOptions(schema, dockerPushExecutor);
