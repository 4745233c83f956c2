import { execFileSync } from 'node:child_process';
import { EngineTimeoutError, runBounded, runCommand, useDeadline, useEngineBounds, useCli } from './docker-cli';

/** Processes whose command line carries `marker` (real processes: nothing here is mocked). */
function processesWith(marker: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes(marker) && !line.includes('ps -eo'));
}

describe('engine calls are bounded', () => {
  afterEach(() => {
    useEngineBounds();
    useDeadline(undefined);
    useCli('docker');
  });

  it('stops a command that never answers, and whatever it started, when its bound passes', async () => {
    // A unique duration is the marker: `sleep 40.<pid><ms>` shows in ps as it was started.
    const marker = `40.${process.pid}${Date.now() % 100000}`;
    const started = Date.now();
    // A CLI that starts a child of its own (as docker starts a plugin) and both hang.
    const call = runCommand('sh', ['-c', `sleep ${marker} & sleep ${marker}; wait`], { timeoutMs: 300, timeoutMessage: () => 'gave up' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(processesWith(`sleep ${marker}`).length).toBeGreaterThanOrEqual(2);
    await expect(call).rejects.toThrow(new EngineTimeoutError('gave up'));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(processesWith(marker)).toEqual([]);
  });

  it('leaves a command that answers in time alone', async () => {
    await expect(runCommand('sh', ['-c', 'echo hi'], { timeoutMs: 5000 })).resolves.toEqual({ code: 0, stdout: 'hi\n', stderr: '' });
  });

  it('names the command, the engine (DOCKER_HOST, context) and the option that bounds it', async () => {
    useEngineBounds({ engineTimeout: 0.3 });
    await expect(runBounded('sh', ['-c', 'sleep 5'], { env: { DOCKER_HOST: 'unix:///tmp/hung.sock', DOCKER_CONTEXT: 'ci' } })).rejects.toThrow(
      'sh got no answer from the engine (docker, DOCKER_HOST=unix:///tmp/hung.sock, DOCKER_CONTEXT=ci) within 0.3 s ("engineTimeout"); it was stopped. Check that the engine answers (`docker info`), or raise "engineTimeout".',
    );
  });

  it('gives builds and transfers their own bounds', async () => {
    useEngineBounds({ engineTimeout: 60, buildTimeout: 0.2, transferTimeout: 0.25 });
    await expect(runBounded('sh', ['-c', 'sleep 5'], { kind: 'build' })).rejects.toThrow('within 0.2 s ("buildTimeout")');
    await expect(runBounded('sh', ['-c', 'sleep 5'], { kind: 'transfer' })).rejects.toThrow('within 0.3 s ("transferTimeout")');
  });

  it('names podman and CONTAINER_HOST for podman', async () => {
    useCli('podman');
    useEngineBounds({ engineTimeout: 0.2 });
    await expect(runBounded('sh', ['-c', 'sleep 5'], { env: { CONTAINER_HOST: 'ssh://build@host/run/podman.sock' } })).rejects.toThrow(
      'sh got no answer from the engine (podman, CONTAINER_HOST=ssh://build@host/run/podman.sock) within 0.2 s ("engineTimeout")',
    );
  });

  it('ends every call by a deadline that covers a whole run (health-check)', async () => {
    useEngineBounds({ engineTimeout: 60 });
    useDeadline(Date.now() + 300, 'health-check deadline ("timeout": 0.3 s)');
    const started = Date.now();
    await expect(runBounded('sh', ['-c', 'sleep 5'])).rejects.toThrow('sh was still waiting for the engine (docker) when the health-check deadline ("timeout": 0.3 s) ran out; it was stopped.');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('refuses a bound that is not a positive number of seconds', () => {
    expect(() => useEngineBounds({ engineTimeout: 0 })).toThrow('"engineTimeout" 0 is not a duration: use a positive number of seconds (default 60).');
    expect(() => useEngineBounds({ buildTimeout: 'soon' as unknown as number })).toThrow('"buildTimeout" soon is not a duration');
  });
});
