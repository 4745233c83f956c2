import { logger, type ExecutorContext } from '@nx/devkit';
import { execFileSync, spawn } from 'node:child_process';
import { basename, join } from 'node:path';
import { binaryArtifacts } from '../../cargo/messages';
import { describeSelection, selectionArgs, toolchainArgs, validateCargoSelection } from '../../cargo/cargo-options';
import { receivingOptions } from '../command-line';
import schema from './schema.json';
import { ARG_KINDS, checkArg } from '../../safety/argv';
import { resolveInside } from '../../safety/paths';
import { copyBinaries } from './output-folder';
import type { CargoExecutorOptions } from './schema';

/** The cargo command line for a target; pure so the inferred targets can be tested. */
export function cargoArgs(options: CargoExecutorOptions, packageName: string, hostTriple?: string): string[] {
  const selection = { ...options, package: packageName, triple: options.triple ?? (options.static ? hostTriple : undefined) };
  // An explicit --target keeps RUSTFLAGS away from build scripts and proc macros.
  const args: string[] = [...toolchainArgs(options), options.command, ...selectionArgs(options.command, selection)];
  if (options.command === 'build') args.push('--message-format=json-render-diagnostics');
  if (options.command === 'clippy') args.push('--all-targets');
  args.push(...(options.args ?? []));
  const toolArgs = options.toolArgs?.length ? options.toolArgs : options.command === 'clippy' ? ['-D', 'warnings'] : [];
  if (toolArgs.length) args.push('--', ...toolArgs);
  return args;
}

/** Binaries built from the manifest at `manifestPath`, read from cargo's JSON messages. */
export function executablesFromMessages(stdout: string, manifestPath: string): string[] {
  return binaryArtifacts(stdout, manifestPath).map((artifact) => artifact.executable);
}

/** `-C target-feature=+crt-static` added to the RUSTFLAGS already set. */
export function staticRustflags(current: string | undefined): string {
  return [current, '-C target-feature=+crt-static'].filter(Boolean).join(' ');
}

function hostTriple(): string {
  try {
    return /^host: (\S+)/m.exec(execFileSync('rustc', ['-vV'], { encoding: 'utf8' }))![1];
  } catch {
    throw new Error('rustc not found on PATH: install Rust from https://rustup.rs and retry.');
  }
}

function run(args: string[], cwd: string, captureStdout: boolean, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('cargo', args, { cwd, env, stdio: ['ignore', captureStdout ? 'pipe' : 'inherit', 'inherit'] });
    let stdout = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new Error('cargo not found on PATH: install Rust from https://rustup.rs and retry.') : error),
    );
    child.on('close', (code) => resolve({ code: code ?? 1, stdout }));
  });
}

async function cargoExecutor(options: CargoExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const project = context.projectsConfigurations.projects[context.projectName!];
  const packageName = options.package ?? context.projectName!;
  const cwd = join(context.root, project.root);
  const started = Date.now();
  let result;
  let outDir: string | undefined;
  try {
    validateCargoOptions(options, packageName);
    checkArg(packageName, 'package', ARG_KINDS.packageSpec);
    if (options.command === 'build' && options.outputPath) {
      outDir = resolveInside(context.root, options.outputPath, 'outputPath');
      if (outDir === resolveInside(context.root, '.', 'workspace') || outDir === cwd) {
        throw new Error(`outputPath "${options.outputPath}" is the ${outDir === cwd ? "crate's own folder" : 'workspace root'}: give a folder for build outputs, e.g. dist/${project.root}/bin.`);
      }
    }
    const isStatic = options.static && options.command === 'build';
    const args = cargoArgs(options, packageName, isStatic && !options.triple ? hostTriple() : undefined);
    const env = isStatic ? { ...process.env, RUSTFLAGS: staticRustflags(process.env.RUSTFLAGS) } : process.env;
    result = await run(args, cwd, options.command === 'build', env);
  } catch (error) {
    logger.error((error as Error).message);
    return { success: false };
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.code !== 0) {
    logger.error(`cargo ${options.command} failed for ${packageName} (exit ${result.code}, ${seconds} s)`);
    return { success: false };
  }
  if (options.command === 'build' && outDir) {
    const executables = executablesFromMessages(result.stdout, join(cwd, 'Cargo.toml'));
    try {
      copyBinaries(context.root, outDir, executables);
    } catch (error) {
      logger.error((error as Error).message);
      return { success: false };
    }
    const copied = executables.length ? `; ${executables.map((e) => basename(e)).join(', ')} copied to ${options.outputPath}` : '';
    logger.info(`cargo build ${packageName}${describeSelection(options)}${options.static ? ' (static)' : ''} done in ${seconds} s${copied}`);
  } else {
    logger.info(`cargo ${options.command} ${packageName}${describeSelection(options)} done in ${seconds} s`);
  }
  return { success: true };
}

/** Every option checked before cargo starts: the shared cargo ones, then this executor's own. */
export function validateCargoOptions(options: CargoExecutorOptions, packageName = options.package): void {
  if (!COMMANDS.includes(options.command)) {
    throw new Error(`command "${options.command}" is not one this executor runs: use one of ${COMMANDS.join(', ')}.`);
  }
  const { command, bin, features, allFeatures, noDefaultFeatures, release, profile, triple, toolchain } = options;
  validateCargoSelection(command, { package: packageName, bin, features, allFeatures, noDefaultFeatures, release, profile, triple, toolchain });
  if (options.outputPath !== undefined && command !== 'build') {
    throw new Error(`outputPath is for cargo build only: remove it from the ${command} target.`);
  }
}

const COMMANDS: CargoExecutorOptions['command'][] = ['build', 'test', 'clippy', 'tree', 'run', 'check', 'fmt'];

export default receivingOptions(schema, cargoExecutor);
