import { logger, type GeneratorCallback, type Tree } from '@nx/devkit';
import { posix } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type Document, type Pair, type YAMLMap } from 'yaml';
import { binaryNames, parseCargoManifest, type CargoManifest } from '../../cargo/manifest';
import { SKIPPED_DIRS } from '../../cargo/load';
import { addWorkspaceMember } from '../../cargo/root-manifest';
import { buildWorkspaceModel, enclosingWorkspace, globToRegExp, isExcluded, joinDir } from '../../cargo/workspace';
import { COMPOSE_FILE } from '../../compose/compose-file';
import { dockerfileRuntime, exposedPort } from '../../docker/dockerfile';
import { defaultPort } from '../service/generator';
import type { SyncGeneratorSchema } from './schema';
import { removeFromStringArray } from '../../cargo/toml-text';
import { checkComposeFile, checkTomlFile, UneditableFileError } from '../../safety/tree';

/**
 * What a sync generator returns: the shape of `SyncGeneratorResult` in nx
 * (nx/src/utils/sync-generators), which @nx/devkit does not export. `nx sync:check`
 * prints `outOfSyncMessage` when the generator changed files.
 */
export interface SyncGeneratorResult {
  callback?: GeneratorCallback;
  outOfSyncMessage?: string;
  outOfSyncDetails?: string[];
}

