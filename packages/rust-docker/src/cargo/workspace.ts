import { posix } from 'node:path';
import { dependencySource, type CargoManifest, type DependencyDeclaration } from './manifest';

/**
 * Files at a Cargo root that can change what cargo builds from any crate. Nx selects
 * affected tasks by matching changed files against their inputs, so Cargo.lock must be
 * one of them for a lockfile bump to reach any task; docker-build then narrows it down:
 * an image whose pruned context (with its pruned Cargo.lock) is unchanged is reused.
 */
export const CARGO_ROOT_FILES = ['Cargo.toml', 'Cargo.lock', 'rust-toolchain.toml', 'rust-toolchain', '.cargo/config.toml', '.cargo/config'];

/** A crate (a manifest with `[package]`) placed in its Cargo workspace. */
export interface Crate {
  name: string;
  /** Folder of the crate, workspace-relative ('.' for the root). */
  dir: string;
  manifest: CargoManifest;
  /** Folder of the Cargo workspace root manifest, when the crate belongs to one. */
  workspaceDir?: string;
}

export interface CrateDependency {
  /** Folders of the depending crate and of the crate depended on. */
  from: string;
  to: string;
  kind: DependencyDeclaration['kind'];
  target?: string;
  /**
   * How Cargo gets there when it is not a path dependency: a `[patch]` or `[replace]`
   * entry redirects a registry or git dependency to the local crate (`override`), or an
   * external crate the crate depends on reaches it that way (`external` names that
   * package; read from Cargo.lock).
   */
  through?: { override: 'patch' | 'replace' } | { external: string };
}

export interface WorkspaceWarning {
  file: string;
  line?: number;
  message: string;
}

export interface CargoWorkspaceModel {
  /** Crates keyed by folder. */
  crates: Map<string, Crate>;
  /** Workspace root manifests keyed by folder. */
  workspaces: Map<string, CargoManifest>;
  dependencies: CrateDependency[];
  warnings: WorkspaceWarning[];
}

