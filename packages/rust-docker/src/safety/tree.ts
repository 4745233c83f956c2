import { readJson, type FileChange, type Tree } from '@nx/devkit';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import { assertNoSymlinkOut } from './paths';

/**
 * Generators edit files a user owns. One they cannot parse, or whose shape they do not
 * expect, is never edited: the generator stops before its first write, naming the file and
 * the line. And whatever goes wrong, a generator that fails leaves the Tree as it found it.
 */

export class UneditableFileError extends Error {
  override name = 'UneditableFileError';
  constructor(
    message: string,
    /** `file:line: problem`, without what follows from it. */
    readonly where = message,
  ) {
    super(message);
  }
}

function refuse(file: string, line: number | undefined, problem: string): never {
  const where = `${file}${line ? `:${line}` : ''}: ${problem}`;
  throw new UneditableFileError(`${where}; fix it and run the command again (nothing was written).`, where);
}

function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

const CONFLICT_MARKER = /^(<{7}|={7}|>{7})(?: |$)/m;

/** The file's text, or undefined when it does not exist; refuses a folder or a binary file. */
function textOf(tree: Tree, file: string): string | undefined {
  if (!tree.exists(file)) return undefined;
  if (!tree.isFile(file)) refuse(file, undefined, 'is a folder, not a file');
  const text = tree.read(file, 'utf8') ?? '';
  const nul = text.indexOf('\0');
  if (nul >= 0) refuse(file, lineAt(text, nul), 'is not a text file');
  return text;
}

function conflictLine(text: string): number | undefined {
  const match = CONFLICT_MARKER.exec(text);
  return match ? lineAt(text, match.index) : undefined;
}

/** A TOML file (a Cargo.toml) that will be edited: it must parse as TOML 1.0, as Cargo reads it. */
export function checkTomlFile(tree: Tree, file: string): void {
  const text = textOf(tree, file);
  if (text === undefined) return;
  const conflict = conflictLine(text);
  if (conflict) refuse(file, conflict, 'has merge conflict markers');
  try {
    parseToml(text);
  } catch (error) {
    const e = error as TomlError;
    refuse(file, typeof e.line === 'number' ? e.line : undefined, `is not valid TOML (${e.message.split('\n')[0].replace(/^Invalid TOML document: /, '')})`);
  }
}

/**
 * A compose file that will be edited: valid YAML whose top level is a map, with `services`
 * and `volumes` maps (or absent), as the Compose specification has them.
 */
export function checkComposeFile(tree: Tree, file: string): void {
  const text = textOf(tree, file);
  if (text === undefined) return;
  const conflict = conflictLine(text);
  if (conflict) refuse(file, conflict, 'has merge conflict markers');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length) {
    const error = doc.errors[0];
    refuse(file, error.linePos?.[0]?.line, `is not valid YAML (${error.message.split('\n')[0]})`);
  }
  const line = (node: unknown) => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? lineCounter.linePos(range[0]).line : undefined;
  };
  const kind = (node: unknown) => (isSeq(node) ? 'a list' : isMap(node) ? 'a map' : `a ${typeof (node as { value?: unknown })?.value === 'string' ? 'string' : 'scalar'}`);
  if (doc.contents === null || (doc.contents as { value?: unknown }).value === null) return;
  if (!isMap(doc.contents)) refuse(file, line(doc.contents), `its top level is ${kind(doc.contents)}, where Compose expects a map (services:, volumes:)`);
  for (const key of ['services', 'volumes']) {
    const node = doc.get(key, true);
    if (node === undefined || node === null || (node as { value?: unknown }).value === null) continue;
    if (!isMap(node)) refuse(file, line(node), `\`${key}:\` is ${kind(node)}, where Compose expects a map of ${key === 'services' ? 'service' : 'volume'} names`);
  }
  const services = doc.get('services', true);
  if (isMap(services)) {
    for (const pair of services.items) {
      const value = pair.value;
      if (value === null || isMap(value) || (value as { value?: unknown }).value === null) continue;
      refuse(file, line(value), `service \`${String((pair.key as { value?: unknown })?.value ?? pair.key)}\` is ${kind(value)}, where Compose expects a map`);
    }
  }
}

