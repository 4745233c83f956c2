// Two CI machines sharing an Nx remote cache and a registry (e2e/infra/setup.sh makes them:
// a second dockerd for machine B, the cache on 127.0.0.1:3456, the registry on :5000), on a
// workspace of 20 services and 10 shared crates, in one run:
//   A: nx affected -t docker-build, cold; after a change in one shared crate; with no change
//   B: after A, the same affected docker-build, then health-check of every service
// with wall time, docker builds run, cache hits and bytes moved through the remote cache.
//   node bench/run.js bench/machines.ts [services] [libraries]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildKitPath, STAND_IN_RUST_IMAGE } from '../e2e/helpers/docker';
import { run } from '../e2e/helpers/run';
import { cloneWorkspace, createWorkspace, useBaseImages, type Workspace } from '../e2e/helpers/workspace';

const SERVICES = Number(process.argv[2] ?? 20);
const LIBRARIES = Number(process.argv[3] ?? 10);
const INFRA = '/tmp/rust-docker-e2e';
const REGISTRY = '127.0.0.1:5000';
const PATH = buildKitPath();
const repo = resolve(__dirname, '..');

function dirSize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? dirSize(path) : statSync(path).size;
  }
  return total;
}

function cacheEnv(): NodeJS.ProcessEnv {
  return {
    PATH,
    NX_SELF_HOSTED_REMOTE_CACHE_SERVER: 'http://127.0.0.1:3456',
    NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: readFileSync(`${INFRA}/nx-cache/token`, 'utf8').trim(),
  };
}

interface Measure {
  seconds: number;
  builds: number;
  localHits: number;
  remoteHits: number;
  tasks: number;
  uploaded: number;
  /** Growth of the machine's own Nx cache: what remote hits brought down, and new results. */
  localCacheGrowth: number;
}

/**
 * Docker builds that ran in this invocation. A cache hit replays the task's original
 * terminal output, build lines included, so only tasks without a cache marker count.
 */
function buildsRun(out: string): number {
  return out
    .split(/^(?=> nx run )/m)
    .filter((section) => section.startsWith('> nx run ') && !/^> nx run \S+(?: [^\n]*)?\[(?:local|remote) cache\]|^> nx run \S+[^\n]*\[existing outputs match the cache/.test(section))
    .filter((section) => /: building with /.test(section) && !/was already built from this exact context/.test(section)).length;
}

function measure(ws: Workspace, args: string[], env: NodeJS.ProcessEnv): Measure {
  const store = `${INFRA}/nx-cache/data`;
  const local = join(ws.root, '.nx', 'cache');
  const localSize = () => {
    try {
      return dirSize(local);
    } catch {
      return 0;
    }
  };
  const before = dirSize(store);
  const localBefore = localSize();
  const t0 = Date.now();
  const out = ws.nx([...args, '--output-style=static', '--parallel=2'], { env }).output;
  return {
    seconds: (Date.now() - t0) / 1000,
    builds: buildsRun(out),
    localHits: (out.match(/\[local cache\]|\[existing outputs match the cache/g) ?? []).length,
    remoteHits: (out.match(/\[remote cache\]/g) ?? []).length,
    tasks: (out.match(/^> nx run /gm) ?? []).length,
    uploaded: dirSize(store) - before,
    localCacheGrowth: localSize() - localBefore,
  };
}

function main() {
  run('npm', ['run', 'build'], { cwd: repo, quiet: true });
  const origin = createWorkspace('bench-machines', { PATH });
  const base = origin.git(['rev-parse', 'HEAD']).stdout.trim();
  origin.nx(['g', '@org/rust-docker:init']);
  for (let i = 0; i < LIBRARIES; i++) origin.nx(['g', '@org/rust-docker:library', `lib${i}`]);
  for (let i = 0; i < SERVICES; i++) {
    // Each service uses two shared crates; lib0 is used by a fifth of them.
    origin.nx(['g', '@org/rust-docker:service', `svc${i}`, `--deps=lib${i % LIBRARIES},lib${(i + 3) % LIBRARIES}`]);
  }
  const run0 = Date.now();
  for (let i = 0; i < SERVICES; i++) {
    origin.write(`svc${i}/Cargo.toml`, origin.read(`svc${i}/Cargo.toml`).replace('version = "0.1.0"', `version = "0.1.0-bench${run0}"`));
  }
  run('cargo', ['metadata', '--format-version', '1'], { cwd: origin.root, quiet: true });
  useBaseImages(origin, { RUST_IMAGE: STAND_IN_RUST_IMAGE }, { image: `${REGISTRY}/{projectName}`, push: true });
  origin.git(['add', '-A']);
  origin.git(['commit', '-qm', 'services']);
  const a = cloneWorkspace(origin, 'bench-machine-a', { PATH });
  const b = cloneWorkspace(origin, 'bench-machine-b', { PATH });
  const affected = (target: string) => ['affected', '-t', target, `--base=${base}`, '--head=HEAD'];
  // Each machine its own Nx cache (Nx would share one per repository on one host).
  const envA = { ...cacheEnv(), NX_CACHE_DIRECTORY: join(a.root, '.nx', 'cache') };
  const envB = { ...cacheEnv(), NX_CACHE_DIRECTORY: join(b.root, '.nx', 'cache'), DOCKER_HOST: `unix://${INFRA}/docker-b.sock` };

  const rows: Array<[string, Measure]> = [];
  rows.push(['A: affected docker-build, cold', measure(a, affected('docker-build'), envA)]);
  rows.push(['B: affected docker-build, after A', measure(b, affected('docker-build'), envB)]);
  rows.push(['B: affected health-check, after A', measure(b, affected('health-check'), envB)]);
  a.write('lib0/src/lib.rs', `${a.read('lib0/src/lib.rs')}\npub const REVISION: u64 = ${Date.now()};\n`);
  a.git(['commit', '-qam', 'change lib0']);
  rows.push(['A: after a change in one shared crate (lib0)', measure(a, affected('docker-build'), envA)]);
  rows.push(['A: no change', measure(a, affected('docker-build'), envA)]);
  b.git(['pull', '-q', a.root, 'main']);
  rows.push(['B: after A, lib0 changed', measure(b, affected('docker-build'), envB)]);

  const header = ['run', 'wall time', 'tasks', 'docker builds', 'local cache hits', 'remote cache hits', 'uploaded to the remote cache', 'local cache growth'];
  console.log(`\n${SERVICES} services, ${LIBRARIES} shared crates; machine B is a second dockerd; ${require('node:os').cpus().length} cores\n`);
  console.log(`| ${header.join(' | ')} |\n| ${header.map(() => '---').join(' | ')} |`);
  for (const [label, m] of rows) {
    console.log(`| ${label} | ${m.seconds.toFixed(1)} s | ${m.tasks} | ${m.builds} | ${m.localHits} | ${m.remoteHits} | ${(m.uploaded / 1e6).toFixed(1)} MB | ${(m.localCacheGrowth / 1e6).toFixed(1)} MB |`);
  }
  for (const ws of [origin, a, b]) ws.remove();
}

main();
