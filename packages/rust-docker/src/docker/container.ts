import { logger } from '@nx/devkit';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { containerEnvNames, containerEnvValues, type EnvOption } from './container-env';
import { currentCli, docker, EngineTimeoutError, lastLines, normalizeImageId, runDocker } from './docker-cli';
import { checkImageReference } from './image-reference';
import { readImageRecord, imageRecordPath } from './image-record';
import { PROJECT_LABEL, provenanceProblem } from './provenance';

/** Containers are published on loopback only: nothing a target starts is reachable from outside. */
export const LOOPBACK = '127.0.0.1';

export interface RunSpec {
  name: string;
  image: string;
  hostPort: number;
  containerPort: number;
  /** Values may refer to this process's environment: `${NAME}` (see container-env). */
  env?: EnvOption;
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
  // Names only: the values travel in the CLI's environment (see runEnv), never in an argv.
  for (const name of containerEnvNames(spec.containerPort, spec.env, currentCli())) args.push('-e', name);
  args.push(spec.image);
  return args;
}

/** The environment the CLI running `runArgs(spec)` needs: the container's variables and their values. */
export function runEnv(spec: Pick<RunSpec, 'containerPort' | 'env'>, hostEnv: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return containerEnvValues(spec.containerPort, spec.env, hostEnv, currentCli());
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
  try {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      await runDocker(['rm', '-f', name]);
      const inspect = await runDocker(['container', 'inspect', '--format', '{{.Id}}', name]);
      if (inspect.code !== 0 && /no such (container|object)/i.test(inspect.stderr)) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (error) {
    // An engine that stopped answering: say what to check rather than wait on it again.
    if (!(error instanceof EngineTimeoutError)) throw error;
    logger.warn(`could not make sure container ${name} is gone (${error.message}); check with \`docker ps -a --filter name=${name}\`.`);
  }
}

export async function containerLogs(name: string, lines = 30): Promise<string> {
  try {
    const result = await runDocker(['logs', '--tail', String(lines), name]);
    return lastLines(`${result.stdout}${result.stderr}`, lines);
  } catch (error) {
    if (error instanceof EngineTimeoutError) return `(no logs: ${error.message})`;
    throw error;
  }
}

/**
 * A container name the engine accepts and never reads as a flag: the project name's
 * characters the engine takes, starting with a letter or digit.
 */
export function containerName(project: string, suffix = ''): string {
  const name = `${project.replace(/[^a-zA-Z0-9_.-]/g, '-').replace(/^[^a-zA-Z0-9]+/, '')}${suffix}`;
  return /^[a-zA-Z0-9]/.test(name) ? name : `rust-docker-${name}`;
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

/**
 * Whether the container `name` is one this project's runs left behind: made from an image
 * docker-build labelled for `project`, or from `image` itself. Another container of that
 * name is the user's, and is not removed.
 */
export async function containerIsOurs(name: string, project: string, image: string): Promise<boolean> {
  const result = await runDocker(['container', 'inspect', '--format', `{{.Image}}|{{index .Config.Labels "${PROJECT_LABEL}"}}`, name]);
  if (result.code !== 0) return false;
  const [imageId, owner] = result.stdout.trim().split('|');
  if (owner === project) return true;
  const wanted = await runDocker(['image', 'inspect', '--format', '{{.Id}}', image]);
  return wanted.code === 0 && normalizeImageId(wanted.stdout) === normalizeImageId(imageId);
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
  if (record.project !== project) {
    throw new Error(`the image record at ${recordFile} is project "${record.project}"'s, not ${project}'s: build this one with \`nx run ${project}:docker-build\`.`);
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
    const pulled = await runDocker(['pull', byDigest], { kind: 'transfer' });
    const id = pulled.code === 0 ? await present(byDigest) : undefined;
    if (id === record.id) {
      await tagAll();
      return { ref: record.id, label: label(id), source: 'registry' };
    }
    problems.push(pulled.code === 0 ? `${byDigest} has id ${id}, not ${record.id}` : `pull ${byDigest}: ${lastLines(pulled.stderr || pulled.stdout, 1)}`);
  }
  const archive = record.archive ? join(dirname(recordFile), record.archive) : undefined;
  if (archive && existsSync(archive)) {
    const loaded = await runDocker(['load', '-i', archive], { kind: 'transfer' });
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
    // The user's own choice of image: checked as a reference, run as given.
    checkImageReference(options.image, 'image');
    await ensureImage(options.image, options.project);
    return { ref: options.image, label: options.image, source: 'local' };
  }
  const recordFile = imageRecordPath(options.workspaceRoot, options.projectRoot);
  if (!existsSync(recordFile)) return provenImage(options.workspaceRoot, options.project, recordFile);
  return ensureRecordedImage(recordFile, options.project);
}

/**
 * Without a record, `<project>:latest` runs only when its labels prove that this project's
 * docker-build made it in this checkout; an image that merely has the name (pulled, built
 * by hand or by another workspace) is not run.
 */
async function provenImage(workspaceRoot: string, project: string, recordFile: string): Promise<ResolvedImage> {
  const latest = `${checkImageReference(project, 'project name').name}:latest`;
  const build = `build it with \`nx run ${project}:docker-build\``;
  const found = await runDocker(['image', 'inspect', '--format', '{{.Id}}|{{json .Config.Labels}}', latest]);
  if (found.code !== 0) throw new Error(`image ${latest} is not in this Docker engine: ${build}.`);
  const [rawId, rawLabels] = found.stdout.trim().split('|');
  let labels: Record<string, string> | null = null;
  try {
    labels = JSON.parse(rawLabels ?? 'null') as Record<string, string> | null;
  } catch {
    labels = null;
  }
  const problem = provenanceProblem(labels, project, workspaceRoot);
  const id = normalizeImageId(rawId);
  if (problem) {
    throw new Error(
      `no image record at ${relative(workspaceRoot, recordFile)}, and ${latest} (${id.slice(7, 19)}) in this engine is not proven to be this project's build (${problem}); it is not run: ${build}, or pass --image=${latest} to run it anyway.`,
    );
  }
  return { ref: id, label: `${latest} (${id.slice(7, 19)}, labels match this workspace)`, source: 'local' };
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
    checkImageReference(tag, 'tag');
    const result = await runDocker(['push', tag], { stream: true, kind: 'transfer' });
    if (result.code !== 0) {
      throw new Error(`docker push ${tag} failed: ${lastLines(result.stderr || result.stdout, 3)} (log in with \`docker login <registry>\` if it needs credentials)`);
    }
    digest ??= /digest: (sha256:[0-9a-f]{64})/.exec(result.stdout)?.[1];
  }
  return digest;
}