/** nx.json, which init edits: JSON (with comments, as Nx reads it) whose `plugins` is a list. */
export function checkNxJson(tree: Tree): void {
  if (textOf(tree, 'nx.json') === undefined) return;
  let nxJson: Record<string, unknown>;
  try {
    nxJson = readJson(tree, 'nx.json');
  } catch (error) {
    refuse('nx.json', undefined, `is not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
  if (typeof nxJson !== 'object' || nxJson === null || Array.isArray(nxJson)) refuse('nx.json', undefined, 'is not a JSON object');
  if (nxJson.plugins !== undefined && !Array.isArray(nxJson.plugins)) refuse('nx.json', undefined, '"plugins" is not a list');
  for (const key of ['targetDefaults', 'namedInputs'] as const) {
    const value = nxJson[key];
    if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) refuse('nx.json', undefined, `"${key}" is not an object`);
  }
}

/** A line-based file (.gitignore, .dockerignore) that will get lines appended: a text file. */
export function checkLineFile(tree: Tree, file: string): void {
  const text = textOf(tree, file);
  const conflict = text === undefined ? undefined : conflictLine(text);
  if (conflict) refuse(file, conflict, 'has merge conflict markers');
}

/** What init edits; every generator that runs init checks these first. */
export function checkInitInputs(tree: Tree): void {
  checkNxJson(tree);
  checkTomlFile(tree, 'Cargo.toml');
  checkLineFile(tree, '.dockerignore');
  checkLineFile(tree, '.gitignore');
}

/** Every change stays inside the workspace, and none is written through a symlink that leads out. */
export function checkChangesInside(tree: Tree): void {
  for (const change of tree.listChanges()) {
    const path = posix.normalize(change.path);
    if (path === '..' || path.startsWith('../') || posix.isAbsolute(path)) {
      throw new UneditableFileError(`${change.path} is outside the workspace; nothing was written.`);
    }
    assertNoSymlinkOut(tree.root, join(tree.root, path), 'the generated file');
  }
}

type Snapshot = Map<string, FileChange>;

function snapshot(tree: Tree): Snapshot {
  return new Map(tree.listChanges().map((change) => [change.path, change]));
}

function diskContent(tree: Tree, path: string): Buffer | undefined {
  try {
    return readFileSync(join(tree.root, path));
  } catch {
    return undefined;
  }
}

/** Puts the Tree back as it was at `before`: what was written since is undone. */
function restore(tree: Tree, before: Snapshot): void {
  for (const change of tree.listChanges()) {
    const earlier = before.get(change.path);
    if (earlier && earlier.type === change.type && earlier.content?.equals(change.content ?? Buffer.alloc(0)) !== false) continue;
    if (earlier) {
      if (earlier.type === 'DELETE') tree.delete(earlier.path);
      else tree.write(earlier.path, earlier.content!);
    } else if (change.type === 'CREATE') {
      tree.delete(change.path);
    } else {
      // An update or a deletion of a file on disk: writing its content back drops the change.
      const original = diskContent(tree, change.path);
      if (original !== undefined) tree.write(change.path, original);
    }
  }
  // A file deleted since `before` that had a change then: it comes back as it was.
  for (const [path, earlier] of before) {
    if (earlier.type !== 'DELETE' && !tree.exists(path)) tree.write(path, earlier.content!);
  }
}

/**
 * Runs a generator so that it either completes with every change inside the workspace, or
 * fails leaving the Tree exactly as it was (Nx writes nothing either way on failure, but a
 * generator that calls this one keeps a clean Tree too).
 */
export function transactional<S, R>(generator: (tree: Tree, schema: S) => Promise<R> | R): (tree: Tree, schema: S) => Promise<R> {
  return async (tree, schema) => {
    const before = snapshot(tree);
    try {
      const result = await generator(tree, schema);
      checkChangesInside(tree);
      return result;
    } catch (error) {
      restore(tree, before);
      throw error;
    }
  };
}
