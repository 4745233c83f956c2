/**
 * Cargo.lock pruning: keep only the packages reachable from a set of local crates, so a
 * bump of a crate that a service never uses leaves that service's lockfile (and the
 * Docker layers and hashes built from it) byte-for-byte unchanged.
 */

export interface LockPackage {
  name: string;
  version: string;
  source?: string;
  /** Entries as Cargo writes them: "name", "name version" or "name version (source)". */
  dependencies: string[];
  /** `replace = "name version"`: a `[replace]` entry swaps this package for a local one. */
  replace?: string;
  /** The package's block of text, exactly as it appears in the file. */
  text: string;
}

export interface ParsedLockfile {
  /** Everything before the first `[[package]]` (comments and `version = N`). */
  header: string;
  packages: LockPackage[];
  /** Trailing non-package sections (`[metadata]`, `[[patch.unused]]`), kept verbatim. */
  trailer: string;
}

function field(block: string, key: string): string | undefined {
  const match = new RegExp(`^${key} = "([^"]*)"`, 'm').exec(block);
  return match?.[1];
}

export function parseLockfile(text: string): ParsedLockfile {
  const normalized = text.replace(/\r\n/g, '\n');
  const first = normalized.indexOf('[[package]]');
  if (first < 0) return { header: normalized, packages: [], trailer: '' };
  const header = normalized.slice(0, first);
  const rest = normalized.slice(first);
  const sections = rest.split(/\n(?=\[)/);
  const packages: LockPackage[] = [];
  const trailerParts: string[] = [];
  for (const section of sections) {
    if (!section.startsWith('[[package]]')) {
      trailerParts.push(section);
      continue;
    }
    const depsMatch = /^dependencies = \[([^\]]*)\]/m.exec(section);
    const dependencies = depsMatch ? [...depsMatch[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]) : [];
    packages.push({
      name: field(section, 'name') ?? '',
      version: field(section, 'version') ?? '',
      source: field(section, 'source'),
      dependencies,
      ...(field(section, 'replace') !== undefined ? { replace: field(section, 'replace') } : {}),
      text: section.replace(/\n+$/, ''),
    });
  }
  return { header, packages, trailer: trailerParts.join('\n') };
}

/** Finds the package a dependency entry refers to ("name", "name version", "name version (source)"). */
function resolveEntry(entry: string, byName: Map<string, LockPackage[]>): LockPackage | undefined {
  const match = /^(\S+)(?: (\S+))?(?: \((.+)\))?$/.exec(entry);
  if (!match) return undefined;
  const [, name, version, source] = match;
  const candidates = (byName.get(name) ?? []).filter(
    (p) => (version === undefined || p.version === version) && (source === undefined || p.source === source),
  );
  // Cargo names the source of every package that shares its name and version with
  // another, and a path package has none: "itoa 1.0.19" beside
  // "itoa 1.0.19 (registry+...)" is the local one (a `[replace]` target).
  return candidates.length > 1 && source === undefined ? (candidates.find((p) => p.source === undefined) ?? candidates[0]) : candidates[0];
}

/**
 * Returns Cargo.lock text holding only `roots` (local crate names) and what they reach.
 * Local crates have no `source`, so a root is matched by name among source-less packages.
 */
