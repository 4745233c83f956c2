import * as TOML from '@iarna/toml';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { CARGO_ROOT_FILES } from '../cargo/workspace';
import { parseLockfile } from '../cargo/lockfile';
import type { ImageRecord } from '../docker/image-record';
import { isRecord } from '../safety/is-record';

/**
 * Whether an image docker-build recorded still stands for the sources being released.
 *
 * A release publishes images that CI built earlier (often only the affected ones), after
 * `nx release` has bumped versions, updated Cargo.lock and written changelogs. So the
 * question is not "is the record there" but "was this image built from what is released":
 * every file the image was built from must be as it was at the commit it was built from,
 * except for what a release itself writes (versions in Cargo.toml and Cargo.lock, and
 * CHANGELOG.md files).
 */

/** The files and folders docker-build records as an image's sources (workspace-relative). */
export function recordedSources(crateDirs: string[], dockerfile: string, cargoRoot: string): string[] {
  const root = cargoRoot === '' ? '.' : cargoRoot;
  const rootFiles = [...CARGO_ROOT_FILES, '.dockerignore'].map((f) => posix.join(root, f));
  return [...new Set([...crateDirs, dockerfile, ...rootFiles].map((p) => posix.normalize(p.split('\\').join('/'))))];
}

export type Freshness = { current: true } | { current: false; reason: string };

const DEPENDENCY_TABLES = ['dependencies', 'dev-dependencies', 'dev_dependencies', 'build-dependencies', 'build_dependencies'];

/** Drops the `version` of every path dependency in a dependency table. */
function dropPathVersions(table: unknown): void {
  if (!isRecord(table)) return;
  for (const spec of Object.values(table)) {
    if (isRecord(spec) && typeof spec.path === 'string') delete spec.version;
  }
}

/**
 * A Cargo.toml with the values a release changes taken out: the package version, the
 * workspace's package version, and the version requirements of path dependencies.
 * Undefined when the text does not parse (it then counts as changed).
 */
export function manifestWithoutVersions(text: string): string | undefined {
  let doc: Record<string, unknown>;
  try {
    doc = TOML.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (isRecord(doc.package) && typeof doc.package.version === 'string') delete doc.package.version;
  const holders = [doc, ...(isRecord(doc.target) ? Object.values(doc.target).filter(isRecord) : [])];
  for (const holder of holders) for (const name of DEPENDENCY_TABLES) dropPathVersions(holder[name]);
  if (isRecord(doc.workspace)) {
    if (isRecord(doc.workspace.package)) delete doc.workspace.package.version;
    dropPathVersions(doc.workspace.dependencies);
  }
  return stableJson(doc);
}

/** A Cargo.lock with the versions of local crates (packages without a source) taken out. */
export function lockfileWithoutLocalVersions(text: string): string {
  const { packages } = parseLockfile(text);
  const local = new Set(packages.filter((p) => !p.source).map((p) => p.name));
  const normalized = packages
    .map((p) => ({
      name: p.name,
      version: p.source ? p.version : '',
      source: p.source ?? '',
      checksum: /^checksum = "([^"]*)"/m.exec(p.text)?.[1] ?? '',
      dependencies: p.dependencies.map((d) => (local.has(d.split(' ')[0]) ? d.split(' ')[0] : d)).sort(),
    }))
    .sort((a, b) => `${a.name} ${a.version}`.localeCompare(`${b.name} ${b.version}`));
  return JSON.stringify(normalized);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (isRecord(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value instanceof Date ? value.toISOString() : value);
}

/** Whether a file's change between two texts is one a release makes (versions, changelogs). */
export function isReleaseEdit(file: string, before: string | undefined, after: string | undefined): boolean {
  const base = posix.basename(file);
  if (base === 'CHANGELOG.md') return true;
  if (before === undefined || after === undefined) return false;
  if (base === 'Cargo.toml') {
    const a = manifestWithoutVersions(before);
    return a !== undefined && a === manifestWithoutVersions(after);
  }
  if (base === 'Cargo.lock') return lockfileWithoutLocalVersions(before) === lockfileWithoutLocalVersions(after);
  return false;
}

function git(root: string, args: string[]): { ok: boolean; out: string } {
  try {
    return { ok: true, out: execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 }) };
  } catch (error) {
    return { ok: false, out: String((error as { stderr?: string }).stderr ?? '') };
  }
}

/**
 * Compares the sources an image record lists, at the commit it was built from, with the
 * work tree now. `project` names the project in the reasons given.
 */
export function imageFreshness(root: string, record: ImageRecord, project: string): Freshness {
  const rebuild = `rebuild it with \`nx run ${project}:docker-build\``;
  if (!record.sources?.length) {
    return { current: false, reason: `its record does not list the sources it was built from (an older @org/rust-docker wrote it); ${rebuild}` };
  }
  if (!record.revision) {
    return { current: false, reason: `it was built from uncommitted changes, so which sources it holds is unknown; commit, then ${rebuild}` };
  }
  const short = record.revision.slice(0, 12);
  if (!git(root, ['cat-file', '-e', `${record.revision}^{commit}`]).ok) {
    return {
      current: false,
      reason: `it was built from commit ${short}, which this clone does not have (a shallow clone?); fetch the history (\`git fetch --unshallow\`) or ${rebuild}`,
    };
  }
  const changed = git(root, ['diff', '--name-only', '--relative', '--no-renames', record.revision, '--', ...record.sources]);
  const untracked = git(root, ['ls-files', '--others', '--exclude-standard', '--', ...record.sources]);
  if (!changed.ok || !untracked.ok) {
    return { current: false, reason: `git could not compare its sources with commit ${short} (${(changed.ok ? untracked : changed).out.trim().split('\n')[0]})` };
  }
  const files = [...changed.out.split('\n'), ...untracked.out.split('\n')].filter(Boolean);
  for (const file of files) {
    const before = git(root, ['show', `${record.revision}:./${file}`]);
    const path = join(root, file);
    const after = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    if (!isReleaseEdit(file, before.ok ? before.out : undefined, after)) {
      return { current: false, reason: `it was built from commit ${short}, and ${file} changed since, so it is older than what is released; ${rebuild}` };
    }
  }
  return { current: true };
}
