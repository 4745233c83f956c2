import { spawn, type SpawnOptions } from 'node:child_process';

/** The single way this plugin talks to the Docker CLI. */

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

export function runDocker(args: string[], options: RunDockerOptions = {}): Promise<DockerResult> {
  return new Promise((resolve, reject) => {
    const spawnOptions: SpawnOptions = {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: options.signal,
    };
    const child = spawn('docker', args, spawnOptions);
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
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') reject(new DockerUnavailableError(`Docker CLI not found: ${DOCKER_INSTALL_HINT}.`));
      else reject(error);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
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
