import { createServer } from 'node:net';
import { docker, lastLines, runDocker } from './docker-cli';
import { readImageRecord, imageRecordPath } from './image-record';

/** Containers are published on loopback only: nothing a target starts is reachable from outside. */
export const LOOPBACK = '127.0.0.1';

export interface RunSpec {
  name: string;
  image: string;
  hostPort: number;
  containerPort: number;
  env?: Record<string, string>;
  /** Start detached (`-d`); otherwise attached, streaming logs. */
  detached: boolean;
  /** Run as production should: read-only root, no capabilities, no privilege escalation. */
  hardened?: boolean;
}

/** A service needs none of this; an attacker who gets in would. /tmp stays writable, in memory. */
export const HARDENING_ARGS = ['--read-only', '--tmpfs', '/tmp', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges'];

export function runArgs(spec: RunSpec): string[] {
  const args = ['run', spec.detached ? '-d' : '--rm', '--name', spec.name];
  if (spec.hardened ?? true) args.push(...HARDENING_ARGS);
  args.push('-p', `${LOOPBACK}:${spec.hostPort}:${spec.containerPort}`);
  const env = { PORT: String(spec.containerPort), ...spec.env };
  for (const [key, value] of Object.entries(env)) args.push('-e', `${key}=${value}`);
  args.push(spec.image);
  return args;
}

/** Asks the kernel for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** True when nothing listens on the loopback port. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, LOOPBACK, () => server.close(() => resolve(true)));
  });
}

export async function removeContainer(name: string): Promise<void> {
  await runDocker(['rm', '-f', name]);
}

export async function containerLogs(name: string, lines = 30): Promise<string> {
  const result = await runDocker(['logs', '--tail', String(lines), name]);
  return lastLines(`${result.stdout}${result.stderr}`, lines);
}

export interface ContainerState {
  running: boolean;
  exitCode: number;
  health?: string;
}

export async function containerState(name: string): Promise<ContainerState | undefined> {
  const result = await runDocker([
    'inspect',
    '--format',
    '{{.State.Running}}|{{.State.ExitCode}}|{{if .State.Health}}{{.State.Health.Status}}{{end}}',
    name,
  ]);
  if (result.code !== 0) return undefined;
  const [running, exitCode, health] = result.stdout.trim().split('|');
  return { running: running === 'true', exitCode: Number(exitCode), health: health || undefined };
}

export interface ResolvedImage {
  /** What docker is given: an image id or a tag. */
  ref: string;
  /** What the user is told, e.g. `api:latest (3fac581a329b)`. */
  label: string;
}

/**
 * The image a run or check should use: the exact id the last docker-build recorded, else
 * `<image>:latest`. Throws a message naming the command that builds it.
 */
export async function resolveImage(options: {
  workspaceRoot: string;
  projectRoot: string;
  project: string;
  image?: string;
}): Promise<ResolvedImage> {
  if (options.image) {
    await ensureImage(options.image, options.project);
    return { ref: options.image, label: options.image };
  }
  const record = readImageRecord(imageRecordPath(options.workspaceRoot, options.projectRoot));
  const latest = `${record?.image ?? options.project}:latest`;
  const candidates = record ? [record.id, latest] : [latest];
  for (const candidate of candidates) {
    const found = await runDocker(['image', 'inspect', '--format', '{{.Id}}', candidate]);
    if (found.code === 0) {
      const id = found.stdout.trim();
      return { ref: candidate, label: `${candidate === record?.id ? latest : candidate} (${id.slice(7, 19)})` };
    }
  }
  throw new Error(
    `image ${latest} is not in this Docker engine: build it with \`nx run ${options.project}:docker-build\` (add --skip-nx-cache if Nx restored it from cache).`,
  );
}

async function ensureImage(image: string, project: string): Promise<void> {
  const found = await runDocker(['image', 'inspect', '--format', '{{.Id}}', image]);
  if (found.code !== 0) {
    throw new Error(`image ${image} is not in this Docker engine: build it with \`nx run ${project}:docker-build\`.`);
  }
}

export async function imageSize(image: string): Promise<{ id: string; size: number }> {
  const [id, size] = (await docker(['image', 'inspect', '--format', '{{.Id}}|{{.Size}}', image])).split('|');
  return { id, size: Number(size) };
}
