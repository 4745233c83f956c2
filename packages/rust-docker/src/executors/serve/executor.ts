import { logger, type ExecutorContext } from '@nx/devkit';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { selectionArgs, toolchainArgs, validateCargoSelection, type CargoSelection } from '../../cargo/cargo-options';
import { binaryArtifacts, type BinaryArtifact } from '../../cargo/messages';
import { LOOPBACK, portIsFree } from '../../docker/container';
import { containerPort } from '../../docker/dockerfile';
import { DevLoop, type BuildOutcome } from '../../serve/dev-loop';
import { startService, describeExit, type RunningService } from '../../serve/service-process';
import { TreeWatcher } from '../../serve/tree-watcher';
import { watchPlanOnDisk } from '../../serve/watch-plan';
import { receivingOptions } from '../command-line';
import schema from './schema.json';
import type { ServeExecutorOptions } from './schema';

export const DEFAULT_GRACE_PERIOD = 5;

export interface NormalizedServeOptions {
  project: string;
  /** Crate folder, absolute, and workspace-relative. */
  crateDir: string;
  projectRoot: string;
  selection: CargoSelection & { package: string };
  port: number;
  env: Record<string, string>;
  args: string[];
  toolArgs: string[];
  graceMs: number;
}

/** Every default applied and every option checked, before cargo or the watcher starts. */
export function normalizeOptions(options: ServeExecutorOptions, context: ExecutorContext): NormalizedServeOptions {
  const project = context.projectName!;
  const projectRoot = context.projectsConfigurations.projects[project].root;
  const selection = {
    package: options.package ?? project,
    bin: options.bin,
    features: options.features,
    allFeatures: options.allFeatures,
    noDefaultFeatures: options.noDefaultFeatures,
    release: options.release,
    profile: options.profile,
    toolchain: options.toolchain === undefined ? undefined : String(options.toolchain),
  };
  validateCargoSelection('build', selection);
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port > 0 && options.port < 65536)) {
    throw new Error(`port ${options.port} is not a TCP port: give a number from 1 to 65535.`);
  }
  const grace = options.gracePeriod ?? DEFAULT_GRACE_PERIOD;
  if (!(typeof grace === 'number' && Number.isFinite(grace) && grace >= 0)) {
    throw new Error(`gracePeriod ${grace} is not a number of seconds: give e.g. 5 (0 kills at once).`);
  }
  return {
    project,
    crateDir: join(context.root, projectRoot),
    projectRoot,
    selection,
    port: containerPort(context.root, projectRoot, options.port),
    env: Object.fromEntries(Object.entries(options.env ?? {}).map(([k, v]) => [k, String(v)])),
    args: options.args ?? [],
    toolArgs: options.toolArgs ?? [],
    graceMs: grace * 1000,
  };
}

/** `cargo build` for the service, with JSON messages on stdout so the binary can be found. */
export function serveBuildArgs(o: NormalizedServeOptions): string[] {
  return [...toolchainArgs(o.selection), 'build', ...selectionArgs('build', o.selection), '--message-format=json-render-diagnostics', ...o.args];
}

/** The binary to run among those cargo built: the one asked for, the only one, or the package's namesake. */
export function chooseBinary(artifacts: BinaryArtifact[], packageName: string, bin?: string): BinaryArtifact | string {
  if (bin) return artifacts.find((a) => a.name === bin) ?? `cargo built no binary named ${bin} in ${packageName}`;
  if (artifacts.length === 1) return artifacts[0];
  if (!artifacts.length) return `${packageName} has no binary to serve (serve runs a crate with src/main.rs or a [[bin]])`;
  return artifacts.find((a) => a.name === packageName) ?? `${packageName} has several binaries (${artifacts.map((a) => a.name).join(', ')}): choose one with --bin=<name>`;
}

