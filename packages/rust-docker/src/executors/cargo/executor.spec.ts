import { logger, type ExecutorContext } from '@nx/devkit';
import { execFileSync, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeDir, writeFiles } from '../../testing/fixtures';
import cargoExecutor, { cargoArgs, executablesFromMessages, staticRustflags, validateCargoOptions } from './executor';

// cargoExecutor runs below with rustc and cargo replaced: no process is started by these tests.
jest.mock('node:child_process', () => ({
  ...jest.requireActual('node:child_process'),
  execFileSync: jest.fn(),
  spawn: jest.fn(),
}));

describe('cargoArgs', () => {
  it('builds in release with JSON messages, so the binaries can be found', () => {
    expect(cargoArgs({ command: 'build', release: true }, 'api')).toEqual(['build', '--package', 'api', '--release', '--message-format=json-render-diagnostics']);
  });

  it('passes extra cargo args before the tool args', () => {
    expect(cargoArgs({ command: 'build', args: ['--features', 'metrics'], toolArgs: ['-x'] }, 'api')).toEqual([
      'build',
      '--package',
      'api',
      '--message-format=json-render-diagnostics',
      '--features',
      'metrics',
      '--',
      '-x',
    ]);
  });

  it('tests without a separator when there are no tool args', () => {
    expect(cargoArgs({ command: 'test' }, 'core')).toEqual(['test', '--package', 'core']);
    expect(cargoArgs({ command: 'test', toolArgs: ['health', '--nocapture'] }, 'core')).toEqual(['test', '--package', 'core', '--', 'health', '--nocapture']);
  });

  it('lints every target and denies warnings by default', () => {
    expect(cargoArgs({ command: 'clippy' }, 'api')).toEqual(['clippy', '--package', 'api', '--all-targets', '--', '-D', 'warnings']);
  });

  it('builds for the host triple given with static, so RUSTFLAGS reach the crate and not build scripts or proc macros', () => {
    expect(cargoArgs({ command: 'build', release: true, static: true }, 'api', 'x86_64-unknown-linux-gnu')).toEqual([
      'build',
      '--package',
      'api',
      '--release',
      '--target',
      'x86_64-unknown-linux-gnu',
      '--message-format=json-render-diagnostics',
    ]);
  });

  it('adds no --target without static, or without a host triple', () => {
    expect(cargoArgs({ command: 'build', static: false }, 'api', 'x86_64-unknown-linux-gnu')).not.toContain('--target');
    expect(cargoArgs({ command: 'build', static: true }, 'api')).not.toContain('--target');
  });

  it('puts --target before the extra cargo args and the tool args', () => {
    expect(cargoArgs({ command: 'build', static: true, args: ['--features', 'metrics'], toolArgs: ['-x'] }, 'api', 'aarch64-unknown-linux-gnu')).toEqual([
      'build',
      '--package',
      'api',
      '--target',
      'aarch64-unknown-linux-gnu',
      '--message-format=json-render-diagnostics',
      '--features',
      'metrics',
      '--',
      '-x',
    ]);
  });

  it('lets tool args replace the default clippy lints', () => {
    expect(cargoArgs({ command: 'clippy', toolArgs: ['-D', 'clippy::pedantic'] }, 'api')).toEqual(['clippy', '--package', 'api', '--all-targets', '--', '-D', 'clippy::pedantic']);
    expect(cargoArgs({ command: 'clippy', toolArgs: [] }, 'api')).toEqual(['clippy', '--package', 'api', '--all-targets', '--', '-D', 'warnings']);
  });
});

