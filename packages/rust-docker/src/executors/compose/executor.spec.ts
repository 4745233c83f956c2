import { hasFailed, isReady, type ServiceState } from './executor';

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