function cargoBuild(o: NormalizedServeOptions, signal: AbortSignal): Promise<BuildOutcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    // Compiler messages go to the terminal as cargo renders them; stdout carries the JSON.
    const child = spawn('cargo', serveBuildArgs(o), { cwd: o.crateDir, stdio: ['ignore', 'pipe', 'inherit'], signal });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', (error: NodeJS.ErrnoException) => {
      const problem =
        error.code === 'ENOENT' ? 'cargo not found on PATH: install Rust from https://rustup.rs and retry' : error.name === 'AbortError' ? 'build cancelled' : error.message;
      resolve({ ok: false, ms: Date.now() - started, problem });
    });
    child.on('close', (code) => {
      const ms = Date.now() - started;
      if (code !== 0) return resolve({ ok: false, ms });
      const chosen = chooseBinary(binaryArtifacts(stdout, join(o.crateDir, 'Cargo.toml')), o.selection.package, o.selection.bin);
      resolve(typeof chosen === 'string' ? { ok: false, ms, problem: chosen } : { ok: true, ms, executable: chosen.executable, fresh: chosen.fresh });
    });
  });
}

/**
 * `cargo run` on the host that follows the sources: builds the service, runs it with PORT,
 * and on every change in its dependency closure (its crate, the workspace crates it is
 * built from, the root Cargo.toml and Cargo.lock) builds again, and only then swaps the
 * running process (SIGTERM, SIGKILL after the grace period) for the new build. A build
 * that fails leaves the running one serving. Ctrl-C stops it gracefully.
 */
async function* serveExecutor(options: ServeExecutorOptions, context: ExecutorContext): AsyncGenerator<{ success: boolean; baseUrl?: string }> {
  let o: NormalizedServeOptions;
  let plan;
  try {
    o = normalizeOptions(options, context);
    plan = watchPlanOnDisk(context.root, o.projectRoot);
    if (!(await portIsFree(o.port))) {
      throw new Error(`port ${o.port} is already in use (another serve or docker-run?): stop it or pass --port=<another port>.`);
    }
  } catch (error) {
    logger.error(`${context.projectName}: ${(error as Error).message}`);
    yield { success: false };
    return;
  }
  const env = { ...process.env, ...o.env, PORT: String(o.port) };
  const baseUrl = `http://${LOOPBACK}:${o.port}`;
  let firstStart: (service: RunningService) => void = () => undefined;
  const started = new Promise<RunningService>((resolve) => (firstStart = resolve));
  const loop = new DevLoop({
    name: o.project,
    graceMs: o.graceMs,
    log: logger,
    build: (signal) => cargoBuild(o, signal),
    start: (executable) => startService({ executable, args: o.toolArgs, cwd: o.crateDir, env }),
    onStarted: (service) => firstStart(service),
  });
  const watcher = new TreeWatcher(context.root, (files) => {
    // A manifest edit can add or drop a path dependency: watch the closure as it is now.
    if (files.some((f) => basename(f) === 'Cargo.toml')) {
      try {
        watcher.update(watchPlanOnDisk(context.root, o.projectRoot));
      } catch (error) {
        logger.warn(`${o.project}: ${(error as Error).message}`);
      }
    }
    // Editors save through temporary files: name the files that are there now, if any.
    const present = files.filter((f) => existsSync(f));
    loop.changed((present.length ? present : files).map((f) => relative(context.root, f)));
  });
  watcher.update(plan);
  // An exiting Nx must not leave the service holding its port.
  const onExit = () => loop.current()?.signal('SIGTERM');
  let interrupted: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => (interrupted = resolve));
  process.on('SIGINT', interrupted);
  process.on('SIGTERM', interrupted);
  process.on('exit', onExit);
  logger.info(`${o.project}: serving on ${baseUrl} (PORT=${o.port}) once built; watching ${plan.dirs.join(', ')} and the Cargo root files. Ctrl-C stops it.`);
  loop.begin();
  try {
    const first = await Promise.race([started, stopRequested]);
    if (first) yield { success: true, baseUrl };
    await stopRequested;
  } finally {
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
    watcher.close();
    const report = await loop.close();
    process.removeListener('exit', onExit);
    if (report) logger.info(`${o.project}: stopped (${report.killed ? 'SIGKILL after the grace period' : `SIGTERM, ${describeExit(report)}`})`);
  }
  yield { success: true };
}

export default receivingOptions(schema, serveExecutor);