describe('cargoArgs for run, check, fmt and the cargo options', () => {
  it('runs the crate with the program arguments after --', () => {
    expect(cargoArgs({ command: 'run', bin: 'api', toolArgs: ['--port', '3000'] }, 'api')).toEqual(['run', '--package', 'api', '--bin', 'api', '--', '--port', '3000']);
  });

  it('checks and formats the crate', () => {
    expect(cargoArgs({ command: 'check', features: ['metrics'] }, 'api')).toEqual(['check', '--package', 'api', '--features', 'metrics']);
    expect(cargoArgs({ command: 'fmt', args: ['--check'] }, 'api')).toEqual(['fmt', '--package', 'api', '--check']);
  });

  it('builds with every cargo option, the toolchain first', () => {
    expect(
      cargoArgs(
        { command: 'build', release: true, profile: 'bench', triple: 'aarch64-unknown-linux-gnu', features: 'a,b', allFeatures: true, noDefaultFeatures: true, toolchain: 'nightly', bin: 'api' },
        'api',
      ),
    ).toEqual([
      '+nightly',
      'build',
      '--package',
      'api',
      '--bin',
      'api',
      '--features',
      'a,b',
      '--all-features',
      '--no-default-features',
      '--profile',
      'bench',
      '--target',
      'aarch64-unknown-linux-gnu',
      '--message-format=json-render-diagnostics',
    ]);
  });

  it('lets an explicit target triple win over the host triple of a static build', () => {
    expect(cargoArgs({ command: 'build', static: true, triple: 'aarch64-unknown-linux-gnu' }, 'api', 'x86_64-unknown-linux-gnu')).toEqual([
      'build',
      '--package',
      'api',
      '--target',
      'aarch64-unknown-linux-gnu',
      '--message-format=json-render-diagnostics',
    ]);
  });
});

describe('validateCargoOptions', () => {
  it('refuses a command it does not run, and outputPath outside build', () => {
    expect(() => validateCargoOptions({ command: 'publish' as never })).toThrow('command "publish" is not one this executor runs: use one of build, test, clippy, tree, run, check, fmt.');
    expect(() => validateCargoOptions({ command: 'test', outputPath: 'dist/x' })).toThrow('outputPath is for cargo build only: remove it from the test target.');
  });

  it('checks the package name it falls back to, and every cargo option', () => {
    expect(() => validateCargoOptions({ command: 'build' }, '-x')).toThrow('package "-x" is not a Cargo package');
    expect(() => validateCargoOptions({ command: 'build', toolchain: '+nightly' }, 'api')).toThrow('toolchain "+nightly" is not a rustup toolchain');
    expect(() => validateCargoOptions({ command: 'fmt', features: ['x'] }, 'api')).toThrow('cargo fmt takes no features');
    expect(() => validateCargoOptions({ command: 'build', profile: 'release', features: 'a,b', toolchain: '1.95' }, 'api')).not.toThrow();
  });
});

describe('staticRustflags', () => {
  it('is crt-static alone without RUSTFLAGS', () => {
    expect(staticRustflags(undefined)).toBe('-C target-feature=+crt-static');
    expect(staticRustflags('')).toBe('-C target-feature=+crt-static');
  });

  it('appends crt-static to the RUSTFLAGS already set, keeping them', () => {
    expect(staticRustflags('-C target-cpu=native')).toBe('-C target-cpu=native -C target-feature=+crt-static');
    expect(staticRustflags('-D warnings -C opt-level=3')).toBe('-D warnings -C opt-level=3 -C target-feature=+crt-static');
  });
});

