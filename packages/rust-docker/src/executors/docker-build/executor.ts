import { logger, type ExecutorContext } from '@nx/devkit';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join, posix, relative } from 'node:path';
import { loadCargoWorkspace } from '../../cargo/load';
import type { Crate, CargoWorkspaceModel } from '../../cargo/workspace';
import { dependencyClosure } from '../../cargo/workspace';
import { sanitizeCargoConfig, sanitizedConfigMessage } from '../../cargo/cargo-config';
import {
  collectCrateFiles,
  currentVendorSnippet,
  exactLockfile,
  planBuildContext,
  sanitizeCargoConfigs,
  syncContext,
  vendorCrates,
  vendoredCargoConfig,
  type ContextFilter,
} from '../../docker/build-context';
import { imageSize, pushTags } from '../../docker/container';
import { checkPrunedContext, contextSources, filesForSources } from '../../docker/context-sources';
import { checkDocker, chooseCli, currentCli, docker, formatBytes, lastLines, runDocker, useCli, useEngineBounds } from '../../docker/docker-cli';
import { parseDockerignore } from '../../docker/dockerignore';
import { dockerfileRuntime, parseStages, prebuiltStage } from '../../docker/dockerfile';
import { elfInterpreter } from '../../docker/elf';
import { buildInvocation, chooseEngine, dockerfileForEngine, probeEngine, type BuildEngine } from '../../docker/engine';
import { listGitFiles } from '../../docker/git-files';
import { imageArchivePath, imageRecordPath, writeImageRecord } from '../../docker/image-record';
import { recordedSources } from '../../release/image-freshness';
import { keptOutMessage } from '../../secrets/credential-files';
import { redactUrls } from '../../secrets/urls';
import { checkImageReference } from '../../docker/image-reference';
import { provenanceLabels } from '../../docker/provenance';
import { ensureOwnDir, writeFileAtomic } from '../../safety/paths';
import { checkBuildOptions, checkPinnedBaseImages, projectWorkDir } from './build-safety';
import type { DockerBuildExecutorOptions } from './schema';
import { receivingOptions } from '../command-line';
import schema from './schema.json';

export interface NormalizedBuildOptions {
  project: string;
  projectRoot: string;
  dockerfile: string;
  image: string;
  tags: string[];
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  context: 'pruned' | 'workspace';
  /** `context` was set (in options or targetDefaults), not defaulted. */
  contextGiven: boolean;
  vendor: boolean;
  engine: NonNullable<DockerBuildExecutorOptions['engine']>;
  target?: string;
  platform?: string;
  network?: string;
  noCache: boolean;
  push: boolean;
  maxImageSize?: number;
  strategy: 'compile' | 'prebuilt';
  bin?: string;
  /** Largest image size (bytes) saved as an archive; 0 for never. */
  archiveMax: number;
  builder?: string;
  outputFile: string;
}

export const DEFAULT_ARCHIVE_MAX = '50MB';

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** Bytes from `3000000`, "3MB", "2.5 MiB" or "500kB"; `option` names it in errors. */
export function parseSize(value: number | string, option = 'maxImageSize'): number {
  const match = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b|b)?\s*$/i.exec(value) : undefined;
  const bytes = typeof value === 'number' ? value : match ? Math.round(Number(match[1]) * SIZE_UNITS[(match[2] ?? 'b').toLowerCase()]) : NaN;
  if (!Number.isFinite(bytes) || bytes <= 0) {
    throw new Error(
      typeof value === 'number'
        ? `${option} ${value} is not a size: use a positive number of bytes or e.g. "3MB".`
        : `${option} "${value}" is not a size: use bytes or a number with kB, MB, GB, KiB, MiB or GiB (e.g. "3MB").`,
    );
  }
  return bytes;
}

