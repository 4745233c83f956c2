// What the crate graph costs a user, measured through the real nx CLI: `nx show projects`
// without the daemon and after `nx reset` (as in CI), on synthetic Cargo workspaces,
// interleaved: Nx without the plugin, Nx with a no-op plugin (an empty result for every
// Cargo.toml: the floor every isolated plugin pays), and Nx with this plugin. Also
// `cargo metadata --no-deps` on the same workspace, the plugin's load time in Nx's worker,
// Nx's own breakdown (NX_PERF_LOGGING), and, with the daemon, `nx show projects` after one
// manifest edit. With --anchors, the other Cargo plugins on npm the same way, each on its
// own Nx in its own install.
//   node bench/run.js bench/nx-cli.ts [--sizes 50,200,500,5400] [--rounds 7] [--big-rounds 5] [--anchors] [--no-daemon]
// A size of 1,000 crates or more runs --big-rounds rounds (it takes minutes).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeSyntheticWorkspace } from '../e2e/helpers/synthetic-workspace';
import { median, medianOf } from './stats';

const repo = resolve(__dirname, '..');
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const SIZES = option('sizes', '50,200,500,5400').split(',').map(Number);
const ROUNDS = Number(option('rounds', '7'));
const BIG_ROUNDS = Number(option('big-rounds', '5'));
const ANCHORS = args.includes('--anchors');
const DAEMON = !args.includes('--no-daemon');
const PERF_RUNS = 3;
const DAEMON_EDITS = 5;

const NOOP = 'bench-noop-cargo-plugin';
/** An empty node for every Cargo.toml: a project (root and name) with no targets. */
const EMPTY = 'bench-empty-cargo-plugin';
/** Returns, read from a file, exactly what this plugin returned for the workspace: what Nx itself spends on it. */
const REPLAY = 'bench-replay-cargo-plugin';
const PLUGIN = '@org/rust-docker';
const NX_VERSION: string = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).devDependencies.nx.replace(/^[\^~]/, '');

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const millis = (ms: number) => `${Math.round(ms)} ms`;

function npmInstall(dir: string, packages: string[]): void {
  writeFileSync(join(dir, 'package.json'), '{"name":"bench-install","private":true}');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...packages], { cwd: dir, stdio: 'inherit' });
}

/** An install of a given Nx and plugins, shared (through a symlink) by every workspace of a stack. */
interface Stack {
  name: string;
  nodeModules: string;
  /** The plugin measured, as nx.json names it; none for the no-op floor. */
  plugin: string;
  /** Gives each crate a project.json (for plugins that only add edges to existing projects). */
  projectJson?: boolean;
}

/** A plugin package of a few lines, installed beside Nx (createNodes under both export names). */
function benchPlugin(nodeModules: string, name: string, lines: string[]): void {
  const dir = join(nodeModules, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'index.js' }));
  writeFileSync(join(dir, 'index.js'), [...lines, 'exports.createNodes = exports.createNodesV2;', ''].join('\n'));
}

function ourStack(): Stack {
  execFileSync('npm', ['run', 'build'], { cwd: repo, stdio: 'ignore' });
  const dir = mkdtempSync(join(tmpdir(), 'rust-docker-bench-nx-'));
  const pack = mkdtempSync(join(tmpdir(), 'rust-docker-bench-pack-'));
  const tarball = execFileSync('npm', ['pack', '--pack-destination', pack, '--ignore-scripts'], { cwd: repo, encoding: 'utf8' }).trim().split('\n').pop()!;
  npmInstall(dir, [`nx@${NX_VERSION}`, join(pack, tarball)]);
  const nodeModules = join(dir, 'node_modules');
  // The floor: an isolated plugin that answers every Cargo.toml with an empty result.
  benchPlugin(nodeModules, NOOP, ["exports.createNodesV2 = ['**/Cargo.toml', (files) => files.map((file) => [file, {}])];"]);
  benchPlugin(nodeModules, EMPTY, [
    "const { dirname } = require('node:path');",
    "exports.createNodesV2 = ['**/Cargo.toml', (files) => files.map((file) => [file, { projects: { [dirname(file)]: { root: dirname(file), name: dirname(file) } } }])];",
  ]);
  benchPlugin(nodeModules, REPLAY, [
    "const { readFileSync } = require('node:fs');",
    "exports.createNodesV2 = ['**/Cargo.toml', (files, options) => { const nodes = JSON.parse(readFileSync(options.nodes, 'utf8')); return files.map((file) => [file, nodes[file] ?? {}]); }];",
    "exports.createDependencies = (options) => JSON.parse(readFileSync(options.edges, 'utf8'));",
  ]);
  return { name: `this plugin (Nx ${NX_VERSION})`, nodeModules: join(dir, 'node_modules'), plugin: PLUGIN };
}