const GLOB_CHARS = /[*?[]/;

/**
 * Every readable Cargo.toml in the Tree, skipping vendored crates (a `.cargo-checksum.json`
 * next to the manifest, as `cargo vendor` writes; nothing below one is looked at either)
 * and the folders cargo/load.ts skips on disk (so executors and this generator see the same
 * crates). An invalid manifest is skipped: inference already warns about it.
 */
export function readTreeManifests(tree: Tree): CargoManifest[] {
  const manifests: CargoManifest[] = [];
  const visit = (dir: string) => {
    const children = tree.children(dir);
    const file = dir ? `${dir}/Cargo.toml` : 'Cargo.toml';
    if (children.includes('Cargo.toml') && tree.isFile(file)) {
      if (children.includes('.cargo-checksum.json')) return;
      try {
        manifests.push(parseCargoManifest(tree.read(file, 'utf8') ?? '', file));
      } catch {
        // not ours to judge here
      }
    }
    for (const child of children) {
      if (SKIPPED_DIRS.has(child) || child.startsWith('.')) continue;
      const path = dir ? `${dir}/${child}` : child;
      if (!tree.isFile(path)) visit(path);
    }
  };
  visit('');
  return manifests;
}

// ---------------------------------------------------------------------------------------
// 1. Root Cargo.toml members
// ---------------------------------------------------------------------------------------

/**
 * Crate folders Cargo would place in the root workspace if members listed them, and that
 * no member pattern, no path dependency from a member and no `exclude` entry covers yet.
 */
export function uncoveredCrates(manifests: CargoManifest[]): string[] {
  const byDir = new Map(manifests.map((m) => [m.dir, m]));
  // `package.workspace` set aside: the model counts a crate that names its workspace as a
  // member, while Cargo still wants the members list to include it.
  const model = buildWorkspaceModel(manifests.map((m) => ({ ...m, workspaceRootHint: undefined })));
  const root = model.workspaces.get('.');
  if (!root) return [];
  const out: string[] = [];
  for (const crate of model.crates.values()) {
    if (crate.dir === '.' || crate.workspaceDir !== undefined) continue;
    const hint = byDir.get(crate.dir)?.workspaceRootHint;
    const wsDir = hint !== undefined ? (joinDir(crate.dir, hint) === '.' && !isExcluded(root, crate.dir) ? '.' : undefined) : enclosingWorkspace(model.workspaces, crate.dir);
    if (wsDir === '.') out.push(crate.dir);
  }
  return out.sort();
}

/** Literal members (no glob) inside the workspace whose folder has no Cargo.toml. */
function staleMembers(tree: Tree, members: string[]): string[] {
  return members.filter((member) => {
    if (GLOB_CHARS.test(member)) return false;
    const dir = joinDir('.', member);
    if (dir === '.' || dir.startsWith('..') || posix.isAbsolute(dir)) return false;
    return !tree.isFile(`${dir}/Cargo.toml`);
  });
}

function syncMembers(tree: Tree, manifests: CargoManifest[], lines: string[]): void {
  const root = manifests.find((m) => m.file === 'Cargo.toml');
  if (!root?.workspace) return;
  const original = tree.read('Cargo.toml', 'utf8') ?? '';
  let text = original;
  const edit = (change: string, apply: (current: string) => string) => {
    try {
      const next = apply(text);
      if (next !== text) {
        text = next;
        lines.push(`Cargo.toml: ${change}`);
      }
    } catch (error) {
      // An unusual layout the lexical edits do not handle: leave it to the user (cargo
      // reports the mismatch itself) rather than fail every task this generator runs before.
      logger.warn(`@org/rust-docker:sync: Cargo.toml: ${(error as Error).message}`);
    }
  };
  for (const member of staleMembers(tree, root.workspace.members)) {
    edit(`remove member ${member} (no Cargo.toml)`, (t) => removeFromStringArray(t, 'workspace', 'members', member));
  }
  for (const dir of uncoveredCrates(manifests)) {
    edit(`add member ${dir}`, (t) => {
      const next = addWorkspaceMember(t, dir);
      // addWorkspaceMember leaves some layouts (`workspace = { members = [...] }`) as they are.
      return (parseCargoManifest(next, 'Cargo.toml').workspace?.members ?? []).some((m) => globToRegExp(joinDir('.', m)).test(dir)) ? next : t;
    });
  }
  if (text !== original) tree.write('Cargo.toml', text);
}

// ---------------------------------------------------------------------------------------
// 2. Service Dockerfiles
// ---------------------------------------------------------------------------------------

/** What a rendered Dockerfile says about the crate it builds (see docker/files/Dockerfile.ejs). */
export interface DockerfileFacts {
  /** `--package <name>` of the cargo build lines. */
  name?: string;
  /** `# <name>: a Rust service image built by @org/rust-docker` */
  headerName?: string;
  /** `--bin <bin>` of the cargo build lines. */
  bin?: string;
  /** First EXPOSE. */
  port?: number;
  /** `#   nx run <project>:docker-build` */
  project?: string;
  /** `#   docker build -f <path> .` */
  path?: string;
}

const PACKAGE_RE = /--package\s+([A-Za-z0-9_-]+)/;
const BIN_RE = /--bin\s+([A-Za-z0-9_-]+)/;
const HEADER_RE = /^(# )([A-Za-z0-9_-]+)(: a Rust service image built by @org\/rust-docker)/m;
const PROJECT_RE = /^(#[ \t]+nx run )([^\s:]+)(:)/m;
const PATH_RE = /^(#[ \t]+docker build -f )(\S+)( \.)/m;
const EXPOSE_RE = /^([ \t]*EXPOSE[ \t]+)(\d+)/im;
/** `ENV PORT=8080` (possibly among other variables) and the legacy `ENV PORT 8080`. */
const ENV_PORT_RE = /^([ \t]*ENV[ \t]+(?:\S+=\S+[ \t]+)*PORT=|[ \t]*ENV[ \t]+PORT[ \t]+)(\d+)(?=\s|$)/gim;

export function readDockerfile(text: string): DockerfileFacts {
  return {
    name: PACKAGE_RE.exec(text)?.[1],
    headerName: HEADER_RE.exec(text)?.[2],
    bin: BIN_RE.exec(text)?.[1],
    port: exposedPort(text),
    project: PROJECT_RE.exec(text)?.[2],
    path: PATH_RE.exec(text)?.[2],
  };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Where a name ends: names of crates and binaries are made of these characters. */
const NAME_END = '(?![\\w.-])';

export interface DockerfileTarget {
  name: string;
  /** Undefined when the binary cannot be decided (several, none of them the old one). */
  bin?: string;
  project: string;
  port?: number;
  dockerfilePath: string;
}

/**
 * Brings a rendered Dockerfile in line with its crate by replacing only the lines that
 * carry the package, binary, port, project and path, so whatever else a user changed in
 * the file stays. (Re-rendering would be simpler, but would undo those changes.)
 */
export function updateDockerfile(text: string, want: DockerfileTarget): { text: string; changes: string[] } {
  const current = readDockerfile(text);
  const changes: string[] = [];
  let out = text;

  const oldName = current.name ?? current.headerName;
  let renamed = false;
  if (current.name && current.name !== want.name) {
    out = out.replace(new RegExp(`(--package\\s+)${escape(current.name)}${NAME_END}`, 'g'), (_, prefix: string) => prefix + want.name);
    renamed = true;
  }
  if (current.headerName && current.headerName !== want.name) {
    out = out.replace(HEADER_RE, (_, a: string, _name: string, b: string) => a + want.name + b);
    renamed = true;
  }
  if (renamed) changes.push(`package ${oldName} → ${want.name}`);

  if (want.bin && current.bin && current.bin !== want.bin) {
    const old = escape(current.bin);
    for (const prefix of ['--bin\\s+', '\\/release\\/', '(?:^|[\\s"\'=:\\[])\\/out\\/', '(?:^|[\\s"\'=:\\[])\\/usr\\/local\\/bin\\/']) {
      out = out.replace(new RegExp(`(${prefix})${old}${NAME_END}`, 'gm'), (_, p: string) => p + want.bin);
    }
    changes.push(`binary ${current.bin} → ${want.bin}`);
  }

  if (want.port !== undefined) {
    const port = String(want.port);
    if (current.port !== undefined && current.port !== want.port) {
      out = out.replace(EXPOSE_RE, (_, p: string) => p + port);
      changes.push(`port ${current.port} → ${port}`);
    }
    const envPorts = new Set<string>();
    out = out.replace(ENV_PORT_RE, (match, p: string, value: string) => {
      if (value === port) return match;
      envPorts.add(value);
      return p + port;
    });
    // The EXPOSE line above already reports a port change; say so only when ENV alone differed.
    if (envPorts.size && !changes.some((c) => c.startsWith('port '))) changes.push(`ENV PORT ${[...envPorts].join(', ')} → ${port}`);
  }

  if (current.project && current.project !== want.project) {
    out = out.replace(PROJECT_RE, (_, a: string, _p: string, b: string) => a + want.project + b);
    changes.push(`project ${current.project} → ${want.project}`);
  }
  if (current.path && current.path !== want.dockerfilePath) {
    out = out.replace(PATH_RE, (_, a: string, _p: string, b: string) => a + want.dockerfilePath + b);
    changes.push(`path ${current.path} → ${want.dockerfilePath}`);
  }
  return { text: out, changes };
}

/** The binary the Dockerfile ships: the one it names while it still exists, else the obvious one. */
function chooseBinary(bins: string[], current: string | undefined, packageName: string): string | undefined {
  if (current && bins.includes(current)) return current;
  if (bins.includes(packageName)) return packageName;
  return bins.length === 1 ? bins[0] : undefined;
}

/** The source file of a binary target, as Cargo finds it (relative to the crate folder). */
function binarySource(manifest: CargoManifest, bin: string, exists: (rel: string) => boolean): string {
  const explicit = manifest.explicitBins.find((b) => b.name === bin);
  if (explicit?.path) return explicit.path;
  if (bin === manifest.packageName && exists('src/main.rs')) return 'src/main.rs';
  return [`src/bin/${bin}.rs`, `src/bin/${bin}/main.rs`].find(exists) ?? 'src/main.rs';
}

/** A service whose Dockerfile was synced, with what its compose entry must follow. */
interface ServiceState {
  dockerfile: string;
  /** The path the Dockerfile's usage comment gave before: where it was, if the crate moved. */
  formerDockerfile?: string;
  project: string;
  /** Names the Dockerfile carried before (package, project): a compose key or image may still use them. */
  formerNames: string[];
  oldBin?: string;
  bin?: string;
  oldPort?: number;
  port?: number;
}

function syncDockerfile(tree: Tree, manifest: CargoManifest, lines: string[]): ServiceState | undefined {
  const dir = manifest.dir;
  const inCrate = (rel: string) => (dir === '.' ? rel : `${dir}/${rel}`);
  const dockerfile = inCrate('Dockerfile');
  if (!manifest.packageName || !tree.isFile(dockerfile)) return undefined;
  const original = tree.read(dockerfile, 'utf8') ?? '';
  // Only Dockerfiles this plugin rendered: their lines are known. A user's own is theirs.
  if (!dockerfileRuntime(original)) return undefined;

  const exists = (rel: string) => tree.exists(inCrate(rel));
  const bins = binaryNames(manifest, exists, (rel) => tree.children(inCrate(rel)));
  const current = readDockerfile(original);
  const bin = chooseBinary(bins, current.bin, manifest.packageName);
  const source = inCrate(bin ? binarySource(manifest, bin, exists) : 'src/main.rs');
  const mainPort = tree.isFile(source) ? defaultPort(tree.read(source, 'utf8') ?? '') : undefined;
  const port = mainPort ?? current.port;
  const project = manifest.nx.name ?? manifest.packageName;

  const { text, changes } = updateDockerfile(original, { name: manifest.packageName, bin, project, port, dockerfilePath: dockerfile });
  if (text !== original) tree.write(dockerfile, text);
  lines.push(...changes.map((c) => `${dockerfile}: ${c}`));
  const formerNames = [...new Set([current.name, current.headerName, current.project].filter((n): n is string => !!n))];
  return { dockerfile, formerDockerfile: current.path, project, formerNames, oldBin: current.bin, bin, oldPort: current.port, port };
}

// ---------------------------------------------------------------------------------------
// 3. compose.yaml entries
// ---------------------------------------------------------------------------------------

function scalarValue(node: unknown): unknown {
  return isScalar(node) ? node.value : undefined;
}

/** The workspace-relative Dockerfile a compose service builds (dockerfile is relative to context). */
function entryDockerfile(entry: YAMLMap): string | undefined {
  const build = entry.get('build');
  if (!isMap(build)) return undefined;
  const dockerfile = build.get('dockerfile');
  const context = build.get('context') ?? '.';
  if (typeof dockerfile !== 'string' || typeof context !== 'string') return undefined;
  if (posix.isAbsolute(dockerfile) || posix.isAbsolute(context) || /^[a-z][\w+.-]*:/i.test(context)) return undefined;
  return joinDir(context, dockerfile);
}

/** Short port syntax: `[[IP:]HOST:]CONTAINER[/PROTOCOL]` (ranges are left alone). */
function parsePort(text: string): { ip?: string; host?: string; container: number; protocol: string } | undefined {
  const match = /^(?:(?:(\[[^\]]*\]|[^:[]*):)?(\d*):)?(\d+)(\/[a-z]+)?$/i.exec(text);
  return match ? { ip: match[1], host: match[2], container: Number(match[3]), protocol: match[4] ?? '' } : undefined;
}

function containerPortOf(item: unknown): number | undefined {
  if (isScalar(item)) return parsePort(String(item.value))?.container;
  if (isMap(item)) {
    const target = Number(item.get('target'));
    return Number.isInteger(target) ? target : undefined;
  }
  return undefined;
}

/** Sets a scalar's value keeping its type (a number stays a number, a quoted string stays quoted). */
function setScalar(node: { value: unknown }, value: number | string): void {
  node.value = typeof node.value === 'number' && /^\d+$/.test(String(value)) ? Number(value) : String(value);
}

/** Points the published port at the new container port; a host port that differed stays. */
function syncPorts(entry: YAMLMap, state: ServiceState, port: number): string | undefined {
  const ports = entry.get('ports', true);
  if (!isSeq(ports) || ports.items.length === 0) return undefined;
  const items = ports.items;
  if (items.some((item) => containerPortOf(item) === port)) return undefined;
  const item = items.find((i) => state.oldPort !== undefined && containerPortOf(i) === state.oldPort) ?? (items.length === 1 ? items[0] : undefined);
  const old = item === undefined ? undefined : containerPortOf(item);
  if (item === undefined || old === undefined) return undefined;
  if (isScalar(item)) {
    const before = String(item.value);
    const parsed = parsePort(before)!;
    const host = parsed.host === String(old) ? String(port) : parsed.host;
    const after = `${parsed.ip !== undefined ? `${parsed.ip}:` : ''}${host !== undefined ? `${host}:` : ''}${port}${parsed.protocol}`;
    setScalar(item, after);
    return `ports ${before} → ${after}`;
  }
  const map = item as YAMLMap;
  const target = map.get('target', true);
  if (isScalar(target)) setScalar(target, port);
  const published = map.get('published', true);
  if (isScalar(published) && String(published.value) === String(old)) setScalar(published, port);
  return `ports target ${old} → ${port}`;
}

function syncEnvironmentPort(entry: YAMLMap, port: number): string | undefined {
  const env = entry.get('environment', true);
  if (isMap(env)) {
    const value = env.get('PORT', true);
    if (isScalar(value) && /^\d+$/.test(String(value.value)) && String(value.value) !== String(port)) {
      const before = String(value.value);
      setScalar(value, port);
      return `PORT ${before} → ${port}`;
    }
  } else if (isSeq(env)) {
    for (const item of env.items) {
      const match = isScalar(item) && typeof item.value === 'string' ? /^PORT=(\d+)$/.exec(item.value) : null;
      if (match && match[1] !== String(port)) {
        (item as { value: unknown }).value = `PORT=${port}`;
        return `PORT ${match[1]} → ${port}`;
      }
    }
  }
  return undefined;
}

function syncHealthcheck(entry: YAMLMap, state: ServiceState, bin: string): string | undefined {
  const test = entry.getIn(['healthcheck', 'test'], true);
  const want = `/usr/local/bin/${bin}`;
  if (isSeq(test)) {
    for (const [i, item] of test.items.entries()) {
      if (!isScalar(item) || typeof item.value !== 'string') continue;
      const match = /^\/usr\/local\/bin\/([\w.-]+)$/.exec(item.value);
      if (!match || match[1] === bin) continue;
      // The plugin's probe `["CMD", "/usr/local/bin/<bin>", "healthcheck"]`, or the old binary anywhere.
      const probe = i === 1 && scalarValue(test.items[0]) === 'CMD' && scalarValue(test.items[2]) === 'healthcheck';
      if (probe || match[1] === state.oldBin) {
        const before = item.value;
        item.value = want;
        return `healthcheck ${before} → ${want}`;
      }
    }
  } else if (isScalar(test) && typeof test.value === 'string' && state.oldBin && state.oldBin !== bin) {
    const re = new RegExp(`/usr/local/bin/${escape(state.oldBin)}${NAME_END}`, 'g');
    if (re.test(test.value)) {
      test.value = test.value.replace(re, want);
      return `healthcheck /usr/local/bin/${state.oldBin} → ${want}`;
    }
  }
  return undefined;
}

/** Renames `from` in every service's depends_on (list or map form); returns the services changed. */
function renameDependsOn(services: YAMLMap, from: string, to: string): string[] {
  const changed: string[] = [];
  for (const pair of services.items) {
    if (!isMap(pair.value)) continue;
    const dependsOn = pair.value.get('depends_on', true);
    const nodes = isSeq(dependsOn) ? dependsOn.items : isMap(dependsOn) ? dependsOn.items.map((p) => p.key) : [];
    for (const node of nodes) {
      if (isScalar(node) && node.value === from) {
        node.value = to;
        changed.push(String(scalarValue(pair.key) ?? pair.key));
      }
    }
  }
  return changed;
}

function syncComposeEntry(services: YAMLMap, pair: Pair, state: ServiceState, siblings: number): string[] {
  const entry = pair.value as YAMLMap;
  const changes: string[] = [];
  const oldKey = String(scalarValue(pair.key) ?? pair.key);
  let key = oldKey;
  const moved = moveDockerfile(entry, state.dockerfile);
  // The service is named after the Nx project. With several entries building this
  // Dockerfile, only the one still named after the crate's former name is renamed.
  if (key !== state.project && (siblings === 1 || state.formerNames.includes(key)) && !services.has(state.project) && isScalar(pair.key)) {
    pair.key.value = state.project;
    const dependents = renameDependsOn(services, oldKey, state.project);
    changes.push(`service ${oldKey} → ${state.project}${dependents.length ? ` (and depends_on of ${dependents.join(', ')})` : ''}`);
    key = state.project;
  }
  if (moved) changes.push(`${key} dockerfile ${moved}`);

  // `<project>:latest` is what docker-build tags; an image that is not a former name's stays the user's.
  const image = entry.get('image', true);
  const wantImage = `${state.project}:latest`;
  if (isScalar(image) && typeof image.value === 'string' && image.value !== wantImage) {
    const formerImages = new Set([...state.formerNames, oldKey].map((n) => `${n}:latest`));
    if (formerImages.has(image.value)) {
      changes.push(`${key} image ${image.value} → ${wantImage}`);
      image.value = wantImage;
    }
  }

  if (state.port !== undefined) {
    const ports = syncPorts(entry, state, state.port);
    if (ports) changes.push(`${key} ${ports}`);
    const env = syncEnvironmentPort(entry, state.port);
    if (env) changes.push(`${key} ${env}`);
  }
  if (state.bin) {
    const health = syncHealthcheck(entry, state, state.bin);
    if (health) changes.push(`${key} ${health}`);
  }
  return changes;
}

/** Points `build.dockerfile` at the Dockerfile's new place (relative to the build context). */
function moveDockerfile(entry: YAMLMap, dockerfile: string): string | undefined {
  const current = entryDockerfile(entry);
  if (current === undefined || current === dockerfile) return undefined;
  const build = entry.get('build') as YAMLMap;
  const context = joinDir('.', String(build.get('context') ?? '.'));
  const node = build.get('dockerfile', true);
  if (!isScalar(node)) return undefined;
  const before = String(node.value);
  node.value = posix.relative(context === '.' ? '' : context, dockerfile);
  return `${before} → ${String(node.value)}`;
}

function syncCompose(tree: Tree, states: ServiceState[], lines: string[]): void {
  if (states.length === 0 || !tree.isFile(COMPOSE_FILE)) return;
  let doc: Document;
  try {
    doc = parseDocument(tree.read(COMPOSE_FILE, 'utf8') ?? '');
  } catch {
    return;
  }
  if (doc.errors.length) return; // an invalid compose file: docker compose says why
  const services = doc.get('services');
  if (!isMap(services)) return;
  const changes: string[] = [];
  for (const state of states) {
    // The entries building this Dockerfile; after a move of the crate, those still building
    // it from the place its usage comment named, when nothing is there any more.
    const moved = state.formerDockerfile !== undefined && state.formerDockerfile !== state.dockerfile && !tree.exists(state.formerDockerfile);
    const builds = (path: string | undefined) => path === state.dockerfile || (moved && path === state.formerDockerfile);
    const pairs = services.items.filter((pair) => isMap(pair.value) && builds(entryDockerfile(pair.value)));
    for (const pair of pairs) changes.push(...syncComposeEntry(services, pair, state, pairs.length));
  }
  if (changes.length === 0) return;
  // Written only when an entry changed, so an in-sync file keeps its exact layout;
  // lineWidth 0: no folding of a user's long strings; no padding: `["CMD", "x"]` as people write it.
  tree.write(COMPOSE_FILE, doc.toString({ lineWidth: 0, flowCollectionPadding: false }));
  lines.push(...changes.map((c) => `${COMPOSE_FILE}: ${c}`));
}

// ---------------------------------------------------------------------------------------

/**
 * `@org/rust-docker:sync`: keeps the root Cargo.toml members, the service Dockerfiles this
 * plugin rendered and their compose.yaml entries in step with the crates, reading
 * everything through the Tree. Returns one line per change, or nothing when in sync.
 */
export function syncGenerator(tree: Tree, _options: SyncGeneratorSchema = {}): SyncGeneratorResult | undefined {
  warnAboutUneditableFiles(tree);
  const lines: string[] = [];
  const manifests = readTreeManifests(tree);
  syncMembers(tree, manifests, lines);
  const states = manifests
    .filter((m) => m.packageName)
    .sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0))
    .map((m) => syncDockerfile(tree, m, lines))
    .filter((s): s is ServiceState => s !== undefined);
  syncCompose(tree, states, lines);
  if (lines.length === 0) return undefined;
  return {
    outOfSyncMessage: [`${lines.length} ${lines.length === 1 ? 'change' : 'changes'} to follow the Rust crates:`, ...lines.map((l) => `- ${l}`)].join('\n'),
  };
}

/**
 * Sync runs before every docker-build, and in CI a failing sync generator stops the task
 * even when the build does not need the file; so instead of failing it leaves a file it
 * cannot read (or whose shape it does not expect) as it is, and says so, naming the line.
 */
function warnAboutUneditableFiles(tree: Tree): void {
  for (const [file, check] of [
    ['Cargo.toml', checkTomlFile],
    [COMPOSE_FILE, checkComposeFile],
  ] as const) {
    try {
      check(tree, file);
    } catch (error) {
      if (!(error instanceof UneditableFileError)) throw error;
      logger.warn(`@org/rust-docker:sync: ${error.where}; left as it is until it is fixed.`);
    }
  }
}

export default syncGenerator;
