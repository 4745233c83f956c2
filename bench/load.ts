// A bounded load check per framework, on loopback: wrk against each service's /health in
// its container, with requests per second, p99 latency, errors (must be 0) and the
// container's memory. Exits non-zero if any request failed.
//   node bench/run.js bench/load.ts [seconds]
// Needs: bash e2e/infra/setup.sh (Docker engine, base images) and wrk (apt-get install wrk).
import { spawnSync } from 'node:child_process';
import { buildKitPath, docker, STAND_IN_RUST_IMAGE, waitForAsync } from '../e2e/helpers/docker';
import { run } from '../e2e/helpers/run';
import { createWorkspace, useBaseImages } from '../e2e/helpers/workspace';

const DURATION = Number(process.argv[2] ?? 10);
const CONNECTIONS = 32;
const THREADS = 2;
const PATH = buildKitPath();
const env = { ...process.env, PATH };
const FRAMEWORKS = [
  ['axum', 'ax'],
  ['warp', 'wp'],
  ['actix', 'ac'],
] as const;

/** wrk's summary, parsed: requests/s, p99 latency and every kind of error it counts. */
export function parseWrk(output: string): { rps: number; p99: string; errors: number; requests: number } {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? NaN);
  const p99 = /^\s+99%\s+(\S+)/m.exec(output)?.[1] ?? '?';
  const requests = Number(/(\d+) requests in/.exec(output)?.[1] ?? NaN);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0);
  const errors = (socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0) + non2xx;
  return { rps, p99, errors, requests };
}

async function main() {
  if (spawnSync('wrk', ['--version']).error) {
    console.error('wrk not found: apt-get install wrk');
    process.exit(2);
  }
  const ws = createWorkspace('bench-load', { PATH });
  ws.nx(['g', '@org/rust-docker:init']);
  for (const [framework, name] of FRAMEWORKS) ws.nx(['g', '@org/rust-docker:service', name, `--framework=${framework}`]);
  useBaseImages(ws, { RUST_IMAGE: STAND_IN_RUST_IMAGE });
  ws.nx(['run-many', '-t', 'docker-build', '--parallel=1']);

  const rows: string[][] = [];
  let failed = false;
  for (const [framework, name] of FRAMEWORKS) {
    const container = `bench-load-${name}-${process.pid}`;
    docker(['run', '-d', '--name', container, '--cpus', '1', '-p', '127.0.0.1::8080', '-e', 'PORT=8080', `${name}:latest`]);
    try {
      const port = docker(['port', container, '8080/tcp']).stdout.trim().split(':').pop();
      const url = `http://127.0.0.1:${port}/health`;
      await waitForAsync(`${name} to answer`, 20_000, () => fetch(url).then((r) => (r.ok ? true : undefined), () => undefined));
      // Loopback only, bounded in time and connections.
      const wrk = run('wrk', ['-t', String(THREADS), '-c', String(CONNECTIONS), '-d', `${DURATION}s`, '--latency', url], { quiet: true });
      const result = parseWrk(wrk.stdout);
      // The request log goes to stdout; keep it from growing unread during the run.
      const memory = docker(['stats', '--no-stream', '--format', '{{.MemUsage}}', container]).stdout.trim().split(' / ')[0];
      failed ||= result.errors > 0 || !(result.requests > 0);
      rows.push([framework, result.rps.toFixed(0), result.p99, String(result.errors), memory, String(result.requests)]);
    } finally {
      spawnSync('docker', ['rm', '-f', container], { env, stdio: 'ignore' });
    }
  }
  ws.remove();
  const header = ['framework', 'requests/s', 'p99 latency', 'errors', 'container memory after the run', 'requests'];
  console.log(`\nwrk -t${THREADS} -c${CONNECTIONS} -d${DURATION}s on GET /health, one container each limited to 1 CPU, ${require('node:os').cpus().length} cores\n`);
  console.log(`| ${header.join(' | ')} |\n| ${header.map(() => '---').join(' | ')} |`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  if (failed) {
    console.error('\nsome requests failed: see the errors column');
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