function anchorStacks(): Stack[] {
  const stacks: Stack[] = [];
  const monodon = mkdtempSync(join(tmpdir(), 'rust-docker-bench-monodon-'));
  npmInstall(monodon, ['nx@22', '@nx/devkit@22', '@monodon/rust@3.0.0']);
  stacks.push({ name: '@monodon/rust 3.0 (Nx 22)', nodeModules: join(monodon, 'node_modules'), plugin: '@monodon/rust' });
  // @nxrs/cargo adds cargo's edges to projects its generators wrote as project.json files.
  const nxrs = mkdtempSync(join(tmpdir(), 'rust-docker-bench-nxrs-'));
  npmInstall(nxrs, ['nx@19', '@nrwl/devkit@19', '@nxrs/cargo@0.4.1']);
  stacks.push({ name: '@nxrs/cargo 0.4 (Nx 19)', nodeModules: join(nxrs, 'node_modules'), plugin: '@nxrs/cargo', projectJson: true });
  return stacks;
}

interface BenchWorkspace {
  root: string;
  crates: string[];
  /** nx.json's plugin entry for the replay of this plugin's output (our stack only). */
  replay?: PluginEntry;
  /** The same replay with every target cut to its executor (no options, inputs, outputs, metadata). */
  minimal?: PluginEntry;
}

type PluginEntry = string | { plugin: string; options: Record<string, string> };

/** Records what the built plugin returns for the workspace, for the replay plugin. */
function recordOutput(root: string): { replay: PluginEntry; minimal: PluginEntry } {
  const dir = mkdtempSync(join(tmpdir(), 'rust-docker-bench-replay-'));
  const script = [
    `const { createNodes, createDependencies } = require(${JSON.stringify(join(repo, 'packages/rust-docker/dist/index.js'))});`,
    "const { readdirSync, writeFileSync } = require('node:fs');",
    `const root = ${JSON.stringify(root)};`,
    "const walk = (dir) => readdirSync(root + '/' + dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? (['node_modules', '.nx', 'target'].includes(e.name) ? [] : walk(dir + e.name + '/')) : [dir + e.name]);",
    'const files = walk(\'\');',
    "const manifests = files.filter((f) => f.endsWith('Cargo.toml'));",
    '(async () => {',
    '  const results = await createNodes[1](manifests, undefined, { workspaceRoot: root, nxJsonConfiguration: {} });',
    '  const projects = {}; const externalNodes = {};',
    '  for (const [, r] of results) { for (const p of Object.values(r.projects ?? {})) projects[p.name] = p; Object.assign(externalNodes, r.externalNodes ?? {}); }',
    '  const edges = await createDependencies(undefined, { projects, externalNodes, nxJsonConfiguration: {}, workspaceRoot: root, fileMap: { projectFileMap: {}, nonProjectFiles: files.map((file) => ({ file, hash: \'\' })) }, filesToProcess: { projectFileMap: {}, nonProjectFiles: [] } });',
    `  writeFileSync(${JSON.stringify(join(dir, 'nodes.json'))}, JSON.stringify(Object.fromEntries(results)));`,
    `  writeFileSync(${JSON.stringify(join(dir, 'edges.json'))}, JSON.stringify(edges));`,
    '  for (const [, r] of results) for (const p of Object.values(r.projects ?? {})) { delete p.metadata; delete p.namedInputs; for (const [k, t] of Object.entries(p.targets ?? {})) p.targets[k] = { executor: t.executor }; }',
    `  writeFileSync(${JSON.stringify(join(dir, 'nodes-minimal.json'))}, JSON.stringify(Object.fromEntries(results)));`,
    '})();',
  ].join('\n');
  execFileSync(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'ignore'] });
  rmSync(join(root, '.nx'), { recursive: true, force: true });
  const edges = join(dir, 'edges.json');
  return {
    replay: { plugin: REPLAY, options: { nodes: join(dir, 'nodes.json'), edges } },
    minimal: { plugin: REPLAY, options: { nodes: join(dir, 'nodes-minimal.json'), edges } },
  };
}

