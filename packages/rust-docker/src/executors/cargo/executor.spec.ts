import { cargoArgs, executablesFromMessages } from './executor';

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

  it('lets tool args replace the default clippy lints', () => {
    expect(cargoArgs({ command: 'clippy', toolArgs: ['-D', 'clippy::pedantic'] }, 'api')).toEqual(['clippy', '--package', 'api', '--all-targets', '--', '-D', 'clippy::pedantic']);
    expect(cargoArgs({ command: 'clippy', toolArgs: [] }, 'api')).toEqual(['clippy', '--package', 'api', '--all-targets', '--', '-D', 'warnings']);
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
