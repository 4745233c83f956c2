import { HARDENING_ARGS, LOOPBACK, runArgs } from './container';

describe('runArgs', () => {
  it('runs attached with --rm, publishing on 127.0.0.1 only, with PORT set to the container port', () => {
    expect(runArgs({ name: 'api', image: 'api:latest', hostPort: 3000, containerPort: 8080, detached: false })).toEqual([
      'run',
      '--rm',
      '--name',
      'api',
      '--read-only',
      '--tmpfs',
      '/tmp',
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges',
      '-p',
      '127.0.0.1:3000:8080',
      '-e',
      'PORT=8080',
      'api:latest',
    ]);
  });

  it('runs detached with -d, passing extra environment before the image', () => {
    const args = runArgs({ name: 'api-health', image: 'sha256:abc', hostPort: 49152, containerPort: 8081, env: { RUST_LOG: 'debug', A: 'b=c' }, detached: true });
    expect(args).toEqual(['run', '-d', '--name', 'api-health', ...HARDENING_ARGS, '-p', '127.0.0.1:49152:8081', '-e', 'PORT=8081', '-e', 'RUST_LOG=debug', '-e', 'A=b=c', 'sha256:abc']);
    expect(args).not.toContain('--rm');
  });

  it('never publishes on all interfaces', () => {
    const args = runArgs({ name: 'x', image: 'x', hostPort: 80, containerPort: 80, detached: false });
    const published = args.filter((_, i) => args[i - 1] === '-p' || args[i - 1] === '--publish');
    expect(LOOPBACK).toBe('127.0.0.1');
    expect(published).toEqual(['127.0.0.1:80:80']);
    expect(args.some((a) => a.startsWith('-P') || a === '--publish-all' || a.startsWith('0.0.0.0'))).toBe(false);
  });

  it('hardens by default: read-only root, in-memory /tmp, no capabilities, no privilege escalation', () => {
    expect(HARDENING_ARGS).toEqual(['--read-only', '--tmpfs', '/tmp', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges']);
    const args = runArgs({ name: 'x', image: 'x:1', hostPort: 1, containerPort: 2, detached: true, hardened: true });
    expect(args.slice(4, 4 + HARDENING_ARGS.length)).toEqual(HARDENING_ARGS);
    expect(args.at(-1)).toBe('x:1');
  });

  it('leaves the hardening out with hardened: false', () => {
    const args = runArgs({ name: 'x', image: 'x:1', hostPort: 1, containerPort: 2, detached: false, hardened: false });
    expect(args).toEqual(['run', '--rm', '--name', 'x', '-p', '127.0.0.1:1:2', '-e', 'PORT=2', 'x:1']);
    for (const flag of ['--read-only', '--cap-drop', '--security-opt', '--tmpfs']) expect(args).not.toContain(flag);
  });
});
