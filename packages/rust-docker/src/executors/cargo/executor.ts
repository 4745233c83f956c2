import { logger, type ExecutorContext } from '@nx/devkit';
import { execFileSync, spawn } from 'node:child_process';
import { basename, join } from 'node:path';
import { ARG_KINDS, checkArg } from '../../safety/argv';
import { resolveInside } from '../../safety/paths';
import { copyBinaries } from './output-folder';
import type { CargoExecutorOptions } from './schema';

/** The cargo command line for a target; pure so the inferred targets can be tested. */
export function cargoArgs(options: CargoExecutorOptions, packageName: string, hostTriple?: string): string[] {
  const args: string[] = [options.command, '--package', packageName];
  if (options.release) args.push('--release');
  // An explicit --target keeps RUSTFLAGS away from build scripts and proc macros.
  if (options.static && hostTriple) args.push('--target', hostTriple);
  if (options.command === 'build') args.push('--message-format=json-render-diagnostics');
  if (options.command === 'clippy') args.push('--all-targets');
  args.push(...(options.args ?? []));
  const toolArgs = options.toolArgs?.length ? options.toolArgs : options.command === 'clippy' ? ['-D', 'warnings'] : [];
  if (toolArgs.length) args.push('--', ...toolArgs);
  return args;
}

/** Binaries built from the manifest at `manifestPath`, read from cargo's JSON messages. */
export function executablesFromMessages(stdout: string, manifestPath: string): string[] {
  const out: string[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const message = JSON.parse(line) as {
        reason?: string;
        executable?: string | null;
        manifest_path?: string;
        target?: { kind: string[] };
      };
      if (
        message.reason === 'compiler-artifact' &&
        message.executable &&
        message.manifest_path === manifestPath &&
        message.target?.kind.includes('bin')
      ) {
        out.push(message.executable);
      }
    } catch {
      // a line of build-script output, not a cargo message
    }
  }
  return out;
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

export default async function cargoExecutor(options: CargoExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const project = context.projectsConfigurations.projects[context.projectName!];
  const packageName = options.package ?? context.projectName!;
  const cwd = join(context.root, project.root);
  const started = Date.now();
  let result;
  let outDir: string | undefined;
  try {
    checkArg(packageName, 'package', ARG_KINDS.packageSpec);
    if (options.command === 'build' && options.outputPath) {
      outDir = resolveInside(context.root, options.outputPath, 'outputPath');
      if (outDir === resolveInside(context.root, '.', 'workspace') || outDir === cwd) {
        throw new Error(`outputPath "${options.outputPath}" is the ${outDir === cwd ? "crate's own folder" : 'workspace root'}: give a folder for build outputs, e.g. dist/${project.root}/bin.`);
      }
    }
    const isStatic = options.static && options.command === 'build';
    const args = cargoArgs(options, packageName, isStatic ? hostTriple() : undefined);
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
    logger.info(`cargo build ${packageName}${options.release ? ' --release' : ''}${options.static ? ' (static)' : ''} done in ${seconds} s${copied}`);
  } else {
    logger.info(`cargo ${options.command} ${packageName} done in ${seconds} s`);
  }
  return { success: true };
}
