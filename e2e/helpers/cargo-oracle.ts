import { readdirSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import type { CargoWorkspaceModel } from '../../packages/rust-docker/src/cargo/workspace';
import { run } from './run';

/**
 * `cargo metadata` as the judge of the crate graph. Edges are written
 * `from -> to [kind target]` with Nx-workspace-relative crate folders, so the plugin's
 * model and Cargo's resolve compare as sets of strings.
 */

interface Metadata {
  packages: Array<{ id: string; manifest_path: string; source: string | null }>;
  workspace_members: string[];
  resolve: { nodes: Array<{ id: string; deps: Array<{ pkg: string; dep_kinds: Array<{ kind: string | null; target: string | null }> }> }> };
}

/**
 * Runs `cargo metadata` in a Cargo root: offline first (crates already fetched), then with
 * the network, which a first run on a clean machine needs to download crates. `locked`
 * refuses to change a committed Cargo.lock.
 */
export function cargoMetadata(dir: string, locked: boolean): Metadata {
  const args = ['metadata', '--format-version', '1', '--all-features', ...(locked ? ['--locked'] : [])];
  const offline = run('cargo', [...args, '--offline'], { cwd: dir, quiet: true, allowFailure: true });
  const out = offline.code === 0 ? offline : run('cargo', args, { cwd: dir, quiet: true });
  return JSON.parse(out.stdout) as Metadata;
}

/** Cargo's targets print with their own spacing; edges compare without it. */
const edge = (from: string, to: string, kind: string | null, target: string | null | undefined) =>
  `${from} -> ${to} [${kind ?? 'normal'}${target ? ` ${target.replace(/\s+/g, '')}` : ''}]`;

/** The plugin's crate edges in the oracle's notation. */
export function modelEdges(model: CargoWorkspaceModel): Set<string> {
  return new Set(model.dependencies.map((d) => edge(d.from, d.to, d.kind, d.target)));
}

export interface CargoView {
  /** Folders of the members of this Cargo root. */
  members: Set<string>;
  /** Folders of every local (path) package Cargo resolved from this root. */
  locals: Set<string>;
  /**
   * Edges between local packages: direct ones, and those Cargo resolves through external
   * packages (a `[patch]`ed crate under a registry crate), with the kind and target of
   * the first, local-to-external step.
   */
  edges: Set<string>;
}

/** What Cargo resolves from the Cargo root `cargoRoot` (relative to `root`). */
export function cargoView(root: string, cargoRoot: string, locked = false): CargoView {
  const metadata = cargoMetadata(join(root, cargoRoot), locked);
  const dirOf = new Map(metadata.packages.map((p) => [p.id, posix.dirname(relative(root, p.manifest_path).split('\\').join('/')) || '.']));
  const local = new Set(metadata.packages.filter((p) => p.source === null).map((p) => p.id));
  const nodes = new Map(metadata.resolve.nodes.map((n) => [n.id, n]));
  // Local packages an external one leads to without passing another local one.
  const memo = new Map<string, Set<string>>();
  const localsBehind = (id: string): Set<string> => {
    let found = memo.get(id);
    if (found) return found;
    found = new Set();
    memo.set(id, found);
    for (const dep of nodes.get(id)?.deps ?? []) {
      if (local.has(dep.pkg)) found.add(dep.pkg);
      else for (const l of localsBehind(dep.pkg)) found.add(l);
    }
    return found;
  };
  const edges = new Set<string>();
  for (const node of metadata.resolve.nodes) {
    if (!local.has(node.id)) continue;
    for (const dep of node.deps) {
      const targets = local.has(dep.pkg) ? [dep.pkg] : [...localsBehind(dep.pkg)];
      for (const to of targets) for (const k of dep.dep_kinds) edges.add(edge(dirOf.get(node.id)!, dirOf.get(to)!, k.kind, k.target));
    }
  }
  return {
    members: new Set(metadata.workspace_members.map((id) => dirOf.get(id)!)),
    locals: new Set([...local].map((id) => dirOf.get(id)!)),
    edges,
  };
}

/**
 * The Cargo roots of a tree, as Cargo finds them: for every manifest with a package, the
 * workspace root `cargo locate-project --workspace` names (the crate itself when standalone).
 */
export function cargoRoots(root: string, manifests: string[]): string[] {
  const roots = new Set<string>();
  for (const manifest of manifests) {
    const dir = join(root, posix.dirname(manifest));
    const located = run('cargo', ['locate-project', '--workspace', '--message-format', 'plain', '--offline'], { cwd: dir, quiet: true });
    roots.add(posix.dirname(relative(root, located.stdout.trim()).split('\\').join('/')) || '.');
  }
  return [...roots].sort();
}

/** Every Cargo.toml under `root` (relative paths), skipping target folders. */
export function manifestsUnder(root: string, dir = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory() && entry.name !== 'target' && entry.name !== 'node_modules' && !entry.name.startsWith('.')) out.push(...manifestsUnder(root, rel));
    else if (entry.isFile() && entry.name === 'Cargo.toml') out.push(rel);
  }
  return out.sort();
}

