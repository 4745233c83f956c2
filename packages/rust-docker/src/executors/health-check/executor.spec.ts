import { logger, type ExecutorContext } from '@nx/devkit';
import healthCheckExecutor from './executor';

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
