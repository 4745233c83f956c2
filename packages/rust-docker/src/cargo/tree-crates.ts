import { getProjects, normalizePath, visitNotIgnoredFiles, type Tree } from '@nx/devkit';
import { crateNameProblem } from './crate-name';
import { join, posix } from 'node:path';
import { assertNoSymlinkOut } from '../safety/paths';
import { COMPOSE_FILE, publishedPorts } from '../compose/compose-file';
import { exposedPort } from '../docker/dockerfile';
import { hasLibrary, parseCargoManifest } from './manifest';
import { ensureTableEntries } from './toml-text';

/** What generators need to know about the crates already in a workspace (through the Tree). */
export interface TreeCrates {
  /** Crate name → folder. */
  byName: Map<string, string>;
  /** Nx project name (`[package.metadata.nx] name`, else the crate name) → folder. */
  byProject: Map<string, string>;
  /** Folders of crates with a library target. */
  libraries: Set<string>;
  /** Ports the services' Dockerfiles EXPOSE. */
  ports: Set<number>;
  /** Manifests that could not be read (`file:line: why`): a crate asked for may be in one. */
  unreadable?: string[];
}

export function findCrates(tree: Tree): TreeCrates {
  const byName = new Map<string, string>();
  const byProject = new Map<string, string>();
  const libraries = new Set<string>();
  const ports = new Set<number>();
  const unreadable: string[] = [];
  visitNotIgnoredFiles(tree, '', (file) => {
    const base = posix.basename(file);
    if (base === 'Cargo.toml') {
      // Vendored crates (cargo vendor output) are not the workspace's.
      if (tree.exists(posix.join(posix.dirname(file), '.cargo-checksum.json'))) return;
      try {
        const manifest = parseCargoManifest(tree.read(file, 'utf8')!, file);
        if (manifest.packageName) {
          byName.set(manifest.packageName, manifest.dir);
          byProject.set(manifest.nx.name ?? manifest.packageName, manifest.dir);
          if (hasLibrary(manifest, (rel) => tree.exists(posix.join(manifest.dir, rel)))) libraries.add(manifest.dir);
        }
      } catch (error) {
        // Not ours to judge here, but a crate asked for by name may be in it.
        unreadable.push((error as Error).message);
      }
    } else if (base === 'Dockerfile' && tree.exists(posix.join(posix.dirname(file), 'Cargo.toml'))) {
      const port = exposedPort(tree.read(file, 'utf8')!);
      if (port) ports.add(port);
    }
  });
  // Host ports compose.yaml already publishes are taken too.
  if (tree.exists(COMPOSE_FILE)) {
    try {
      for (const port of publishedPorts(tree.read(COMPOSE_FILE, 'utf8')!)) ports.add(port);
    } catch {
      // an unreadable compose.yaml takes no ports
    }
  }
  return { byName, byProject, libraries, ports, unreadable };
}

/** `--service a --service b` and `--service a,b` alike. */
export function nameList(value: string | string[] | undefined): string[] {
  const values = Array.isArray(value) ? value : value ? [value] : [];
  return [...new Set(values.flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter(Boolean))];
}

/** Looks up crates by name, throwing one message that names every missing one. */
export function requireCrates(
  crates: TreeCrates,
  names: string[],
  what: string,
  { libraryOnly = false } = {},
): Array<{ name: string; dir: string }> {
  const missing = names.filter((n) => !crates.byName.has(n));
  if (missing.length) {
    const known = [...crates.byName.keys()].sort().join(', ') || 'none yet';
    const unreadable = crates.unreadable?.length ? `; these manifests could not be read: ${crates.unreadable.join('; ')}` : '';
    throw new Error(`no ${what} named ${missing.map((m) => `"${m}"`).join(', ')} in this workspace (crates: ${known}${unreadable}).`);
  }
  const found = names.map((name) => ({ name, dir: crates.byName.get(name)! }));
  const notLibraries = libraryOnly ? found.filter((c) => !crates.libraries.has(c.dir)) : [];
  if (notLibraries.length) {
    throw new Error(
      `${notLibraries.map((c) => `"${c.name}"`).join(', ')} ha${notLibraries.length === 1 ? 's' : 've'} no library target (src/lib.rs), so Cargo would ignore a dependency on it; depend on a library crate (nx g @org/rust-docker:library).`,
    );
  }
  return found;
}

/** Throws when a crate or an Nx project already uses `name`. */
export function requireFreeName(tree: Tree, crates: TreeCrates, name: string): void {
  const taken = crates.byName.get(name) ?? crates.byProject.get(name);
  if (taken) throw new Error(`a crate or project named "${name}" already exists (${posix.join(taken, 'Cargo.toml')}); choose another name.`);
  const project = getProjects(tree).get(name);
  if (project) throw new Error(`project "${name}" already exists (${project.root}); choose another name.`);
}

/** Adds `dependency = { path = "..." }` to a crate's [dependencies], keeping its formatting. */
export function addPathDependency(tree: Tree, crateDir: string, dependency: { name: string; dir: string }): void {
  const file = posix.join(crateDir, 'Cargo.toml');
  const path = posix.relative(crateDir, dependency.dir) || '.';
  const text = tree.read(file, 'utf8')!;
  tree.write(file, ensureTableEntries(text, 'dependencies', [[dependency.name, `{ path = ${JSON.stringify(path)} }`]]));
}

export interface NewCrate {
  name: string;
  /** Folder of the new crate, workspace-relative. */
  projectRoot: string;
  tags: string[];
  crates: TreeCrates;
}

/**
 * The checks every generator that adds a crate makes before it writes anything: a name
 * Cargo, Nx and Docker accept and no crate or project has, a folder inside the workspace
 * that does not exist yet, and the comma-separated tags.
 */
export function newCrate(tree: Tree, schema: { name: string; directory?: string; tags?: string }, what: 'service' | 'library', parentFolder: string): NewCrate {
  const name = (schema.name ?? '').trim();
  const problem = crateNameProblem(name, `${what} name`);
  if (problem) throw new Error(problem);
  // Resolved first: `foo/../../x` is `../x`, outside, however it is spelled.
  const given = normalizePath(schema.directory?.trim() || name);
  const projectRoot = posix.normalize(given).replace(/^\.\/|\/$/g, '');
  if (!projectRoot || projectRoot === '.' || projectRoot === '..' || projectRoot.startsWith('../') || posix.isAbsolute(given) || /^[A-Za-z]:/.test(given)) {
    throw new Error(`--directory "${schema.directory}" must be a folder inside the workspace, e.g. "${parentFolder}/${name}".`);
  }
  try {
    assertNoSymlinkOut(tree.root, join(tree.root, projectRoot), '--directory');
  } catch (error) {
    throw new Error(`${(error as Error).message.replace(/\.$/, '')} (e.g. "${parentFolder}/${name}").`);
  }
  const crates = findCrates(tree);
  requireFreeName(tree, crates, name);
  if (tree.exists(projectRoot)) throw new Error(`folder "${projectRoot}" already exists; choose another --directory or name.`);
  const tags = (schema.tags ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  return { name, projectRoot, tags, crates };
}
