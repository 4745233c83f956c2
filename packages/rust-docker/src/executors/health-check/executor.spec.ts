import { logger, type ExecutorContext } from '@nx/devkit';
import healthCheckExecutor, { isHealthy } from './executor';

describe('isHealthy', () => {
  const okBody = /"status"\s*:\s*"ok"/;

  it('is healthy with the expected status and a matching body', () => {
    expect(isHealthy({ status: 200, body: '{"status":"ok"}' }, 200, okBody)).toBe(true);
    expect(isHealthy({ status: 200, body: '{ "status" : "ok", "db": "up" }' }, 200, okBody)).toBe(true);
  });

  it('is not healthy without an answer', () => {
    expect(isHealthy(undefined, 200, okBody)).toBe(false);
  });

  it('is not healthy with another status', () => {
    expect(isHealthy({ status: 503, body: '{"status":"ok"}' }, 200, okBody)).toBe(false);
  });

  it('is not healthy when the body does not match', () => {
    expect(isHealthy({ status: 200, body: '{"status":"starting"}' }, 200, okBody)).toBe(false);
    expect(isHealthy({ status: 200, body: '' }, 200, okBody)).toBe(false);
  });

  it('accepts any expected status and body pattern', () => {
    expect(isHealthy({ status: 204, body: '' }, 204, /^$/)).toBe(true);
  });
});

describe('healthCheckExecutor refuses a probe path that would leave the container', () => {
  it.each(['@example.com/health', '//example.com/health', 'health', '/a b', '/x\\y'])('refuses %j before any engine call', async (path) => {
    const errors: string[] = [];
    const spy = jest.spyOn(logger, 'error').mockImplementation((m) => void errors.push(String(m)));
    try {
      const context = { root: '/ws', projectName: 'api', projectsConfigurations: { version: 2, projects: { api: { root: 'api' } } } } as unknown as ExecutorContext;
      await expect(healthCheckExecutor({ path }, context)).resolves.toEqual({ success: false });
      expect(errors[0]).toBe(`api: health check failed: path ${JSON.stringify(path)} is not a URL path: give one starting with a single "/", e.g. /health.`);
    } finally {
      spy.mockRestore();
    }
  });
});
