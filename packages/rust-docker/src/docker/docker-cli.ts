import { spawn, type SpawnOptions } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The single way this plugin talks to a container engine's CLI: `docker` (any engine it
 * reaches: local, DOCKER_HOST, a context) or `podman`, which takes the same commands.
 */

export type ContainerCli = 'docker' | 'podman';
let activeCli: ContainerCli = 'docker';

/** The CLI every call of this process uses; each executor sets it first thing. */
export function useCli(cli: ContainerCli): void {
  activeCli = cli;
}

export function currentCli(): ContainerCli {
  return activeCli;
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** `auto`: docker when it is installed, else podman when that is, else docker (and its hint). */
export function chooseCli(requested: 'auto' | ContainerCli = 'auto'): ContainerCli {
  if (requested !== 'auto') return requested;
  if (onPath('docker')) return 'docker';
  return onPath('podman') ? 'podman' : 'docker';
}

export class DockerUnavailableError extends Error {
  override name = 'DockerUnavailableError';
}

export interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunDockerOptions {
  env?: NodeJS.ProcessEnv;
  /** Stream output to the terminal as well as capturing it. */
  stream?: boolean;
  /** Called with each chunk of stdout and stderr (for progress parsing). */
  onOutput?: (chunk: string) => void;
  signal?: AbortSignal;
  /** Which bound applies (see useEngineBounds); `short` when not given. */
  kind?: EngineCallKind;
}

/**
 * Every engine call is bounded: a daemon (or a remote DOCKER_HOST) that accepts the
 * connection and never answers must not hold a task until the CI job's own limit.
 * - `short`: version, inspect, tag, run -d, rm, logs, ps (option `engineTimeout`);
 * - `build`: the image build (option `buildTimeout`);
 * - `transfer`: push, pull, save, load, compose up/down (option `transferTimeout`).
 */
export type EngineCallKind = 'short' | 'build' | 'transfer';

/** Seconds per kind of call. */
export const DEFAULT_ENGINE_BOUNDS: Readonly<Record<EngineCallKind, number>> = { short: 60, build: 3600, transfer: 1800 };

const BOUND_OPTIONS: Record<EngineCallKind, string> = { short: 'engineTimeout', build: 'buildTimeout', transfer: 'transferTimeout' };

export interface EngineBoundOptions {
  engineTimeout?: number;
  buildTimeout?: number;
  transferTimeout?: number;
}

let bounds: Record<EngineCallKind, number> = { ...DEFAULT_ENGINE_BOUNDS };
/** A deadline every call must also meet (health-check's `timeout`), in epoch ms. */
let deadline: { at: number; description: string } | undefined;

/** Sets the bounds of this process's engine calls from an executor's options (seconds). */
export function useEngineBounds(options: EngineBoundOptions = {}): void {
  const next = { ...DEFAULT_ENGINE_BOUNDS };
  for (const kind of Object.keys(BOUND_OPTIONS) as EngineCallKind[]) {
    const value = options[BOUND_OPTIONS[kind] as keyof EngineBoundOptions];
    if (value === undefined) continue;
    const seconds = Number(value);
    if (!Number.isFinite(seconds) || seconds <= 0) {
      throw new Error(`"${BOUND_OPTIONS[kind]}" ${String(value)} is not a duration: use a positive number of seconds (default ${DEFAULT_ENGINE_BOUNDS[kind]}).`);
    }
    next[kind] = seconds;
  }
  bounds = next;
}

/** Makes every engine call also end by `at` (epoch ms); `undefined` lifts it (for cleanup). */
export function useDeadline(at: number | undefined, description = ''): void {
  deadline = at === undefined ? undefined : { at, description };
}

/** The engine a call reaches, as a user would recognize it: the CLI, and DOCKER_HOST or the context when set. */
export function engineDescription(env: NodeJS.ProcessEnv = process.env): string {
  const parts: string[] = [activeCli];
  const host = activeCli === 'podman' ? env.CONTAINER_HOST : env.DOCKER_HOST;
  if (host) parts.push(`${activeCli === 'podman' ? 'CONTAINER_HOST' : 'DOCKER_HOST'}=${host}`);
  const context = activeCli === 'podman' ? env.CONTAINER_CONNECTION : env.DOCKER_CONTEXT;
  if (context) parts.push(`${activeCli === 'podman' ? 'CONTAINER_CONNECTION' : 'DOCKER_CONTEXT'}=${context}`);
  return parts.join(', ');
}

export class EngineTimeoutError extends Error {
  override name = 'EngineTimeoutError';
}

export const DOCKER_INSTALL_HINT =
  'install Docker (https://docs.docker.com/engine/install/) and make sure `docker` is on PATH';

export interface RunCommandOptions extends RunDockerOptions {
  /** Kill the command (and whatever it started) after this long, and reject with `timeoutMessage()`. */
  timeoutMs?: number;
  timeoutMessage?: () => string;
}

/** After SIGTERM, how long a command and its children get before SIGKILL. */
const KILL_GRACE_MS = 2000;

/**
 * Runs a command, capturing its output (and streaming it when asked). With a timeout it
 * runs in its own process group, so that on expiry the CLI and anything it started (a
 * buildx or compose plugin) are stopped together; the promise settles once they are gone.
 */
export function runCommand(command: string, args: string[], options: RunCommandOptions = {}): Promise<DockerResult> {
  return new Promise((resolve, reject) => {
    const bounded = options.timeoutMs !== undefined;
    const spawnOptions: SpawnOptions = {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: options.signal,
      detached: bounded,
    };
    const child = spawn(command, args, spawnOptions);
    let timedOut = false;
    let closed = false;
    const killGroup = (signal: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        if (!closed) child.kill(signal);
      }
    };
    let graceTimer: NodeJS.Timeout | undefined;
    const timer = bounded
      ? setTimeout(() => {
          timedOut = true;
          killGroup('SIGTERM');
          graceTimer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
        }, Math.max(0, options.timeoutMs!))
      : undefined;
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (data: Buffer) => {
      const text = data.toString();
      stdout += text;
      if (options.stream) process.stdout.write(text);
      options.onOutput?.(text);
    });
    child.stderr!.on('data', (data: Buffer) => {
      const text = data.toString();
      stderr += text;
      if (options.stream) process.stderr.write(text);
      options.onOutput?.(text);
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      clearTimeout(graceTimer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      clearTimeout(graceTimer);
      // Children of the CLI that outlived it (a plugin) go with it.
      if (bounded) killGroup('SIGKILL');
      closed = true;
      if (timedOut) reject(new EngineTimeoutError(options.timeoutMessage?.() ?? `${command} ${args[0] ?? ''} did not finish within ${options.timeoutMs} ms; it was stopped.`));
      else resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** The bound of one call of `kind`, now: its option, or what is left before the deadline. */
function callBound(kind: EngineCallKind): { ms: number; byDeadline: boolean } {
  const ms = bounds[kind] * 1000;
  if (deadline && deadline.at - Date.now() < ms) return { ms: Math.max(0, deadline.at - Date.now()), byDeadline: true };
  return { ms, byDeadline: false };
}

/** Runs the container CLI this process uses (docker or podman). */
export function runDocker(args: string[], options: RunDockerOptions = {}): Promise<DockerResult> {
  return runBounded(activeCli, args, options).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
    throw new DockerUnavailableError(
      activeCli === 'podman' ? 'podman not found: install podman (https://podman.io/docs/installation), or use "engine": "docker".' : `Docker CLI not found: ${DOCKER_INSTALL_HINT}.`,
    );
  });
}

/** `docker image inspect`, `docker-compose up`: the command as a user would name it. */
function callName(command: string, args: string[]): string {
  const words = args.filter((arg, i) => /^[a-z][a-z-]*$/.test(arg) && !(i > 0 && args[i - 1].startsWith('-')));
  return [command, ...words.slice(0, 2)].join(' ');
}

/**
 * Runs an engine CLI (docker, podman, docker-compose) within the bound of its kind of call;
 * on expiry the error names the command, the engine and the bound, and how to raise it.
 */
export function runBounded(command: string, args: string[], options: RunDockerOptions = {}): Promise<DockerResult> {
  const kind = options.kind ?? 'short';
  const bound = callBound(kind);
  const what = callName(command, args);
  const engine = engineDescription({ ...process.env, ...options.env });
  return runCommand(command, args, {
    ...options,
    timeoutMs: bound.ms,
    timeoutMessage: () =>
      bound.byDeadline
        ? `${what} was still waiting for the engine (${engine}) when the ${deadline!.description} ran out; it was stopped.`
        : `${what} got no answer from the engine (${engine}) within ${seconds(bound.ms)} ("${BOUND_OPTIONS[kind]}"); it was stopped. Check that the engine answers (\`${activeCli} info\`), or raise "${BOUND_OPTIONS[kind]}".`,
  });
}

/** Runs docker and returns trimmed stdout; throws with docker's own message on failure. */
export async function docker(args: string[], options: RunDockerOptions = {}): Promise<string> {
  const result = await runDocker(args, options);
  if (result.code !== 0) {
    throw new Error(`docker ${args[0]} failed: ${lastLines(result.stderr || result.stdout, 5)}`);
  }
  return result.stdout.trim();
}

export function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join('\n');
}

export interface DockerVersions {
  client: string;
  server: string;
}

/**
 * Checks that the CLI exists and the daemon answers, in one call. Each failure is one
 * line that says what to do.
 */
export async function checkDocker(): Promise<DockerVersions> {
  if (activeCli === 'podman') {
    // Podman has no daemon to reach: `podman info` working is the engine answering.
    const version = await runDocker(['version', '--format', '{{.Client.Version}}']);
    const info = await runDocker(['info', '--format', '{{.Host.Arch}}']);
    if (version.code !== 0 || info.code !== 0) {
      throw new DockerUnavailableError(`podman does not work here (${lastLines(info.stderr || version.stderr, 1)}): check \`podman info\`, then retry.`);
    }
    return { client: version.stdout.trim(), server: version.stdout.trim() };
  }
  const result = await runDocker(['version', '--format', '{{.Client.Version}}|{{.Server.Version}}']);
  const [client = '', server = ''] = result.stdout.trim().split('|');
  if (result.code !== 0 || !server || server === '<no value>') {
    const reason = lastLines(result.stderr, 1) || 'no answer from the daemon';
    throw new DockerUnavailableError(
      `Docker daemon is not reachable (${reason}): start it (\`sudo systemctl start docker\`, Docker Desktop, or \`dockerd &\`) or set DOCKER_HOST, then retry.`,
    );
  }
  return { client, server };
}

/** Decimal units, as `docker images` prints them. */
export function formatBytes(bytes: number): string {
  if (bytes < 1e3) return `${bytes} B`;
  const units: Array<[number, string]> = [
    [1e9, 'GB'],
    [1e6, 'MB'],
    [1e3, 'kB'],
  ];
  for (const [size, unit] of units) {
    // 999_999 B is "1.00 MB", not "1000.00 kB".
    if (Number((bytes / size).toFixed(2)) >= 1) return `${(bytes / size).toFixed(2)} ${unit}`;
  }
  return `${bytes} B`;
}

/** Image ids with their algorithm: docker says `sha256:<hex>`, podman the bare hex. */
export function normalizeImageId(id: string): string {
  const trimmed = id.trim();
  return /^[0-9a-f]{64}$/.test(trimmed) ? `sha256:${trimmed}` : trimmed;
}
