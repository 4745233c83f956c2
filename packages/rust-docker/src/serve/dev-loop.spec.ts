import { DevLoop, type BuildOutcome } from './dev-loop';
import type { ExitStatus, RunningService, StopReport } from './service-process';

/** A service that records what happened to it; `stop` resolves at once unless told otherwise. */
class FakeService implements RunningService {
  static nextPid = 100;
  pid = FakeService.nextPid++;
  stops: number[] = [];
  signals: string[] = [];
  private exit!: (status: ExitStatus) => void;
  exited = new Promise<ExitStatus>((resolve) => (this.exit = resolve));
  constructor(
    readonly executable: string,
    private readonly ignoresSigterm = false,
  ) {}
  async stop(graceMs: number): Promise<StopReport> {
    this.stops.push(graceMs);
    const status = { code: this.ignoresSigterm ? null : 0, signal: this.ignoresSigterm ? ('SIGKILL' as const) : null };
    this.exit(status);
    return { ...status, killed: this.ignoresSigterm, ms: 1 };
  }
  signal(signal: NodeJS.Signals): void {
    this.signals.push(signal);
  }
  crash(code: number): void {
    this.exit({ code, signal: null });
  }
}

function harness() {
  const builds: Array<{ resolve: (o: BuildOutcome) => void; signal: AbortSignal }> = [];
  const started: FakeService[] = [];
  const lines: string[] = [];
  let ignoresSigterm = false;
  const loop = new DevLoop({
    name: 'api',
    graceMs: 5000,
    log: { info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) },
    build: (signal) => new Promise((resolve) => builds.push({ resolve, signal })),
    start: (executable) => {
      const service = new FakeService(executable, ignoresSigterm);
      started.push(service);
      return service;
    },
  });
  const tick = () => new Promise((r) => setImmediate(r));
  /** Finishes the oldest build still running, then lets the loop act on it. */
  const finish = async (outcome: Partial<BuildOutcome> & { ok: boolean }) => {
    await tick();
    builds.shift()!.resolve({ ms: 1200, ...outcome });
    await tick();
    await tick();
  };
  return { loop, builds, started, lines, finish, tick, ignoreSigterm: () => (ignoresSigterm = true) };
}

