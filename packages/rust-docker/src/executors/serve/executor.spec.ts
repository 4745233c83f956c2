import type { ExecutorContext } from '@nx/devkit';
import { join } from 'node:path';
import { makeTempDir, removeDir, writeFiles } from '../../testing/fixtures';
import { chooseBinary, DEFAULT_GRACE_PERIOD, normalizeOptions, serveBuildArgs } from './executor';

describe('serve options', () => {
  let ws: string;
  const context = (): ExecutorContext =>
    ({ root: ws, cwd: ws, isVerbose: false, projectName: 'api', projectsConfigurations: { version: 2, projects: { api: { root: 'services/api' } } } }) as unknown as ExecutorContext;
  beforeEach(() => {
    ws = makeTempDir();
    writeFiles(ws, { 'services/api/Dockerfile': 'FROM scratch\nEXPOSE 8081\n' });
  });
  afterEach(() => removeDir(ws));

  it('defaults to the dev profile, the Dockerfile port, the project crate and a 5 s grace period', () => {
    const o = normalizeOptions({}, context());
    expect(o).toEqual({
      project: 'api',
      crateDir: join(ws, 'services/api'),
      projectRoot: 'services/api',
      selection: { package: 'api', toolchain: undefined },
      port: 8081,
      env: {},
      args: [],
      toolArgs: [],
      graceMs: DEFAULT_GRACE_PERIOD * 1000,
    });
    expect(serveBuildArgs(o)).toEqual(['build', '--package', 'api', '--message-format=json-render-diagnostics']);
  });

  it('builds with the cargo options given, the toolchain first, and the extra cargo args last', () => {
    const o = normalizeOptions(
      { port: 3000, features: 'metrics', noDefaultFeatures: true, profile: 'fast', toolchain: 1.95 as unknown as string, bin: 'api', args: ['--locked'], env: { WORKERS: 4 as unknown as string }, gracePeriod: 0.5 },
      context(),
    );
    expect(serveBuildArgs(o)).toEqual([
      '+1.95',
      'build',
      '--package',
      'api',
      '--bin',
      'api',
      '--features',
      'metrics',
      '--no-default-features',
      '--profile',
      'fast',
      '--message-format=json-render-diagnostics',
      '--locked',
    ]);
    expect(o.port).toBe(3000);
    expect(o.env).toEqual({ WORKERS: '4' });
    expect(o.graceMs).toBe(500);
  });

  it('refuses a bad port, grace period or cargo option with one line', () => {
    expect(() => normalizeOptions({ port: 70000 }, context())).toThrow('port 70000 is not a TCP port: give a number from 1 to 65535.');
    expect(() => normalizeOptions({ gracePeriod: -1 }, context())).toThrow('gracePeriod -1 is not a number of seconds: give e.g. 5 (0 kills at once).');
    expect(() => normalizeOptions({ features: ['-Zx'] }, context())).toThrow('features "-Zx" is not a feature name');
    expect(() => normalizeOptions({ toolchain: '+nightly' }, context())).toThrow('toolchain "+nightly" is not a rustup toolchain');
  });
});

describe('chooseBinary', () => {
  const bin = (name: string, fresh = false) => ({ name, executable: `/t/debug/${name}`, fresh });

  it('runs the only binary, the one asked for, or the one named after the package', () => {
    expect(chooseBinary([bin('api')], 'api')).toEqual(bin('api'));
    expect(chooseBinary([bin('api'), bin('migrate')], 'api', 'migrate')).toEqual(bin('migrate'));
    expect(chooseBinary([bin('migrate'), bin('api')], 'api')).toEqual(bin('api'));
  });

  it('says what to do when it cannot tell', () => {
    expect(chooseBinary([bin('a'), bin('b')], 'api')).toBe('api has several binaries (a, b): choose one with --bin=<name>');
    expect(chooseBinary([], 'core')).toBe('core has no binary to serve (serve runs a crate with src/main.rs or a [[bin]])');
    expect(chooseBinary([bin('api')], 'api', 'worker')).toBe('cargo built no binary named worker in api');
  });
});
