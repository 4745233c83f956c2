import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { run } from './run';

/**
 * Base image stand-ins made by e2e/infra/base-images.sh. Nothing can be pulled on the
 * machines these tests run on, so the tests pass them as build arguments, as a user
 * with a private mirror would; the product itself never names them.
 */
export const STAND_IN_RUST_IMAGE = 'local/rust:bookworm';

function clientVersion(docker: string): string | undefined {
  const r = run(docker, ['version', '--format', '{{.Client.Version}}'], { allowFailure: true, quiet: true });
  return r.stdout.trim() || undefined;
}

/**
 * A PATH whose `docker` builds with BuildKit: the buildx plugin if the first client has
 * it, else a client older than 23 (built-in BuildKit), put first.
 */
export function buildKitPath(): string {
  const path = process.env.PATH ?? '';
  if (run('docker', ['buildx', 'version'], { allowFailure: true, quiet: true }).code === 0) return path;
  for (const candidate of ['/usr/bin/docker', '/usr/local/bin/docker']) {
    const version = existsSync(candidate) ? clientVersion(candidate) : undefined;
    if (version && parseInt(version, 10) < 23) return `${dirname(candidate)}:${path}`;
  }
  throw new Error('no Docker client with BuildKit here (neither buildx nor a client older than 23): run bash e2e/infra/setup.sh');
}

export function docker(args: string[], allowFailure = false) {
  return run('docker', args, { allowFailure, quiet: true, env: { ...process.env, PATH: buildKitPath() } });
}

export function containerIds(): string[] {
  return docker(['ps', '-aq']).stdout.split('\n').filter(Boolean);
}

export function removeImages(repository: string): void {
  const ids = docker(['images', '-q', repository]).stdout.split('\n').filter(Boolean);
  if (ids.length) docker(['rmi', '-f', ...new Set(ids)], true);
}

export async function waitFor<T>(what: string, timeoutMs: number, check: () => T | undefined): Promise<T> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const value = check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export async function waitForAsync<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}
