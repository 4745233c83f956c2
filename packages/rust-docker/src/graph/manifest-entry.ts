import { createHash } from 'node:crypto';
import { ManifestError, parseCargoManifest, type CargoManifest } from '../cargo/manifest';

/** Size and modification time a file was read at, and a digest of what it held. */
export interface Stamp {
  size: number;
  mtimeMs: number;
  hash: string;
}

/** What the graph keeps of one Cargo.toml. */
export type ManifestEntry = Stamp & { manifest?: CargoManifest; error?: { message: string; line?: number }; vendored?: boolean };

export function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/**
 * Parses one manifest into what the graph keeps. Vendored crates (cargo vendor output,
 * with a checksum file beside the manifest) are not workspace crates; invalid TOML is
 * kept as an error, reported as a warning while the rest of the graph loads.
 */
export function manifestEntry(file: string, text: string, stamp: Stamp, vendored: () => boolean): ManifestEntry {
  if (vendored()) return { ...stamp, vendored: true };
  try {
    return { ...stamp, manifest: parseCargoManifest(text, file) };
  } catch (error) {
    const e = error as ManifestError;
    return { ...stamp, error: { message: e.message, line: e.line } };
  }
}