export function normalizeOptions(options: DockerBuildExecutorOptions, context: ExecutorContext): NormalizedBuildOptions {
  const project = context.projectName!;
  const projectRoot = context.projectsConfigurations.projects[project].root;
  const strategy = options.strategy ?? 'compile';
  return checkBuildOptions(context.root, {
    project,
    projectRoot,
    dockerfile: join(context.root, options.dockerfile ?? posix.join(projectRoot, 'Dockerfile')),
    // One targetDefaults entry for every service: "registry.example.com/team/{projectName}".
    image: (options.image ?? project).replace(/\{projectName\}/g, project),
    tags: options.tags ?? [],
    buildArgs: options.buildArgs ?? {},
    labels: options.labels ?? {},
    context: options.context ?? 'pruned',
    contextGiven: options.context !== undefined,
    vendor: options.vendor ?? true,
    engine: options.engine ?? 'auto',
    target: options.stage ?? options.target ?? (strategy === 'prebuilt' ? 'prebuilt' : undefined),
    platform: options.platform,
    network: options.network,
    noCache: options.noCache ?? false,
    push: options.push ?? false,
    maxImageSize: options.maxImageSize !== undefined ? parseSize(options.maxImageSize) : undefined,
    strategy,
    bin: options.bin,
    archiveMax:
      options.archive === false ? 0 : options.archive === true ? Number.POSITIVE_INFINITY : parseSize(options.archive ?? DEFAULT_ARCHIVE_MAX, 'archive'),
    builder: options.builder,
    outputFile: options.outputFile ? join(context.root, options.outputFile) : imageRecordPath(context.root, projectRoot),
  }, imageRecordPath(context.root, projectRoot), options);
}

export interface BuildArgsInput {
  dockerfile: string;
  contextDir: string;
  tags: string[];
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  engine: BuildEngine;
  target?: string;
  platform?: string;
  network?: string;
  noCache?: boolean;
  builder?: string;
}

/** The `docker build` arguments (after the engine's own prefix). */
export function buildDockerArgs(input: BuildArgsInput): string[] {
  const args = ['-f', input.dockerfile];
  if (input.builder) args.push('--builder', input.builder);
  if (input.engine === 'buildx' || input.engine === 'buildkit') args.push('--progress=plain');
  if (input.target) args.push('--target', input.target);
  if (input.platform) args.push('--platform', input.platform);
  if (input.network) args.push('--network', input.network);
  if (input.noCache) args.push('--no-cache');
  for (const tag of input.tags) args.push('-t', tag);
  for (const [key, value] of Object.entries(input.buildArgs)) args.push('--build-arg', `${key}=${value}`);
  for (const [key, value] of Object.entries(input.labels)) args.push('--label', `${key}=${value}`);
  args.push(input.contextDir);
  return args;
}