/** Translates a Cargo member glob (`crates/*`, `libs/**`) into an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  const g = posix.normalize(glob).replace(/\/$/, '');
  for (let i = 0; i < g.length; i++) {
    const ch = g[i];
    if (ch === '*' && g[i + 1] === '*') {
      // `**/` spans whole folders (zero or more), never part of a name.
      const slashAfter = g[i + 2] === '/';
      out += slashAfter ? '(?:.*/)?' : '.*';
      i += slashAfter ? 2 : 1;
    } else if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else if (ch === '[') {
      const close = g.indexOf(']', i);
      if (close < 0) out += '\\[';
      else {
        out += `[${g.slice(i + 1, close).replace(/^!/, '^')}]`;
        i = close;
      }
    } else out += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/**
 * `relative` joined to the workspace-relative folder `base`, normalized (`.` for the root,
 * leading `..` kept). The same as `posix.normalize(posix.join(...))` without the trailing
 * slash, by hand: inference joins every path dependency, several times per graph.
 */
export function joinDir(base: string, relative: string): string {
  const parts = base === '.' || base === '' ? [] : base.split('/');
  const segments = relative.split('/');
  // As posix.join: only the base's leading slash counts (`a` + `/x` is `a/x`).
  const absolute = (base === '' ? relative : base).startsWith('/');
  const out: string[] = [];
  for (const seg of [...parts, ...segments]) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..' && out.length && out[out.length - 1] !== '..') out.pop();
    else if (seg !== '..' || !absolute) out.push(seg);
  }
  if (absolute && out.length) return `/${out.join('/')}`;
  return out.join('/') || '.';
}

function relativeTo(root: string, dir: string): string {
  return posix.relative(root === '.' ? '' : root, dir === '.' ? '' : dir) || '.';
}

/** Whether the normalized workspace-relative folder `dir` is `root` or inside it. */
export function isInside(root: string, dir: string): boolean {
  if (root === '.') return dir !== '..' && !dir.startsWith('../') && !dir.startsWith('/');
  return dir === root || dir.startsWith(`${root}/`);
}

/** Whether the workspace rooted at `ws` excludes `dir` (or a folder above it). */
export function isExcluded(ws: CargoManifest, dir: string): boolean {
  return ws.workspace!.exclude.some((ex) => isInside(joinDir(ws.dir, ex), dir));
}

/** Cargo's search for a crate's workspace: the nearest enclosing root that does not exclude it. */
export function enclosingWorkspace(
  workspaces: Map<string, CargoManifest>,
  dir: string,
  excluded: (wsDir: string, dir: string) => boolean = (wsDir, d) => isExcluded(workspaces.get(wsDir)!, d),
): string | undefined {
  return ancestors(dir).find((d) => workspaces.has(d) && !excluded(d, dir));
}

function ancestors(dir: string): string[] {
  const out: string[] = [];
  let current = dir;
  while (true) {
    out.push(current);
    if (current === '.') break;
    const parent = posix.dirname(current);
    current = parent === '' || parent === current ? '.' : parent;
  }
  return out;
}

/**
 * Builds the crate graph Cargo would see, from parsed manifests alone: workspace
 * membership (globs, `exclude`, `package.workspace`), inherited `workspace = true`
 * dependencies, renamed and target-specific dependencies. Problems become warnings;
 * the rest of the model still loads.
 */
export interface ModelOptions {
  /**
   * Whether a crate has a library target. Cargo ignores a dependency on a crate without
   * one (with a warning), so the graph must too. Defaults to trusting every dependency.
   */
  hasLibrary?: (crate: Crate) => boolean;
}

export function buildWorkspaceModel(manifests: CargoManifest[], options: ModelOptions = {}): CargoWorkspaceModel {
  const workspaces = new Map(manifests.filter((m) => m.workspace).map((m) => [m.dir, m]));
  const crates = new Map<string, Crate>();
  const warnings: WorkspaceWarning[] = [];
  const dependencies: CrateDependency[] = [];

  for (const manifest of manifests) {
    for (const problem of manifest.problems ?? []) warnings.push({ file: manifest.file, ...problem });
    if (!manifest.packageName) continue;
    crates.set(manifest.dir, { name: manifest.packageName, dir: manifest.dir, manifest });
  }
  warnings.push(...uniqueProjectNames(crates));

  // Which workspace each crate belongs to.
  const memberDirs = new Map<string, Set<string>>();
  for (const [wsDir, ws] of workspaces) {
    const members = new Set<string>();
    if (ws.packageName) members.add(wsDir);
    for (const pattern of ws.workspace!.members) {
      const re = globToRegExp(joinDir(wsDir, pattern));
      const matched = [...crates.keys()].filter((dir) => re.test(dir));
      if (matched.length === 0 && !/[*?[]/.test(pattern)) {
        warnings.push({
          file: ws.file,
          line: undefined,
          message: `workspace member "${pattern}" has no Cargo.toml; remove it from [workspace] members or create the crate`,
        });
      } else if (matched.length === 0) {
        warnings.push({ file: ws.file, message: `workspace member glob "${pattern}" matches no crate` });
      }
      matched.forEach((dir) => members.add(dir));
    }
    memberDirs.set(wsDir, members);
  }

  const hinted = new Map<string, string>();
  const excludedDirs = new Map([...workspaces].map(([wsDir, ws]) => [wsDir, ws.workspace!.exclude.map((ex) => joinDir(wsDir, ex))]));
  const excluded = (wsDir: string, dir: string) => excludedDirs.get(wsDir)!.some((ex) => isInside(ex, dir));

  for (const crate of crates.values()) {
    const hint = crate.manifest.workspaceRootHint;
    if (hint !== undefined) {
      const wsDir = joinDir(crate.dir, hint);
      if (!workspaces.has(wsDir)) {
        warnings.push({ file: crate.manifest.file, message: `package.workspace points to ${hint}, where there is no [workspace]` });
      } else if (memberDirs.get(wsDir)!.has(crate.dir) && !excluded(wsDir, crate.dir)) {
        crate.workspaceDir = wsDir;
      } else {
        // A member may still reach it through a path dependency; checked once that is known.
        hinted.set(crate.dir, wsDir);
      }
      continue;
    }
    const enclosing = enclosingWorkspace(workspaces, crate.dir, excluded);
    if (enclosing !== undefined && memberDirs.get(enclosing)!.has(crate.dir)) crate.workspaceDir = enclosing;
  }

  // A declared path resolves the same on every pass; inherited ones follow the crate's workspace.
  const declaredPaths = new Map<DependencyDeclaration, { path: string }>();
  /** Where a dependency points, or why it points nowhere; `undefined` for registry dependencies. */
  const resolvePath = (crate: Crate, dep: DependencyDeclaration): { path: string } | { problem: string } | undefined => {
    if (dep.path !== undefined) {
      let resolved = declaredPaths.get(dep);
      if (!resolved) declaredPaths.set(dep, (resolved = { path: joinDir(crate.dir, dep.path) }));
      return resolved;
    }
    if (!dep.inheritsWorkspace) return undefined;
    const wsDir = crate.workspaceDir;
    const entry = wsDir !== undefined ? workspaces.get(wsDir)!.workspace!.dependencies[dep.key] : undefined;
    if (!entry) {
      return { problem: `dependency "${dep.key}" uses workspace = true, but the workspace has no [workspace.dependencies] entry "${dep.key}"` };
    }
    return entry.path !== undefined ? { path: joinDir(wsDir!, entry.path) } : undefined;
  };

  // Crates reached by a path dependency from a member, inside the workspace folder, are
  // members too; they must be known before their own `workspace = true` entries resolve.
  let changed = true;
  while (changed) {
    changed = false;
    for (const from of crates.values()) {
      if (from.workspaceDir === undefined) continue;
      for (const dep of from.manifest.dependencies) {
        const resolved = resolvePath(from, dep);
        const to = resolved && 'path' in resolved ? crates.get(resolved.path) : undefined;
        if (!to || to.workspaceDir !== undefined || !isInside(from.workspaceDir, to.dir) || excluded(from.workspaceDir, to.dir)) continue;
        if (ancestors(to.dir).find((d) => workspaces.has(d)) === from.workspaceDir) {
          to.workspaceDir = from.workspaceDir;
          changed = true;
        }
      }
    }
  }

  for (const crate of crates.values()) {
    for (const dep of crate.manifest.dependencies) {
      const resolved = resolvePath(crate, dep);
      if (!resolved) continue;
      if ('problem' in resolved) {
        warnings.push({ file: crate.manifest.file, line: dep.line, message: resolved.problem });
        continue;
      }
      const target = crates.get(resolved.path);
      if (!target) {
        warnings.push({
          file: crate.manifest.file,
          line: dep.line,
          message: `path dependency "${dep.key}" points to ${resolved.path}, where there is no crate (no Cargo.toml with [package])`,
        });
        continue;
      }
      if (options.hasLibrary && !options.hasLibrary(target)) {
        warnings.push({
          file: crate.manifest.file,
          line: dep.line,
          message: `dependency "${dep.key}" points to crate "${target.name}", which has no library target; Cargo ignores it`,
        });
        continue;
      }
      dependencies.push({ from: crate.dir, to: target.dir, kind: dep.kind, ...(dep.target ? { target: dep.target } : {}) });
    }
  }

  dependencies.push(...overrideDependencies(crates, workspaces, dependencies, warnings, options));
  warnings.push(...defaultMemberWarnings(workspaces, memberDirs, crates));

  for (const crate of crates.values()) {
    if (crate.workspaceDir !== undefined) continue;
    const named = hinted.get(crate.dir);
    if (named !== undefined) {
      warnings.push({
        file: crate.manifest.file,
        message: `package.workspace names ${workspaces.get(named)!.file}, whose members do not list "${relativeTo(named, crate.dir)}"; Cargo rejects that: add it to members`,
      });
      continue;
    }
    const enclosing = enclosingWorkspace(workspaces, crate.dir, excluded);
    if (enclosing !== undefined) {
      warnings.push({
        file: crate.manifest.file,
        message: `crate "${crate.name}" is inside the Cargo workspace at ${workspaces.get(enclosing)!.file} but is not a member; add "${relativeTo(enclosing, crate.dir)}" to its members or exclude`,
      });
    }
  }

  for (const cycle of findCycles(crates, dependencies.filter((d) => d.kind !== 'dev'))) {
    warnings.push({
      file: crates.get(cycle[0])!.manifest.file,
      message: `dependency cycle: ${cycle.map((dir) => crates.get(dir)!.name).join(' -> ')}`,
    });
  }

  return { crates, workspaces, dependencies, warnings };
}

/**
 * Nx refuses the whole graph when two projects share a name, and crates may (a `fuzz` crate
 * in each of two nested workspaces, two standalone examples): the first by folder keeps the
 * name, each other one is named after its folder, with a warning saying how to choose.
 * The crate gets a copy of its manifest: the parsed one may be cached and shared.
 */
function uniqueProjectNames(crates: Map<string, Crate>): WorkspaceWarning[] {
  const warnings: WorkspaceWarning[] = [];
  const projectOf = (crate: Crate) => crate.manifest.nx.name ?? crate.name;
  const wanted = new Set([...crates.values()].map(projectOf));
  const taken = new Map<string, string>();
  for (const dir of [...crates.keys()].sort()) {
    const crate = crates.get(dir)!;
    const name = projectOf(crate);
    const first = taken.get(name);
    if (first === undefined) {
      taken.set(name, dir);
      continue;
    }
    const base = dir.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'crate';
    let unique = base;
    for (let n = 2; wanted.has(unique) || taken.has(unique); n++) unique = `${base}-${n}`;
    taken.set(unique, dir);
    crates.set(dir, { ...crate, manifest: { ...crate.manifest, nx: { ...crate.manifest.nx, name: unique } } });
    warnings.push({
      file: crate.manifest.file,
      message: `project name "${name}" is already the crate at ${first}'s; this one is project "${unique}" (set [package.metadata.nx] name to choose another)`,
    });
  }
  return warnings;
}

