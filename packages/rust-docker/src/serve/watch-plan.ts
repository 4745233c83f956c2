import { posix } from 'node:path';
import { loadCargoWorkspace } from '../cargo/load';
import { CARGO_ROOT_FILES, dependencyClosure, isInside, type CargoWorkspaceModel } from '../cargo/workspace';

/** What serve watches, workspace-relative: what a build of the crate can read. */
export interface WatchPlan {
  /** Crate folders watched whole: the crate and every workspace crate it is built from. */
  dirs: string[];
  /** Folders inside those that belong to other crates, left out. */
  excluded: string[];
  /** Single files: the Cargo root's manifest, lockfile, toolchain and cargo config. */
  files: string[];
}

/**
 * The crate's dependency closure as `cargo build` sees it (normal and build dependencies,
 * never dev-dependencies) plus the files at its Cargo root that decide every build.
 */
export function planWatch(model: CargoWorkspaceModel, crateDir: string): WatchPlan {
  const crate = model.crates.get(crateDir);
  if (!crate) throw new Error(`no crate in ${crateDir}: serve needs the folder of a Cargo package (a Cargo.toml with [package]).`);
  const dirs = dependencyClosure(model, crateDir).sort();
  const inClosure = new Set(dirs);
  const excluded = [...model.crates.keys()].filter((dir) => !inClosure.has(dir) && dirs.some((d) => d !== dir && isInside(d, dir))).sort();
  const cargoRoot = crate.workspaceDir ?? crateDir;
  const files = CARGO_ROOT_FILES.map((file) => (cargoRoot === '.' ? file : posix.join(cargoRoot, file)));
  return { dirs, excluded, files };
}

/** The plan from the manifests on disk now (read again when a Cargo.toml changes). */
export function watchPlanOnDisk(workspaceRoot: string, crateDir: string): WatchPlan {
  return planWatch(loadCargoWorkspace(workspaceRoot).model, crateDir);
}
