import { spawn, type ChildProcess } from 'node:child_process';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** How a stop went: SIGTERM was enough, or SIGKILL followed after the grace period. */
export interface StopReport extends ExitStatus {
  killed: boolean;
  ms: number;
}

export interface RunningService {
  pid: number;
  /** Resolves when the process has exited, however that happened. */
  exited: Promise<ExitStatus>;
  /** SIGTERM, then SIGKILL if it is still running after `graceMs`; resolves once it is gone. */
  stop(graceMs: number): Promise<StopReport>;
  /** Sends a signal without waiting (for a process that is exiting itself). */
  signal(signal: NodeJS.Signals): void;
}

export interface StartSpec {
  executable: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Wraps a started child process (tests hand in their own). */
export function runningService(child: ChildProcess): RunningService {
  let status: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => resolve((status = { code, signal })));
    child.once('error', () => resolve((status = { code: 127, signal: null })));
  });
  return {
    pid: child.pid ?? -1,
    exited,
    async stop(graceMs) {
      const started = Date.now();
      if (status) return { ...status, killed: false, ms: 0 };
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const graceful = await Promise.race([
        exited.then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
      ]);
      clearTimeout(timer);
      if (!graceful) child.kill('SIGKILL');
      const final = await exited;
      return { ...final, killed: !graceful, ms: Date.now() - started };
    },
    signal(signal) {
      if (!status) child.kill(signal);
    },
  };
}

/** Starts the service binary with the terminal's output, as `cargo run` leaves it. */
export function startService(spec: StartSpec): RunningService {
  return runningService(spawn(spec.executable, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'inherit', 'inherit'] }));
}

/** "exit 0", "exit 101" or "SIGKILL", for log lines. */
export function describeExit(status: ExitStatus): string {
  return status.signal ? status.signal : `exit ${status.code}`;
}
