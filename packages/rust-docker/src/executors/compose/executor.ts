import { logger, type ExecutorContext } from '@nx/devkit';
import { existsSync, readFileSync } from 'node:fs';
import { posix, relative } from 'node:path';
import { crateSourcesOnDisk } from '../../cargo/service-sources';
import { COMPOSE_FILE, composeServices } from '../../compose/compose-file';
import { checkDocker, docker, lastLines, runBounded, runDocker, useEngineBounds, type DockerResult, type EngineCallKind } from '../../docker/docker-cli';
import { containerPort } from '../../docker/dockerfile';
import { describeExpectation, healthExpectation, meetsExpectation, probe, type HealthExpectation } from '../../docker/health';
import { resolveInside } from '../../safety/paths';
import type { ComposeExecutorOptions } from './schema';
import { redactUrls } from '../../secrets/urls';
import { receivingOptions } from '../command-line';
import schema from './schema.json';

/** `docker compose` (v2) when the plugin is there, else `docker-compose` (v1). */
export interface ComposeCli {
  command: string;
  prefix: string[];
  version: string;
}

export async function detectCompose(): Promise<ComposeCli> {
  const v2 = await runDocker(['compose', 'version', '--short']).catch(() => undefined);
  if (v2?.code === 0) return { command: 'docker', prefix: ['compose'], version: `docker compose ${v2.stdout.trim()}` };
  const v1 = await runBounded('docker-compose', ['version', '--short']).catch(() => undefined);
  if (v1?.code === 0) return { command: 'docker-compose', prefix: [], version: `docker-compose ${v1.stdout.trim()}` };
  throw new Error('Docker Compose not found: install the Compose plugin (`docker compose`) or `docker-compose`, then retry.');
}

function compose(cli: ComposeCli, file: string, args: string[], stream = false, kind: EngineCallKind = 'short'): Promise<DockerResult> {
  const full = [...cli.prefix, '-f', file, ...args];
  return cli.command === 'docker' ? runDocker(full, { stream, kind }) : runBounded(cli.command, full, { stream, kind });
}

/** Compose service names (`[a-zA-Z0-9][a-zA-Z0-9_.-]*`): never read as a flag. */
export function checkServiceNames(services: unknown): string[] {
  const list = services === undefined ? [] : Array.isArray(services) ? services : [services];
  for (const service of list) {
    if (typeof service !== 'string' || !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(service)) {
      throw new Error(`services entry "${String(service)}" is not a Compose service name: use letters, digits, "_", "." and "-", starting with a letter or digit.`);
    }
  }
  return list as string[];
}

export interface ServiceState {
  service: string;
  status: string;
  health?: string;
  /** Container id. */
  id?: string;
  /** What probing its health route from the host found, for a service without a Docker health check. */
  probed?: string;
}

/** Healthy when its health check says so, or running when it has none. */
export function isReady(state: ServiceState): boolean {
  return state.health ? state.health === 'healthy' : state.status === 'running';
}

export function hasFailed(state: ServiceState): boolean {
  return state.health === 'unhealthy' || ['exited', 'dead'].includes(state.status);
}

async function states(cli: ComposeCli, file: string, services: string[]): Promise<ServiceState[]> {
  const ids = (await compose(cli, file, ['ps', '-q', ...services])).stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  if (!ids.length) return [];
  // State as JSON: a container without a health check has no State.Health, which a
  // template cannot test for (`docker inspect` fails on the missing key).
  const out = await docker(['inspect', '--format', '{{index .Config.Labels "com.docker.compose.service"}}|{{.Id}}|{{json .State}}', ...ids]);
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => parseInspectLine(line));
}

/** One line of `service|id|{State JSON}`. */
export function parseInspectLine(line: string): ServiceState {
  const [service, id, ...rest] = line.split('|');
  const state = JSON.parse(rest.join('|')) as { Status?: string; Health?: { Status?: string } };
  return { service, id, status: state.Status ?? 'unknown', health: state.Health?.Status || undefined };
}

/** How to tell a service without a Docker health check is healthy: its project's health-check. */
export interface HealthProbe {
  containerPort: number;
  expectation: HealthExpectation;
}

/**
 * A service whose image has no HEALTHCHECK (a binary without the `healthcheck`
 * subcommand, which a scratch image cannot probe from inside) is probed from the host
 * through its published port, as its project's health-check target would check it (same
 * options, same defaults), so "up" means answering, not merely started.
 */
