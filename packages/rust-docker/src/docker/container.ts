import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { docker, lastLines, normalizeImageId, runDocker } from './docker-cli';
import { readImageRecord, imageRecordPath } from './image-record';

/** Containers are published on loopback only: nothing a target starts is reachable from outside. */
export const LOOPBACK = '127.0.0.1';

export interface RunSpec {
  name: string;
  image: string;
  hostPort: number;
  containerPort: number;
  env?: Record<string, string | number | boolean>;
  /** Start detached (`-d`); otherwise attached, streaming logs. */
  detached: boolean;
  /** Run as production should: read-only root, no capabilities, no privilege escalation. */
  hardened?: boolean;
  /** An init process as PID 1 (`--init`, see init-process.ts); default true. */
  init?: boolean;
}

/** A service needs none of this; an attacker who gets in would. /tmp stays writable, in memory. */
export const HARDENING_ARGS = ['--read-only', '--tmpfs', '/tmp', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges'];

export function runArgs(spec: RunSpec): string[] {
  const args = ['run', spec.detached ? '-d' : '--rm', '--name', spec.name];
  if (spec.init ?? true) args.push('--init');
  if (spec.hardened ?? true) args.push(...HARDENING_ARGS);
  args.push('-p', `${LOOPBACK}:${spec.hostPort}:${spec.containerPort}`);
  const env = { PORT: String(spec.containerPort), ...spec.env };
  for (const [key, value] of Object.entries(env)) args.push('-e', `${key}=${String(value)}`);
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

/**
 * Removes a container and makes sure it is gone. On Ctrl-C, Nx signals the task's whole
 * process tree, so the CLI that the first attempt started can be killed before the engine
 * hears of it, and a `docker run -d` that was cut short can still finish creating its
 * container: each attempt is checked, and repeated until the engine no longer knows the name.
 */
export async function removeContainer(name: string, attempts = 10): Promise<void> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    await runDocker(['rm', '-f', name]);
    const inspect = await runDocker(['container', 'inspect', '--format', '{{.Id}}', name]);
    if (inspect.code !== 0 && /no such (container|object)/i.test(inspect.stderr)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
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
  /** How the image got here: already present, pulled by digest, or loaded from the archive. */
  source: 'local' | 'registry' | 'archive';
}

/** How each source is told to the user. */
export const IMAGE_SOURCES: Record<ResolvedImage['source'], string> = {
  local: 'found in this engine',
  registry: 'pulled by digest from its registry',
  archive: "loaded from the image archive in docker-build's output",
};

async function present(ref: string): Promise<string | undefined> {
  const found = await runDocker(['image', 'inspect', '--format', '{{.Id}}', ref]);
  return found.code === 0 ? normalizeImageId(found.stdout) : undefined;
}

/**
 * Makes sure the engine has the image the last docker-build recorded, the way a cache hit
 * on another machine needs it: present locally → use it; else pull it by digest from the
 * registry it was pushed to; else load it from the archive in docker-build's output; else
 * one error naming the command that rebuilds it. The record may come from the Nx cache.
 */
export async function ensureRecordedImage(recordFile: string, project: string): Promise<ResolvedImage> {
  const record = readImageRecord(recordFile);
  if (!record) {
    throw new Error(`no image record at ${recordFile}: build the image with \`nx run ${project}:docker-build\`.`);
  }
  const latest = `${record.image}:latest`;
  const label = (id: string) => `${latest} (${id.slice(7, 19)})`;
  const tagAll = async () => {
    for (const tag of record.tags) await runDocker(['tag', record.id, tag]);
  };
  const local = await present(record.id);
  if (local) return { ref: record.id, label: label(local), source: 'local' };

  const problems: string[] = [];
  if (record.digest) {
    const byDigest = `${record.image}@${record.digest}`;
    const pulled = await runDocker(['pull', byDigest]);
    const id = pulled.code === 0 ? await present(byDigest) : undefined;
    if (id === record.id) {
      await tagAll();
      return { ref: record.id, label: label(id), source: 'registry' };
    }
    problems.push(pulled.code === 0 ? `${byDigest} has id ${id}, not ${record.id}` : `pull ${byDigest}: ${lastLines(pulled.stderr || pulled.stdout, 1)}`);
  }
  const archive = record.archive ? join(dirname(recordFile), record.archive) : undefined;
  if (archive && existsSync(archive)) {
    const loaded = await runDocker(['load', '-i', archive]);
    const id = loaded.code === 0 ? await present(record.id) : undefined;
    if (id) {
      await tagAll();
      return { ref: record.id, label: label(id), source: 'archive' };
    }
    problems.push(`load ${archive}: ${lastLines(loaded.stderr || loaded.stdout, 1)}`);
  }
  throw new Error(
    `image ${latest} (${record.id.slice(7, 19)}) is not in this Docker engine${problems.length ? ` (${problems.join('; ')})` : ', and it was neither pushed nor archived'}: rebuild it with \`nx run ${project}:docker-build --skip-nx-cache\`.`,
  );
}

/**
 * The image a run or check should use: the one given, or the exact image the last
 * docker-build recorded (fetched as ensureRecordedImage does). Throws a message naming
 * the command that builds it.
 */
export async function resolveImage(options: {
  workspaceRoot: string;
  projectRoot: string;
  project: string;
  image?: string;
}): Promise<ResolvedImage> {
  if (options.image) {
    await ensureImage(options.image, options.project);
    return { ref: options.image, label: options.image, source: 'local' };
  }
  const recordFile = imageRecordPath(options.workspaceRoot, options.projectRoot);
  if (!existsSync(recordFile)) {
    const latest = `${options.project}:latest`;
    const id = await present(latest);
    if (id) return { ref: latest, label: `${latest} (${id.slice(7, 19)})`, source: 'local' };
    throw new Error(`image ${latest} is not in this Docker engine: build it with \`nx run ${options.project}:docker-build\`.`);
  }
  return ensureRecordedImage(recordFile, options.project);
}

async function ensureImage(image: string, project: string): Promise<void> {
  const found = await runDocker(['image', 'inspect', '--format', '{{.Id}}', image]);
  if (found.code !== 0) {
    throw new Error(`image ${image} is not in this Docker engine: build it with \`nx run ${project}:docker-build\`.`);
  }
}

export async function imageSize(image: string): Promise<{ id: string; size: number }> {
  const [id, size] = (await docker(['image', 'inspect', '--format', '{{.Id}}|{{.Size}}', image])).split('|');
  return { id: normalizeImageId(id), size: Number(size) };
}

/** Pushes every tag; returns the registry digest the engine reports for the first. */
export async function pushTags(tags: string[]): Promise<string | undefined> {
  let digest: string | undefined;
  for (const tag of tags) {
    const result = await runDocker(['push', tag], { stream: true });
    if (result.code !== 0) {
      throw new Error(`docker push ${tag} failed: ${lastLines(result.stderr || result.stdout, 3)} (log in with \`docker login <registry>\` if it needs credentials)`);
    }
    digest ??= /digest: (sha256:[0-9a-f]{64})/.exec(result.stdout)?.[1];
  }
  return digest;
}
