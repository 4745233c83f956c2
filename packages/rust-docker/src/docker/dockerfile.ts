import { render } from 'ejs';
import { crateSourcesOnDisk, detectPort } from '../cargo/service-sources';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';

export type RuntimeVariant = 'scratch' | 'distroless' | 'debian' | 'alpine';

export interface RuntimeSpec {
  /** Builder image, and the build argument that overrides it. */
  rustImage: string;
  builderArg: string;
  /** Runtime base image and its build argument; none for scratch. */
  runtimeImage?: string;
  runtimeArg?: string;
  /** Non-root user the service runs as. */
  uid: number;
  /** Link glibc statically (`crt-static`); musl (alpine) is static by default. */
  staticGlibc: boolean;
  description: string;
}

/**
 * Base images are pinned to a release line and overridable through build arguments. Each
 * has its own argument name, so one `targetDefaults` entry can point every service of a
 * workspace at a private mirror, whatever its runtime.
 */
const BOOKWORM_BUILDER = { rustImage: 'rust:1.95-bookworm', builderArg: 'RUST_IMAGE' };

export const RUNTIMES: Record<RuntimeVariant, RuntimeSpec> = {
  scratch: {
    ...BOOKWORM_BUILDER,
    uid: 10001,
    staticGlibc: true,
    description: 'static glibc binary, CA certificates and a passwd entry on an empty image (the smallest)',
  },
  distroless: {
    ...BOOKWORM_BUILDER,
    runtimeImage: 'gcr.io/distroless/static-debian12:nonroot',
    runtimeArg: 'DISTROLESS_IMAGE',
    uid: 65532,
    staticGlibc: true,
    description: 'static binary on distroless static: CA certificates, time zones, nonroot user, no shell',
  },
  debian: {
    ...BOOKWORM_BUILDER,
    runtimeImage: 'debian:bookworm-slim',
    runtimeArg: 'DEBIAN_IMAGE',
    uid: 10001,
    staticGlibc: false,
    description: 'dynamic glibc binary on debian:bookworm-slim with CA certificates and tzdata (a shell and apt for debugging)',
  },
  alpine: {
    rustImage: 'rust:1.95-alpine3.22',
    builderArg: 'RUST_ALPINE_IMAGE',
    runtimeImage: 'alpine:3.22',
    runtimeArg: 'ALPINE_IMAGE',
    uid: 10001,
    staticGlibc: false,
    description: 'musl binary on alpine with CA certificates and tzdata',
  },
};

export const RUNTIME_VARIANTS = Object.keys(RUNTIMES) as RuntimeVariant[];
export const DEFAULT_RUNTIME: RuntimeVariant = 'scratch';

/** `--runtime`, checked; the default when not given. */
export function normalizeRuntime(value: RuntimeVariant | undefined, fallback: RuntimeVariant = DEFAULT_RUNTIME): RuntimeVariant {
  const runtime = value ?? fallback;
  if (!RUNTIME_VARIANTS.includes(runtime)) throw new Error(`--runtime "${runtime}" is not one of ${RUNTIME_VARIANTS.join(', ')}.`);
  return runtime;
}

export interface DockerfileOptions {
  /** Cargo package name. */
  name: string;
  /** Binary target to ship. */
  bin: string;
  /** Nx project name (for the usage comment). */
  project: string;
  port: number;
  /** Workspace-relative path of the Dockerfile (for the usage comment). */
  dockerfilePath: string;
  runtime?: RuntimeVariant;
  /** The binary has a `healthcheck` subcommand (generated services do): add a HEALTHCHECK. */
  healthcheck?: boolean;
  /** Files and folders the service reads at run time, relative to its crate folder; copied read-only. */
  runtimeFiles?: string[];
  /** The crate folder relative to the build context (the Cargo workspace folder): where runtimeFiles are. */
  crateDir?: string;
  /** Working directory of the service in the image; DEFAULT_WORKDIR when it has runtime files. */
  workdir?: string;
}

/** Where runtime files go, and the service's working directory, unless told otherwise. */
export const DEFAULT_WORKDIR = '/app';

/** The COPY lines of runtime files: from the crate folder in the context to the working directory. */
export function runtimeCopies(options: Pick<DockerfileOptions, 'runtimeFiles' | 'crateDir' | 'workdir'>): Array<{ source: string; target: string }> {
  const workdir = options.workdir ?? DEFAULT_WORKDIR;
  return (options.runtimeFiles ?? []).map((file) => ({
    source: posix.join(options.crateDir ?? '.', file),
    target: posix.join(workdir, file),
  }));
}

/** Renders a service Dockerfile; generators write it, and the sync generator compares with it. */
export function renderDockerfile(options: DockerfileOptions): string {
  const runtime = options.runtime ?? DEFAULT_RUNTIME;
  const spec = RUNTIMES[runtime];
  if (!spec) throw new Error(`unknown runtime "${runtime}": use one of ${RUNTIME_VARIANTS.join(', ')}.`);
  const template = readFileSync(join(__dirname, 'files', 'Dockerfile.ejs'), 'utf8');
  return render(template, {
    ...spec,
    ...options,
    healthcheck: options.healthcheck ?? true,
    workdir: options.workdir ?? (options.runtimeFiles?.length ? DEFAULT_WORKDIR : ''),
    runtimeCopies: runtimeCopies(options),
    runtime,
    runtimeImage: spec.runtimeImage ?? '',
    runtimeArg: spec.runtimeArg ?? '',
  });
}

