// Cargo reads TOML 1.0; so does smol-toml (@iarna/toml knows 0.5 and refuses some valid files).
import { parse as parseToml } from 'smol-toml';

/**
 * Format-preserving edits of TOML text. `@iarna/toml` parses and stringifies, but a
 * stringify drops comments and reorders keys; a user's root Cargo.toml must keep both.
 * These helpers locate tables and values lexically and splice text in place.
 */

export interface TableSpan {
  /** Dotted name with whitespace and quotes removed (`profile.release`); '' for the root table. */
  name: string;
  isArrayTable: boolean;
  /** Offset of the `[` of the header (0 for the root table). */
  headerStart: number;
  /** Offset just after the header line's newline. */
  bodyStart: number;
  /** Offset where the next header starts (or the text ends). */
  end: number;
}

export interface ValueSpan {
  keyStart: number;
  valueStart: number;
  valueEnd: number;
}

/** Scans a string/array/inline-table value starting at `start` and returns its end offset. */
function scanValueEnd(text: string, start: number): number {
  let i = start;
  let depth = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"' || ch === "'") {
      i = skipString(text, i);
      if (depth === 0) return i;
      continue;
    }
    if (ch === '#') {
      if (depth === 0) return trimEnd(text, start, i);
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (ch === '[' || ch === '{') depth++;
    if (ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) return i + 1;
    }
    if (ch === '\n' && depth === 0) return trimEnd(text, start, i);
    i++;
  }
  return trimEnd(text, start, i);
}

function trimEnd(text: string, start: number, end: number): number {
  while (end > start && /\s/.test(text[end - 1])) end--;
  return end;
}

function skipString(text: string, i: number): number {
  const quote = text[i];
  const triple = text.startsWith(quote.repeat(3), i);
  if (triple) {
    const close = text.indexOf(quote.repeat(3), i + 3);
    if (close < 0) return text.length;
    let end = close + 3;
    while (text[end] === quote) end++; // up to two quotes may end the content
    return end;
  }
  i++;
  while (i < text.length && text[i] !== quote && text[i] !== '\n') {
    if (quote === '"' && text[i] === '\\') i++;
    i++;
  }
  return i + 1;
}

