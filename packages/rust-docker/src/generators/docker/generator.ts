import { formatFiles, logger, visitNotIgnoredFiles, type Tree } from '@nx/devkit';
import { posix } from 'node:path';
import { binaryNames, parseCargoManifest } from '../../cargo/manifest';
import { detectPort, detectRuntimeFiles, hasHealthcheckCommand, type PortEvidence, type SourceFile } from '../../cargo/service-sources';
import { findCrates, nameList } from '../../cargo/tree-crates';
import { buildWorkspaceModel, enclosingWorkspace } from '../../cargo/workspace';
import { portTakenMessage, suggestHostPort } from '../../compose/compose-file';
import {
  DEFAULT_WORKDIR,
  dockerfileRuntime,
  exposedPort,
  normalizeRuntime,
  renderDockerfile,
  runtimeLayout,
  type RuntimeVariant,
} from '../../docker/dockerfile';
import { describeExpectation, healthExpectation } from '../../docker/health';
import { initGenerator } from '../init/generator';
import { COMPOSE_FILE } from '../../compose/compose-file';
import { checkComposeFile, checkInitInputs, transactional } from '../../safety/tree';
import { addToCompose, composePortOwners, DEFAULT_PORT } from '../service/generator';
import { readTreeManifests } from '../sync/generator';
import { noPrompter, terminalPrompter, type Prompter } from './prompt';
import { keepNxDockerOff } from '../init/nx-json';
import type { DockerGeneratorSchema } from './schema';

export interface NormalizedDockerOptions {
  project: string;
  crateName: string;
  projectRoot: string;
  bin: string;
  /** Port the binary listens on inside the container. */
  port: number;
  /** Port compose.yaml publishes it on (127.0.0.1); unique in the file. */
  hostPort: number;
  runtime: RuntimeVariant;
  healthcheck: boolean;
  /** Files and folders it reads at run time, relative to the crate folder. */
  runtimeFiles: string[];
  workdir?: string;
  /** The crate folder relative to the build context (its Cargo workspace folder). */
  crateDir: string;
  skipFormat: boolean;
  /** What was decided and why, printed for the user. */
  notes: string[];
}

/** The crate's Rust sources under src/, through the Tree. */
export function treeSources(tree: Tree, projectRoot: string): SourceFile[] {
  const files: SourceFile[] = [];
  visitNotIgnoredFiles(tree, posix.join(projectRoot, 'src'), (file) => {
    if (file.endsWith('.rs')) files.push({ file, text: tree.read(file, 'utf8') ?? '' });
  });
  return files;
}

/**
 * The crate folder relative to its Cargo workspace folder, which is the build context. A
 * crate no workspace lists yet will be in the nearest one (or the root one init makes):
 * the sync generator adds it to the members before any build.
 */
function contextDir(tree: Tree, projectRoot: string): string {
  const model = buildWorkspaceModel(readTreeManifests(tree));
  const root =
    model.crates.get(projectRoot)?.workspaceDir ??
    (model.workspaces.has(projectRoot) ? projectRoot : enclosingWorkspace(model.workspaces, projectRoot) ?? (model.workspaces.size ? projectRoot : '.'));
  return posix.relative(root === '.' ? '' : root, projectRoot === '.' ? '' : projectRoot) || '.';
}

function describePort(evidence: PortEvidence): string {
  const how = evidence.kind === 'env' ? `reads ${evidence.env} with this default` : evidence.kind === 'setting' ? 'its setting' : 'the address it binds';
  return `${how}: ${evidence.text} (${evidence.where})`;
}

/** The port the binary listens on, as its sources say; asks, or stops, when they do not. */
async function detectedPort(sources: SourceFile[], crate: string, projectRoot: string, taken: Set<number>, prompter: Prompter, notes: string[]): Promise<number> {
  const detection = detectPort(sources);
  if (detection.loopbackOnly) {
    const bind = detection.evidence.find((e) => e.loopback)!;
    logger.warn(
      `${crate} binds ${bind.text} (${bind.where}): only the container itself can reach a loopback address. Bind 0.0.0.0 instead, or docker run, health-check and compose cannot reach it.`,
    );
  }
  if (detection.port !== undefined) {
    notes.push(`port ${detection.port}: ${describePort(detection.source!)}`);
    return detection.port;
  }
  if (detection.conflicting.length) {
    const list = detection.conflicting.map((e) => `${e.port} (${e.where})`).join(', ');
    if (prompter.interactive) {
      return prompter.port(`${crate} names several ports: ${list}. Which one does it serve HTTP on?`, detection.conflicting.map((e) => e.port!));
    }
    throw new Error(`cannot tell which port "${crate}" listens on: its sources name ${list}; pass --port <the HTTP port>.`);
  }
  if (detection.env === 'PORT') {
    let port = DEFAULT_PORT;
    while (taken.has(port)) port++;
    const read = detection.evidence.find((e) => e.env === 'PORT')!;
    notes.push(`port ${port}: ${crate} reads PORT with no default (${read.where}), so the image sets PORT=${port}`);
    return port;
  }
  if (prompter.interactive) return prompter.port(`Which port does ${crate} listen on?`, []);
  throw new Error(
    `cannot tell which port "${crate}" listens on: no PORT read from the environment and no bind address ("0.0.0.0:8080", ([0, 0, 0, 0], 8080), ("0.0.0.0", 8080)) in ${posix.join(projectRoot, 'src')}; pass --port <port>.`,
  );
}

