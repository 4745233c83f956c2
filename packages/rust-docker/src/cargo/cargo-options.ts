/**
 * What a cargo command builds and with which toolchain: the options the cargo and serve
 * executors share, checked before any process starts and turned into cargo's flags.
 */
export interface CargoSelection {
  /** Cargo package (`--package`); a package id spec such as `api` or `api@0.1.0`. */
  package?: string;
  /** Binary target (`--bin`). */
  bin?: string;
  /** Features to activate: a list, or one string separated by commas or spaces. */
  features?: string[] | string;
  allFeatures?: boolean;
  noDefaultFeatures?: boolean;
  /** `--release`; a `profile` takes precedence. */
  release?: boolean;
  /** Cargo profile (`--profile`): `dev`, `release` or one of the workspace's own. */
  profile?: string;
  /** Rust target triple (`--target`), e.g. `aarch64-unknown-linux-gnu`, or a target spec `.json`. */
  triple?: string;
  /** Rustup toolchain, run as `cargo +<toolchain>`: `stable`, `nightly`, `1.95`, `nightly-2026-01-01`. */
  toolchain?: string;
}

export type CargoCommand = 'build' | 'test' | 'clippy' | 'tree' | 'run' | 'check' | 'fmt';

type SelectionKey = keyof CargoSelection;

/** The options each cargo command understands (fmt formats sources: it builds nothing). */
const APPLIES: Record<CargoCommand, SelectionKey[]> = {
  build: ['package', 'bin', 'features', 'allFeatures', 'noDefaultFeatures', 'release', 'profile', 'triple', 'toolchain'],
  check: ['package', 'bin', 'features', 'allFeatures', 'noDefaultFeatures', 'release', 'profile', 'triple', 'toolchain'],
  clippy: ['package', 'bin', 'features', 'allFeatures', 'noDefaultFeatures', 'release', 'profile', 'triple', 'toolchain'],
  test: ['package', 'bin', 'features', 'allFeatures', 'noDefaultFeatures', 'release', 'profile', 'triple', 'toolchain'],
  run: ['package', 'bin', 'features', 'allFeatures', 'noDefaultFeatures', 'release', 'profile', 'triple', 'toolchain'],
  tree: ['package', 'features', 'allFeatures', 'noDefaultFeatures', 'triple', 'toolchain'],
  fmt: ['package', 'toolchain'],
};

const FEATURE = /^[A-Za-z0-9_][A-Za-z0-9_+.-]*(\/[A-Za-z0-9_][A-Za-z0-9_+.-]*)?$/;
const PACKAGE = /^[A-Za-z0-9_][A-Za-z0-9_.@:+-]*$/;
const BIN = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
const PROFILE = /^[A-Za-z][A-Za-z0-9_-]*$/;
const TRIPLE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const TARGET_SPEC = /^[A-Za-z0-9_./][A-Za-z0-9_./-]*\.json$/;
const TOOLCHAIN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Feature names from a list or a "a,b c" string, each list item may hold several. */
export function featureList(features: CargoSelection['features']): string[] {
  if (features === undefined) return [];
  const items = Array.isArray(features) ? features : [features];
  return items.flatMap((item) => String(item).split(/[\s,]+/)).filter(Boolean);
}

function isSet(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return value !== undefined && value !== false && value !== '';
}

function refuse(option: string, value: unknown, what: string, example: string): never {
  throw new Error(`${option} "${value}" is not ${what}: ${example}.`);
}

/**
 * Checks every option before cargo sees it, with a one-line error that says what to give
 * instead; a value starting with `-` would otherwise reach cargo as a flag of its own.
 */
export function validateCargoSelection(command: CargoCommand, selection: CargoSelection): void {
  for (const key of Object.keys(selection) as SelectionKey[]) {
    if (!isSet(selection[key]) || APPLIES[command].includes(key)) continue;
    throw new Error(`cargo ${command} takes no ${key}: remove it from the target's options or the command line.`);
  }
  const { package: pkg, bin, profile, triple, toolchain } = selection;
  if (pkg !== undefined && !PACKAGE.test(pkg)) refuse('package', pkg, 'a Cargo package', 'give its name as in Cargo.toml, e.g. "api" or "api@0.1.0"');
  if (bin !== undefined && !BIN.test(bin)) refuse('bin', bin, 'a binary name', 'give a [[bin]] name of the crate, e.g. "api"');
  for (const feature of featureList(selection.features)) {
    if (!FEATURE.test(feature)) refuse('features', feature, 'a feature name', 'use names such as "metrics" or "serde/derive", separated by commas');
  }
  if (profile !== undefined && !PROFILE.test(profile)) refuse('profile', profile, 'a Cargo profile', 'use "dev", "release" or a [profile.<name>] of Cargo.toml');
  if (triple !== undefined && !TRIPLE.test(triple) && !TARGET_SPEC.test(triple)) {
    refuse('triple', triple, 'a Rust target', 'use a triple such as "x86_64-unknown-linux-gnu" (rustc --print target-list) or a target spec .json');
  }
  if (toolchain !== undefined) {
    const hint = String(toolchain).startsWith('+') ? ` (without the "+")` : '';
    if (!TOOLCHAIN.test(String(toolchain))) {
      refuse('toolchain', toolchain, 'a rustup toolchain', `give its name${hint}, e.g. "stable", "nightly", "1.95" or "nightly-2026-01-01"`);
    }
  }
}

/** `+<toolchain>`, cargo's first argument when a toolchain is chosen (rustup's proxy reads it). */
export function toolchainArgs(selection: CargoSelection): string[] {
  return selection.toolchain ? [`+${selection.toolchain}`] : [];
}

/** The profile cargo builds with: `profile` when given, else release or dev. */
export function profileName(selection: CargoSelection): string {
  return selection.profile ?? (selection.release ? 'release' : 'dev');
}

/** Cargo's flags for the selection, in the order `cargo <command> --help` lists them. */
export function selectionArgs(command: CargoCommand, selection: CargoSelection): string[] {
  const args: string[] = [];
  if (selection.package) args.push('--package', selection.package);
  if (command === 'fmt') return args;
  if (selection.bin) args.push('--bin', selection.bin);
  const features = featureList(selection.features);
  if (features.length) args.push('--features', features.join(','));
  if (selection.allFeatures) args.push('--all-features');
  if (selection.noDefaultFeatures) args.push('--no-default-features');
  if (command !== 'tree') {
    if (selection.profile) args.push('--profile', selection.profile);
    else if (selection.release) args.push('--release');
  }
  if (selection.triple) args.push('--target', selection.triple);
  return args;
}

/** What a log line says about the selection, e.g. ` --profile bench --target aarch64-... (+nightly)`. */
export function describeSelection(selection: CargoSelection): string {
  const parts: string[] = [];
  if (selection.profile) parts.push(`--profile ${selection.profile}`);
  else if (selection.release) parts.push('--release');
  if (selection.triple) parts.push(`--target ${selection.triple}`);
  const features = featureList(selection.features);
  if (features.length) parts.push(`--features ${features.join(',')}`);
  if (selection.allFeatures) parts.push('--all-features');
  if (selection.noDefaultFeatures) parts.push('--no-default-features');
  if (selection.toolchain) parts.push(`(+${selection.toolchain})`);
  return parts.map((p) => ` ${p}`).join('');
}
