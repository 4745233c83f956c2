import { logger, type ExecutorContext } from '@nx/devkit';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { CargoExecutorOptions } from './schema';

/** The cargo command line for a target; pure so the inferred targets can be tested. */
export function cargoArgs(options: CargoExecutorOptions, packageName: string): string[] {
  const args: string[] = [options.command, '--package', packageName];
  if (options.release) args.push('--release');
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

function run(args: string[], cwd: string, captureStdout: boolean): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('cargo', args, { cwd, stdio: ['ignore', captureStdout ? 'pipe' : 'inherit', 'inherit'] });
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
  const args = cargoArgs(options, packageName);
  const started = Date.now();
  let result;
  try {
    result = await run(args, cwd, options.command === 'build');
  } catch (error) {
    logger.error((error as Error).message);
    return { success: false };
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.code !== 0) {
    logger.error(`cargo ${options.command} failed for ${packageName} (exit ${result.code}, ${seconds} s)`);
    return { success: false };
  }
  if (options.command === 'build' && options.outputPath) {
    const outDir = join(context.root, options.outputPath);
    rmSync(outDir, { recursive: true, force: true });
    const executables = executablesFromMessages(result.stdout, join(cwd, 'Cargo.toml'));
    if (executables.length) mkdirSync(outDir, { recursive: true });
    for (const exe of executables) copyFileSync(exe, join(outDir, basename(exe)));
    const copied = executables.length ? `; ${executables.map((e) => basename(e)).join(', ')} copied to ${options.outputPath}` : '';
    logger.info(`cargo build ${packageName}${options.release ? ' --release' : ''} done in ${seconds} s${copied}`);
  } else {
    logger.info(`cargo ${options.command} ${packageName} done in ${seconds} s`);
  }
  return { success: true };
}
