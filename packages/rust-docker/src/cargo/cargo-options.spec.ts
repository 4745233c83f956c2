import { describeSelection, featureList, profileName, selectionArgs, toolchainArgs, validateCargoSelection } from './cargo-options';

describe('featureList', () => {
  it('takes a list, a comma string, a space string, or lists of those', () => {
    expect(featureList(['metrics', 'tracing'])).toEqual(['metrics', 'tracing']);
    expect(featureList('metrics,tracing')).toEqual(['metrics', 'tracing']);
    expect(featureList('metrics tracing, serde/derive')).toEqual(['metrics', 'tracing', 'serde/derive']);
    expect(featureList(['metrics,tracing', 'json'])).toEqual(['metrics', 'tracing', 'json']);
    expect(featureList(undefined)).toEqual([]);
    expect(featureList('')).toEqual([]);
  });
});

describe('selectionArgs', () => {
  it('passes every option as cargo spells it', () => {
    expect(
      selectionArgs('build', {
        package: 'api',
        bin: 'api-migrate',
        features: 'metrics,tracing',
        allFeatures: true,
        noDefaultFeatures: true,
        profile: 'bench',
        triple: 'aarch64-unknown-linux-gnu',
      }),
    ).toEqual([
      '--package',
      'api',
      '--bin',
      'api-migrate',
      '--features',
      'metrics,tracing',
      '--all-features',
      '--no-default-features',
      '--profile',
      'bench',
      '--target',
      'aarch64-unknown-linux-gnu',
    ]);
  });

  it('uses --release without a profile, and the profile over release when both are given', () => {
    expect(selectionArgs('build', { package: 'api', release: true })).toEqual(['--package', 'api', '--release']);
    expect(selectionArgs('build', { package: 'api', release: true, profile: 'dev' })).toEqual(['--package', 'api', '--profile', 'dev']);
    expect(profileName({ release: true, profile: 'dev' })).toBe('dev');
    expect(profileName({ release: true })).toBe('release');
    expect(profileName({})).toBe('dev');
  });

  it('gives fmt the package only, and tree no profile', () => {
    expect(selectionArgs('fmt', { package: 'api' })).toEqual(['--package', 'api']);
    expect(selectionArgs('tree', { package: 'api', features: ['x'], triple: 'x86_64-unknown-linux-gnu' })).toEqual([
      '--package',
      'api',
      '--features',
      'x',
      '--target',
      'x86_64-unknown-linux-gnu',
    ]);
  });

  it('puts the toolchain first, as rustup reads it', () => {
    expect(toolchainArgs({ toolchain: 'nightly' })).toEqual(['+nightly']);
    expect(toolchainArgs({})).toEqual([]);
  });
});

describe('validateCargoSelection', () => {
  const ok = (command: Parameters<typeof validateCargoSelection>[0], selection: Parameters<typeof validateCargoSelection>[1]) =>
    expect(() => validateCargoSelection(command, selection)).not.toThrow();
  const refused = (command: Parameters<typeof validateCargoSelection>[0], selection: Parameters<typeof validateCargoSelection>[1], message: string | RegExp) =>
    expect(() => validateCargoSelection(command, selection)).toThrow(message);

  it('accepts what cargo and rustup accept', () => {
    ok('build', {
      package: 'api@0.1.0',
      bin: 'api_migrate',
      features: ['metrics', 'serde/derive', 'tokio-full', 'v1.2'],
      profile: 'release-lto',
      triple: 'x86_64-unknown-linux-gnu',
      toolchain: 'nightly-2026-01-01',
    });
    ok('build', { toolchain: '1.95' });
    ok('build', { toolchain: 'stable-x86_64-unknown-linux-gnu' });
    ok('build', { triple: 'specs/thumbv7em-custom.json' });
    ok('fmt', { package: 'api', toolchain: 'nightly', release: false, features: [] });
  });

  it.each([
    ['features', { features: ['--config=evil'] }, 'features "--config=evil" is not a feature name'],
    ['features', { features: 'metrics,-x' }, 'features "-x" is not a feature name'],
    ['profile', { profile: '-Zunstable' }, 'profile "-Zunstable" is not a Cargo profile: use "dev", "release"'],
    ['triple', { triple: '--target-dir=/tmp' }, 'triple "--target-dir=/tmp" is not a Rust target'],
    ['toolchain', { toolchain: '-V' }, 'toolchain "-V" is not a rustup toolchain'],
    ['toolchain with +', { toolchain: '+nightly' }, 'give its name (without the "+")'],
    ['toolchain with a path', { toolchain: '../../bin' }, 'is not a rustup toolchain'],
    ['bin', { bin: '--all' }, 'bin "--all" is not a binary name'],
    ['package', { package: '--workspace' }, 'package "--workspace" is not a Cargo package'],
  ])('refuses a %s starting with - or not a name, with what to give instead', (_what, selection, message) => {
    refused('build', selection, message);
  });

  it('refuses options the command does not take, naming them', () => {
    refused('fmt', { features: ['x'] }, 'cargo fmt takes no features: remove it from the target');
    refused('fmt', { release: true }, 'cargo fmt takes no release');
    refused('fmt', { triple: 'x86_64-unknown-linux-gnu' }, 'cargo fmt takes no triple');
    refused('tree', { profile: 'dev' }, 'cargo tree takes no profile');
    refused('tree', { bin: 'api' }, 'cargo tree takes no bin');
  });
});

describe('describeSelection', () => {
  it('says what was chosen, for log lines', () => {
    expect(describeSelection({ release: true })).toBe(' --release');
    expect(describeSelection({ profile: 'bench', triple: 'aarch64-unknown-linux-gnu', features: 'a,b', noDefaultFeatures: true, toolchain: 'nightly' })).toBe(
      ' --profile bench --target aarch64-unknown-linux-gnu --features a,b --no-default-features (+nightly)',
    );
    expect(describeSelection({})).toBe('');
  });
});
