import { logger, type ExecutorContext } from '@nx/devkit';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { loadCargoWorkspace } from '../../cargo/load';
import {
  collectCrateFiles,
  planBuildContext,
  syncContext,
  currentVendorSnippet,
  vendorCrates,
  vendoredCargoConfig,
} from '../../docker/build-context';
import { checkDocker, formatBytes, lastLines, runDocker } from '../../docker/docker-cli';
import { parseDockerignore } from '../../docker/dockerignore';
import { buildInvocation, chooseEngine, dockerfileForEngine, probeEngine, type BuildEngine } from '../../docker/engine';
import { imageSize } from '../../docker/container';
import { imageRecordPath, writeImageRecord } from '../../docker/image-record';
import type { DockerBuildExecutorOptions } from './schema';

export interface NormalizedBuildOptions {
  project: string;
  projectRoot: string;
  dockerfile: string;
  image: string;
  tags: string[];
  buildArgs: Record<string, string>;
  context: 'pruned' | 'workspace';
  vendor: boolean;
  engine: NonNullable<DockerBuildExecutorOptions['engine']>;
  outputFile: string;
}

export function normalizeOptions(options: DockerBuildExecutorOptions, context: ExecutorContext): NormalizedBuildOptions {
  const project = context.projectName!;
  const projectRoot = context.projectsConfigurations.projects[project].root;
  return {
    project,
    projectRoot,
    dockerfile: join(context.root, options.dockerfile ?? posix.join(projectRoot, 'Dockerfile')),
    image: options.image ?? project,
    tags: options.tags ?? [],
    buildArgs: options.buildArgs ?? {},
    context: options.context ?? 'pruned',
    vendor: options.vendor ?? true,
    engine: options.engine ?? 'auto',
    outputFile: options.outputFile ? join(context.root, options.outputFile) : imageRecordPath(context.root, projectRoot),
  };
}

export interface BuildArgsInput {
  dockerfile: string;
  contextDir: string;
  tags: string[];
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  engine: BuildEngine;
}

/** The `docker build` arguments (after the engine's own prefix). */
export function buildDockerArgs(input: BuildArgsInput): string[] {
  const args = ['-f', input.dockerfile];
  if (input.engine !== 'legacy') args.push('--progress=plain');
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

/** A hash of what goes into the image: context files (contents), Dockerfile and build args. */
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
  /** Where generated build inputs (the engine's Dockerfile) go, outside the context. */
  workDir: string;
  hash: string;
  sourcePaths: string[];
  summary: string;
}

function prepareContext(o: NormalizedBuildOptions, root: string, dockerfileText: string): PreparedContext {
  const { model, errors } = loadCargoWorkspace(root);
  for (const error of errors) logger.warn(error.message);
  const crate = model.crates.get(o.projectRoot);
  if (!crate) throw new Error(`${posix.join(o.projectRoot, 'Cargo.toml')} not found or has no [package]: docker-build needs a crate.`);
  const workspaceAbs = join(root, crate.workspaceDir ?? crate.dir);
  const readRoot = (file: string) => {
    const path = join(workspaceAbs, file);
    return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  };
  const plan = planBuildContext(model, o.projectRoot, readRoot);
  const dockerignore = readRoot('.dockerignore');
  const rules = dockerignore ? parseDockerignore(dockerignore) : [];
  const extras = [dockerfileText, JSON.stringify(o.buildArgs)];
  const sourcePaths = plan.crateDirs.map((d) => posix.join(plan.workspaceDir, d));
  const workDir = join(workspaceAbs, 'target', 'rust-docker', o.project);
  const hashOf = (files: Map<string, { source: string }>, generated: Map<string, string>) =>
    contentHash(
      [...files].map(([rel, f]) => [rel, f.source]),
      [...extras, ...[...generated].map(([k, v]) => `${k}\0${v}`)],
    );

  if (o.context === 'workspace') {
    const files = collectCrateFiles(workspaceAbs, ['.'], rules);
    return { dir: workspaceAbs, workDir, hash: hashOf(files, new Map()), sourcePaths, summary: 'whole workspace' };
  }

  const dir = join(workDir, 'context');
  const files = collectCrateFiles(workspaceAbs, plan.crateDirs, rules);
  for (const file of plan.copied) files.set(file, { source: join(workspaceAbs, file) });
  const generated = new Map(plan.generated);
  let vendorNote = '';
  if (o.vendor) {
    const lockfile = generated.get('Cargo.lock')!;
    const stamp = join(workDir, 'vendor.json');
    let snippet = currentVendorSnippet(dir, lockfile, stamp);
    vendorNote = ', vendored crates reused';
    if (snippet === undefined) {
      // cargo vendor must see the user's own Cargo config, never a previous vendored one.
      syncContext(dir, files, generated, ['vendor']);
      snippet = vendorCrates(dir, lockfile, stamp);
      vendorNote = ', crates vendored';
    }
    const configFile = plan.copied.find((f) => f.startsWith('.cargo/'));
    if (configFile) files.delete(configFile);
    generated.set('.cargo/config.toml', vendoredCargoConfig(configFile && readRoot(configFile), snippet));
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

function labelsFor(o: NormalizedBuildOptions, root: string, revision: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {
    'org.opencontainers.image.title': o.project,
    'org.opencontainers.image.created': new Date().toISOString(),
  };
  const manifest = join(root, o.projectRoot, 'Cargo.toml');
  const version = existsSync(manifest) ? /^version\s*=\s*"([^"]+)"/m.exec(readFileSync(manifest, 'utf8'))?.[1] : undefined;
  if (version) labels['org.opencontainers.image.version'] = version;
  if (revision) labels['org.opencontainers.image.revision'] = revision;
  const source = git(root, ['config', '--get', 'remote.origin.url']);
  if (source) labels['org.opencontainers.image.source'] = source;
  return labels;
}

