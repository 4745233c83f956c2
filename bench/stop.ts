// How fast services stop, and start, with and without the init process the plugin runs
// them under (docker-run and health-check pass --init, compose entries say init: true):
// the three existing services of the adopt suite (warp, actix-web, axum, as their READMEs
// write them: no SIGTERM handler), containerized with `nx g @org/rust-docker:docker`, and
// a generated service (which handles SIGTERM itself), on Docker and on Podman.
//   node bench/run.js bench/stop.ts [rounds]
// Needs the e2e infrastructure (bash e2e/infra/setup.sh). Each stop without an init of a
// service that ignores SIGTERM takes Docker's 10 s grace period, so a run takes minutes.
import { spawnSync } from 'node:child_process';
import { buildKitPath, freeLoopbackPort, STAND_IN_RUST_IMAGE } from '../e2e/helpers/docker';
import { SERVICES } from '../e2e/helpers/adopted-services';
import { run } from '../e2e/helpers/run';
import { createWorkspace, useBaseImages } from '../e2e/helpers/workspace';

const rounds = Number(process.argv[2] ?? 3);
const PATH = buildKitPath();
const env = { ...process.env, PATH };
const cli = (engine: string, args: string[], allowFailure = false) => run(engine, args, { env, quiet: true, allowFailure });

interface Subject {
  image: string;
  what: string;
  port: number;
  path: string;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Start, wait for the first 2xx, then stop; ms for both. */
async function startAndStop(engine: string, subject: Subject, init: boolean): Promise<{ firstOk: number; stop: number }> {
  const name = `stop-bench-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
  const hostPort = await freeLoopbackPort();
  const t0 = Date.now();
  cli(engine, ['run', '-d', '--name', name, ...(init ? ['--init'] : []), '-p', `127.0.0.1:${hostPort}:${subject.port}`, subject.image]);
  try {
    let firstOk = -1;
    while (Date.now() - t0 < 30_000) {
      const ok = await fetch(`http://127.0.0.1:${hostPort}${subject.path}`, { signal: AbortSignal.timeout(500) }).then((r) => r.ok, () => false);
      if (ok) {
        firstOk = Date.now() - t0;
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    const s0 = Date.now();
    cli(engine, ['stop', name]);
    return { firstOk, stop: Date.now() - s0 };
  } finally {
    spawnSync(engine, ['rm', '-f', name], { env, stdio: 'ignore' });
  }
}

async function main() {
  const ws = createWorkspace('stop-bench', { PATH });
  try {
    ws.write('Cargo.toml', '[workspace]\nresolver = "2"\nmembers = ["services/*"]\n');
    for (const [name, files] of Object.entries(SERVICES)) for (const [file, text] of Object.entries(files)) ws.write(`services/${name}/${file}`, text);
    run('cargo', ['generate-lockfile'], { cwd: ws.root, quiet: true });
    for (const name of Object.keys(SERVICES)) ws.nx(['g', '@org/rust-docker:docker', name]);
    ws.nx(['g', '@org/rust-docker:service', 'api', '--directory=services/api', '--port=8090']);
    useBaseImages(ws, { RUST_IMAGE: STAND_IN_RUST_IMAGE });
    ws.nx(['run-many', '-t', 'docker-build', '--parallel=1']);

    const subjects: Subject[] = [
      { image: 'greeter:latest', what: 'warp 0.3, adopted', port: 8000, path: '/healthz' },
      { image: 'orders:latest', what: 'actix-web 4, adopted', port: 8080, path: '/health' },
      { image: 'catalog:latest', what: 'axum 0.8, adopted', port: 8080, path: '/' },
      { image: 'api:latest', what: 'axum 0.8, generated', port: 8090, path: '/health' },
    ];
    const engines = ['docker'];
    if (spawnSync('podman', ['--version']).status === 0) {
      engines.push('podman');
      for (const s of subjects) {
        const load = spawnSync('bash', ['-o', 'pipefail', '-c', `docker save ${s.image} | podman load`], { env, stdio: 'ignore' });
        if (load.status !== 0) throw new Error(`podman load ${s.image} failed`);
        s.image = s.image.replace(/^/, 'localhost/');
      }
    }
    const rows: string[][] = [];
    for (const engine of engines) {
      for (const subject of subjects) {
        const image = engine === 'docker' ? subject.image.replace(/^localhost\//, '') : subject.image;
        const results: Record<string, Array<{ firstOk: number; stop: number }>> = { pid1: [], init: [] };
        for (let i = 0; i < rounds; i++) {
          // Interleaved, so both see the same machine.
          results.pid1.push(await startAndStop(engine, { ...subject, image }, false));
          results.init.push(await startAndStop(engine, { ...subject, image }, true));
        }
        const stop = (k: string) => `${median(results[k].map((r) => r.stop))} ms`;
        const first = (k: string) => `${median(results[k].map((r) => r.firstOk))} ms`;
        rows.push([engine, subject.what, stop('pid1'), stop('init'), first('pid1'), first('init')]);
      }
    }
    const header = ['engine', 'service', 'stop, binary as PID 1', 'stop, --init', 'run → first 2xx, PID 1', 'run → first 2xx, --init'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
    console.log(`\nmedians of ${rounds} interleaved rounds\n`);
    console.log([line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
  } finally {
    for (const image of ['greeter', 'orders', 'catalog', 'api']) {
      spawnSync('docker', ['rmi', '-f', `${image}:latest`], { env, stdio: 'ignore' });
      spawnSync('podman', ['rmi', '-f', `localhost/${image}:latest`], { env, stdio: 'ignore' });
    }
    ws.remove();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
