import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FolderListings } from './layout';
import { lockGraph, localsThroughExternals } from './lockfile';
import { hasLibrary, ManifestError, parseCargoManifest, type CargoManifest } from './manifest';
import { addEdgesThroughExternals, addPossibleEdgesThroughExternals, buildWorkspaceModel, cargoRootOf, type CargoWorkspaceModel, type Crate } from './workspace';

/** Folders never searched for manifests: build output, dependencies, VCS and tool data. */
export const SKIPPED_DIRS = new Set(['target', 'node_modules', '.git', 'dist', '.nx', 'tmp']);

/** Workspace-relative paths of every Cargo.toml under `root`, skipping vendored crates. */
export function findManifestFiles(root: string, dir = ''): string[] {
  const out: string[] = [];
  const abs = join(root, dir);
  let entries;
  try {
    entries = readdirSync(abs, { withFileTypes: true });
  } catch {
    return out;
  }
  const names = new Set(entries.map((e) => e.name));
  // Vendored crates (cargo vendor output) carry a checksum file; they are not workspace crates.
  if (names.has('Cargo.toml') && !names.has('.cargo-checksum.json')) out.push(dir ? `${dir}/Cargo.toml` : 'Cargo.toml');
  for (const entry of entries) {
    if (!entry.isDirectory() || SKIPPED_DIRS.has(entry.name) || entry.name.startsWith('.')) continue;
    out.push(...findManifestFiles(root, dir ? `${dir}/${entry.name}` : entry.name));
  }
  return out;
}

export interface LoadedWorkspace {
  model: CargoWorkspaceModel;
  errors: ManifestError[];
}

export function readManifests(root: string, files: string[]): { manifests: CargoManifest[]; errors: ManifestError[] } {
  const manifests: CargoManifest[] = [];
  const errors: ManifestError[] = [];
  for (const file of files) {
    try {
      manifests.push(parseCargoManifest(readFileSync(join(root, file), 'utf8'), file));
    } catch (error) {
      if (error instanceof ManifestError) errors.push(error);
      else throw error;
    }
  }
  return { manifests, errors };
}

/**
 * Reads every manifest under `root` and builds the crate graph (executors use this), with
 * the edges only Cargo.lock shows: crates reached through external ones by `[patch]`
 * (every one such a crate may reach, without a lockfile).
 */
export function loadCargoWorkspace(root: string): LoadedWorkspace {
  const { manifests, errors } = readManifests(root, findManifestFiles(root));
  const model = buildWorkspaceModel(manifests, { hasLibrary: libraryOnDisk(new FolderListings(root)) });
  for (const cargoRoot of new Set([...model.crates.values()].map(cargoRootOf))) {
    let lock: string;
    try {
      lock = readFileSync(join(root, cargoRoot, 'Cargo.lock'), 'utf8');
    } catch {
      addPossibleEdgesThroughExternals(model, cargoRoot);
      continue;
    }
    addEdgesThroughExternals(model, cargoRoot, localsThroughExternals(lockGraph(lock)));
  }
  return { model, errors };
}

export function fileExists(root: string, ...parts: string[]): boolean {
  return existsSync(join(root, ...parts));
}

/** `hasLibrary` for crates on disk. */
export function libraryOnDisk(listings: FolderListings): (crate: Crate) => boolean {
  return (crate) => hasLibrary(crate.manifest, (rel) => listings.has(crate.dir, rel));
}
