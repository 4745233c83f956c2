import { formatFiles, visitNotIgnoredFiles, type Tree } from '@nx/devkit';
import { posix } from 'node:path';
import { binaryNames, parseCargoManifest } from '../../cargo/manifest';
import { findCrates } from '../../cargo/tree-crates';
import { dockerfileRuntime, exposedPort, normalizeRuntime, renderDockerfile, type RuntimeVariant } from '../../docker/dockerfile';
import { initGenerator } from '../init/generator';
import { keepNxDockerOff } from '../init/nx-json';
import { addToCompose, defaultPort, servicePort } from '../service/generator';
import type { DockerGeneratorSchema } from './schema';

export interface NormalizedDockerOptions {
  project: string;
  crateName: string;
  projectRoot: string;
  bin: string;
  port: number;
  runtime: RuntimeVariant;
  healthcheck: boolean;
  skipFormat: boolean;
}

/** Whether the crate's own sources define a `healthcheck` subcommand. */
function hasHealthcheckCommand(tree: Tree, projectRoot: string): boolean {
  let found = false;
  visitNotIgnoredFiles(tree, posix.join(projectRoot, 'src'), (file) => {
    if (!found && file.endsWith('.rs') && /"healthcheck"/.test(tree.read(file, 'utf8') ?? '')) found = true;
  });
  return found;
}

export function normalizeOptions(tree: Tree, schema: DockerGeneratorSchema): NormalizedDockerOptions {
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

  // The port the Dockerfile exposes, else the one the service itself defaults to, when its
  // sources say (generated services do; the sync generator reads it the same way).
  const known = current ? exposedPort(current) : defaultPort(tree.read(posix.join(projectRoot, 'src', 'main.rs'), 'utf8') ?? '');
  const port = servicePort(schema.port, crates.ports, known);
  return {
    project: schema.project,
    crateName: manifest.packageName!,
    projectRoot,
    bin,
    port,
    runtime,
    healthcheck: schema.healthcheck ?? hasHealthcheckCommand(tree, projectRoot),
    skipFormat: schema.skipFormat ?? false,
  };
}

export async function dockerGenerator(tree: Tree, schema: DockerGeneratorSchema) {
  const options = normalizeOptions(tree, schema);
  await initGenerator(tree, { skipFormat: true });
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
    }),
  );
  addToCompose(tree, { name: options.project, dockerfile: dockerfilePath, bin: options.bin, port: options.port, with: [], healthcheck: options.healthcheck });
  keepNxDockerOff(tree, [dockerfilePath]);
  if (!options.skipFormat) await formatFiles(tree);
}

export default dockerGenerator;