describe('executablesFromMessages', () => {
  const manifest = '/ws/services/api/Cargo.toml';
  const artifact = (manifestPath: string, kind: string[], executable: string | null, name = 'api') =>
    JSON.stringify({
      reason: 'compiler-artifact',
      package_id: `path+file://${manifestPath.replace('/Cargo.toml', '')}#0.1.0`,
      manifest_path: manifestPath,
      target: { kind, crate_types: kind, name, src_path: '/ws/src/x.rs', edition: '2021', doc: true, doctest: false, test: true },
      profile: { opt_level: '3', debuginfo: 0, debug_assertions: false, overflow_checks: false, test: false },
      features: [],
      filenames: executable ? [executable] : ['/ws/target/release/libx.rlib'],
      executable,
      fresh: false,
    });

  const stdout = [
    JSON.stringify({ reason: 'build-script-executed', package_id: 'registry+https://github.com/rust-lang/crates.io-index#serde@1.0.214', linked_libs: [], out_dir: '/ws/target/release/build/serde/out' }),
    artifact('/ws/libs/core/Cargo.toml', ['lib'], null, 'core'),
    artifact(manifest, ['custom-build'], null, 'build-script-build'),
    artifact(manifest, ['lib'], null),
    artifact(manifest, ['bin'], '/ws/target/release/api'),
    artifact(manifest, ['bin'], '/ws/target/release/api-migrate', 'api-migrate'),
    artifact(manifest, ['example'], '/ws/target/release/examples/demo', 'demo'),
    artifact('/ws/services/worker/Cargo.toml', ['bin'], '/ws/target/release/worker', 'worker'),
    JSON.stringify({ reason: 'compiler-message', manifest_path: manifest, message: { rendered: 'warning: unused' } }),
    'cargo:rerun-if-changed=build.rs',
    '{ not json at all',
    '',
    JSON.stringify({ reason: 'build-finished', success: true }),
  ].join('\n');

  it('returns the bin artifacts of the given manifest only, in order', () => {
    expect(executablesFromMessages(stdout, manifest)).toEqual(['/ws/target/release/api', '/ws/target/release/api-migrate']);
  });

  it('returns the bins of another manifest when asked', () => {
    expect(executablesFromMessages(stdout, '/ws/services/worker/Cargo.toml')).toEqual(['/ws/target/release/worker']);
  });

  it('returns nothing for a library crate or for empty output', () => {
    expect(executablesFromMessages(stdout, '/ws/libs/core/Cargo.toml')).toEqual([]);
    expect(executablesFromMessages('', manifest)).toEqual([]);
  });
});

