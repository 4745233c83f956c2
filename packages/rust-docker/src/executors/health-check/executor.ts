import { logger, type ExecutorContext } from '@nx/devkit';
import { randomBytes } from 'node:crypto';
import { crateSourcesOnDisk } from '../../cargo/service-sources';
import { checkDocker, chooseCli, currentCli, useCli, docker, useDeadline, useEngineBounds } from '../../docker/docker-cli';
import {
  IMAGE_SOURCES,
  containerLogs,
  containerName,
  containerState,
  freePort,
  LOOPBACK,
  removeContainer,
  resolveImage,
  runArgs,
  runEnv,
} from '../../docker/container';
import { containerPort } from '../../docker/dockerfile';
import { describeExpectation, healthExpectation, meetsExpectation, probe, type ProbeResult } from '../../docker/health';
import { initSupport } from '../../docker/init-process';
import type { HealthCheckExecutorOptions } from './schema';
import { redactUrls } from '../../secrets/urls';
import { receivingOptions } from '../command-line';
import schema from './schema.json';


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Probes until an answer meets the expectation or the deadline passes, checking every
 * 500 ms that the container still runs. When the deadline runs out during that check
 * (an engine call bounded by the same deadline) after the service has answered, the
 * verdict is the service's last answer, not the engine call that was cut short.
 */
export async function waitUntilHealthy(check: {
  deadline: number;
  probe: () => Promise<ProbeResult | undefined>;
  healthy: (answer: ProbeResult | undefined) => boolean;
  state: () => Promise<{ running: boolean; exitCode: number } | undefined>;
  path: string;
}): Promise<{ healthy: true; answer: ProbeResult } | { healthy: false; answer?: ProbeResult }> {
  let answer: ProbeResult | undefined;
  let nextStateCheck = 0;
  while (Date.now() < check.deadline) {
    answer = await check.probe();
    if (answer && check.healthy(answer)) return { healthy: true, answer };
    if (Date.now() >= nextStateCheck) {
      let state: Awaited<ReturnType<typeof check.state>>;
      try {
        state = await check.state();
      } catch (error) {
        if (answer && Date.now() >= check.deadline) break;
        throw error;
      }
      if (state && !state.running) throw new Error(`the container exited with code ${state.exitCode} before answering on ${check.path}`);
      nextStateCheck = Date.now() + 500;
    }
    await sleep(25);
  }
  return { healthy: false, answer };
}

async function healthCheckExecutor(
  options: HealthCheckExecutorOptions,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  const project = context.projectName!;
  const projectRoot = context.projectsConfigurations.projects[project].root;
  // The deadline covers the whole run, from the first engine call on: an engine that does
  // not answer fails the check in `timeout` seconds too.
  const runStarted = Date.now();
  const deadlineMs = (options.timeout ?? 30) * 1000;
  const deadline = runStarted + deadlineMs;
  const name = containerName(project, `-health-${randomBytes(3).toString('hex')}`);

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
    // The probe must stay on the container's loopback port: `@host/` or `//host/` would send it elsewhere.
    if (!/^\/(?!\/)[^\s@\\]*$/.test(path)) throw new Error(`path ${JSON.stringify(options.path ?? path)} is not a URL path: give one starting with a single "/", e.g. /health.`);
    useEngineBounds(options);
    useCli(chooseCli(options.engine));
    useDeadline(deadline, `health-check deadline ("timeout": ${deadlineMs / 1000} s)`);
    // Checked (and every ${NAME} resolved) before the engine is asked anything.
    const containerEnv = runEnv({ containerPort: port, env: options.env });
    const { init, warning } = options.init === false ? { init: false, warning: undefined } : initSupport(currentCli());
    if (warning) logger.warn(`${project}: ${warning}`);
    await checkDocker();
    const { ref: image, label, source } = await resolveImage({ workspaceRoot: context.root, projectRoot, project, image: options.image });
    logger.info(`${project}: image ${label} ${IMAGE_SOURCES[source]}`);
    const hostPort = await freePort();
    const url = `http://${LOOPBACK}:${hostPort}${path}`;
    const t0 = Date.now();
    started = true;
    starting = docker(runArgs({ name, image, hostPort, containerPort: port, env: options.env, detached: true, hardened: options.hardened, init }), { env: containerEnv });
    await starting;
    const outcome = await waitUntilHealthy({
      deadline,
      probe: () => probe(url, 1000),
      healthy: (result) => meetsExpectation(result, expectation),
      state: () => containerState(name),
      path,
    });
    if (outcome.healthy) {
      const ms = Date.now() - t0;
      logger.info(`${project}: healthy in ${ms} ms (GET ${path} → ${outcome.answer.status} ${outcome.answer.body.trim().slice(0, 80)}) [${label}, 127.0.0.1:${hostPort}]`);
      return { success: true };
    }
    const seen = outcome.answer ? `last answer ${outcome.answer.status} ${outcome.answer.body.trim().slice(0, 120)}` : 'no answer';
    throw new Error(`not healthy after ${deadlineMs / 1000} s (${describeExpectation(expectation)}, from ${expectation.origin}; ${seen})`);
  } catch (error) {
    // Cleanup and logs get their own bounds: the deadline is what just passed.
    useDeadline(undefined);
    logger.error(`${project}: health check failed: ${redactUrls((error as Error).message)}`);
    if (started) {
      const logs = await containerLogs(name, 30);
      logger.error(logs ? `last log lines of ${name}:\n${logs}` : `${name} wrote no logs`);
    }
    return { success: false };
  } finally {
    useDeadline(undefined);
    await cleanup();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

export default receivingOptions(schema, healthCheckExecutor);
