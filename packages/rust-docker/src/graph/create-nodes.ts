import { logger, type CreateNodes, type CreateNodesResult } from '@nx/devkit';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { readManifests } from '../cargo/load';
import { binaryNames } from '../cargo/manifest';
import { buildWorkspaceModel, type CargoWorkspaceModel, type Crate } from '../cargo/workspace';
import { exposedPort } from '../docker/dockerfile';
import { CARGO_ROOT_FILES, crateProject, normalizePluginOptions, type CrateFacts, type RustDockerPluginOptions } from './targets';

export const CARGO_MANIFEST_GLOB = '**/Cargo.toml';

/** Reads what inference needs from a crate's folder on disk. */
export function crateFacts(workspaceRoot: string, crate: Crate): CrateFacts {
  const abs = (...parts: string[]) => join(workspaceRoot, crate.dir, ...parts);
  const bins = binaryNames(
    crate.manifest,
    (rel) => existsSync(abs(rel)),
    (rel) => (existsSync(abs(rel)) ? readdirSync(abs(rel)) : []),
  );
  const cargoRoot = crate.workspaceDir ?? crate.dir;
  const cargoRootFiles = CARGO_ROOT_FILES.filter((f) => existsSync(join(workspaceRoot, cargoRoot, f)));
  const facts: CrateFacts = { name: crate.manifest.nx.name ?? crate.name, packageName: crate.name, root: crate.dir, cargoRoot, bins, tags: crate.manifest.nx.tags, cargoRootFiles };
  const dockerfile = abs('Dockerfile');
  if (bins.length && existsSync(dockerfile)) {
    facts.docker = {
      port: exposedPort(readFileSync(dockerfile, 'utf8')),
      hasDockerignore: existsSync(join(workspaceRoot, cargoRoot, '.dockerignore')),
    };
  }
  return facts;
}

function isVendored(workspaceRoot: string, file: string): boolean {
  return existsSync(join(workspaceRoot, posix.dirname(file), '.cargo-checksum.json'));
}

export function logWarnings(model: CargoWorkspaceModel, errors: Error[]): void {
  for (const error of errors) logger.warn(`@org/rust-docker: ${error.message} (the rest of the graph still loads)`);
  for (const w of model.warnings) logger.warn(`@org/rust-docker: ${w.file}${w.line ? `:${w.line}` : ''}: ${w.message}`);
}

/** One Nx project per crate (keyed by its Cargo.toml), with cargo and docker targets. */
export const createNodes: CreateNodes<RustDockerPluginOptions> = [
  CARGO_MANIFEST_GLOB,
  (files, rawOptions, context) => {
    const options = normalizePluginOptions(rawOptions);
    const manifestFiles = files.filter((f) => !isVendored(context.workspaceRoot, f));
    const { manifests, errors } = readManifests(context.workspaceRoot, manifestFiles);
    const model = buildWorkspaceModel(manifests);
    logWarnings(model, errors);
    return files.map((file): readonly [string, CreateNodesResult] => {
      const crate = model.crates.get(posix.dirname(file));
      if (!crate || crate.manifest.file !== file) return [file, {}];
      const project = crateProject(crateFacts(context.workspaceRoot, crate), options);
      return [file, { projects: { [project.root]: project } }];
    });
  },
];