function git(root: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** A hash of what goes into the image: context files (contents), generated files and settings. */
function contentHash(files: Array<[string, string]>, extra: string[]): string {
  const hash = createHash('sha256');
  for (const [rel, abs] of files.sort(([a], [b]) => a.localeCompare(b))) {
    hash.update(rel).update('\0').update(readFileSync(abs)).update('\0');
  }
  for (const e of extra) hash.update(e).update('\0');
  return hash.digest('hex').slice(0, 12);
}

interface PreparedContext {
  dir: string;
  /** The binary in the context (prebuilt strategy). */
  bin?: string;
  /** Where generated build inputs (the engine's Dockerfile) go, outside the context. */
  workDir: string;
  hash: string;
  sourcePaths: string[];
  summary: string;
}

interface LoadedCrate {
  crate: Crate;
  model: CargoWorkspaceModel;
  workspaceAbs: string;
  readRoot: (file: string) => string | undefined;
  /** target/rust-docker/<project>: this executor's own folder, inside the workspace. */
  workDir: string;
}

function loadCrate(o: NormalizedBuildOptions, root: string): LoadedCrate {
  const { model, errors } = loadCargoWorkspace(root);
  for (const error of errors) logger.warn(error.message);
  const crate = model.crates.get(o.projectRoot);
  if (!crate) throw new Error(`${posix.join(o.projectRoot, 'Cargo.toml')} not found or has no [package]: docker-build needs a crate.`);
  const workspaceAbs = join(root, crate.workspaceDir ?? crate.dir);
  const readRoot = (file: string) => {
    const path = join(workspaceAbs, file);
    return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  };
  return { crate, model, workspaceAbs, readRoot, workDir: projectWorkDir(root, workspaceAbs, o.project) };
}

/**
 * What may enter a context: what git lists for `pathspecs` (one call), when the Cargo
 * workspace is in a git work tree; credential files never.
 */
function contextFilter(o: NormalizedBuildOptions, workspaceAbs: string, pathspecs: string[]): ContextFilter & { keptOut: NonNullable<ContextFilter['keptOut']> } {
  const listing = listGitFiles(workspaceAbs, pathspecs);
  if (listing.kind === 'failed') {
    logger.warn(
      `${o.project}: git could not list the workspace's files (${listing.reason}), so the build context cannot leave out what git ignores: only .dockerignore and the built-in exclusions apply. Fix git's access to the repository (e.g. \`git config --global --add safe.directory <path>\`).`,
    );
  }
  return { git: listing.kind === 'git' ? listing.files : undefined, keptOut: [] };
}

/** Warns about every credential file kept out and every Cargo config that lost secrets. */
function reportFiltered(o: NormalizedBuildOptions, workspaceDir: string, filter: ReturnType<typeof contextFilter>, configs: Array<{ file: string; removed: string[] }>): void {
  const shown = (rel: string) => posix.join(workspaceDir, rel);
  const keptOut = keptOutMessage(o.project, filter.keptOut.map((k) => ({ ...k, path: shown(k.path) })));
  if (keptOut) logger.warn(keptOut);
  for (const { file, removed } of configs) {
    const message = sanitizedConfigMessage(o.project, shown(file), removed);
    if (message) logger.warn(message);
  }
}

function prepareCompileContext(o: NormalizedBuildOptions, loaded: LoadedCrate, settings: string[]): PreparedContext {
  const { model, workspaceAbs, readRoot } = loaded;
  const plan = planBuildContext(model, o.projectRoot, readRoot);
  const dockerignore = readRoot('.dockerignore');
  const rules = dockerignore ? parseDockerignore(dockerignore) : [];
  const sourcePaths = plan.crateDirs.map((d) => posix.join(plan.workspaceDir, d));
  const workDir = loaded.workDir;
  const dir = join(workDir, 'context');
  const hashOf = (files: Map<string, { source: string }>, generated: Map<string, string>) =>
    contentHash(
      [...files].map(([rel, f]) => [rel, f.source]),
      [...settings, ...[...generated].map(([k, v]) => `${k}\0${v}`)],
    );

  if (o.context === 'workspace') {
    // The whole Cargo workspace, copied as the pruned one is: git-ignored and credential
    // files stay out, and Cargo configs enter without secrets.
    const filter = contextFilter(o, workspaceAbs, ['.']);
    const files = collectCrateFiles(workspaceAbs, ['.'], rules, new Set(), { ...filter, nestedCrates: true });
    const generated = new Map<string, string>();
    reportFiltered(o, plan.workspaceDir, filter, sanitizeCargoConfigs(files, generated));
    syncContext(dir, files, generated);
    return { dir, workDir, hash: hashOf(files, generated), sourcePaths, summary: 'whole workspace' };
  }

  const filter = contextFilter(o, workspaceAbs, plan.crateDirs.includes('.') ? ['.'] : [...plan.crateDirs, ...plan.copied]);
  for (const crateDir of plan.crateDirs) {
    const manifest = posix.join(crateDir, 'Cargo.toml');
    if (filter.git && !filter.git.files.has(manifest)) {
      const shown = posix.join(plan.workspaceDir, manifest);
      throw new Error(
        `${shown} is ignored by git, so a fresh clone has no such crate and neither does the build context, which takes only what git lists: un-ignore it (\`git check-ignore -v ${shown}\` names the rule).`,
      );
    }
  }
  const files = collectCrateFiles(workspaceAbs, plan.crateDirs, rules, new Set(plan.generated.keys()), filter);
  for (const file of plan.copied) if (!filter.git || filter.git.files.has(file)) files.set(file, { source: join(workspaceAbs, file) });
  const generated = new Map(plan.generated);
  reportFiltered(o, plan.workspaceDir, filter, sanitizeCargoConfigs(files, generated));
  // Cargo's exact lockfile for the context's manifests (see exactLockfile).
  const manifests = [...files].filter(([rel]) => rel.endsWith('Cargo.toml')).map(([rel, f]) => `${rel}\0${readFileSync(f.source, 'utf8')}`);
  generated.set(
    'Cargo.lock',
    exactLockfile(dir, generated.get('Cargo.lock')!, [generated.get('Cargo.toml') ?? '', ...manifests], join(workDir, 'lockfile.json'), () =>
      syncContext(dir, files, generated, ['vendor']),
    ),
  );
  let vendorNote = '';
  if (o.vendor) {
    const lockfile = generated.get('Cargo.lock')!;
    const stamp = join(workDir, 'vendor.json');
    let snippet = currentVendorSnippet(dir, lockfile, stamp);
    vendorNote = ', vendored crates reused';
    if (snippet === undefined) {
      // cargo vendor must see the user's own Cargo config (here without its secrets; cargo
      // still reads the original, which sits in a parent folder), never a previous vendored one.
      syncContext(dir, files, generated, ['vendor']);
      snippet = vendorCrates(dir, lockfile, stamp);
      vendorNote = ', crates vendored';
    }
    // Cargo reads `.cargo/config` over `.cargo/config.toml` when both exist.
    const userConfig = generated.get('.cargo/config') ?? generated.get('.cargo/config.toml');
    generated.delete('.cargo/config');
    generated.set('.cargo/config.toml', sanitizeCargoConfig(vendoredCargoConfig(userConfig, snippet)).text);
  }
  syncContext(dir, files, generated, o.vendor ? ['vendor'] : []);
  return {
    dir,
    workDir,
    hash: hashOf(files, generated),
    sourcePaths,
    summary: `${plan.crateNames.length} crate${plan.crateNames.length === 1 ? '' : 's'} (${plan.crateNames.join(', ')})${vendorNote}`,
  };
}

/** The prebuilt strategy's context: the binary the `build` target left in dist/, alone. */
function preparePrebuiltContext(
  o: NormalizedBuildOptions,
  loaded: LoadedCrate,
  context: ExecutorContext,
  dockerfileText: string,
  settings: string[],
): PreparedContext {
  const root = context.root;
  const bin = o.bin ?? loaded.crate.manifest.explicitBins[0]?.name ?? loaded.crate.name;
  const built = join(root, 'dist', o.projectRoot === '.' ? '' : o.projectRoot, 'bin', bin);
  if (!existsSync(built)) {
    throw new Error(
      `${relative(root, built)} not found: the prebuilt strategy ships the binary of \`nx run ${o.project}:build\`. Run it first, or add "dependsOn": ["build"] to docker-build.`,
    );
  }
  const runtime = dockerfileRuntime(dockerfileText);
  const interpreter = runtime === 'scratch' || runtime === 'distroless' ? elfInterpreter(built) : undefined;
  if (interpreter) {
    throw new Error(
      `${relative(root, built)} is dynamically linked (it needs ${interpreter}), so it cannot start in a ${runtime} image: build it with the cargo option "static": true (services have it) and run \`nx run ${o.project}:build\` again.`,
    );
  }
  const taskId = Object.keys(context.taskGraph?.tasks ?? {}).find((id) => {
    const t = context.taskGraph!.tasks[id].target;
    return t.project === o.project && t.target === context.targetName;
  });
  // Nx 24 lists edges ({ id }), Nx 22 and 23 task ids.
  const edgeId = (dep: string | { id: string }) => (typeof dep === 'string' ? dep : dep.id);
  const dependsOnBuild = taskId && (context.taskGraph!.dependencies[taskId] ?? []).some((dep) => context.taskGraph!.tasks[edgeId(dep)]?.target.project === o.project);
  if (!dependsOnBuild) {
    logger.warn(
      `${o.project}: the prebuilt strategy without "dependsOn": ["build"] ships whatever binary is in dist/, and the Nx cache cannot see it change; add the dependency to docker-build.`,
    );
  }
  const workDir = loaded.workDir;
  const dir = join(workDir, 'prebuilt');
  // The binary, and what else the runtime stage copies (the service's runtime files), with
  // their modification times, as every context is synced.
  const dockerignore = loaded.readRoot('.dockerignore');
  const sources = contextSources(dockerfileText + prebuiltStage(bin, bin), o.target).filter((s) => s.source !== bin);
  const files = filesForSources(loaded.workspaceAbs, sources, dockerignore ? parseDockerignore(dockerignore) : []);
  files.set(bin, { source: built });
  syncContext(dir, files, new Map());
  return {
    dir,
    workDir,
    bin,
    hash: contentHash([...files].map(([rel, f]) => [rel, f.source]), settings),
    sourcePaths: [o.projectRoot],
    summary: `prebuilt ${relative(root, built)}`,
  };
}

/**
 * A hand-written Dockerfile builds from the pruned context when everything it copies is in
 * there; when it copies files outside the crate closure, from the whole Cargo workspace
 * folder (said in a warning), unless "context": "pruned" was asked for. One it cannot
 * build from either (paths relative to another folder) is an error naming the paths.
 */
function contextForHandWritten(o: NormalizedBuildOptions, loaded: LoadedCrate, dockerfileText: string, root: string): 'pruned' | 'workspace' {
  const dockerignore = loaded.readRoot('.dockerignore');
  const rules = dockerignore ? parseDockerignore(dockerignore) : [];
  const check = checkPrunedContext(dockerfileText, o.target, loaded.model, o.projectRoot, loaded.workspaceAbs, loaded.readRoot, rules);
  const dockerfile = relative(root, o.dockerfile);
  const list = (sources: typeof check.outside) => [...new Set(sources.map((s) => s.source))].join(', ');
  const workspaceDir = relative(root, loaded.workspaceAbs) || '.';
  if (check.missing.length) {
    throw new Error(
      `${dockerfile} copies ${list(check.missing)}, which the Cargo workspace folder (${workspaceDir}) does not have: its build context is that folder, so write COPY paths relative to it (e.g. ${posix.join(posix.relative(workspaceDir === '.' ? '' : workspaceDir, o.projectRoot) || '.', 'src')}).`,
    );
  }
  if (!check.outside.length) return 'pruned';
  const what = `${dockerfile} copies ${list(check.outside)}, outside ${o.project}'s pruned context (the folders of ${check.crateNames.join(', ')})`;
  if (o.contextGiven) throw new Error(`${what}: set "context": "workspace" for it, or copy only those folders.`);
  logger.warn(`${o.project}: ${what}; building from the whole Cargo workspace folder instead, crates not vendored (set "context": "workspace" to say so, or copy only those folders).`);
  return 'workspace';
}

function labelsFor(o: NormalizedBuildOptions, loaded: LoadedCrate, root: string, revision: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {
    'org.opencontainers.image.title': o.project,
    'org.opencontainers.image.created': new Date().toISOString(),
  };
  const ws = loaded.crate.workspaceDir !== undefined ? loaded.model.workspaces.get(loaded.crate.workspaceDir) : undefined;
  const version = loaded.crate.manifest.version ?? (loaded.crate.manifest.inheritsVersion ? ws?.workspace?.packageVersion : undefined);
  if (version) labels['org.opencontainers.image.version'] = version;
  if (revision) labels['org.opencontainers.image.revision'] = revision;
  const source = git(root, ['config', '--get', 'remote.origin.url']);
  if (source) labels['org.opencontainers.image.source'] = source;
  // A remote like https://user:token@host/org/repo.git: the token must not reach the image.
  return Object.fromEntries(Object.entries({ ...labels, ...o.labels }).map(([key, value]) => [key, redactUrls(value)]));
}


async function dockerBuildExecutor(
  options: DockerBuildExecutorOptions,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  const started = Date.now();
  let o: NormalizedBuildOptions | undefined;
  try {
    useEngineBounds(options);
    o = normalizeOptions(options, context);
    if (!existsSync(o.dockerfile)) {
      throw new Error(`${relative(context.root, o.dockerfile)} not found: add one with \`nx g @org/rust-docker:service\` or set the "dockerfile" option.`);
    }
    if (options.requirePinnedBaseImages) checkPinnedBaseImages(readFileSync(o.dockerfile, 'utf8'), o.buildArgs, relative(context.root, o.dockerfile));
    useCli(o.engine === 'podman' ? 'podman' : o.engine === 'auto' ? chooseCli('auto') : 'docker');
    // Whether the daemon answers, and whether buildx is there: both at once.
    const choice = chooseEngine(await probeEngine(checkDocker().then((v) => v.client)), o.engine);
    if (o.platform && choice.engine === 'legacy') {
      throw new Error(`--platform needs BuildKit, and this build would use the legacy builder (${choice.reason}).`);
    }
    const cacheMounts = choice.engine !== 'legacy';
    logger.info(`${o.project}: building with ${choice.engine} (${choice.reason}); cargo cache mounts ${cacheMounts ? 'on' : 'off, dependency layer only'}`);

    const dockerfileText = readFileSync(o.dockerfile, 'utf8');
    const loaded = loadCrate(o, context.root);
    if (o.strategy === 'compile' && o.context === 'pruned' && !dockerfileRuntime(dockerfileText)) {
      o.context = contextForHandWritten(o, loaded, dockerfileText, context.root);
    }
    const settings = [dockerfileText, JSON.stringify([o.buildArgs, o.labels, o.target, o.platform, o.strategy])];
    const prepared =
      o.strategy === 'prebuilt' ? preparePrebuiltContext(o, loaded, context, dockerfileText, settings) : prepareCompileContext(o, loaded, settings);
    logger.info(`${o.project}: build context ${relative(context.root, prepared.dir) || '.'}: ${prepared.summary}`);

    const revision = git(context.root, ['rev-parse', 'HEAD']);
    const clean = revision !== undefined && git(context.root, ['status', '--porcelain', '--', ...prepared.sourcePaths, relative(context.root, o.dockerfile)]) === '';
    // What a release checks against `revision` before it publishes this image (see release/image-freshness).
    // A prebuilt binary comes from the crate and every crate it is built from.
    const crateDirs = o.strategy === 'prebuilt' ? dependencyClosure(loaded.model, o.projectRoot) : prepared.sourcePaths;
    const sources = recordedSources(crateDirs, relative(context.root, o.dockerfile), relative(context.root, loaded.workspaceAbs));
    const sourcesClean = clean && git(context.root, ['status', '--porcelain', '--', ...sources]) === '';
    const contentTag = `${o.image}:${prepared.hash}`;
    const tags = [`${o.image}:latest`, contentTag];
    if (clean) tags.push(`${o.image}:git-${revision!.slice(0, 12)}`);
    tags.push(...o.tags.map((t) => (t.includes(':') ? t : `${o!.image}:${t}`)));
    for (const tag of tags) checkImageReference(tag, 'tag');
    // With a size budget, the other tags only once the image passed it, so `latest` never
    // moves to a rejected one; without, the build itself gives all of them.
    const tagsAtBuild = o.maxImageSize === undefined ? tags : [contentTag];

    // Same pruned context, same Dockerfile and settings: the image already exists. This is
    // what keeps an unrelated Cargo.lock bump (which Nx must treat as a change) from
    // rebuilding images whose own pruned lockfile did not change.
    const existing = o.noCache ? undefined : await runDocker(['image', 'inspect', '--format', '{{.Id}}', contentTag]);
    const reused = existing?.code === 0;
    if (reused) {
      logger.info(`${o.project}: ${contentTag} was already built from this exact context; tagged it, no build`);
    } else {
      const renderedDockerfile = join(prepared.workDir, `Dockerfile.${choice.engine}`);
      ensureOwnDir(prepared.workDir);
      let text = dockerfileText;
      if (prepared.bin) {
        if (!parseStages(text).stages.some((stage) => stage.name === 'runtime-base')) {
          throw new Error(`the prebuilt strategy needs a stage named runtime-base in ${relative(context.root, o.dockerfile)} (the runtime image without the binary), as generated Dockerfiles have.`);
        }
        text += prebuiltStage(prepared.bin, prepared.bin);
      }
      const contextEntries = choice.engine === 'legacy' ? readdirSync(prepared.dir) : undefined;
      writeFileAtomic(renderedDockerfile, dockerfileForEngine(text, choice.engine, o.target, contextEntries));
      const buildArgs = { CARGO_CACHE_ID: createHash('sha256').update(context.root).digest('hex').slice(0, 12), ...o.buildArgs };
      const invocation = buildInvocation(
        choice.engine,
        buildDockerArgs({
          dockerfile: renderedDockerfile,
          contextDir: prepared.dir,
          tags: tagsAtBuild,
          buildArgs,
          // Provenance last: health-check and docker-run trust an image by these, not a user's.
          labels: { ...labelsFor(o, loaded, context.root, revision), ...provenanceLabels(o.project, context.root) },
          engine: choice.engine,
          target: o.target,
          platform: o.platform,
          network: o.network,
          noCache: o.noCache,
          builder: o.builder,
        }),
      );
      const result = await runDocker(invocation.args, { env: invocation.env, stream: true, kind: 'build' });
      if (result.code !== 0) {
        throw new Error(`docker build failed (exit ${result.code}):\n${lastLines(result.stderr || result.stdout, 15)}`);
      }
    }
    if (o.builder && choice.engine !== 'buildx') {
      logger.warn(`${o.project}: --builder ${o.builder} needs buildx; built with ${choice.engine} instead.`);
    }
    const { id, size } = await imageSize(contentTag);
    if (o.maxImageSize !== undefined && size > o.maxImageSize) {
      throw new Error(
        `image ${o.image}:latest is ${formatBytes(size)} (${size} bytes), over its budget maxImageSize ${formatBytes(o.maxImageSize)} (${o.maxImageSize} bytes); it stays tagged ${contentTag} only.`,
      );
    }
    // What the build did not tag (a reused image, or one that had to pass its budget first).
    const tagged = reused ? [contentTag] : tagsAtBuild;
    for (const tag of tags.filter((t) => !tagged.includes(t))) await docker(['tag', contentTag, tag]);
    const digest = o.push ? await pushTags(tags) : undefined;
    // The image itself inside the cached output: a remote cache hit brings it along.
    const archivePath = imageArchivePath(o.outputFile);
    // checkBuildOptions made sure an archive already there is this executor's own; removed
    // first, so that a symlink in its place is never written through.
    let archived = false;
    rmSync(archivePath, { force: true });
    if (size <= o.archiveMax) {
      mkdirSync(dirname(archivePath), { recursive: true });
      // Podman writes one image per archive unless asked for several.
      await docker(['save', ...(currentCli() === 'podman' ? ['--multi-image-archive'] : []), '-o', archivePath, contentTag, `${o.image}:latest`], { kind: 'transfer' });
      archived = true;
    }
    const durationMs = Date.now() - started;
    writeImageRecord(o.outputFile, {
      project: o.project,
      image: o.image,
      id,
      tags,
      size,
      engine: choice.engine,
      cacheMounts,
      vendored: o.strategy === 'compile' && o.context === 'pruned' && o.vendor,
      strategy: o.strategy,
      reused,
      ...(digest ? { digest } : {}),
      ...(archived ? { archive: basename(archivePath) } : {}),
      ...(sourcesClean ? { revision } : {}),
      sources,
      builtAt: new Date().toISOString(),
      durationMs,
    });
    logger.info(
      `${o.project}: ${reused ? 'reused' : 'built'} ${tags.join(', ')} (${id.slice(7, 19)}, ${formatBytes(size)}) in ${(durationMs / 1000).toFixed(1)} s${digest ? `; pushed ${digest.slice(0, 19)}` : ''}; record in ${relative(context.root, o.outputFile)}`,
    );
    return { success: true };
  } catch (error) {
    logger.error(`${o?.project ?? context.projectName}: ${redactUrls((error as Error).message)}`);
    return { success: false };
  }
}

export default receivingOptions(schema, dockerBuildExecutor);
