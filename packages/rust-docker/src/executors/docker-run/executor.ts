import { logger, type ExecutorContext } from '@nx/devkit';
import { spawn } from 'node:child_process';
import { checkDocker, chooseCli, currentCli, runDocker, useCli } from '../../docker/docker-cli';
import { IMAGE_SOURCES, containerState, LOOPBACK, portIsFree, removeContainer, resolveImage, runArgs } from '../../docker/container';
import { containerPort } from '../../docker/dockerfile';
import { initSupport } from '../../docker/init-process';
import type { DockerRunExecutorOptions } from './schema';

/**
 * Runs the image attached, like `docker run --rm`, until the container exits or Nx is
 * interrupted; an interrupt stops the container (SIGTERM, so the service shuts down
 * gracefully) and `--rm` removes it.
 */
export default async function* dockerRunExecutor(
  options: DockerRunExecutorOptions,
  context: ExecutorContext,
): AsyncGenerator<{ success: boolean; baseUrl?: string }> {
  const project = context.projectName!;
  const projectRoot = context.projectsConfigurations.projects[project].root;
  const name = project.replace(/[^a-zA-Z0-9_.-]/g, '-');
  try {
    const port = containerPort(context.root, projectRoot, options.port);
    const hostPort = options.hostPort ?? port;
    useCli(chooseCli(options.engine));
    const { init, warning } = options.init === false ? { init: false, warning: undefined } : initSupport(currentCli());
    if (warning) logger.warn(`${project}: ${warning}`);
    await checkDocker();
    const { ref: image, label, source } = await resolveImage({ workspaceRoot: context.root, projectRoot, project, image: options.image });
    logger.info(`${project}: image ${label} ${IMAGE_SOURCES[source]}`);
    const existing = await containerState(name);
    if (existing?.running) {
      throw new Error(`a container named ${name} is already running: stop it with \`docker rm -f ${name}\`, then retry.`);
    }
    if (existing) await removeContainer(name);
    if (!(await portIsFree(hostPort))) {
      throw new Error(`port ${hostPort} on ${LOOPBACK} is already in use: free it or pass --hostPort=<another port>.`);
    }
    const baseUrl = `http://${LOOPBACK}:${hostPort}`;
    logger.info(`${project}: running ${label} as ${name} on ${baseUrl} (Ctrl-C stops it)`);
    const child = spawn(currentCli(), runArgs({ name, image, hostPort, containerPort: port, env: options.env, detached: false, hardened: options.hardened, init }), {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const stop = () => {
      void runDocker(['stop', name]);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    yield { success: true, baseUrl };
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
    // docker stop ends the container with SIGTERM; a graceful shutdown exits 0.
    logger.info(`${project}: container ${name} exited with code ${code}`);
    yield { success: code === 0 || code === 143 || code === 130 };
  } catch (error) {
    logger.error(`${project}: ${(error as Error).message}`);
    yield { success: false };
  }
}
