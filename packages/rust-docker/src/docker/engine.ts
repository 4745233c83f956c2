import { currentCli, runDocker } from './docker-cli';
import { globToRegExp } from '../cargo/workspace';
import { mountOptions, pruneStages } from './dockerfile';

/**
 * How an image gets built, best first:
 * - `buildx`: the BuildKit client plugin (`docker buildx build --load`);
 * - `buildkit`: a pre-23 client's built-in BuildKit (`DOCKER_BUILDKIT=1 docker build`);
 * - `legacy`: the classic builder, which has no cache mounts.
 */
export type BuildEngine = 'buildx' | 'buildkit' | 'legacy' | 'podman';
export type EngineRequest = BuildEngine | 'auto';

export interface EngineProbe {
  buildx: boolean;
  clientVersion: string;
  /** The CLI is podman (buildah builds, with cache mounts). */
  podman?: boolean;
}

export interface EngineChoice {
  engine: BuildEngine;
  reason: string;
}

function major(version: string): number {
  const n = parseInt(version.split('.')[0], 10);
  return Number.isNaN(n) ? 0 : n;
}

/** Client 18.09 to 22.x build with BuildKit when asked; 23+ need the buildx plugin for it. */
export function hasBuiltinBuildKit(clientVersion: string): boolean {
  const m = major(clientVersion);
  const minor = parseInt(clientVersion.split('.')[1] ?? '0', 10);
  return (m === 18 && minor >= 9) || (m > 18 && m < 23);
}

export function chooseEngine(probe: EngineProbe, requested: EngineRequest): EngineChoice {
  if (probe.podman) {
    if (requested !== 'auto' && requested !== 'podman') {
      throw new Error(`engine "${requested}" needs the docker CLI; this build uses podman ${probe.clientVersion}: use "engine": "podman" or "auto".`);
    }
    return { engine: 'podman', reason: requested === 'podman' ? 'requested' : `only podman ${probe.clientVersion} is installed` };
  }
  const available: Record<BuildEngine, boolean> = {
    buildx: probe.buildx,
    buildkit: hasBuiltinBuildKit(probe.clientVersion),
    legacy: true,
    podman: false,
  };
  if (requested !== 'auto') {
    if (!available[requested]) {
      const hint =
        requested === 'buildx'
          ? 'install the buildx plugin (https://github.com/docker/buildx#installing)'
          : requested === 'podman'
            ? 'install podman, or leave "engine" to "auto"'
            : `Docker client ${probe.clientVersion} has no built-in BuildKit; install buildx and use "engine": "buildx"`;
      throw new Error(`engine "${requested}" is not available here: ${hint}, or use "engine": "auto".`);
    }
    return { engine: requested, reason: 'requested' };
  }
  if (available.buildx) return { engine: 'buildx', reason: 'buildx plugin found' };
  if (available.buildkit) return { engine: 'buildkit', reason: `client ${probe.clientVersion} has built-in BuildKit` };
  return {
    engine: 'legacy',
    reason: `client ${probe.clientVersion} has no buildx plugin; install buildx for cache mounts`,
  };
}

/** What the CLI can build with; the client version may still be on its way (probed at the same time). */
export async function probeEngine(clientVersion: string | Promise<string>): Promise<EngineProbe> {
  if (currentCli() === 'podman') return { buildx: false, clientVersion: await clientVersion, podman: true };
  const buildx = runDocker(['buildx', 'version']).then(
    (r) => r.code === 0,
    () => false,
  );
  // Both at once, but never return before the buildx probe has settled: when the engine does
  // not answer and the version check fails, that probe's CLI (bounded the same way) must be
  // stopped before the executor ends, or it would outlive the run, hanging on the engine.
  const [hasBuildx, version] = await Promise.allSettled([buildx, clientVersion]);
  if (version.status === 'rejected') throw version.reason;
  return { buildx: hasBuildx.status === 'fulfilled' && hasBuildx.value, clientVersion: version.value };
}

/** The docker arguments and environment that start a build with the chosen engine. */
export function buildInvocation(engine: BuildEngine, args: string[]): { args: string[]; env: NodeJS.ProcessEnv } {
  switch (engine) {
    case 'buildx':
      return { args: ['buildx', 'build', '--load', ...args], env: {} };
    case 'buildkit':
      return { args: ['build', ...args], env: { DOCKER_BUILDKIT: '1' } };
    case 'legacy':
      return { args: ['build', ...args], env: { DOCKER_BUILDKIT: '0' } };
    case 'podman':
      return { args: ['build', ...args], env: {} };
  }
}

/**
 * The classic builder rejects `RUN --mount`; without BuildKit the same Dockerfile builds
 * with those flags removed, and the dependency layer does the caching alone. A bind mount
 * of the build context becomes a copy of it to the same place. It also runs every stage up
 * to its target, so it gets only the stages the target needs.
 */
export function dockerfileForEngine(dockerfile: string, engine: BuildEngine, target?: string, contextEntries?: string[]): string {
  if (engine !== 'legacy') return dockerfile;
  return copyBindMounts(pruneStages(dockerfile, target))
    .split('\n')
    .map((line) => line.replace(/--mount=\S+\s*/g, ''))
    .filter((line, i, lines) => !(line.trim() === '\\' && /\\\s*$/.test(lines[i - 1] ?? '')))
    .filter((line) => !contextEntries || !copiesNothing(line, contextEntries))
    .join('\n');
}

/**
 * A `COPY` from the context whose sources are all wildcards matching none of its top-level
 * `entries`. BuildKit copies nothing for it (`COPY vendo[r] vendor/`: vendored crates when
 * there are some); the classic builder fails, so it does not get that line.
 */
function copiesNothing(line: string, entries: string[]): boolean {
  const words = /^\s*COPY\s+(.*)$/i.exec(line)?.[1].trim().split(/\s+/);
  if (!words || words.some((w) => w.startsWith('--')) || words.length < 2) return false;
  const sources = words.slice(0, -1);
  if (!sources.every((s) => /[*?[]/.test(s) && !s.includes('/'))) return false;
  // Docker's globs: `*`, `?` and `[...]` classes, as Cargo's are.
  const patterns = sources.map((s) => globToRegExp(s));
  return !entries.some((entry) => patterns.some((p) => p.test(entry)));
}

/** A `COPY` before each RUN that bind-mounts files from the context or a stage, to where it mounts them. */
function copyBindMounts(dockerfile: string): string {
  const lines = dockerfile.split('\n');
  const out: string[] = [];
  let runStart = -1;
  lines.forEach((line, i) => {
    const continued = i > 0 && /\\\s*$/.test(lines[i - 1]);
    if (!continued) runStart = /^\s*RUN\s/i.test(line) ? out.length : -1;
    if (runStart >= 0) {
      for (const flag of line.matchAll(/--mount=(\S+)/g)) {
        const options = mountOptions(flag[1]);
        if ((options.get('type') ?? 'bind') !== 'bind' || !options.has('target')) continue;
        const from = options.get('from') ? `--from=${options.get('from')} ` : '';
        out.splice(runStart, 0, `COPY ${from}${options.get('source') ?? options.get('src') ?? '.'} ${options.get('target')}`);
        runStart++;
      }
    }
    out.push(line);
  });
  return out.join('\n');
}
