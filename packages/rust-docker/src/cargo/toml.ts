import * as IarnaToml from '@iarna/toml';
import * as SmolToml from 'smol-toml';

/**
 * TOML as Cargo reads it. `@iarna/toml` (the parser the design names) speaks TOML 0.5;
 * Cargo reads TOML 1.0 and 1.1: mixed-type arrays, `\e` and `\xHH` escapes, inline tables
 * over several lines, times without seconds, a leading byte-order mark. Whatever
 * `@iarna/toml` rejects goes to `smol-toml` (TOML 1.1, the parser Nx itself uses), so a
 * manifest Cargo accepts never drops out of the graph. The fallback runs only when
 * `@iarna/toml` throws: documents it reads are read exactly as before.
 */

export type TomlTable = Record<string, unknown>;

/** Invalid TOML, with the 1-based line where the parser stopped when it knows it. */
export class TomlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'TomlSyntaxError';
  }
}

/** Parses TOML 1.1. Throws a TomlSyntaxError with a one-line message and the line. */
export function parseToml(text: string): TomlTable {
  try {
    return IarnaToml.parse(text) as TomlTable;
  } catch (iarnaError) {
    try {
      // Integers beyond 2^53 are valid TOML (and @iarna/toml reads them): keep them.
      return SmolToml.parse(text, { integersAsBigInt: 'asNeeded' }) as TomlTable;
    } catch (smolError) {
      // smol-toml judges by the TOML version Cargo reads, so its verdict is the one to report.
      const e = smolError as Error & { line?: number };
      const fallback = iarnaError as Error & { line?: number };
      const message = (e.message ?? String(smolError)).split('\n')[0].replace(/^Invalid TOML document: /, '');
      const line = typeof e.line === 'number' ? e.line : typeof fallback.line === 'number' ? fallback.line + 1 : undefined;
      throw new TomlSyntaxError(message, line);
    }
  }
}

/**
 * Writes a parsed document back as TOML: `@iarna/toml` first (its layout is what callers
 * and their tests know), `smol-toml` for values it cannot write (mixed-type arrays).
 */
export function stringifyToml(value: TomlTable): string {
  try {
    return IarnaToml.stringify(value as IarnaToml.JsonMap);
  } catch {
    return SmolToml.stringify(value);
  }
}
