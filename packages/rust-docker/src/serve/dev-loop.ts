import { describeExit, type RunningService, type StopReport } from './service-process';

export interface BuildOutcome {
  ok: boolean;
  /** The binary to run, when the build succeeded. */
  executable?: string;
  /** Cargo did not relink it: nothing it is built from changed. */
  fresh?: boolean;
  ms: number;
  /** Why there is nothing to run although cargo may have succeeded (e.g. which binary is unclear). */
  problem?: string;
}

interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface DevLoopDeps {
  /** Service name for log lines. */
  name: string;
  build(signal: AbortSignal): Promise<BuildOutcome>;
  start(executable: string): RunningService;
  /** How long a stopping service gets after SIGTERM before SIGKILL. */
  graceMs: number;
  log: Log;
  onStarted?(service: RunningService): void;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Build, then swap: the running service keeps serving while cargo builds; only a build
 * that produced a new binary stops it (SIGTERM, SIGKILL after the grace period) and starts
 * the new one. A failed build leaves it serving. Changes that arrive during a build start
 * another build when it ends, without swapping in the stale one.
 */
export class DevLoop {
  private service: RunningService | undefined;
  private cycling: Promise<void> | undefined;
  private pending = false;
  private closed = false;
  private changedAt: number | undefined;
  private readonly abort = new AbortController();

  constructor(private readonly deps: DevLoopDeps) {}

  /** The first build and start. */
  begin(): void {
    this.request();
  }

  /** Files changed (already debounced): build again. */
  changed(files: string[]): void {
    if (this.closed) return;
    const shown = files.slice(0, 3).join(', ') + (files.length > 3 ? ` and ${files.length - 3} more` : '');
    this.deps.log.info(`${this.deps.name}: ${shown} changed; building`);
    this.changedAt ??= Date.now();
    this.request();
  }

  /** The service running now, if any. */
  current(): RunningService | undefined {
    return this.service;
  }

  /** Ends the loop: a build in progress is cancelled, the service stopped gracefully. */
  async close(): Promise<StopReport | undefined> {
    this.closed = true;
    this.abort.abort();
    await this.cycling;
    const service = this.service;
    this.service = undefined;
    return service?.stop(this.deps.graceMs);
  }

  private request(): void {
    this.pending = true;
    if (!this.cycling) this.cycling = this.cycle().finally(() => (this.cycling = undefined));
  }

  private async cycle(): Promise<void> {
    while (this.pending && !this.closed) {
      this.pending = false;
      let outcome: BuildOutcome;
      try {
        outcome = await this.deps.build(this.abort.signal);
      } catch (error) {
        outcome = { ok: false, ms: 0, problem: (error as Error).message };
      }
      if (this.closed) return;
      if (this.pending) {
        this.deps.log.info(`${this.deps.name}: sources changed during the build; building again`);
        continue;
      }
      await this.apply(outcome);
    }
  }

  private async apply(outcome: BuildOutcome): Promise<void> {
    const { name, log } = this.deps;
    const old = this.service;
    if (!outcome.ok || !outcome.executable) {
      const problem = outcome.problem ?? `the build failed after ${seconds(outcome.ms)} (cargo's messages are above)`;
      const state = old ? `pid ${old.pid} keeps serving the previous build` : 'nothing is serving until it builds';
      log.error(`${name}: ${problem}; ${state}. Save a fix and serve builds again.`);
      this.changedAt = undefined;
      return;
    }
    if (outcome.fresh && old) {
      log.info(`${name}: the binary did not change; pid ${old.pid} keeps serving`);
      this.changedAt = undefined;
      return;
    }
    const swapStarted = Date.now();
    if (old) {
      this.service = undefined;
      const report = await old.stop(this.deps.graceMs);
      if (report.killed) log.warn(`${name}: pid ${old.pid} did not stop within ${seconds(this.deps.graceMs)} of SIGTERM; killed it (SIGKILL)`);
      else log.info(`${name}: stopped pid ${old.pid} with SIGTERM (${describeExit(report)} after ${report.ms} ms)`);
    }
    if (this.closed) return;
    const service = this.deps.start(outcome.executable);
    this.service = service;
    const sinceChange = this.changedAt !== undefined ? `, ${seconds(Date.now() - this.changedAt)} after the change` : '';
    this.changedAt = undefined;
    log.info(`${name}: started pid ${service.pid} (build ${seconds(outcome.ms)}, swap ${Date.now() - swapStarted} ms${sinceChange})`);
    this.deps.onStarted?.(service);
    void service.exited.then((status) => {
      if (this.service !== service || this.closed) return;
      this.service = undefined;
      log.warn(`${name}: pid ${service.pid} exited by itself (${describeExit(status)}); serve starts it again after the next change`);
    });
  }
}