/**
 * A crate's dependencies on registry or git packages, as Cargo sees them after
 * `workspace = true` inheritance: the package name and the source it comes from.
 */
export function registryDependencies(
  crate: Crate,
  workspaces: Map<string, CargoManifest>,
): Array<{ declaration: DependencyDeclaration; packageName: string; source: string }> {
  const ws = crate.workspaceDir !== undefined ? workspaces.get(crate.workspaceDir)?.workspace : undefined;
  const out: Array<{ declaration: DependencyDeclaration; packageName: string; source: string }> = [];
  for (const dep of crate.manifest.dependencies) {
    if (dep.path !== undefined) continue;
    if (dep.inheritsWorkspace) {
      const entry = ws?.dependencies[dep.key];
      if (!entry || entry.path !== undefined) continue;
      out.push({ declaration: dep, packageName: dep.packageName ?? entry.packageName ?? dep.key, source: dependencySource(entry) });
    } else {
      out.push({ declaration: dep, packageName: dep.packageName ?? dep.key, source: dependencySource(dep) });
    }
  }
  return out;
}

/** The folder of the Cargo root a crate resolves in: its workspace, or itself when standalone. */
export function cargoRootOf(crate: Crate): string {
  return crate.workspaceDir ?? crate.dir;
}

/**
 * Crates in the dependency graph Cargo resolves from one root: its members (or the
 * standalone crate), everything their path dependencies reach, and the root's override
 * targets with what they reach.
 */