function checkPort(value: number | string, option: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${option} ${value} is not a port: use a whole number from 1 to 65535 (e.g. ${option} 8080).`);
  return port;
}

/** The host port compose.yaml publishes the service on: asked for, kept, or the first free one. */
function publishedPort(tree: Tree, schema: DockerGeneratorSchema, port: number, previousPort: number | undefined, notes: string[]): number {
  const owners = composePortOwners(tree);
  const others = new Set([...owners].filter(([, owner]) => owner !== schema.project).map(([p]) => p));
  if (schema.hostPort !== undefined) {
    const hostPort = checkPort(schema.hostPort, '--hostPort');
    if (others.has(hostPort)) throw new Error(portTakenMessage(hostPort, owners.get(hostPort)!, suggestHostPort(hostPort, others), '--hostPort'));
    return hostPort;
  }
  // Its current one stays, unless it only followed a container port that changed.
  const current = [...owners].find(([, owner]) => owner === schema.project)?.[0];
  if (current !== undefined && !(current === previousPort && port !== previousPort)) return current;
  if (!others.has(port)) return port;
  const free = suggestHostPort(port, others);
  notes.push(`published on 127.0.0.1:${free} in compose.yaml: ${port} is published by "${owners.get(port)}" (container ports may repeat, published ones may not; --hostPort to choose)`);
  return free;
}

function checkRuntimeFile(tree: Tree, projectRoot: string, file: string): string {
  const path = posix.normalize(file.trim().replace(/\\/g, '/')).replace(/\/+$/, '');
  if (!path || path === '.' || path.startsWith('../') || path === '..' || posix.isAbsolute(path)) {
    throw new Error(`runtime file "${file}" must be a path inside the crate folder ${projectRoot}, e.g. --runtimeFiles configuration,templates.`);
  }
  if (!/^[\w.@+-]+(?:\/[\w.@+-]+)*$/.test(path)) {
    throw new Error(`runtime file "${file}": only letters, digits, ".", "_", "-", "@", "+" and "/" can be copied by name; rename it, or copy its folder.`);
  }
  if (!tree.exists(posix.join(projectRoot, path))) {
    throw new Error(`runtime file "${path}" not found in ${projectRoot}: pass files or folders relative to the crate folder (e.g. --runtimeFiles configuration,templates), or --runtimeFiles none.`);
  }
  return path;
}

/** Runtime files: the option; else those of the Dockerfile this plugin rendered; else what the sources read. */
async function runtimeFilesFor(
  tree: Tree,
  schema: DockerGeneratorSchema,
  projectRoot: string,
  crateDir: string,
  current: string | undefined,
  sources: SourceFile[],
  prompter: Prompter,
  notes: string[],
): Promise<{ runtimeFiles: string[]; workdir?: string }> {
  const layout = current && dockerfileRuntime(current) ? runtimeLayout(current) : { sources: [] as string[], workdir: undefined };
  let files: string[];
  if (schema.runtimeFiles !== undefined) {
    files = nameList(schema.runtimeFiles).filter((f) => f !== 'none');
  } else if (layout.sources.length || layout.workdir) {
    const prefix = crateDir === '.' ? '' : `${crateDir}/`;
    files = layout.sources.map((s) => (s.startsWith(prefix) ? s.slice(prefix.length) : s));
  } else {
    const entries = tree.children(projectRoot);
    const found = detectRuntimeFiles(sources, {
      folders: entries.filter((e) => !tree.isFile(posix.join(projectRoot, e))),
      files: entries.filter((e) => tree.isFile(posix.join(projectRoot, e))),
    });
    files = [];
    if (found.length) {
      const list = found.map((f) => `${f.path}${f.kind === 'folder' ? '/' : ''} (${f.text} at ${f.where})`).join(', ');
      const take = prompter.interactive ? await prompter.confirm(`The sources read ${list} at run time. Copy ${found.length === 1 ? 'it' : 'them'} into the image, read-only?`) : true;
      if (take) {
        files = found.map((f) => f.path);
        notes.push(`runtime files copied read-only into ${schema.workdir ?? DEFAULT_WORKDIR}: ${list}; choose others with --runtimeFiles a,b or none with --runtimeFiles none`);
      }
    }
  }
  const runtimeFiles = [...new Set(files.map((f) => checkRuntimeFile(tree, projectRoot, f)))];
  const workdir = schema.workdir ?? layout.workdir ?? (runtimeFiles.length ? DEFAULT_WORKDIR : undefined);
  if (workdir !== undefined && !/^\/[A-Za-z0-9._/-]*$/.test(workdir)) {
    throw new Error(`--workdir "${workdir}" must be an absolute path in the image made of letters, digits, ".", "_", "-" and "/", e.g. --workdir /app.`);
  }
  return { runtimeFiles, workdir };
}

export async function normalizeOptions(tree: Tree, schema: DockerGeneratorSchema, prompter: Prompter = noPrompter): Promise<NormalizedDockerOptions> {
  const crates = findCrates(tree);
  const projectRoot = crates.byProject.get(schema.project) ?? crates.byName.get(schema.project);
  if (projectRoot === undefined) {
    const known = [...crates.byProject.keys()].sort().join(', ') || 'none yet';
    throw new Error(`no crate or project named "${schema.project}" in this workspace (crates: ${known}).`);
  }
  const manifestFile = posix.join(projectRoot, 'Cargo.toml');
  const manifest = parseCargoManifest(tree.read(manifestFile, 'utf8')!, manifestFile);
  const bins = binaryNames(
    manifest,
    (rel) => tree.exists(posix.join(projectRoot, rel)),
    (rel) => tree.children(posix.join(projectRoot, rel)),
  );
  if (bins.length === 0) {
    throw new Error(
      `crate "${manifest.packageName}" (${manifestFile}) has no binary target (no src/main.rs or [[bin]]), so there is nothing to run in a container; share a library through path dependencies instead.`,
    );
  }
  const bin = schema.bin ?? (bins.includes(manifest.packageName!) ? manifest.packageName! : bins[0]);
  if (!bins.includes(bin)) throw new Error(`crate "${manifest.packageName}" has no binary "${bin}" (it has ${bins.join(', ')}).`);

  const dockerfilePath = posix.join(projectRoot, 'Dockerfile');
  const current = tree.exists(dockerfilePath) ? tree.read(dockerfilePath, 'utf8')! : undefined;
  const currentRuntime = current ? dockerfileRuntime(current) : undefined;
  if (current && !currentRuntime && !schema.force) {
    throw new Error(`${dockerfilePath} exists and was not written by @org/rust-docker; pass --force to replace it.`);
  }
  const runtime = normalizeRuntime(schema.runtime, currentRuntime);
  const sources = treeSources(tree, projectRoot);
  const crateDir = contextDir(tree, projectRoot);
  const notes: string[] = [];

  // The port the binary listens on: --port; else the Dockerfile's EXPOSE; else its sources.
  const exposed = current ? exposedPort(current) : undefined;
  const port =
    schema.port !== undefined
      ? checkPort(schema.port, '--port')
      : exposed !== undefined
        ? exposed
        : await detectedPort(sources, manifest.packageName!, projectRoot, crates.ports, prompter, notes);
  const hostPort = publishedPort(tree, schema, port, exposed, notes);
  const healthcheck = schema.healthcheck ?? hasHealthcheckCommand(sources);
  const { runtimeFiles, workdir } = await runtimeFilesFor(tree, schema, projectRoot, crateDir, current, sources, prompter, notes);
  const health = healthExpectation({}, () => sources, healthcheck);
  notes.push(
    `health-check: ${describeExpectation(health)} (${health.origin}); to change it, set "path", "expectStatus" or "expectBody" in the health-check target's options (project.json, or targetDefaults in nx.json)`,
  );
  return {
    project: schema.project,
    crateName: manifest.packageName!,
    projectRoot,
    bin,
    port,
    hostPort,
    runtime,
    healthcheck,
    runtimeFiles,
    workdir,
    crateDir,
    skipFormat: schema.skipFormat ?? false,
    notes,
  };
}

