import { logger, type ExecutorContext } from '@nx/devkit';
import { randomBytes } from 'node:crypto';
import { crateSourcesOnDisk } from '../../cargo/service-sources';
import { checkDocker, chooseCli, currentCli, useCli, docker } from '../../docker/docker-cli';
import {
  IMAGE_SOURCES,
  containerLogs,
  containerState,
  freePort,
  LOOPBACK,
  removeContainer,
  resolveImage,
  runArgs,
} from '../../docker/container';
import { containerPort } from '../../docker/dockerfile';
import { describeExpectation, healthExpectation, meetsExpectation, probe, type ProbeResult } from '../../docker/health';
import { initSupport } from '../../docker/init-process';
import type { HealthCheckExecutorOptions } from './schema';


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export default async function healthCheckExecutor(
  options: HealthCheckExecutorOptions,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  const project = context.projectName!;
  const projectRoot = context.projectsConfigurations.projects[project].root;
  const deadlineMs = (options.timeout ?? 30) * 1000;
  const name = `${project.replace(/[^a-zA-Z0-9_.-]/g, '-')}-health-${randomBytes(3).toString('hex')}`;

  let started = false;
  let starting: Promise<unknown> | undefined;
  let removal: Promise<void> | undefined;
  // Once (a signal and the normal end of the run may both ask for it), and after
  // `docker run -d` has settled, so a container it was still creating is removed too.
  const cleanup = () => (removal ??= started ? Promise.resolve(starting?.catch(() => undefined)).then(() => removeContainer(name)) : Promise.resolve());
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // Kept registered until the container is gone: Nx repeats the signal to the whole
    // process tree, and a second one must not end this process halfway through cleanup.
    if (interrupted) return;
    interrupted = true;
    void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const port = containerPort(context.root, projectRoot, options.port);
    // A generated service answers /health with {"status":"ok"}; another, its health route (or /) with any 2xx.
    const expectation = healthExpectation(options, () => crateSourcesOnDisk(context.root, projectRoot));
    const path = expectation.path;
    useCli(chooseCli(options.engine));
    const { init, warning } = options.init === false ? { init: false, warning: undefined } : initSupport(currentCli());
    if (warning) logger.warn(`${project}: ${warning}`);
    await checkDocker();
    const { ref: image, label, source } = await resolveImage({ workspaceRoot: context.root, projectRoot, project, image: options.image });
    logger.info(`${project}: image ${label} ${IMAGE_SOURCES[source]}`);
    const hostPort = await freePort();
    const url = `http://${LOOPBACK}:${hostPort}${path}`;
    const t0 = Date.now();
    started = true;
    starting = docker(runArgs({ name, image, hostPort, containerPort: port, env: options.env, detached: true, hardened: options.hardened, init }));
    await starting;
    let last: ProbeResult | undefined;
    let nextStateCheck = 0;
    while (Date.now() - t0 < deadlineMs) {
      last = await probe(url, 1000);
      if (meetsExpectation(last, expectation)) {
        const ms = Date.now() - t0;
        logger.info(`${project}: healthy in ${ms} ms (GET ${path} → ${last!.status} ${last!.body.trim().slice(0, 80)}) [${label}, 127.0.0.1:${hostPort}]`);
        return { success: true };
      }
      if (Date.now() >= nextStateCheck) {
        const state = await containerState(name);
        if (state && !state.running) {
          throw new Error(`the container exited with code ${state.exitCode} before answering on ${path}`);
        }
        nextStateCheck = Date.now() + 500;
      }
      await sleep(25);
    }
    const seen = last ? `last answer ${last.status} ${last.body.trim().slice(0, 120)}` : 'no answer';
    throw new Error(`not healthy after ${deadlineMs / 1000} s (${describeExpectation(expectation)}, from ${expectation.origin}; ${seen})`);
  } catch (error) {
    logger.error(`${project}: health check failed: ${(error as Error).message}`);
    if (started) {
      const logs = await containerLogs(name, 30);
      logger.error(logs ? `last log lines of ${name}:\n${logs}` : `${name} wrote no logs`);
    }
    return { success: false };
  } finally {
    await cleanup();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