export default async function dockerBuildExecutor(
  options: DockerBuildExecutorOptions,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  const started = Date.now();
  const o = normalizeOptions(options, context);
  try {
    if (!existsSync(o.dockerfile)) {
      throw new Error(`${relative(context.root, o.dockerfile)} not found: add one with \`nx g @org/rust-docker:service\` or set the "dockerfile" option.`);
    }
    const versions = await checkDocker();
    const choice = chooseEngine(await probeEngine(versions.client), o.engine);
    const cacheMounts = choice.engine !== 'legacy';
    logger.info(`${o.project}: building with ${choice.engine} (${choice.reason}); cargo cache mounts ${cacheMounts ? 'on' : 'off, dependency layer only'}`);

    const dockerfileText = readFileSync(o.dockerfile, 'utf8');
    const prepared = prepareContext(o, context.root, dockerfileText);
    logger.info(`${o.project}: build context ${relative(context.root, prepared.dir) || '.'}: ${prepared.summary}`);

    const renderedDockerfile = join(prepared.workDir, `Dockerfile.${choice.engine}`);
    mkdirSync(prepared.workDir, { recursive: true });
    writeFileSync(renderedDockerfile, dockerfileForEngine(dockerfileText, choice.engine));

    const revision = git(context.root, ['rev-parse', 'HEAD']);
    const clean = revision !== undefined && git(context.root, ['status', '--porcelain', '--', ...prepared.sourcePaths, relative(context.root, o.dockerfile)]) === '';
    const tags = [`${o.image}:latest`, `${o.image}:${prepared.hash}`];
    if (clean) tags.push(`${o.image}:git-${revision!.slice(0, 12)}`);
    tags.push(...o.tags.map((t) => (t.includes(':') ? t : `${o.image}:${t}`)));
    const buildArgs = { CARGO_CACHE_ID: createHash('sha256').update(context.root).digest('hex').slice(0, 12), ...o.buildArgs };

    const invocation = buildInvocation(
      choice.engine,
      buildDockerArgs({
        dockerfile: renderedDockerfile,
        contextDir: prepared.dir,
        tags,
        buildArgs,
        labels: labelsFor(o, context.root, revision),
        engine: choice.engine,
      }),
    );
    const result = await runDocker(invocation.args, { env: invocation.env, stream: true });
    if (result.code !== 0) {
      logger.error(`${o.project}: docker build failed (exit ${result.code}):\n${lastLines(result.stderr || result.stdout, 15)}`);
      return { success: false };
    }
    const { id, size } = await imageSize(`${o.image}:latest`);
    const durationMs = Date.now() - started;
    writeImageRecord(o.outputFile, {
      project: o.project,
      image: o.image,
      id,
      tags,
      size,
      engine: choice.engine,
      cacheMounts,
      vendored: o.context === 'pruned' && o.vendor,
      builtAt: new Date().toISOString(),
      durationMs,
    });
    logger.info(
      `${o.project}: built ${tags.join(', ')} (${id.slice(7, 19)}, ${formatBytes(size)}) in ${(durationMs / 1000).toFixed(1)} s; record in ${relative(context.root, o.outputFile)}`,
    );
    return { success: true };
  } catch (error) {
    logger.error(`${o.project}: ${(error as Error).message}`);
    return { success: false };
  }
}