async function generateDocker(tree: Tree, schema: DockerGeneratorSchema, prompter: Prompter): Promise<void> {
  checkInitInputs(tree);
  checkComposeFile(tree, COMPOSE_FILE);
  const options = await normalizeOptions(tree, schema, prompter);
  await initGenerator(tree, { skipFormat: true });
  // init may have made the root a Cargo workspace (leaving a standalone crate out of it): COPY paths follow the build context it leaves.
  options.crateDir = contextDir(tree, options.projectRoot);
  const dockerfilePath = posix.join(options.projectRoot, 'Dockerfile');
  tree.write(
    dockerfilePath,
    renderDockerfile({
      name: options.crateName,
      bin: options.bin,
      project: options.project,
      port: options.port,
      dockerfilePath,
      runtime: options.runtime,
      healthcheck: options.healthcheck,
      runtimeFiles: options.runtimeFiles,
      crateDir: options.crateDir,
      workdir: options.workdir,
    }),
  );
  addToCompose(tree, {
    name: options.project,
    dockerfile: dockerfilePath,
    bin: options.bin,
    port: options.port,
    hostPort: options.hostPort,
    with: [],
    healthcheck: options.healthcheck,
  });
  for (const note of options.notes) logger.info(`${options.project}: ${note}`);
  keepNxDockerOff(tree, [dockerfilePath]);
  if (!options.skipFormat) await formatFiles(tree);
}

/** Writes nothing unless every step succeeds; `prompter` asks for what the sources do not tell (a TTY only). */
export function dockerGenerator(tree: Tree, schema: DockerGeneratorSchema, prompter: Prompter = terminalPrompter()): Promise<void> {
  return transactional((t: Tree, s: DockerGeneratorSchema) => generateDocker(t, s, prompter))(tree, schema);
}

export default dockerGenerator;
