import { spawnSync, type SpawnSyncOptions } from 'node:child_process';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for assertions on what a user sees. */
  output: string;
  ms: number;
}

/** Runs a command to completion; throws with its output when it fails, unless `allowFailure`. */
export function run(
  command: string,
  args: string[],
  options: SpawnSyncOptions & { allowFailure?: boolean; quiet?: boolean } = {},
): RunResult {
  const started = Date.now();
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...options });
  const stdout = String(result.stdout ?? '');
  const stderr = String(result.stderr ?? '');
  const out: RunResult = {
    code: result.status ?? 1,
    stdout,
    stderr,
    output: `${stdout}${stderr}`,
    ms: Date.now() - started,
  };
  if (result.error) throw result.error;
  if (out.code !== 0 && !options.allowFailure) {
    throw new Error(`${command} ${args.join(' ')} failed (exit ${out.code}):\n${out.output.slice(-20000)}`);
  }
  if (!options.quiet && process.env.E2E_VERBOSE) process.stdout.write(out.output);
  return out;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The crates cargo compiled, from its "Compiling <name> v<version>" lines. Cargo writes the
 * status word and the rest of the line in two writes, and whatever relays them (Nx, BuildKit)
 * may print the two on separate lines, BuildKit with its step number and time before each.
 */
export function compiledCrates(output: string): string[] {
  return [...output.matchAll(/Compiling\s+(?:#\d+ [\d.]+\s+)?([A-Za-z0-9_-]+) v\d/g)].map((m) => m[1]);
}