function makeWorkspace(size: number, stack: Stack): BenchWorkspace {
  const root = mkdtempSync(join(tmpdir(), `rust-docker-bench-cli-${size}-`));
  const synthetic = writeSyntheticWorkspace(root, { crates: size, seed: size });
  symlinkSync(stack.nodeModules, join(root, 'node_modules'));
  writeFileSync(join(root, 'package.json'), '{"name":"bench-ws","private":true}');
  writeFileSync(join(root, '.gitignore'), 'node_modules\n.nx\ntarget\n');
  if (stack.projectJson) {
    for (const dir of synthetic.crateDirs) {
      const name = /name = "([^"]+)"/.exec(readFileSync(join(root, dir, 'Cargo.toml'), 'utf8'))![1];
      writeFileSync(join(root, dir, 'project.json'), JSON.stringify({ name, root: dir, sourceRoot: `${dir}/src`, targets: {} }));
    }
  }
  execFileSync('cargo', ['generate-lockfile', '--offline'], { cwd: root, stdio: 'ignore' });
  return { root, crates: synthetic.crateDirs, ...(stack.plugin === PLUGIN ? recordOutput(root) : {}) };
}

const baseEnv = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_SKIP_NX_CLOUD: 'true', FORCE_COLOR: '0' };

function nx(root: string, nxArgs: string[], env: NodeJS.ProcessEnv = baseEnv): { ms: number; stdout: string; stderr: string } {
  const t0 = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [join(root, 'node_modules', '.bin', 'nx'), ...nxArgs], {
    cwd: root,
    env,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (result.status !== 0) throw new Error(`nx ${nxArgs.join(' ')} failed in ${root}:\n${result.stdout}${result.stderr}`);
  return { ms, stdout: result.stdout, stderr: result.stderr };
}

function usePlugin(root: string, plugin: PluginEntry | undefined): void {
  writeFileSync(join(root, 'nx.json'), JSON.stringify({ plugins: plugin ? [plugin] : [] }));
  nx(root, ['reset']);
}

/** `nx show projects` after `nx reset`: wall time and the number of projects it listed. */
function showProjects(root: string, plugin: PluginEntry | undefined, env = baseEnv): { ms: number; projects: number; log: string } {
  usePlugin(root, plugin);
  const { ms, stdout, stderr } = nx(root, ['show', 'projects'], env);
  return { ms, projects: stdout.split('\n').filter((l) => l.trim() && !l.startsWith('Time taken')).length, log: `${stdout}\n${stderr}` };
}

/** Nx's perf log: the last `Time taken for '<name>' <ms>ms` of each name. */
function perfEntries(log: string): Map<string, number> {
  const entries = new Map<string, number>();
  for (const m of log.matchAll(/Time taken for '(.+?)' ([\d.]+)ms/g)) entries.set(m[1], Number(m[2]));
  return entries;
}

function perfOf(entries: Map<string, number>, pattern: RegExp): number | undefined {
  for (const [name, ms] of entries) if (pattern.test(name)) return ms;
  return undefined;
}

interface Breakdown {
  /** 'Load Nx Plugin' minus 'start-plugin-worker': loading the plugin's entry in its worker. */
  load?: number;
  /** All plugins' createNodes, worker round trips included ('build-project-configs' minus the merge). */
  createNodes?: number;
  merge?: number;
  createDependencies?: number;
  writeCache?: number;
}

function breakdown(log: string, pluginPattern: string): Breakdown {
  const entries = perfEntries(log);
  const escaped = pluginPattern.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const loaded = perfOf(entries, new RegExp(`^Load Nx Plugin: .*${escaped}`));
  const started = perfOf(entries, new RegExp(`^start-plugin-worker:.*${escaped}`));
  const configs = entries.get('build-project-configs');
  const merge = entries.get('createNodes:merge');
  return {
    load: loaded !== undefined && started !== undefined ? loaded - started : undefined,
    createNodes: configs !== undefined && merge !== undefined ? configs - merge : undefined,
    merge,
    createDependencies: perfOf(entries, new RegExp(`${escaped}.*:createDependencies$`)),
    writeCache: entries.get('write cache'),
  };
}

function cargoMetadataMs(root: string, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    execFileSync('cargo', ['metadata', '--format-version', '1', '--offline', '--no-deps'], { cwd: root, stdio: 'ignore', maxBuffer: 256 * 1024 * 1024 });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(times);
}

/**
 * With the daemon: `nx show projects` once (cold), then after each of a few one-line edits
 * of a manifest, and what Nx's perf log (the daemon's) says the plugin took for that graph.
 */
function warmDaemon(root: string, crateDir: string, plugin: PluginEntry, name: RegExp): { wall: number; createNodes?: number; createDependencies?: number; configs?: number } {
  usePlugin(root, plugin);
  const env = { ...baseEnv, NX_DAEMON: 'true', NX_PERF_LOGGING: 'true' };
  const log = join(root, '.nx', 'workspace-data', 'd', 'daemon.log');
  const manifest = join(root, crateDir, 'Cargo.toml');
  const original = readFileSync(manifest, 'utf8');
  const walls: number[] = [];
  const nodes: number[] = [];
  const deps: number[] = [];
  const configs: number[] = [];
  try {
    nx(root, ['show', 'projects'], env);
    for (let i = 1; i <= DAEMON_EDITS; i++) {
      const before = statSync(log).size;
      writeFileSync(manifest, original.replace('version = "0.1.0"', `version = "0.1.${i}"`));
      walls.push(nx(root, ['show', 'projects'], env).ms);
      // The daemon writes its log after it answers; give it a moment.
      spawnSync('sleep', ['1']);
      const entries = perfEntries(readFileSync(log, 'utf8').slice(before));
      const createNodes = perfOf(entries, new RegExp(`${name.source}.*:createNodes$`));
      const createDependencies = perfOf(entries, new RegExp(`${name.source}.*:createDependencies$`));
      const buildConfigs = entries.get('build-project-configs');
      if (createNodes !== undefined) nodes.push(createNodes);
      if (createDependencies !== undefined) deps.push(createDependencies);
      if (buildConfigs !== undefined) configs.push(buildConfigs - (entries.get('createNodes:merge') ?? 0));
    }
  } finally {
    writeFileSync(manifest, original);
    nx(root, ['daemon', '--stop'], env);
  }
  return {
    wall: median(walls),
    createNodes: nodes.length ? median(nodes) : undefined,
    createDependencies: deps.length ? median(deps) : undefined,
    configs: configs.length ? median(configs) : undefined,
  };
}

/** The secondary, in-process table (bench/graph-probe.ts): no Nx around the plugin. */
function inProcess(root: string): { cold: number; disk: number; warm: number } {
  const probe = (calls: number): number[] =>
    JSON.parse(
      execFileSync(process.execPath, [join(repo, 'bench/run.js'), join(repo, 'bench/graph-probe.ts'), root, String(calls)], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        maxBuffer: 64 * 1024 * 1024,
      })
        .trim()
        .split('\n')
        .pop()!,
    ).timings;
  const cold: number[] = [];
  const disk: number[] = [];
  for (let i = 0; i < PERF_RUNS; i++) {
    rmSync(join(root, '.nx'), { recursive: true, force: true });
    cold.push(probe(1)[0]);
    disk.push(probe(1)[0]);
  }
  return { cold: median(cold), disk: median(disk), warm: median(probe(PERF_RUNS + 1).slice(1)) };
}

