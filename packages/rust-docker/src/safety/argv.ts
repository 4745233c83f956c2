/**
 * Option values that reach a CLI's argv: each is checked against what it names, so that
 * none can be read as a flag (a leading `-`) or smuggle a second argument in.
 */

export interface ArgKind {
  pattern: RegExp;
  /** What a valid value looks like, for the message. */
  example: string;
}

export const ARG_KINDS = {
  /** A Dockerfile stage (`--target`). */
  stage: { pattern: /^[A-Za-z][A-Za-z0-9_.-]*$/, example: 'a Dockerfile stage name, e.g. runtime' },
  /** `--platform`: os/arch[/variant], comma-separated. */
  platform: { pattern: /^[a-z0-9_.-]+\/[a-z0-9_.-]+(\/[a-z0-9_.-]+)?(,[a-z0-9_.-]+\/[a-z0-9_.-]+(\/[a-z0-9_.-]+)?)*$/i, example: 'e.g. linux/arm64' },
  /** `--network`: a network name, `host`, `none`, `container:<name>`. */
  network: { pattern: /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, example: 'a network name, e.g. host' },
  /** A buildx builder. */
  builder: { pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, example: 'a builder name, e.g. remote-buildkit' },
  /** A build argument's name. */
  buildArg: { pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, example: 'letters, digits and "_", e.g. RUST_IMAGE' },
  /** A label key: anything but `=` and whitespace, not starting with `-`. */
  label: { pattern: /^[A-Za-z0-9][^=\s]*$/, example: 'e.g. org.example.team' },
  /** Cargo's `--package` spec: a name, `name@version`, or a package id URL. */
  packageSpec: { pattern: /^[A-Za-z0-9_][^\s]*$/, example: 'a package name, e.g. api (or api@0.1.0)' },
  /** A Cargo binary or package name (also a file name). */
  cargoName: { pattern: /^[A-Za-z0-9_][A-Za-z0-9_-]*$/, example: 'letters, digits, "_" and "-", e.g. api' },
} satisfies Record<string, ArgKind>;

/** The value, checked; throws one line naming the option and what it should look like. */
export function checkArg(value: unknown, option: string, kind: ArgKind): string {
  if (typeof value !== 'string' || !kind.pattern.test(value)) {
    const why = typeof value === 'string' && value.startsWith('-') ? 'starts with "-", so the engine would read it as a flag' : 'is not valid';
    throw new Error(`${option} ${typeof value === 'string' ? JSON.stringify(value) : String(value)} ${why}: use ${kind.example}.`);
  }
  return value;
}

/** Checks the keys of a map option (`buildArgs`, `labels`). */
export function checkKeys<T>(map: Record<string, T> | undefined, option: string, kind: ArgKind): Record<string, T> {
  for (const key of Object.keys(map ?? {})) checkArg(key, `${option} key`, kind);
  return map ?? {};
}
