import type { ExecutorContext } from '@nx/devkit';
import { join } from 'node:path';
import { makeTempDir, removeDir, writeFiles } from '../../testing/fixtures';
import { hasFailed, healthProbes, isReady, parseInspectLine, type ServiceState } from './executor';

const state = (status: string, health?: string): ServiceState => ({ service: 'api', status, health });

describe('isReady', () => {
  it('is ready when its health check says healthy', () => {
    expect(isReady(state('running', 'healthy'))).toBe(true);
  });

  it('is not ready while its health check is starting or unhealthy, even when running', () => {
    expect(isReady(state('running', 'starting'))).toBe(false);
    expect(isReady(state('running', 'unhealthy'))).toBe(false);
  });

  it('is ready when running without a health check', () => {
    expect(isReady(state('running'))).toBe(true);
  });

  it.each(['created', 'restarting', 'paused', 'exited', 'dead', 'removing'])('is not ready when %s without a health check', (status) => {
    expect(isReady(state(status))).toBe(false);
  });
});

describe('hasFailed', () => {
  it.each(['exited', 'dead'])('has failed when %s, with or without a health check', (status) => {
    expect(hasFailed(state(status))).toBe(true);
    expect(hasFailed(state(status, 'starting'))).toBe(true);
  });

  it('has failed when its health check says unhealthy, even while running', () => {
    expect(hasFailed(state('running', 'unhealthy'))).toBe(true);
  });

  it.each([
    ['running', undefined],
    ['running', 'starting'],
    ['running', 'healthy'],
    ['created', undefined],
    ['restarting', undefined],
  ])('has not failed when %s (health %s): it may still come up', (status, health) => {
    expect(hasFailed(state(status, health))).toBe(false);
  });

  it('counts a container that stopped as failed whatever health it last reported (the executor checks failure before readiness)', () => {
    for (const status of ['exited', 'dead']) {
      for (const health of [undefined, 'starting', 'healthy', 'unhealthy']) {
        expect([status, health, hasFailed(state(status, health))]).toEqual([status, health, true]);
      }
    }
  });

  it('never counts a running healthy container, or a running one without a check, as failed', () => {
    expect([isReady(state('running', 'healthy')), hasFailed(state('running', 'healthy'))]).toEqual([true, false]);
    expect([isReady(state('running')), hasFailed(state('running'))]).toEqual([true, false]);
  });
});

describe('healthProbes', () => {
  let root: string;
  const contextOf = (projects: Record<string, { root: string; targets?: Record<string, { executor: string; options?: Record<string, unknown> }> }>) =>
    ({ root, projectName: 'compose', projectsConfigurations: { version: 2, projects } }) as unknown as ExecutorContext;
  beforeEach(() => {
    root = makeTempDir();
    writeFiles(root, {
      'compose.yaml': 'services:\n  greeter:\n    image: greeter:latest\n  api:\n    image: api:latest\n  db:\n    image: postgres:17.6-alpine\n  bare:\n    image: bare:latest\n',
      'services/greeter/Dockerfile': 'FROM scratch\nEXPOSE 8000\n',
      'services/greeter/src/main.rs': 'fn main() { let health = warp::path!("healthz"); }\n',
      'api/Dockerfile': 'FROM scratch\nEXPOSE 8080\n',
      'api/src/main.rs': 'fn main() { if arg == "healthcheck" {} }\n',
      'bare/src/main.rs': 'fn main() {}\n',
    });
  });
  afterEach(() => removeDir(root));

  it("probes each service the way its project's health-check would: same port, path and expectations", () => {
    const check = { executor: '@org/rust-docker:health-check', options: {} };
    const probes = healthProbes(
      join(root, 'compose.yaml'),
      contextOf({
        greeter: { root: 'services/greeter', targets: { 'health-check': check } },
        api: { root: 'api', targets: { 'health-check': { ...check, options: { path: '/ready', port: 9000 } } } },
        // No port anywhere: nothing to probe, its running state has to do.
        bare: { root: 'bare', targets: { 'health-check': check } },
      }),
    );
    expect([...probes.keys()]).toEqual(['greeter', 'api']);
    expect(probes.get('greeter')).toEqual({ containerPort: 8000, expectation: expect.objectContaining({ path: '/healthz', status: undefined }) });
    expect(probes.get('api')).toEqual({ containerPort: 9000, expectation: expect.objectContaining({ path: '/ready', status: 200 }) });
  });

  it('probes nothing for services without a health-check target, or without a project', () => {
    expect(healthProbes(join(root, 'compose.yaml'), contextOf({ greeter: { root: 'services/greeter', targets: { build: { executor: '@org/rust-docker:cargo' } } } })).size).toBe(0);
    expect(healthProbes(join(root, 'missing.yaml'), contextOf({})).size).toBe(0);
  });
});

describe('parseInspectLine', () => {
  it('reads the service, its state and its health, when it has a health check', () => {
    expect(parseInspectLine('api|abc123|{"Status":"running","Running":true,"Health":{"Status":"starting","FailingStreak":0}}')).toEqual({
      service: 'api',
      id: 'abc123',
      status: 'running',
      health: 'starting',
    });
  });

  it('reads a container without a health check (no Health key) as having none', () => {
    expect(parseInspectLine('greeter|def456|{"Status":"exited","ExitCode":101}')).toEqual({ service: 'greeter', id: 'def456', status: 'exited', health: undefined });
  });
});
