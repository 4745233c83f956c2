import { isHealthy } from './executor';

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