interface Row {
  size: number;
  rounds: number;
  projects: number;
  nxAlone: number;
  noop: number;
  replay: number;
  /** Nx + an empty node (a project with no targets) for every Cargo.toml. */
  empty: number;
  /** Nx + the replay with every target cut to its executor. */
  minimal: number;
  plugin: number;
  cargoMetadata: number;
  ours: Breakdown;
  floor: Breakdown;
  replayed: Breakdown;
  daemon?: { ours: ReturnType<typeof warmDaemon>; replay: ReturnType<typeof warmDaemon>; minimal: ReturnType<typeof warmDaemon> };
  inProcess: ReturnType<typeof inProcess>;
  anchors: Array<{ name: string; nxAlone: number; plugin: number; projects: number; failure?: string }>;
}

function measureSize(size: number, ours: Stack, anchors: Stack[]): Row {
  const rounds = size >= 1000 ? BIG_ROUNDS : ROUNDS;
  const ws = makeWorkspace(size, ours);
  const anchorWorkspaces = anchors.map((stack) => ({ stack, ws: makeWorkspace(size, stack) }));
  try {
    console.error(`${size} crates: ${rounds} interleaved rounds`);
    const alone: number[] = [];
    const noop: number[] = [];
    const replay: number[] = [];
    const empty: number[] = [];
    const minimal: number[] = [];
    const plugin: number[] = [];
    const anchorTimes = anchorWorkspaces.map(() => ({ alone: [] as number[], plugin: [] as number[], projects: 0, failure: undefined as string | undefined }));
    let projects = 0;
    for (let round = 0; round < rounds; round++) {
      alone.push(showProjects(ws.root, undefined).ms);
      noop.push(showProjects(ws.root, NOOP).ms);
      replay.push(showProjects(ws.root, ws.replay).ms);
      empty.push(showProjects(ws.root, EMPTY).ms);
      minimal.push(showProjects(ws.root, ws.minimal).ms);
      const run = showProjects(ws.root, PLUGIN);
      plugin.push(run.ms);
      projects = run.projects;
      anchorWorkspaces.forEach(({ stack, ws: anchorWs }, i) => {
        if (anchorTimes[i].failure) return;
        try {
          anchorTimes[i].alone.push(showProjects(anchorWs.root, undefined).ms);
          const anchorRun = showProjects(anchorWs.root, stack.plugin);
          anchorTimes[i].plugin.push(anchorRun.ms);
          anchorTimes[i].projects = anchorRun.projects;
        } catch (error) {
          // Reported in the table: what the other plugin does with this workspace is a result too.
          anchorTimes[i].failure = String((error as Error).message).split('\n').filter(Boolean).slice(-1)[0]?.slice(0, 120) ?? 'failed';
          console.error(`  ${stack.name} failed: ${(error as Error).message.slice(-2000)}`);
        }
      });
      console.error(`  round ${round + 1}: alone ${millis(alone[round])}, no-op ${millis(noop[round])}, replay ${millis(replay[round])}, empty nodes ${millis(empty[round])}, executors only ${millis(minimal[round])}, plugin ${millis(plugin[round])}`);
    }
    if (projects < ws.crates.length) throw new Error(`${size} crates: nx listed only ${projects} projects`);
    const perfEnv = { ...baseEnv, NX_PERF_LOGGING: 'true' };
    const oursPerf: Breakdown[] = [];
    const floorPerf: Breakdown[] = [];
    const replayPerf: Breakdown[] = [];
    for (let i = 0; i < PERF_RUNS; i++) {
      floorPerf.push(breakdown(showProjects(ws.root, NOOP, perfEnv).log, NOOP));
      replayPerf.push(breakdown(showProjects(ws.root, ws.replay, perfEnv).log, REPLAY));
      oursPerf.push(breakdown(showProjects(ws.root, PLUGIN, perfEnv).log, PLUGIN));
    }
    const median3 = (list: Breakdown[]): Breakdown => ({
      load: medianOf(list, 'load'),
      createNodes: medianOf(list, 'createNodes'),
      merge: medianOf(list, 'merge'),
      createDependencies: medianOf(list, 'createDependencies'),
      writeCache: medianOf(list, 'writeCache'),
    });
    return {
      size,
      rounds,
      projects,
      nxAlone: median(alone),
      noop: median(noop),
      replay: median(replay),
      empty: median(empty),
      minimal: median(minimal),
      plugin: median(plugin),
      cargoMetadata: cargoMetadataMs(ws.root, rounds),
      ours: median3(oursPerf),
      floor: median3(floorPerf),
      replayed: median3(replayPerf),
      daemon: DAEMON
        ? {
            ours: warmDaemon(ws.root, ws.crates[Math.floor(ws.crates.length / 3)], PLUGIN, /rust-docker/),
            replay: warmDaemon(ws.root, ws.crates[Math.floor(ws.crates.length / 3)], ws.replay!, new RegExp(REPLAY)),
            minimal: warmDaemon(ws.root, ws.crates[Math.floor(ws.crates.length / 3)], ws.minimal!, new RegExp(REPLAY)),
          }
        : undefined,
      inProcess: inProcess(ws.root),
      anchors: anchorWorkspaces.map(({ stack }, i) => ({
        name: stack.name,
        nxAlone: median(anchorTimes[i].alone),
        plugin: median(anchorTimes[i].plugin),
        projects: anchorTimes[i].projects,
        failure: anchorTimes[i].failure,
      })),
    };
  } finally {
    for (const root of [ws.root, ...anchorWorkspaces.map((a) => a.ws.root)]) rmSync(root, { recursive: true, force: true });
  }
}

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