/**
 * Edges as Nx can hold them, from Cargo's: between projects only (`projectOf` maps a crate
 * folder to its project), passing through crates that are no project (with the kind of
 * the first step, never through their dev-dependencies), self-edges left out. Each pair
 * is `static`, or `dynamic` when every edge behind it is a dev-dependency.
 */
export function nxEdgesFromCargo(edges: Iterable<string>, projectOf: (dir: string) => string | undefined): Map<string, 'static' | 'dynamic'> {
  const parsed = [...edges].map((e) => {
    const m = /^(\S+) -> (\S+) \[(\w+)/.exec(e)!;
    return { from: m[1], to: m[2], kind: m[3] };
  });
  const outgoing = new Map<string, typeof parsed>();
  for (const e of parsed) outgoing.set(e.from, [...(outgoing.get(e.from) ?? []), e]);
  const behind = (dir: string, seen = new Set<string>()): string[] => {
    if (seen.has(dir)) return [];
    seen.add(dir);
    const out: string[] = [];
    for (const e of outgoing.get(dir) ?? []) {
      if (e.kind === 'dev') continue;
      if (projectOf(e.to)) out.push(e.to);
      else out.push(...behind(e.to, seen));
    }
    return out;
  };
  const kinds = new Map<string, Set<string>>();
  for (const e of parsed) {
    const source = projectOf(e.from);
    if (!source) continue;
    const targets = projectOf(e.to) ? [e.to] : behind(e.to);
    for (const to of targets) {
      const target = projectOf(to)!;
      if (target === source) continue;
      const key = `${source} -> ${target}`;
      kinds.set(key, (kinds.get(key) ?? new Set()).add(e.kind));
    }
  }
  return new Map([...kinds].map(([key, set]) => [key, set.size === 1 && set.has('dev') ? 'dynamic' : 'static']));
}

export interface NxGraph {
  /** Project name → root folder. */
  roots: Map<string, string>;
  /** `source -> target` → edge type, between projects (external nodes left out). */
  edges: Map<string, string>;
}

/** The project graph Nx computes in a workspace (no daemon), reduced to projects and their edges. */
export function nxProjectGraph(workspaceRoot: string): NxGraph {
  const script = `
    const { createProjectGraphAsync } = require('nx/src/devkit-exports');
    createProjectGraphAsync({ exitOnError: true }).then((g) => console.log(JSON.stringify({
      roots: Object.values(g.nodes).map((n) => [n.name, n.data.root]),
      deps: Object.values(g.dependencies).flat().filter((d) => g.nodes[d.source] && g.nodes[d.target]),
    })));`;
  const out = run(process.execPath, ['-e', script], { cwd: workspaceRoot, env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' }, quiet: true });
  const graph = JSON.parse(out.stdout.trim().split('\n').pop()!) as { roots: Array<[string, string]>; deps: Array<{ source: string; target: string; type: string }> };
  return {
    roots: new Map(graph.roots),
    edges: new Map(graph.deps.map((d) => [`${d.source} -> ${d.target}`, d.type])),
  };
}
