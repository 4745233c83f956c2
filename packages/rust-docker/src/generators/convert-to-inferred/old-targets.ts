import type { TargetConfiguration } from '@nx/devkit';
import type { CargoExecutorOptions } from '../../executors/cargo/schema';

/** The Rust plugins whose project.json targets convert. */
export const OLD_PLUGINS = ['@monodon/rust', '@nxrs/cargo'] as const;
export type OldPlugin = (typeof OLD_PLUGINS)[number];

/** Which inferred target an old executor becomes. */
export type TargetKind = 'build' | 'test' | 'lint';

const KINDS: Record<string, TargetKind> = {
  '@monodon/rust:build': 'build',
  // Its library generator names the `cargo check` target `build`.
  '@monodon/rust:check': 'build',
  '@monodon/rust:test': 'test',
  '@monodon/rust:lint': 'lint',
  '@nxrs/cargo:build': 'build',
  '@nxrs/cargo:test': 'test',
  '@nxrs/cargo:clippy': 'lint',
};

export function oldPluginOf(executor: string | undefined): OldPlugin | undefined {
  return OLD_PLUGINS.find((p) => executor?.startsWith(`${p}:`));
}

export function targetKind(executor: string | undefined): TargetKind | undefined {
  return executor ? KINDS[executor] : undefined;
}

/** The options the inferred target takes on top of what the plugin infers. */
export type KeptOptions = Pick<CargoExecutorOptions, 'release' | 'args' | 'toolArgs'>;

export type Conversion =
  | {
      converted: true;
      options: KeptOptions;
      configurations: Record<string, KeptOptions>;
      /** A team's own `dependsOn` stays on the target. */
      dependsOn?: TargetConfiguration['dependsOn'];
      /** What the old target had that the inferred one does differently, one line each. */
      notes: string[];
    }
  | { converted: false; reason: string };

const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : value === undefined || value === null ? [] : [String(value)]);

/** One option of an old executor as cargo arguments, `release`, or a reason it has no counterpart. */
type Translated = { args?: string[]; toolArgs?: string[]; release?: boolean } | { unsupported: string } | 'default';

/**
 * @monodon/rust: every option is a cargo flag of the same name (booleans as flags, arrays
 * repeated), `toolchain` a `+toolchain` first argument and `args` what follows `--`.
 * Its generators write `target-dir: dist/target/<project>` (`project`: the names that can be) and a `production`
 * configuration with `release: true`; those are its own layout, not a team's choice.
 */
function monodonOption(key: string, value: unknown, kind: TargetKind, project: string[]): Translated {
  if (value === undefined || value === null || value === false) return 'default';
  switch (key) {
    case 'release':
      return { release: value === true };
    case 'toolchain':
      return value === 'stable' ? 'default' : { unsupported: `toolchain "${value}" (the cargo executor runs the workspace's toolchain; pin it in rust-toolchain.toml)` };
    case 'target-dir':
      return project.some((name) => value === `dist/target/${name}`) ? 'default' : { args: ['--target-dir', String(value)] };
    case 'features':
      return { args: ['--features', list(value).join(',')] };
    case 'args':
      return kind === 'test' ? { toolArgs: list(value) } : { unsupported: `args ${JSON.stringify(value)}` };
    default:
      if (value === true) return { args: [`--${key}`] };
      return { args: list(value).flatMap((v) => [`--${key}`, v]) };
  }
}

/**
 * @nxrs/cargo: camelCase options (`noDefaultFeatures`, `targetDir`), `features: "all"` for
 * `--all-features`, `profile` passed through; clippy runs with `-D warnings` unless
 * `failOnWarnings` is false. Its generators write `profile: "dev"` with a `production`
 * configuration of `profile: "release"`, and `fix: false, failOnWarnings: true, noDeps: true`.
 */