const ours = ourStack();
const anchors = ANCHORS ? anchorStacks() : [];
const rows = SIZES.map((size) => measureSize(size, ours, anchors));
const optional = (ms: number | undefined) => (ms === undefined ? 'n/a' : millis(ms));

console.log(`\n## The crate graph through the nx CLI: \`nx show projects\`, no daemon, \`nx reset\` before each run`);
console.log(
  `\nNx ${NX_VERSION}, ${cpus().length} cores; medians of interleaved rounds (the rounds column). Plugin cost = with the plugin minus the same Nx without it; above the floor = with the plugin minus with a no-op plugin that returns an empty result for every Cargo.toml. Replay = a plugin that returns, read from a file, exactly the projects and edges this plugin returns: what Nx spends on this configuration, so plugin minus replay is this plugin's own work. Empty nodes = a plugin that returns a project with no targets for every Cargo.toml (the floor read as an empty node per crate). Executors only = the replay with every target cut to its executor (no options, inputs, outputs or metadata): the least Nx spends on carrying these targets, whatever a plugin puts in them.\n`,
);
console.log(
  table(
    [
      'crates',
      'rounds',
      'projects',
      'Nx alone',
      'Nx + no-op plugin',
      'Nx + replay',
      'Nx + empty nodes',
      'Nx + executors only',
      'Nx + this plugin',
      'plugin cost',
      'above the no-op floor',
      'of which its own work',
      'above empty nodes',
      'executors only, above the no-op floor',
      ...anchors.map((a) => `${a.name}: cost (projects)`),
      '`cargo metadata --no-deps`',
    ],
    rows.map((r) => [
      r.size.toLocaleString('en'),
      String(r.rounds),
      String(r.projects),
      seconds(r.nxAlone),
      seconds(r.noop),
      seconds(r.replay),
      seconds(r.empty),
      seconds(r.minimal),
      seconds(r.plugin),
      seconds(r.plugin - r.nxAlone),
      seconds(r.plugin - r.noop),
      seconds(r.plugin - r.replay),
      seconds(r.plugin - r.empty),
      seconds(r.minimal - r.noop),
      ...r.anchors.map((a) => (a.failure ? `failed: ${a.failure}` : `${seconds(a.plugin - a.nxAlone)} (${a.projects})`)),
      seconds(r.cargoMetadata),
    ]),
  ),
);
console.log(`\n### Nx's perf log (NX_PERF_LOGGING=true), medians of ${PERF_RUNS} runs: this plugin / the replay / the no-op plugin\n`);
const three = (r: Row, key: keyof Breakdown) => `${optional(r.ours[key])} / ${optional(r.replayed[key])} / ${optional(r.floor[key])}`;
console.log(
  table(
    ['crates', 'plugin load in its worker', 'createNodes (all plugins, with the worker round trip)', 'createNodes:merge', 'createDependencies', 'graph cache write'],
    rows.map((r) => [
      r.size.toLocaleString('en'),
      three(r, 'load'),
      three(r, 'createNodes'),
      three(r, 'merge'),
      `${optional(r.ours.createDependencies)} / ${optional(r.replayed.createDependencies)} / -`,
      three(r, 'writeCache'),
    ]),
  ),
);
if (DAEMON) {
  console.log(
    `\n### With the daemon: \`nx show projects\` after a one-line edit of one Cargo.toml (medians of ${DAEMON_EDITS} edits), as the daemon's perf log reports it: this plugin / the replay / executors only\n`,
  );
  const pair = (...values: Array<number | undefined>) => values.map(optional).join(' / ');
  const sum = (d: ReturnType<typeof warmDaemon>) => (d.createNodes !== undefined && d.createDependencies !== undefined ? d.createNodes + d.createDependencies : undefined);
  console.log(
    table(
      ['crates', 'wall', 'plugin createNodes (in its worker)', 'plugin createDependencies', 'plugin time', 'all createNodes, worker start included'],
      rows
        .filter((r) => r.daemon)
        .map((r) => {
          const { ours: o, replay: p, minimal: m } = r.daemon!;
          return [
            r.size.toLocaleString('en'),
            pair(o.wall, p.wall, m.wall),
            pair(o.createNodes, p.createNodes, m.createNodes),
            pair(o.createDependencies, p.createDependencies, m.createDependencies),
            pair(sum(o), sum(p), sum(m)),
            pair(o.configs, p.configs, m.configs),
          ];
        }),
    ),
  );
}
console.log(`\n### Secondary, in process (bench/graph-probe.ts): createNodes + createDependencies called directly, no Nx around them; not what a user waits for. Medians of ${PERF_RUNS}\n`);
console.log(
  table(
    ['crates', 'new process, no cache', 'new process, manifests cached on disk', 'same process again'],
    rows.map((r) => [r.size.toLocaleString('en'), millis(r.inProcess.cold), millis(r.inProcess.disk), millis(r.inProcess.warm)]),
  ),
);
