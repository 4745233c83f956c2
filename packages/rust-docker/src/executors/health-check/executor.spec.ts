import { logger, type ExecutorContext } from '@nx/devkit';
import healthCheckExecutor, { waitUntilHealthy } from './executor';

describe('healthCheckExecutor refuses a probe path that would leave the container', () => {
  it.each(['@example.com/health', '//example.com/health', '/a b', '/x\\y'])('refuses %j before any engine call', async (path) => {
    const errors: string[] = [];
    const spy = jest.spyOn(logger, 'error').mockImplementation((m) => void errors.push(String(m)));
    try {
      const context = { root: '/ws', projectName: 'api', projectsConfigurations: { version: 2, projects: { api: { root: 'api' } } } } as unknown as ExecutorContext;
      await expect(healthCheckExecutor({ path, port: 8080 }, context)).resolves.toEqual({ success: false });
      expect(errors[0]).toBe(`api: health check failed: path ${JSON.stringify(path)} is not a URL path: give one starting with a single "/", e.g. /health.`);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('waitUntilHealthy', () => {
  const notFound = { status: 404, body: 'nope' };
  const base = { healthy: (a: { status: number } | undefined) => a?.status === 200, path: '/nope' };

  it('reports the last answer when the deadline runs out during the container check, not the cut-short engine call', async () => {
    const deadline = Date.now() + 300;
    // The engine call is bounded by the same deadline: it is stopped when it passes.
    const state = () => new Promise<never>((_, reject) => setTimeout(() => reject(new Error('docker inspect was still waiting for the engine')), deadline - Date.now() + 5));
    await expect(waitUntilHealthy({ ...base, deadline, probe: async () => notFound, state })).resolves.toEqual({ healthy: false, answer: notFound });
  });

  it('passes on an engine failure before the deadline, and when the service never answered', async () => {
    const failing = () => Promise.reject(new Error('docker inspect failed: boom'));
    await expect(waitUntilHealthy({ ...base, deadline: Date.now() + 5000, probe: async () => notFound, state: failing })).rejects.toThrow('boom');
    const late = () => new Promise<never>((_, reject) => setTimeout(() => reject(new Error('docker inspect was still waiting for the engine')), 300));
    await expect(waitUntilHealthy({ ...base, deadline: Date.now() + 200, probe: async () => undefined, state: late })).rejects.toThrow('still waiting for the engine');
  });

  it('stops at a container that exited, and returns the first healthy answer', async () => {
    const exited = async () => ({ running: false, exitCode: 3 });
    await expect(waitUntilHealthy({ ...base, deadline: Date.now() + 5000, probe: async () => undefined, state: exited })).rejects.toThrow('the container exited with code 3 before answering on /nope');
    const answers = [notFound, { status: 200, body: 'ok' }];
    const running = async () => ({ running: true, exitCode: 0 });
    await expect(waitUntilHealthy({ ...base, deadline: Date.now() + 5000, probe: async () => answers.shift(), state: running })).resolves.toEqual({ healthy: true, answer: { status: 200, body: 'ok' } });
  });
});