function normalizeKey(raw: string): string {
  return raw
    .split('.')
    .map((part) => part.trim().replace(/^["']|["']$/g, ''))
    .join('.');
}

/** Lists the tables of a TOML document in order, with the root table first. */
export function listTables(text: string): TableSpan[] {
  const tables: TableSpan[] = [
    { name: '', isArrayTable: false, headerStart: 0, bodyStart: 0, end: text.length },
  ];
  let i = 0;
  let lineStart = true;
  while (i < text.length) {
    const ch = text[i];
    if (lineStart && ch === '[') {
      const lineEnd = text.indexOf('\n', i);
      const line = text.slice(i, lineEnd < 0 ? text.length : lineEnd);
      const match = /^\[\[?\s*([^\]]+?)\s*\]\]?/.exec(line);
      if (match) {
        tables[tables.length - 1].end = i;
        tables.push({
          name: normalizeKey(match[1]),
          isArrayTable: line.startsWith('[['),
          headerStart: i,
          bodyStart: lineEnd < 0 ? text.length : lineEnd + 1,
          end: text.length,
        });
        i = lineEnd < 0 ? text.length : lineEnd + 1;
        lineStart = true;
        continue;
      }
    }
    if (ch === '\n') {
      lineStart = true;
      i++;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
      continue;
    }
    lineStart = false;
    if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (ch === '=') {
      i = scanValueEnd(text, skipBlanks(text, i + 1));
      continue;
    }
    i++;
  }
  return tables;
}

function skipBlanks(text: string, i: number): number {
  while (text[i] === ' ' || text[i] === '\t') i++;
  return i;
}

export function findTable(text: string, name: string): TableSpan | undefined {
  return listTables(text).find((t) => t.name === name && !t.isArrayTable);
}

/** Finds `key = value` directly inside a table (not inside a nested inline table). */
export function findValue(text: string, table: TableSpan, key: string): ValueSpan | undefined {
  let i = table.bodyStart;
  while (i < table.end) {
    const lineEnd = text.indexOf('\n', i);
    const stop = lineEnd < 0 || lineEnd > table.end ? table.end : lineEnd;
    const line = text.slice(i, stop);
    const match = /^(\s*)([A-Za-z0-9_."' -]+?)\s*=\s*/.exec(line);
    if (match && normalizeKey(match[2]) === key) {
      const valueStart = i + match[0].length;
      return { keyStart: i + match[1].length, valueStart, valueEnd: scanValueEnd(text, valueStart) };
    }
    if (match) {
      i = scanValueEnd(text, i + match[0].length);
      const next = text.indexOf('\n', i);
      i = next < 0 ? table.end : next + 1;
      continue;
    }
    i = stop + 1;
  }
  return undefined;
}

/** Returns the string items of an array value, ignoring comments. */
export function readStringArray(text: string, span: ValueSpan): string[] {
  const body = text.slice(span.valueStart, span.valueEnd);
  const items: string[] = [];
  const re = /#[^\n]*|"((?:[^"\\\n]|\\.)*)"|'([^'\n]*)'/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(body))) {
    if (m[0].startsWith('#')) continue;
    items.push(m[1] !== undefined ? JSON.parse(`"${m[1]}"`) : m[2]);
  }
  return items;
}

/** Appends a string to an array value, following the array's own layout. */
export function appendToArray(text: string, span: ValueSpan, item: string): string {
  const literal = JSON.stringify(item);
  const body = text.slice(span.valueStart, span.valueEnd);
  if (!body.startsWith('[') || !body.endsWith(']')) {
    throw new Error(`expected an array, found ${body.trim().split('\n')[0]}`);
  }
  if (!body.includes('\n')) {
    const inner = body.slice(1, -1).trim().replace(/,$/, '');
    const replaced = inner ? `[${inner}, ${literal}]` : `[${literal}]`;
    return text.slice(0, span.valueStart) + replaced + text.slice(span.valueEnd);
  }
  // Multi-line: the item goes on its own line, indented like the items already there.
  const closing = span.valueEnd - 1;
  const itemLine = body
    .split('\n')
    .slice(1, -1)
    .find((l) => l.trim() && !l.trim().startsWith('#'));
  const indent = itemLine ? /^\s*/.exec(itemLine)![0] : '    ';
  let lastValueEnd = -1;
  const re = /#[^\n]*|"(?:[^"\\\n]|\\.)*"|'[^'\n]*'/g;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    if (!m[0].startsWith('#')) lastValueEnd = span.valueStart + m.index + m[0].length;
  }
  const closingLineStart = text.lastIndexOf('\n', closing) + 1;
  const closingOnOwnLine = text.slice(closingLineStart, closing).trim() === '';
  const insertAt = closingOnOwnLine ? closingLineStart : closing;
  const addition = closingOnOwnLine ? `${indent}${literal},\n` : `\n${indent}${literal},\n`;
  const needsComma = lastValueEnd >= 0 && !/^\s*,/.test(text.slice(lastValueEnd, insertAt));
  if (needsComma) {
    return text.slice(0, lastValueEnd) + ',' + text.slice(lastValueEnd, insertAt) + addition + text.slice(insertAt);
  }
  return text.slice(0, insertAt) + addition + text.slice(insertAt);
}

/** The value at a dotted table path in a parsed document, however the file spells it. */
function tableAt(doc: Record<string, unknown>, tableName: string): Record<string, unknown> | undefined {
  let node: unknown = doc;
  for (const part of tableName ? tableName.split('.') : []) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'object' && node !== null && !Array.isArray(node) ? (node as Record<string, unknown>) : undefined;
}

/** Throws a clear error when an edit would leave invalid TOML (an unusual layout). */
function checkedEdit(after: string, what: string, byHand = 'add it by hand and run the command again'): string {
  try {
    parseToml(after);
  } catch {
    throw new Error(`cannot ${what} automatically with this file's layout; ${byHand}.`);
  }
  return after;
}

/** Adds `key = value` lines missing from a table, creating the table at the end if absent. */
export function ensureTableEntries(
  text: string,
  tableName: string,
  entries: Array<[key: string, valueLiteral: string]>,
): string {
  // Ask the parsed document which keys exist: `[a.b.key]` tables and `key.sub = ...`
  // dotted keys define a key without a `key =` line. A file that is not valid TOML
  // falls back to what the text shows, unchecked (generators refuse such files before editing).
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = parseToml(text) as Record<string, unknown>;
  } catch {
    parsed = undefined;
  }
  const lexical = findTable(text, tableName);
  const has = (key: string) =>
    parsed ? key in (tableAt(parsed, tableName) ?? {}) : lexical !== undefined && findValue(text, lexical, key) !== undefined;
  const missing = entries.filter(([k]) => !has(k));
  const checked = (after: string, what: string) => (parsed ? checkedEdit(after, what) : after);
  if (missing.length === 0) return text;
  const lines = missing.map(([k, v]) => `${k} = ${v}`).join('\n');
  const what = `add ${missing.map(([k]) => k).join(', ')} to [${tableName}]`;
  const table = findTable(text, tableName);
  if (!table) {
    const sep = text.length === 0 || text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
    try {
      return checked(`${text}${sep}[${tableName}]\n${lines}\n`, what);
    } catch (error) {
      // Defined through dotted keys in a parent table (`[profile]` with `release.lto = ...`):
      // a `[profile.release]` header would define it twice, which Cargo refuses. The new
      // keys go beside the existing ones, dotted the same way.
      if (!parsed || !tableAt(parsed, tableName)) throw error;
      const parts = tableName.split('.');
      for (let i = parts.length - 1; i >= 0; i--) {
        const parent = parts.slice(0, i).join('.');
        if (findTable(text, parent)) {
          const prefix = parts.slice(i).join('.');
          return ensureTableEntries(text, parent, missing.map(([k, v]) => [`${prefix}.${k}`, v]));
        }
      }
      throw error;
    }
  }
  // After the table's last key, above any blank lines and comments that introduce the
  // next table, so those stay with it.
  let end = table.end;
  const body = text.slice(table.bodyStart, end).split('\n');
  let trailing = 0;
  for (let k = body.length - 1; k >= 0; k--) {
    const line = body[k].trim();
    if (line !== '' && !line.startsWith('#')) break;
    trailing += body[k].length + (k > 0 ? 1 : 0);
  }
  end -= trailing;
  if (end <= table.bodyStart) {
    const prefix = table.bodyStart > 0 && text[table.bodyStart - 1] !== '\n' ? '\n' : '';
    return checked(text.slice(0, table.bodyStart) + prefix + lines + '\n' + text.slice(table.bodyStart), what);
  }
  return checked(text.slice(0, end) + '\n' + lines + text.slice(end), what);
}

/** Adds a string to `tableName.key` (an array), creating the key or table when absent. */
export function addToStringArray(text: string, tableName: string, key: string, item: string): string {
  const table = findTable(text, tableName);
  if (!table) return ensureTableEntries(text, tableName, [[key, `[${JSON.stringify(item)}]`]]);
  const value = findValue(text, table, key);
  if (!value) return ensureTableEntries(text, tableName, [[key, `[${JSON.stringify(item)}]`]]);
  if (readStringArray(text, value).includes(item)) return text;
  const after = appendToArray(text, value, item);
  try {
    parseToml(text);
  } catch {
    return after; // unreadable before the edit too: nothing to compare with
  }
  return checkedEdit(after, `add "${item}" to ${tableName}.${key}`);
}

/**
 * Removes one string from a TOML array (`[tableName] key = [...]`), keeping the rest of the
 * text as it is: in a multi-line array the item's whole line goes (with a comment on that
 * line, which described it), in a one-line array the item and one comma. Returns the text
 * unchanged when the item is not there. Throws when the result would not parse (a layout
 * these lexical edits do not handle); the caller decides what to do then.
 */
export function removeFromStringArray(text: string, tableName: string, key: string, item: string): string {
  const table = findTable(text, tableName);
  const span = table && findValue(text, table, key);
  if (!span || text[span.valueStart] !== '[') return text;
  const re = /#[^\n]*|"((?:[^"\\\n]|\\.)*)"|'([^'\n]*)'/g;
  const body = text.slice(span.valueStart, span.valueEnd);
  let start = -1;
  let end = -1;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    if (m[0].startsWith('#')) continue;
    const value = m[1] !== undefined ? (JSON.parse(`"${m[1]}"`) as string) : m[2];
    if (value === item) {
      start = span.valueStart + m.index;
      end = start + m[0].length;
      break;
    }
  }
  if (start < 0) return text;

  let out: string;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const lineEndRaw = text.indexOf('\n', end);
  const lineEnd = lineEndRaw < 0 ? text.length : lineEndRaw;
  const before = text.slice(lineStart, start);
  const after = text.slice(end, lineEnd);
  if (lineStart > span.valueStart && before.trim() === '' && /^\s*,?\s*(#.*)?$/.test(after) && lineEnd < span.valueEnd) {
    // Alone on its line in a multi-line array: drop the line.
    out = text.slice(0, lineStart) + text.slice(lineEnd + 1);
  } else {
    const followingComma = /^\s*,[ \t]*/.exec(text.slice(end));
    const closesAfterComma = followingComma && text[end + followingComma[0].length] === ']';
    const precedingComma = /,\s*$/.exec(text.slice(span.valueStart + 1, start));
    if (followingComma && !closesAfterComma) out = text.slice(0, start) + text.slice(end + followingComma[0].length);
    else if (precedingComma) out = text.slice(0, span.valueStart + 1 + precedingComma.index) + text.slice(end);
    else out = text.slice(0, start) + text.slice(followingComma ? end + followingComma[0].length : end);
  }
  return checkedEdit(out, `remove "${item}" from ${tableName}.${key}`, 'remove it by hand');
}
