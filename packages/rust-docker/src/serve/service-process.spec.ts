import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeDir } from '../testing/fixtures';
import { describeExit, startService } from './service-process';

/** Real child processes (node scripts), so the signals are real. */
describe('startService and stop', () => {
  let dir: string;
  beforeEach(() => (dir = makeTempDir()));
  afterEach(() => removeDir(dir));
  const node = (script: string) => startService({ executable: process.execPath, args: ['-e', script], cwd: dir, env: { ...process.env, GREETING: 'hi' } });
  /** Scripts write `ready` once their SIGTERM handler is in place (node can take a while to start). */
  const ready = async () => {
    for (let i = 0; i < 200 && !existsSync(join(dir, 'ready')); i++) await new Promise((r) => setTimeout(r, 25));
  };
  const READY = `require('fs').writeFileSync('ready', '');`;

  it('stops a process that handles SIGTERM gracefully, without SIGKILL', async () => {
    const service = node(`process.on('SIGTERM', () => { setTimeout(() => process.exit(0), 50); }); setInterval(() => {}, 1000); ${READY}`);
    await ready();
    const report = await service.stop(5000);
    expect(report).toEqual(expect.objectContaining({ code: 0, signal: null, killed: false }));
    expect(report.ms).toBeGreaterThanOrEqual(40);
    expect(report.ms).toBeLessThan(2000);
  });

  it('kills a process that ignores SIGTERM once the grace period is over', async () => {
    const service = node(`process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); ${READY}`);
    await ready();
    const report = await service.stop(300);
    expect(report).toEqual(expect.objectContaining({ signal: 'SIGKILL', killed: true }));
    expect(report.ms).toBeGreaterThanOrEqual(290);
    expect(describeExit(report)).toBe('SIGKILL');
  });

  it('reports a process that already exited, and passes the environment', async () => {
    const service = node(`process.exit(process.env.GREETING === 'hi' ? 3 : 4)`);
    await expect(service.exited).resolves.toEqual({ code: 3, signal: null });
    await expect(service.stop(1000)).resolves.toEqual({ code: 3, signal: null, killed: false, ms: 0 });
    expect(describeExit({ code: 3, signal: null })).toBe('exit 3');
  });
});