/** The runtime variant a Dockerfile this plugin wrote was rendered for. */
export function dockerfileRuntime(dockerfile: string): RuntimeVariant | undefined {
  const match = /^# .*built by @org\/rust-docker \(runtime: (\w+)\)/m.exec(dockerfile);
  return match && (RUNTIME_VARIANTS as string[]).includes(match[1]) ? (match[1] as RuntimeVariant) : undefined;
}

/**
 * The working directory and runtime files (context-relative COPY sources) of the runtime
 * stage of a Dockerfile this plugin rendered, so a re-render keeps them.
 */
export function runtimeLayout(dockerfile: string): { workdir?: string; sources: string[] } {
  const stage = parseStages(dockerfile).stages.find((s) => s.name === 'runtime-base');
  if (!stage) return { sources: [] };
  const workdir = /^\s*WORKDIR\s+(\S+)\s*$/im.exec(stage.text)?.[1];
  const sources = [...stage.text.matchAll(/^\s*COPY\s+(?!--)(\S+)\s+\S+\s*$/gim)].map((m) => m[1]);
  return { workdir, sources };
}

/** The port a Dockerfile exposes first, if any. */
export function exposedPort(dockerfile: string): number | undefined {
  const match = /^\s*EXPOSE\s+(\d+)/im.exec(dockerfile);
  return match ? Number(match[1]) : undefined;
}

/**
 * The container port: the option when given, else the project Dockerfile's EXPOSE, else
 * the port the crate's sources listen on (a hand-written Dockerfile without EXPOSE);
 * throws when none of them says, rather than guess one.
 */
export function containerPort(workspaceRoot: string, projectRoot: string, option?: number): number {
  if (option) return option;
  const file = join(workspaceRoot, projectRoot, 'Dockerfile');
  const exposed = existsSync(file) ? exposedPort(readFileSync(file, 'utf8')) : undefined;
  if (exposed) return exposed;
  const detected = detectPort(crateSourcesOnDisk(workspaceRoot, projectRoot));
  if (detected.port) return detected.port;
  throw new Error(
    `cannot tell which port the service listens on: ${posix.join(projectRoot, 'Dockerfile')} has no EXPOSE and its sources bind no literal port; set "port" in the target's options (or add EXPOSE <port> to the Dockerfile).`,
  );
}

/**
 * The stage the prebuilt strategy appends: the service's runtime (stage `runtime-base`)
 * with the binary the `build` target made, taken from the build context.
 */
export function prebuiltStage(bin: string, source: string): string {
  return `\n# Appended by docker-build (strategy prebuilt): the binary from the Nx build target.\nFROM runtime-base AS prebuilt\nCOPY ${source} /usr/local/bin/${bin}\n`;
}

interface Stage {
  name?: string;
  text: string;
  uses: string[];
}

/** `key=value,...` options of a `--mount=` flag, keys in lower case as BuildKit reads them. */
export function mountOptions(flag: string): Map<string, string> {
  return new Map(flag.split(',').map((option) => [option.split('=')[0].toLowerCase(), option.slice(option.indexOf('=') + 1)]));
}

/** Splits a Dockerfile into the part before the first FROM and its stages. */
export function parseStages(dockerfile: string): { prelude: string; stages: Stage[] } {
  const lines = dockerfile.split('\n');
  const stages: Stage[] = [];
  const prelude: string[] = [];
  for (const line of lines) {
    const from = /^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) stages.push({ name: from[2]?.toLowerCase(), text: '', uses: [from[1].toLowerCase()] });
    const current = stages[stages.length - 1];
    if (!current) {
      prelude.push(line);
      continue;
    }
    current.text += `${line}\n`;
    for (const ref of line.matchAll(/--from=([^\s,]+)/gi)) current.uses.push(ref[1].toLowerCase());
    for (const mount of line.matchAll(/--mount=(\S+)/gi)) {
      const from = mountOptions(mount[1]).get('from');
      if (from) current.uses.push(from.toLowerCase());
    }
  }
  return { prelude: prelude.join('\n'), stages };
}

/**
 * Only the stages `target` needs (default: the last one). BuildKit skips the others by
 * itself; the legacy builder runs every stage up to its target, so it is given this.
 */
export function pruneStages(dockerfile: string, target?: string): string {
  const { prelude, stages } = parseStages(dockerfile);
  if (stages.length === 0) return dockerfile;
  const byName = new Map(stages.filter((s) => s.name).map((s) => [s.name!, s]));
  const wanted = target ? byName.get(target.toLowerCase()) : stages[stages.length - 1];
  if (!wanted) throw new Error(`the Dockerfile has no stage named "${target}".`);
  const keep = new Set<Stage>();
  const visit = (stage: Stage) => {
    if (keep.has(stage)) return;
    keep.add(stage);
    for (const use of stage.uses) {
      const dep = byName.get(use) ?? (/^\d+$/.test(use) ? stages[Number(use)] : undefined);
      if (dep) visit(dep);
    }
  };
  visit(wanted);
  const kept = stages.filter((s) => keep.has(s)).map((s) => s.text).join('');
  // Splitting on newlines gave the last stage one newline more than the file has.
  const body = kept.replace(/\n$/, '');
  return prelude ? `${prelude}\n${body}` : body;
}