function nxrsOption(key: string, value: unknown): Translated {
  if (value === undefined || value === null) return 'default';
  switch (key) {
    case 'profile':
      return value === 'dev' ? 'default' : value === 'release' ? { release: true } : { args: ['--profile', String(value)] };
    case 'release':
      return { release: value === true };
    case 'features':
      return value === 'all' ? { args: ['--all-features'] } : { args: ['--features', String(value)] };
    case 'noDefaultFeatures':
      return value ? { args: ['--no-default-features'] } : 'default';
    case 'target':
      return { args: ['--target', String(value)] };
    case 'targetDir':
      return { args: ['--target-dir', String(value)] };
    case 'verbose':
      return value ? { args: ['-v'] } : 'default';
    case 'veryVerbose':
      return value ? { args: ['-vv'] } : 'default';
    case 'quiet':
      return value ? { args: ['-q'] } : 'default';
    case 'locked':
    case 'frozen':
    case 'offline':
      return value ? { args: [`--${key}`] } : 'default';
    case 'fix':
      return value ? { args: ['--fix'] } : 'default';
    case 'failOnWarnings':
      // The inferred lint denies warnings too; `-W warnings` keeps them warnings.
      return value === false ? { toolArgs: ['-W', 'warnings'] } : 'default';
    case 'noDeps':
      return value === true ? 'default' : { unsupported: 'noDeps: false' };
    case 'toolchain':
      return { unsupported: `toolchain "${value}" (the cargo executor runs the workspace's toolchain; pin it in rust-toolchain.toml)` };
    case 'outDir':
      return { unsupported: 'outDir (a nightly-only cargo option)' };
    case 'messageFormat':
      return { unsupported: 'messageFormat (the cargo executor reads cargo\'s JSON messages itself)' };
    default:
      return { unsupported: key };
  }
}

/** Translates a set of old options; undefined when one has no counterpart. */
function translate(
  plugin: OldPlugin,
  kind: TargetKind,
  project: string[],
  options: Record<string, unknown>,
): { options: KeptOptions; unsupported?: string } {
  const out: KeptOptions = {};
  for (const [key, value] of Object.entries(options)) {
    const t = plugin === '@monodon/rust' ? monodonOption(key, value, kind, project) : nxrsOption(key, value);
    if (t === 'default') continue;
    if ('unsupported' in t) return { options: out, unsupported: t.unsupported };
    if (t.release !== undefined) out.release = t.release;
    if (t.args) out.args = [...(out.args ?? []), ...t.args];
    if (t.toolArgs) out.toolArgs = [...(out.toolArgs ?? []), ...t.toolArgs];
  }
  return { options: out };
}

/** The inferred build is a release build: `release: true` restates it. */
function withoutInferredDefaults(kind: TargetKind, options: KeptOptions): KeptOptions {
  const out = { ...options };
  if (kind === 'build' && out.release === true) delete out.release;
  if (kind !== 'build' && out.release === false) delete out.release;
  return out;
}

const isEmpty = (o: object) => Object.keys(o).length === 0;

/** The configuration the old generators write: a release build under `production`. */
function isGeneratedProduction(plugin: OldPlugin, name: string, config: Record<string, unknown>): boolean {
  if (name !== 'production') return false;
  const entries = Object.entries(config);
  return plugin === '@monodon/rust'
    ? entries.length === 1 && config.release === true
    : entries.length === 1 && config.profile === 'release';
}

/** The old build compiles in release mode without a configuration. */
function buildsRelease(plugin: OldPlugin, options: Record<string, unknown>): boolean {
  return options.release === true || (plugin === '@nxrs/cargo' && options.profile === 'release');
}

/**
 * What an old build, test or lint target keeps on the inferred one: the options that differ
 * from what the plugin infers (and from what the old generators write by default), as the
 * cargo executor's `release`, `args` and `toolArgs`; or why it cannot convert.
 */
export function convertTarget(plugin: OldPlugin, kind: TargetKind, project: string[], target: TargetConfiguration): Conversion {
  const notes: string[] = [];
  const oldOptions = (target.options ?? {}) as Record<string, unknown>;
  const main = translate(plugin, kind, project, oldOptions);
  if (main.unsupported) return { converted: false, reason: `${main.unsupported} has no counterpart` };
  const configurations: Record<string, KeptOptions> = {};
  for (const [name, config] of Object.entries(target.configurations ?? {})) {
    if (isGeneratedProduction(plugin, name, config)) continue;
    const translated = translate(plugin, kind, project, config);
    if (translated.unsupported) return { converted: false, reason: `${translated.unsupported} (configuration "${name}") has no counterpart` };
    if (!isEmpty(translated.options)) configurations[name] = translated.options;
  }
  const options = withoutInferredDefaults(kind, main.options);
  if (target.executor === '@monodon/rust:check') notes.push('compiles now (`cargo build --release`; it ran `cargo check`)');
  else if (kind === 'build' && options.release === undefined && !buildsRelease(plugin, oldOptions)) {
    notes.push('builds in release mode now (the inferred build is `cargo build --release`, which the images use); `--release=false` builds debug');
  }
  if (kind === 'lint' && plugin === '@monodon/rust') notes.push('denies warnings now (`cargo clippy --all-targets -- -D warnings`)');
  if (target.inputs !== undefined) notes.push('its own inputs give way to the inferred Cargo inputs');
  return { converted: true, options, configurations, ...(target.dependsOn ? { dependsOn: target.dependsOn } : {}), notes };
}