function resolvedFrom(seeds: string[], dependencies: CrateDependency[], isMember: (dir: string) => boolean): Set<string> {
  const adjacency = new Map<string, string[]>();
  // Cargo resolves dev-dependencies of members only.
  for (const d of dependencies) if (d.kind !== 'dev' || isMember(d.from)) adjacency.set(d.from, [...(adjacency.get(d.from) ?? []), d.to]);
  const seen = new Set(seeds);
  const stack = [...seeds];
  while (stack.length) {
    for (const next of adjacency.get(stack.pop()!) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return seen;
}

/** A Cargo root's `[patch]`/`[replace]` targets, keyed by source and package name. */
type OverrideTargets = Map<string, { crate: Crate; table: 'patch' | 'replace'; source: string }>;

function overrideTargets(rootDir: string, root: CargoManifest, crates: Map<string, Crate>, warnings?: WorkspaceWarning[]): OverrideTargets {
  const targets: OverrideTargets = new Map();
  for (const o of root.overrides) {
    const dir = joinDir(rootDir, o.path);
    const crate = crates.get(dir);
    if (!crate && (dir === '..' || dir.startsWith('../') || dir.startsWith('/'))) {
      warnings?.push({
        file: root.file,
        line: o.line,
        message: `[${o.table}] entry "${o.packageName}" points to ${dir}, outside the Nx workspace: Nx cannot see its files, so an edit there invalidates no cache`,
      });
      continue;
    }
    if (!crate) {
      warnings?.push({
        file: root.file,
        line: o.line,
        message: `[${o.table}] entry "${o.packageName}" points to ${dir}, where there is no crate (no Cargo.toml with [package]); Cargo rejects the workspace`,
      });
      continue;
    }
    // Cargo matches a patch by the name of the crate it points to.
    const name = o.table === 'patch' ? crate.name : o.packageName;
    if (!targets.has(`${o.source}\0${name}`)) targets.set(`${o.source}\0${name}`, { crate, table: o.table, source: o.source });
  }
  return targets;
}

/** Cargo roots (workspace roots and standalone crates) whose manifest has overrides. */
function rootsWithOverrides(crates: Map<string, Crate>, workspaces: Map<string, CargoManifest>): Map<string, CargoManifest> {
  const roots = new Map<string, CargoManifest>();
  for (const [dir, ws] of workspaces) if (ws.overrides.length) roots.set(dir, ws);
  for (const crate of crates.values()) {
    if (crate.workspaceDir === undefined && !workspaces.has(crate.dir) && crate.manifest.overrides.length) roots.set(crate.dir, crate.manifest);
  }
  return roots;
}

/**
 * The crates an override of `rootDir` can apply to, each with its registry and git
 * dependencies. Override targets are seeds, so the path dependencies of the members and
 * of the targets reach every such crate; Cargo resolves dev-dependencies of members only.
 */
function overridableDependencies(rootDir: string, targets: OverrideTargets, crates: Map<string, Crate>, workspaces: Map<string, CargoManifest>, pathDependencies: CrateDependency[]) {
  const isMember = (dir: string) => cargoRootOf(crates.get(dir)!) === rootDir;
  const seeds = [...crates.values()].filter((c) => cargoRootOf(c) === rootDir).map((c) => c.dir);
  seeds.push(...[...targets.values()].map((t) => t.crate.dir));
  const out: Array<{ dir: string; dependency: ReturnType<typeof registryDependencies>[number] }> = [];
  for (const dir of resolvedFrom(seeds, pathDependencies, isMember)) {
    for (const dependency of registryDependencies(crates.get(dir)!, workspaces)) {
      if (dependency.declaration.kind !== 'dev' || isMember(dir)) out.push({ dir, dependency });
    }
  }
  return out;
}

/**
 * Edges from `[patch.<source>]` and `[replace]` entries with a `path`, in a Cargo root's
 * manifest: every crate of that root's graph that depends on the package from that source
 * depends on the local crate instead (cargo metadata reports exactly these edges).
 */
function overrideDependencies(
  crates: Map<string, Crate>,
  workspaces: Map<string, CargoManifest>,
  pathDependencies: CrateDependency[],
  warnings: WorkspaceWarning[],
  options: ModelOptions,
): CrateDependency[] {
  const out: CrateDependency[] = [];
  const seen = new Set<string>();
  for (const [rootDir, root] of rootsWithOverrides(crates, workspaces)) {
    const targets = overrideTargets(rootDir, root, crates, warnings);
    if (!targets.size) continue;
    for (const { dir, dependency } of overridableDependencies(rootDir, targets, crates, workspaces, pathDependencies)) {
      const target = targets.get(`${dependency.source}\0${dependency.packageName}`);
      if (!target || (options.hasLibrary && !options.hasLibrary(target.crate))) continue;
      const { kind, target: platform } = dependency.declaration;
      const key = `${dir}\0${target.crate.dir}\0${kind}\0${platform ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ from: dir, to: target.crate.dir, kind, ...(platform ? { target: platform } : {}), through: { override: target.table } });
    }
  }
  return out;
}

/**
 * Without a Cargo.lock nothing says which registry crates depend on an overridden one:
 * every crate of the root's graph with a dependency from an overridden source may reach
 * it through that dependency, so it gets an edge to it. A safe over-approximation, until
 * Cargo writes the lockfile (every build does) and `addEdgesThroughExternals` is exact.
 */
export function addPossibleEdgesThroughExternals(model: CargoWorkspaceModel, rootDir: string): void {
  const root = rootsWithOverrides(model.crates, model.workspaces).get(rootDir);
  if (!root) return;
  const targets = overrideTargets(rootDir, root, model.crates);
  const seen = new Set(model.dependencies.map((d) => `${d.from}\0${d.to}\0${d.kind}\0${d.target ?? ''}`));
  const pathDependencies = model.dependencies.filter((d) => !d.through);
  for (const { dir, dependency } of overridableDependencies(rootDir, targets, model.crates, model.workspaces, pathDependencies)) {
    for (const target of targets.values()) {
      if (target.source !== dependency.source || target.crate.dir === dir) continue;
      const { kind, target: platform } = dependency.declaration;
      const key = `${dir}\0${target.crate.dir}\0${kind}\0${platform ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      model.dependencies.push({ from: dir, to: target.crate.dir, kind, ...(platform ? { target: platform } : {}), through: { external: dependency.packageName } });
    }
  }
  adjacencyCache.delete(model);
}

/** Cargo rejects a workspace whose `default-members` names a folder that is not a member. */
function defaultMemberWarnings(
  workspaces: Map<string, CargoManifest>,
  memberDirs: Map<string, Set<string>>,
  crates: Map<string, Crate>,
): WorkspaceWarning[] {
  const out: WorkspaceWarning[] = [];
  for (const [wsDir, ws] of workspaces) {
    for (const entry of ws.workspace!.defaultMembers ?? []) {
      const re = globToRegExp(joinDir(wsDir, entry));
      const matches = [...crates.values()].filter((c) => re.test(c.dir));
      if (!matches.some((c) => c.workspaceDir === wsDir || memberDirs.get(wsDir)!.has(c.dir))) {
        out.push({
          file: ws.file,
          message: `default-members entry "${entry}" is not a workspace member; Cargo rejects the workspace: add it to members or remove it from default-members`,
        });
      }
    }
  }
  return out;
}

/**
 * Edges Cargo.lock shows and manifests cannot: a crate depends on an external crate that,
 * through a `[patch]` or `[replace]`, depends on a local crate (a patched `itoa` under
 * `serde_json`). Nx has no edge from an external node to a project, so the crate gets the
 * edge itself, with the kind and target of its dependency on the external crate.
 * `reach`: local package name → external package name → local packages it reaches
 * (`localsThroughExternals` in lockfile.ts).
 */
export function addEdgesThroughExternals(
  model: CargoWorkspaceModel,
  rootDir: string,
  reach: Record<string, Record<string, Array<{ name: string; version: string }>>>,
): void {
  const entries = Object.entries(reach);
  if (!entries.length) return;
  const byName = new Map<string, Crate[]>();
  for (const crate of model.crates.values()) byName.set(crate.name, [...(byName.get(crate.name) ?? []), crate]);
  const versionOf = (c: Crate) => c.manifest.version ?? (c.manifest.inheritsVersion && c.workspaceDir !== undefined ? model.workspaces.get(c.workspaceDir)?.workspace?.packageVersion : undefined) ?? '0.0.0';
  const find = (name: string, version?: string): Crate | undefined => {
    const candidates = byName.get(name) ?? [];
    if (candidates.length <= 1) return candidates[0];
    return (
      candidates.find((c) => cargoRootOf(c) === rootDir && (version === undefined || versionOf(c) === version)) ??
      candidates.find((c) => version === undefined || versionOf(c) === version) ??
      candidates.find((c) => cargoRootOf(c) === rootDir)
    );
  };
  const seen = new Set(model.dependencies.map((d) => `${d.from}\0${d.to}\0${d.kind}\0${d.target ?? ''}`));
  for (const [localName, viaExternal] of entries) {
    const from = find(localName);
    if (!from) continue;
    const declared = registryDependencies(from, model.workspaces);
    for (const [external, locals] of Object.entries(viaExternal)) {
      const kinds = declared.filter((d) => d.packageName === external).map((d) => d.declaration);
      // A lockfile older than the manifest: count it as a normal dependency, to stay safe.
      const declarations = kinds.length ? kinds : [{ kind: 'normal' as const, target: undefined }];
      for (const local of locals) {
        const to = find(local.name, local.version);
        if (!to) continue;
        for (const d of declarations) {
          const key = `${from.dir}\0${to.dir}\0${d.kind}\0${d.target ?? ''}`;
          if (seen.has(key)) continue;
          seen.add(key);
          model.dependencies.push({ from: from.dir, to: to.dir, kind: d.kind, ...(d.target ? { target: d.target } : {}), through: { external } });
        }
      }
    }
  }
  adjacencyCache.delete(model);
}

function findCycles(crates: Map<string, Crate>, deps: CrateDependency[]): string[][] {
  const edges = new Map<string, string[]>();
  for (const d of deps) edges.set(d.from, [...(edges.get(d.from) ?? []), d.to]);
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[][] = [];
  const stack: string[] = [];
  const visit = (dir: string) => {
    state.set(dir, 'visiting');
    stack.push(dir);
    for (const next of edges.get(dir) ?? []) {
      if (state.get(next) === 'visiting') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(dir, 'done');
  };
  for (const dir of crates.keys()) if (!state.has(dir)) visit(dir);
  return cycles;
}

const adjacencyCache = new WeakMap<CargoWorkspaceModel, Map<string, CrateDependency[]>>();

/** Outgoing dependencies per crate folder, built once per model. */
export function outgoing(model: CargoWorkspaceModel): Map<string, CrateDependency[]> {
  let adjacency = adjacencyCache.get(model);
  if (!adjacency) {
    adjacency = new Map();
    for (const dep of model.dependencies) {
      const list = adjacency.get(dep.from);
      if (list) list.push(dep);
      else adjacency.set(dep.from, [dep]);
    }
    adjacencyCache.set(model, adjacency);
  }
  return adjacency;
}

/** Folders of every crate `dir` depends on, transitively, through the given kinds. */
export function dependencyClosure(
  model: CargoWorkspaceModel,
  dir: string,
  kinds: Array<CrateDependency['kind']> = ['normal', 'build'],
): string[] {
  const adjacency = outgoing(model);
  const seen = new Set<string>([dir]);
  const stack = [dir];
  while (stack.length) {
    for (const dep of adjacency.get(stack.pop()!) ?? []) {
      if (kinds.includes(dep.kind) && !seen.has(dep.to)) {
        seen.add(dep.to);
        stack.push(dep.to);
      }
    }
  }
  return [...seen];
}
