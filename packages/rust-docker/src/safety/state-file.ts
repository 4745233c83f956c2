import { logger } from '@nx/devkit';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { isRecord } from './is-record';
import { writeFileAtomic } from './paths';

/**
 * State files (stamps, records, caches) are written whole or not at all, and one that
 * cannot be read (an interrupted write from an older version, a disk that filled up, a
 * hand edit) is discarded with a warning and rebuilt, never a reason to fail every run.
 */

export type Shape<T> = (value: unknown) => value is T;

export function writeStateFile(file: string, value: unknown, pretty = false): void {
  writeFileAtomic(file, pretty ? JSON.stringify(value, null, 2) + '\n' : JSON.stringify(value));
}

/**
 * The file's JSON when it has the expected shape; undefined when it is missing, or when it
 * is unreadable (then it is removed, and `warn` says so, naming `what` and the file).
 */
export function readStateFile<T>(file: string, shape: Shape<T>, what: string, warn: (message: string) => void = (m) => logger.warn(m)): T | undefined {
  if (!existsSync(file)) return undefined;
  let problem: string;
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (shape(value)) return value;
    problem = 'not the shape this version writes';
  } catch (error) {
    problem = (error as Error).message.split('\n')[0];
  }
  warn(`${what} ${file} is unreadable (${problem}); discarded, it will be rebuilt.`);
  try {
    rmSync(file, { force: true });
  } catch {
    // read-only: it is ignored all the same
  }
  return undefined;
}

export { isRecord } from './is-record';

/** A shape check from field checks: `hasFields({ key: isString })`. */
export function hasFields<T>(fields: Record<string, (v: unknown) => boolean>): Shape<T> {
  return (value: unknown): value is T => isRecord(value) && Object.entries(fields).every(([key, check]) => check(value[key]));
}

export const isString = (v: unknown): v is string => typeof v === 'string';
export const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
export const optional =
  (check: (v: unknown) => boolean) =>
  (v: unknown): boolean =>
    v === undefined || check(v);
export const arrayOf =
  (check: (v: unknown) => boolean) =>
  (v: unknown): boolean =>
    Array.isArray(v) && v.every(check);