describe('DevLoop', () => {
  it('builds, then starts the binary', async () => {
    const h = harness();
    h.loop.begin();
    await h.finish({ ok: true, executable: '/t/debug/api', fresh: false });
    expect(h.started.map((s) => s.executable)).toEqual(['/t/debug/api']);
    expect(h.lines.at(-1)).toMatch(/^info api: started pid \d+ \(build 1\.2 s, swap \d+ ms\)$/);
  });

  it('starts a binary that was already built (fresh) when nothing is running', async () => {
    const h = harness();
    h.loop.begin();
    await h.finish({ ok: true, executable: '/t/debug/api', fresh: true });
    expect(h.started).toHaveLength(1);
  });

  it('keeps the old process serving while the new build runs, then stops it (SIGTERM, with the grace period) before starting the new one', async () => {
    const h = harness();
    h.loop.begin();
    await h.finish({ ok: true, executable: '/t/debug/api', fresh: false });
    const first = h.started[0];
    h.loop.changed(['/ws/api/src/main.rs']);
    await h.tick();
    expect(h.builds).toHaveLength(1);
    expect(first.stops).toEqual([]);
    expect(h.loop.current()).toBe(first);
    await h.finish({ ok: true, executable: '/t/debug/api', fresh: false });
    expect(first.stops).toEqual([5000]);
    expect(h.started).toHaveLength(2);
    expect(h.loop.current()).toBe(h.started[1]);
    expect(h.lines).toContainEqual(expect.stringMatching(new RegExp(`^info api: stopped pid ${first.pid} with SIGTERM \\(exit 0 after 1 ms\\)$`)));
    expect(h.lines.at(-1)).toMatch(/, [\d.]+ s after the change\)$/);
  });

  it('keeps the old process serving when the build fails, and says so', async () => {
    const h = harness();
    h.loop.begin();
    await h.finish({ ok: true, executable: '/t/debug/api', fresh: false });
    h.loop.changed(['/ws/api/src/main.rs']);
    await h.finish({ ok: false });
    expect(h.started).toHaveLength(1);
    expect(h.started[0].stops).toEqual([]);
    expect(h.loop.current()).toBe(h.started[0]);
    expect(h.lines.at(-1)).toBe(
      `error api: the build failed after 1.2 s (cargo's messages are above); pid ${h.started[0].pid} keeps serving the previous build. Save a fix and serve builds again.`,
    );
    // The fix builds and swaps as usual.
    h.loop.changed(['/ws/api/src/main.rs']);
    await h.finish({ ok: true, executable: '/t/debug/api', fresh: false });
    expect(h.started).toHaveLength(2);
  });

  it('says nothing serves when the first build fails, and starts once a change builds', async () => {
    const h = harness();
    h.loop.begin();
    await h.finish({ ok: false, problem: 'api has several binaries (a, b): choose one with --bin=<name>' });
    expect(h.lines.at(-1)).toBe('error api: api has several binaries (a, b): choose one with --bin=<name>; nothing is serving until it builds. Save a fix and serve builds again.');
    h.loop.changed(['/ws/api/Cargo.toml']);
    await h.finish({ ok: true, executable: '/t/debug/a', fresh: true });
    expect(h.started).toHaveLength(1);
  });

  it('does not restart when the binary did not change', async () => {
    const h = harness();
    h.loop.begin();
    await h.finish({ ok: true, executable: '/t/debug/api', fresh: false });
    h.loop.changed(['/ws/api/README.md']);
    await h.finish({ ok: true, executable: '/t/debug/api', fresh: true });
    expect(h.started).toHaveLength(1);
    expect(h.started[0].stops).toEqual([]);
    expect(h.lines.at(-1)).toBe(`info api: the binary did not change; pid ${h.started[0].pid} keeps serving`);
  });

  it('builds again, without swapping in the stale build, when files change during a build', async () => {
    const h = harness();
    h.loop.begin();
    await h.finish({ ok: true, executable: '/t/debug/api', fresh: false });
    h.loop.changed(['/ws/api/src/a.rs']);
    await h.tick();
    h.loop.changed(['/ws/api/src/b.rs']);
    h.loop.changed(['/ws/api/src/c.rs']);
    await h.finish({ ok: true, executable: '/t/debug/api', fresh: false });
    expect(h.started).toHaveLength(1);
    expect(h.lines).toContain('info api: sources changed during the build; building again');
    expect(h.builds).toHaveLength(1);
    await h.finish({ ok: true, executable: '/t/debug/api', fresh: false });
    expect(h.started).toHaveLength(2);
    expect(h.builds).toHaveLength(0);
  });

  it('reports a SIGKILL after the grace period', async () => {
    const h = harness();
    h.ignoreSigterm();
    h.loop.begin();
    await h.finish({ ok: true, executable: '/t/debug/api', fresh: false });
    h.loop.changed(['/ws/api/src/main.rs']);
    await h.finish({ ok: true, executable: '/t/debug/api', fresh: false });
    expect(h.lines).toContain(`warn api: pid ${h.started[0].pid} did not stop within 5.0 s of SIGTERM; killed it (SIGKILL)`);
  });

  it('notices a service that exits by itself and starts it again after the next change', async () => {
    const h = harness();
    h.loop.begin();
    await h.finish({ ok: true, executable: '/t/debug/api', fresh: false });
    h.started[0].crash(101);
    await h.tick();
    expect(h.loop.current()).toBeUndefined();
    expect(h.lines.at(-1)).toBe(`warn api: pid ${h.started[0].pid} exited by itself (exit 101); serve starts it again after the next change`);
    h.loop.changed(['/ws/.env']);
    await h.finish({ ok: true, executable: '/t/debug/api', fresh: true });
    expect(h.started).toHaveLength(2);
  });

  it('on close cancels the build in progress and stops the service gracefully', async () => {
    const h = harness();
    h.loop.begin();
    await h.finish({ ok: true, executable: '/t/debug/api', fresh: false });
    h.loop.changed(['/ws/api/src/main.rs']);
    await h.tick();
    const build = h.builds.shift()!;
    const closing = h.loop.close();
    expect(build.signal.aborted).toBe(true);
    build.resolve({ ok: false, ms: 10, problem: 'build cancelled' });
    await expect(closing).resolves.toEqual(expect.objectContaining({ killed: false, code: 0 }));
    expect(h.started).toHaveLength(1);
    expect(h.started[0].stops).toEqual([5000]);
    h.loop.changed(['/ws/api/src/main.rs']);
    expect(h.builds).toHaveLength(0);
  });
});