describe('cargoExecutor (rustc and cargo mocked)', () => {
  const execFileSyncMock = execFileSync as unknown as jest.Mock;
  const spawnMock = spawn as unknown as jest.Mock;
  const HOST = 'x86_64-unknown-linux-gnu';
  let ws: string;
  let info: jest.SpyInstance;
  let error: jest.SpyInstance;
  let savedRustflags: string | undefined;
  /** What the fake cargo prints on stdout and exits with. */
  let cargoOutput: { stdout: string; code: number };

  const context = (): ExecutorContext =>
    ({
      root: ws,
      cwd: ws,
      isVerbose: false,
      projectName: 'api',
      projectsConfigurations: { version: 2, projects: { api: { root: 'services/api' } } },
      nxJsonConfiguration: {},
      projectGraph: { nodes: {}, dependencies: {} },
    }) as ExecutorContext;
  const cargoCall = () => {
    expect(spawnMock).toHaveBeenCalledTimes(1);
    const [command, args, options] = spawnMock.mock.calls[0];
    return { command, args: args as string[], env: options.env as NodeJS.ProcessEnv, cwd: options.cwd as string };
  };

  beforeEach(() => {
    ws = makeTempDir();
    writeFiles(ws, { 'services/api/Cargo.toml': '', 'target/release/api': 'binary', 'target/release/api-migrate': 'binary 2' });
    savedRustflags = process.env.RUSTFLAGS;
    process.env.RUSTFLAGS = '-C target-cpu=native';
    cargoOutput = { stdout: '', code: 0 };
    execFileSyncMock.mockReset();
    execFileSyncMock.mockImplementation((command: string, args: string[]) => {
      if (command === 'rustc' && args[0] === '-vV') return `rustc 1.95.0 (abc 2026-01-01)\nbinary: rustc\nhost: ${HOST}\nrelease: 1.95.0\n`;
      throw new Error(`unexpected ${command}`);
    });
    spawnMock.mockReset();
    spawnMock.mockImplementation(() => {
      const child = Object.assign(new EventEmitter(), { stdout: new EventEmitter() });
      setImmediate(() => {
        if (cargoOutput.stdout) child.stdout.emit('data', Buffer.from(cargoOutput.stdout));
        child.emit('close', cargoOutput.code);
      });
      return child;
    });
    info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    if (savedRustflags === undefined) delete process.env.RUSTFLAGS;
    else process.env.RUSTFLAGS = savedRustflags;
    info.mockRestore();
    error.mockRestore();
    removeDir(ws);
  });

  const artifact = (executable: string) =>
    JSON.stringify({ reason: 'compiler-artifact', manifest_path: join(ws, 'services/api/Cargo.toml'), target: { kind: ['bin'] }, executable });

  it('builds a static binary for the host triple, with crt-static added to RUSTFLAGS, and copies it to outputPath', async () => {
    cargoOutput.stdout = [artifact(join(ws, 'target/release/api')), artifact(join(ws, 'target/release/api-migrate')), ''].join('\n');
    await expect(cargoExecutor({ command: 'build', release: true, static: true, outputPath: 'dist/services/api/bin' }, context())).resolves.toEqual({ success: true });
    expect(execFileSyncMock).toHaveBeenCalledWith('rustc', ['-vV'], expect.anything());
    const call = cargoCall();
    expect(call.command).toBe('cargo');
    expect(call.cwd).toBe(join(ws, 'services/api'));
    expect(call.args).toEqual(['build', '--package', 'api', '--release', '--target', HOST, '--message-format=json-render-diagnostics']);
    expect(call.env.RUSTFLAGS).toBe('-C target-cpu=native -C target-feature=+crt-static');
    expect(process.env.RUSTFLAGS).toBe('-C target-cpu=native'); // its own environment is untouched
    expect(readdirSync(join(ws, 'dist/services/api/bin')).sort()).toEqual(['.rust-docker-outputs.json', 'api', 'api-migrate']);
    expect(readFileSync(join(ws, 'dist/services/api/bin/api'), 'utf8')).toBe('binary');
    expect(info).toHaveBeenCalledWith(expect.stringMatching(/^cargo build api --release \(static\) done in [\d.]+ s; api, api-migrate copied to dist\/services\/api\/bin$/));
  });

  it('builds as it is without static: no rustc call, no --target, RUSTFLAGS untouched', async () => {
    await expect(cargoExecutor({ command: 'build', release: true }, context())).resolves.toEqual({ success: true });
    expect(execFileSyncMock).not.toHaveBeenCalled();
    expect(cargoCall().args).not.toContain('--target');
    expect(cargoCall().env.RUSTFLAGS).toBe('-C target-cpu=native');
  });

  it('ignores static for commands other than build', async () => {
    await expect(cargoExecutor({ command: 'test', static: true }, context())).resolves.toEqual({ success: true });
    expect(execFileSyncMock).not.toHaveBeenCalled();
    expect(cargoCall().args).toEqual(['test', '--package', 'api']);
    expect(cargoCall().env.RUSTFLAGS).toBe('-C target-cpu=native');
  });

  it('copies binaries from wherever a profile and target triple put them', async () => {
    const exe = join(ws, 'target/aarch64-unknown-linux-gnu/bench/api');
    writeFiles(ws, { 'target/aarch64-unknown-linux-gnu/bench/api': 'bench binary' });
    cargoOutput.stdout = `${artifact(exe)}\n`;
    const options = { command: 'build' as const, release: true, profile: 'bench', triple: 'aarch64-unknown-linux-gnu', outputPath: 'dist/services/api/bin' };
    await expect(cargoExecutor(options, context())).resolves.toEqual({ success: true });
    expect(execFileSyncMock).not.toHaveBeenCalled();
    expect(cargoCall().args).toEqual(['build', '--package', 'api', '--profile', 'bench', '--target', 'aarch64-unknown-linux-gnu', '--message-format=json-render-diagnostics']);
    expect(readFileSync(join(ws, 'dist/services/api/bin/api'), 'utf8')).toBe('bench binary');
    expect(info).toHaveBeenCalledWith(
      expect.stringMatching(/^cargo build api --profile bench --target aarch64-unknown-linux-gnu done in [\d.]+ s; api copied to dist\/services\/api\/bin$/),
    );
  });

  it('refuses a bad option with one line and runs nothing', async () => {
    await expect(cargoExecutor({ command: 'build', features: ['--config=x'] }, context())).resolves.toEqual({ success: false });
    expect(error).toHaveBeenCalledWith('features "--config=x" is not a feature name: use names such as "metrics" or "serde/derive", separated by commas.');
    expect(spawnMock).not.toHaveBeenCalled();
  });

  it('runs cargo with the toolchain and says what it ran', async () => {
    await expect(cargoExecutor({ command: 'check', toolchain: 'nightly', noDefaultFeatures: true }, context())).resolves.toEqual({ success: true });
    expect(cargoCall().args).toEqual(['+nightly', 'check', '--package', 'api', '--no-default-features']);
    expect(info).toHaveBeenCalledWith(expect.stringMatching(/^cargo check api --no-default-features \(\+nightly\) done in [\d.]+ s$/));
  });

  it('fails with an install hint when rustc is missing, without running cargo', async () => {
    execFileSyncMock.mockImplementation(() => {
      throw Object.assign(new Error('spawnSync rustc ENOENT'), { code: 'ENOENT' });
    });
    await expect(cargoExecutor({ command: 'build', static: true }, context())).resolves.toEqual({ success: false });
    expect(error).toHaveBeenCalledWith('rustc not found on PATH: install Rust from https://rustup.rs and retry.');
    expect(spawnMock).not.toHaveBeenCalled();
  });

  it('refuses an outputPath outside the workspace, or the workspace root itself, before running cargo', async () => {
    await expect(cargoExecutor({ command: 'build', outputPath: 'dist/../../elsewhere' }, context())).resolves.toEqual({ success: false });
    expect(error).toHaveBeenCalledWith(expect.stringMatching(/^outputPath "dist\/\.\.\/\.\.\/elsewhere" resolves to .*, outside the workspace .*: use a path inside the workspace\.$/));
    await expect(cargoExecutor({ command: 'build', outputPath: '.' }, context())).resolves.toEqual({ success: false });
    expect(error).toHaveBeenCalledWith('outputPath "." is the workspace root: give a folder for build outputs, e.g. dist/services/api/bin.');
    expect(spawnMock).not.toHaveBeenCalled();
  });

  it('keeps what it did not put in outputPath, and replaces or removes only its own binaries', async () => {
    writeFiles(ws, { 'dist/services/api/bin/README.md': 'mine', 'dist/services/api/bin/notes/a.txt': 'mine too' });
    cargoOutput.stdout = [artifact(join(ws, 'target/release/api')), artifact(join(ws, 'target/release/api-migrate')), ''].join('\n');
    await expect(cargoExecutor({ command: 'build', outputPath: 'dist/services/api/bin' }, context())).resolves.toEqual({ success: true });
    // The next build no longer makes api-migrate: it goes, the user's files stay.
    cargoOutput.stdout = [artifact(join(ws, 'target/release/api')), ''].join('\n');
    spawnMock.mockClear();
    await expect(cargoExecutor({ command: 'build', outputPath: 'dist/services/api/bin' }, context())).resolves.toEqual({ success: true });
    expect(readdirSync(join(ws, 'dist/services/api/bin')).sort()).toEqual(['.rust-docker-outputs.json', 'README.md', 'api', 'notes']);
    expect(readFileSync(join(ws, 'dist/services/api/bin/README.md'), 'utf8')).toBe('mine');
  });

  it('refuses to overwrite a file of the same name that it did not put there', async () => {
    writeFiles(ws, { 'out/api': 'a script of the user' });
    cargoOutput.stdout = [artifact(join(ws, 'target/release/api')), ''].join('\n');
    await expect(cargoExecutor({ command: 'build', outputPath: 'out' }, context())).resolves.toEqual({ success: false });
    expect(error).toHaveBeenCalledWith('outputPath out already holds api, which this target did not put there: move it, or choose another outputPath.');
    expect(readFileSync(join(ws, 'out/api'), 'utf8')).toBe('a script of the user');
  });

  it('fails when cargo fails, leaving outputPath alone', async () => {
    writeFiles(ws, { 'dist/services/api/bin/api': 'previous' });
    cargoOutput.code = 101;
    await expect(cargoExecutor({ command: 'build', static: true, outputPath: 'dist/services/api/bin' }, context())).resolves.toEqual({ success: false });
    expect(error).toHaveBeenCalledWith(expect.stringMatching(/^cargo build failed for api \(exit 101, [\d.]+ s\)$/));
    expect(existsSync(join(ws, 'dist/services/api/bin/api'))).toBe(true);
  });
});
