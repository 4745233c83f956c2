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
}

export const DOCKER_INSTALL_HINT =
  'install Docker (https://docs.docker.com/engine/install/) and make sure `docker` is on PATH';

/** Runs a command, capturing its output (and streaming it when asked). */
export function runCommand(command: string, args: string[], options: RunDockerOptions = {}): Promise<DockerResult> {
  return new Promise((resolve, reject) => {
    const spawnOptions: SpawnOptions = {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: options.signal,
    };
    const child = spawn(command, args, spawnOptions);
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
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Runs the container CLI this process uses (docker or podman). */
export function runDocker(args: string[], options: RunDockerOptions = {}): Promise<DockerResult> {
  return runCommand(activeCli, args, options).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
    throw new DockerUnavailableError(
      activeCli === 'podman' ? 'podman not found: install podman (https://podman.io/docs/installation), or use "engine": "docker".' : `Docker CLI not found: ${DOCKER_INSTALL_HINT}.`,
    );
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