export function pruneLockfile(text: string, roots: string[]): string {
  const lock = parseLockfile(text);
  const byName = new Map<string, LockPackage[]>();
  for (const p of lock.packages) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  const keep = new Set<LockPackage>();
  const queue = lock.packages.filter((p) => p.source === undefined && roots.includes(p.name));
  for (const p of queue) keep.add(p);
  while (queue.length) {
    const current = queue.shift()!;
    // A replaced package stays (its entry names the replacement), and so does its replacement.
    for (const entry of current.replace !== undefined ? [...current.dependencies, current.replace] : current.dependencies) {
      const dep = resolveEntry(entry, byName);
      if (dep && !keep.has(dep)) {
        keep.add(dep);
        queue.push(dep);
      }
    }
  }
  // Cargo names a dependency by "name" alone when one version of it is locked, adds the
  // version when several are, and the source when one version comes from several places.
  // `--locked` compares text, so the pruned file must be written exactly as Cargo would.
  const kept = lock.packages.filter((p) => keep.has(p));
  const versions = new Map<string, Map<string, number>>();
  for (const p of kept) {
    const perVersion = versions.get(p.name) ?? new Map<string, number>();
    perVersion.set(p.version, (perVersion.get(p.version) ?? 0) + 1);
    versions.set(p.name, perVersion);
  }
  const encode = (p: LockPackage): string => {
    const perVersion = versions.get(p.name)!;
    // A path crate has no source to name: Cargo writes just its name and version.
    if (perVersion.get(p.version)! > 1) return p.source ? `${p.name} ${p.version} (${p.source})` : `${p.name} ${p.version}`;
    return perVersion.size === 1 ? p.name : `${p.name} ${p.version}`;
  };
  const body = kept
    .map((p) => {
      if (p.dependencies.length === 0) return p.text;
      const entries = p.dependencies.map((entry) => {
        const dep = resolveEntry(entry, byName);
        return ` "${dep ? encode(dep) : entry}",`;
      });
      return p.text.replace(/^dependencies = \[[^\]]*\]/m, `dependencies = [\n${entries.join('\n')}\n]`);
    })
    .join('\n\n');
  const trailer = lock.trailer ? `\n\n${lock.trailer.replace(/\n+$/, '')}` : '';
  return `${lock.header}${body}${trailer}\n`;
}

/** Cargo.lock as a graph: every package with the packages its entries resolve to. */
export interface LockGraph {
  packages: LockPackage[];
  dependenciesOf: Map<LockPackage, LockPackage[]>;
}

export function lockGraph(text: string): LockGraph {
  const lock = parseLockfile(text);
  const byName = new Map<string, LockPackage[]>();
  for (const p of lock.packages) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  // A `[replace]`d package is built from its replacement: dependents get the replacement.
  const effective = (p: LockPackage): LockPackage => (p.replace !== undefined ? (resolveEntry(p.replace, byName) ?? p) : p);
  const dependenciesOf = new Map<LockPackage, LockPackage[]>();
  for (const p of lock.packages) {
    dependenciesOf.set(
      p,
      p.dependencies
        .map((entry) => resolveEntry(entry, byName))
        .filter((d): d is LockPackage => d !== undefined)
        .map(effective),
    );
  }
  return { packages: lock.packages, dependenciesOf };
}

/** A local package as Cargo.lock names it. */
export interface LockedLocal {
  name: string;
  version: string;
}

/**
 * For each local (path) package, the local packages its external dependencies lead to
 * through external packages only, keyed by the external package's name: how a `[patch]`
 * or `[replace]` of a crate deep in a registry crate's tree shows in the lockfile
 * (`serde_json` depending on a patched, local `itoa`). Empty for most lockfiles.
 */
export function localsThroughExternals(graph: LockGraph): Record<string, Record<string, LockedLocal[]>> {
  const memo = new Map<LockPackage, Set<LockPackage>>();
  // Locals reachable from an external package without passing another local one.
  const reach = (p: LockPackage): Set<LockPackage> => {
    let found = memo.get(p);
    if (found) return found;
    found = new Set();
    memo.set(p, found); // a cycle among external packages ends here
    for (const d of graph.dependenciesOf.get(p) ?? []) {
      if (!isExternal(d)) found.add(d);
      else for (const local of reach(d)) found.add(local);
    }
    return found;
  };
  const out: Record<string, Record<string, LockedLocal[]>> = {};
  for (const p of graph.packages) {
    if (isExternal(p)) continue;
    for (const d of graph.dependenciesOf.get(p) ?? []) {
      if (!isExternal(d)) continue;
      const locals = [...reach(d)];
      if (!locals.length) continue;
      const byExternal = (out[p.name] ??= {});
      const known = (byExternal[d.name] ??= []);
      for (const l of locals) {
        if (!known.some((k) => k.name === l.name && k.version === l.version)) known.push({ name: l.name, version: l.version });
      }
    }
  }
  return out;
}

/** Packages from a registry or git; local (path) crates have no source. */
export function isExternal(p: LockPackage): boolean {
  return p.source !== undefined;
}
