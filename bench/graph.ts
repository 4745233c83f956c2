// Graph computation for synthetic Cargo workspaces of 50, 200 and 500 crates: the
// plugin (cold: no cache; warm: its workspace-data cache present), the whole
// `nx show projects` without daemon, and `cargo metadata` side by side, in one run.
//   node bench/run.js bench/graph.ts [sizes...]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeSyntheticWorkspace } from '../e2e/helpers/synthetic-workspace';

const repo = resolve(__dirname, '..');
const sizes = process.argv.slice(2).map(Number).filter(Boolean);
const SIZES = sizes.length ? sizes : [50, 200, 500];
const RUNS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeCommand(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): number {
  const t0 = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return ms;
}

function probe(root: string, repeat: number): { timings: number[]; projects: number; edges: number } {
  const out = execFileSync(process.execPath, [join(repo, 'bench/run.js'), join(repo, 'bench/graph-probe.ts'), root, String(repeat)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

/** An Nx workspace around the synthetic one, with the packed plugin installed once and shared. */
function nxInstall(): string {
  execFileSync('npm', ['run', 'build'], { cwd: repo, stdio: 'ignore' });
  const dir = mkdtempSync(join(tmpdir(), 'rust-docker-bench-nx-'));
  const pack = mkdtempSync(join(tmpdir(), 'rust-docker-bench-pack-'));
  const name = execFileSync('npm', ['pack', '--pack-destination', pack, '--ignore-scripts'], { cwd: repo, encoding: 'utf8' }).trim().split('\n').pop()!;
  const nx = JSON.parse(require('node:fs').readFileSync(join(repo, 'package.json'), 'utf8')).devDependencies.nx.replace(/^[\^~]/, '');
  writeFileSync(join(dir, 'package.json'), '{"name":"bench","private":true}');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', `nx@${nx}`, join(pack, name)], { cwd: dir, stdio: 'ignore' });
  return join(dir, 'node_modules');
}

const rows: string[][] = [];
const nodeModules = nxInstall();
for (const size of SIZES) {
  const root = mkdtempSync(join(tmpdir(), `rust-docker-bench-graph-${size}-`));
  writeSyntheticWorkspace(root, { crates: size, seed: size });
  symlinkSync(nodeModules, join(root, 'node_modules'));
  writeFileSync(join(root, 'package.json'), '{"name":"bench-ws","private":true}');
  writeFileSync(join(root, 'nx.json'), JSON.stringify({ plugins: ['@org/rust-docker'] }));
  writeFileSync(join(root, '.gitignore'), 'node_modules\n.nx\ntarget\n');
  execFileSync('cargo', ['generate-lockfile', '--offline'], { cwd: root, stdio: 'ignore' });

  const cold: number[] = [];
  let shape = { projects: 0, edges: 0 };
  for (let i = 0; i < RUNS; i++) {
    rmSync(join(root, '.nx'), { recursive: true, force: true });
    const r = probe(root, 1);
    cold.push(r.timings[0]);
    shape = r;
  }
  const warm = probe(root, RUNS + 1).timings.slice(1); // same process, cache warm: the daemon's case
  const warmProcess = Array.from({ length: RUNS }, () => probe(root, 1).timings[0]); // new process, cache on disk

  const nxEnv = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };
  const nxBin = join(root, 'node_modules/.bin/nx');
  const nxCold = Array.from({ length: 3 }, () => {
    rmSync(join(root, '.nx'), { recursive: true, force: true });
    return timeCommand(process.execPath, [nxBin, 'show', 'projects'], root, nxEnv);
  });
  const nxWarm = Array.from({ length: 3 }, () => timeCommand(process.execPath, [nxBin, 'show', 'projects'], root, nxEnv));

  const noDeps = Array.from({ length: RUNS }, () => timeCommand('cargo', ['metadata', '--format-version', '1', '--offline', '--no-deps'], root));
  const full = Array.from({ length: RUNS }, () => timeCommand('cargo', ['metadata', '--format-version', '1', '--offline'], root));
  rows.push([
    String(size),
    `${shape.projects} / ${shape.edges}`,
    median(cold).toFixed(0),
    median(warmProcess).toFixed(0),
    median(warm).toFixed(1),
    median(noDeps).toFixed(0),
    median(full).toFixed(0),
    median(nxCold).toFixed(0),
    median(nxWarm).toFixed(0),
  ]);
  rmSync(root, { recursive: true, force: true });
}

const header = [
  'crates',
  'projects / crate edges',
  'plugin cold (ms)',
  'plugin, new process, cache (ms)',
  'plugin warm, in process (ms)',
  'cargo metadata --no-deps (ms)',
  'cargo metadata (ms)',
  'nx show projects, no daemon, cold (ms)',
  'nx show projects, no daemon, warm (ms)',
];
console.log(`\nGraph computation, median of ${RUNS} (nx: of 3), ${require('node:os').cpus().length} cores\n`);
console.log(`| ${header.join(' | ')} |`);
console.log(`| ${header.map(() => '---').join(' | ')} |`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
