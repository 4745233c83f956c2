import { LOOPBACK, runArgs } from './container';

describe('runArgs', () => {
  it('runs attached with --rm, publishing on 127.0.0.1 only, with PORT set to the container port', () => {
    expect(runArgs({ name: 'api', image: 'api:latest', hostPort: 3000, containerPort: 8080, detached: false })).toEqual([
      'run',
      '--rm',
      '--name',
      'api',
      '-p',
      '127.0.0.1:3000:8080',
      '-e',
      'PORT=8080',
      'api:latest',
    ]);
  });

  it('runs detached with -d, passing extra environment before the image', () => {
    const args = runArgs({ name: 'api-health', image: 'sha256:abc', hostPort: 49152, containerPort: 8081, env: { RUST_LOG: 'debug', A: 'b=c' }, detached: true });
    expect(args).toEqual(['run', '-d', '--name', 'api-health', '-p', '127.0.0.1:49152:8081', '-e', 'PORT=8081', '-e', 'RUST_LOG=debug', '-e', 'A=b=c', 'sha256:abc']);
    expect(args).not.toContain('--rm');
  });

  it('never publishes on all interfaces', () => {
    const args = runArgs({ name: 'x', image: 'x', hostPort: 80, containerPort: 80, detached: false });
    const published = args.filter((_, i) => args[i - 1] === '-p' || args[i - 1] === '--publish');
    expect(LOOPBACK).toBe('127.0.0.1');
    expect(published).toEqual(['127.0.0.1:80:80']);
    expect(args.some((a) => a.startsWith('-P') || a === '--publish-all' || a.startsWith('0.0.0.0'))).toBe(false);
  });
});