export function healthProbes(file: string, context: ExecutorContext): Map<string, HealthProbe> {
  const probes = new Map<string, HealthProbe>();
  let names: string[];
  try {
    names = composeServices(readFileSync(file, 'utf8')).map((s) => s.name);
  } catch {
    return probes;
  }
  for (const name of names) {
    const project = context.projectsConfigurations.projects[name];
    const target = Object.values(project?.targets ?? {}).find((t) => t.executor === '@org/rust-docker:health-check');
    if (!project || !target) continue;
    const options = (target.options ?? {}) as { port?: number; path?: string; expectStatus?: number; expectBody?: string };
    try {
      probes.set(name, {
        containerPort: containerPort(context.root, project.root, options.port),
        expectation: healthExpectation(options, () => crateSourcesOnDisk(context.root, project.root)),
      });
    } catch {
      // no port to probe: its running state has to do
    }
  }
  return probes;
}

/** Probes each running service that has no Docker health check but a health-check target. */
async function probeServices(current: ServiceState[], probes: Map<string, HealthProbe>): Promise<void> {
  for (const state of current) {
    const spec = probes.get(state.service);
    if (!spec || state.health || state.status !== 'running' || !state.id) continue;
    const mapping = await runDocker(['port', state.id, `${spec.containerPort}/tcp`]);
    const published = /:(\d+)\s*$/m.exec(mapping.stdout.split('\n')[0] ?? '')?.[1];
    if (mapping.code !== 0 || !published) continue;
    const result = await probe(`http://127.0.0.1:${published}${spec.expectation.path}`, 1000);
    state.health = meetsExpectation(result, spec.expectation) ? 'healthy' : 'starting';
    state.probed = `${describeExpectation(spec.expectation)}: ${result ? result.status : 'no answer'}`;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function composeExecutor(options: ComposeExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const projectRoot = context.projectsConfigurations.projects[context.projectName!].root;
  const given = options.file ?? posix.join(projectRoot, COMPOSE_FILE);
  let shown = given;
  const started = Date.now();
  let cli: ComposeCli | undefined;
  let file = '';
  let services: string[] = [];
  try {
    file = resolveInside(context.root, given, 'file');
    shown = relative(context.root, file);
    services = checkServiceNames(options.services);
    useEngineBounds(options);
    if (!existsSync(file)) throw new Error(`${shown} not found: services add themselves to it (nx g @org/rust-docker:service).`);
    await checkDocker();
    cli = await detectCompose();
    if (options.command === 'down') {
      const result = await compose(cli, file, ['down', '--remove-orphans', ...(options.volumes ? ['--volumes'] : [])], true, 'transfer');
      if (result.code !== 0) throw new Error(`compose down failed: ${lastLines(result.stderr, 5)}`);
      logger.info(`${shown}: down with ${cli.version}${options.volumes ? ', volumes removed' : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return { success: true };
    }

    const up = await compose(cli, file, ['up', '-d', '--no-build', ...services], true, 'transfer');
    if (up.code !== 0) throw new Error(`compose up failed: ${lastLines(up.stderr || up.stdout, 8)}`);
    const deadline = started + (options.timeout ?? 90) * 1000;
    const probes = healthProbes(file, context);
    let current: ServiceState[] = [];
    while (Date.now() < deadline) {
      current = await states(cli, file, services);
      await probeServices(current, probes);
      const failed = current.filter(hasFailed);
      if (failed.length) throw new Error(`${failed.map((s) => `${s.service} is ${s.health ?? s.status}`).join(', ')}`);
      if (current.length && current.every(isReady)) break;
      await sleep(500);
    }
    for (const s of current) logger.info(`  ${s.service.padEnd(20)} ${s.status}${s.health ? ` (${s.health}${s.probed ? `, ${s.probed}` : ''})` : ''}`);
    if (!current.length || !current.every(isReady)) {
      throw new Error(`not every service was healthy after ${options.timeout ?? 90} s`);
    }
    logger.info(`${shown}: ${current.length} service(s) up and healthy with ${cli.version} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { success: true };
  } catch (error) {
    logger.error(`${shown}: ${redactUrls((error as Error).message)}`);
    if (cli && options.command === 'up') {
      // Nothing is left running after a failure; the logs say why it failed.
      try {
        const logs = await compose(cli, file, ['logs', '--no-color', '--tail', '30', ...services]);
        if (logs.stdout.trim()) logger.error(`last log lines:\n${lastLines(logs.stdout, 60)}`);
        await compose(cli, file, ['down', '--remove-orphans'], false, 'transfer');
        logger.error(`${shown}: brought down again (volumes kept).`);
      } catch (cleanupError) {
        logger.error(`${shown}: could not bring it down (${(cleanupError as Error).message}); run \`docker compose -f ${shown} down\` once the engine answers.`);
      }
    }
    return { success: false };
  }
}

export default receivingOptions(schema, composeExecutor);
