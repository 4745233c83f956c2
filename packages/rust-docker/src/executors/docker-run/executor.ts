import { logger, type ExecutorContext } from '@nx/devkit';
import { spawn } from 'node:child_process';
import { checkDocker, chooseCli, currentCli, runDocker, useCli, useEngineBounds } from '../../docker/docker-cli';
import { IMAGE_SOURCES, containerIsOurs, containerName, containerState, LOOPBACK, portIsFree, removeContainer, resolveImage, runArgs, runEnv } from '../../docker/container';
import { containerPort } from '../../docker/dockerfile';
import { initSupport } from '../../docker/init-process';
import type { DockerRunExecutorOptions } from './schema';
import { redactUrls } from '../../secrets/urls';
import { receivingOptions } from '../command-line';
import schema from './schema.json';

/**
 * Runs the image attached, like `docker run --rm`, until the container exits or Nx is
 * interrupted; an interrupt stops the container (SIGTERM, so the service shuts down
 * gracefully) and `--rm` removes it.
 */
async function* dockerRunExecutor(
  options: DockerRunExecutorOptions,
  context: ExecutorContext,
): AsyncGenerator<{ success: boolean; baseUrl?: string }> {
  const project = context.projectName!;
  const projectRoot = context.projectsConfigurations.projects[project].root;
  const name = containerName(project);
  try {
    const port = containerPort(context.root, projectRoot, options.port);
    const hostPort = options.hostPort ?? port;
    useEngineBounds(options);
    useCli(chooseCli(options.engine));
    // Checked (and every ${NAME} resolved) before the engine is asked anything.
    const containerEnv = runEnv({ containerPort: port, env: options.env });
    const { init, warning } = options.init === false ? { init: false, warning: undefined } : initSupport(currentCli());
    if (warning) logger.warn(`${project}: ${warning}`);
    await checkDocker();
    const { ref: image, label, source } = await resolveImage({ workspaceRoot: context.root, projectRoot, project, image: options.image });
    logger.info(`${project}: image ${label} ${IMAGE_SOURCES[source]}`);
    const existing = await containerState(name);
    if (existing?.running) {
      throw new Error(`a container named ${name} is already running: stop it with \`docker rm -f ${name}\`, then retry.`);
    }
    if (existing) {
      // A stopped container of that name: removed only if an earlier run of this project left it.
      if (!(await containerIsOurs(name, project, image))) {
        throw new Error(`a stopped container named ${name} exists that docker-run did not start for ${project}: remove it (\`docker rm ${name}\`) if it is not needed, then retry.`);
      }
      await removeContainer(name);
    }
    if (!(await portIsFree(hostPort))) {
      throw new Error(`port ${hostPort} on ${LOOPBACK} is already in use: free it or pass --hostPort=<another port>.`);
    }
    const baseUrl = `http://${LOOPBACK}:${hostPort}`;
    logger.info(`${project}: running ${label} as ${name} on ${baseUrl} (Ctrl-C stops it)`);
    const child = spawn(currentCli(), runArgs({ name, image, hostPort, containerPort: port, env: options.env, detached: false, hardened: options.hardened, init }), {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, ...containerEnv },
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
    logger.error(`${project}: ${redactUrls((error as Error).message)}`);
    yield { success: false };
  }
}

export default receivingOptions(schema, dockerRunExecutor);
