import * as TOML from '@iarna/toml';
import { findTable, findValue } from '../../cargo/toml-text';

/**
 * Removes one string from a TOML array (`[tableName] key = [...]`), keeping the rest of the
 * text as it is: in a multi-line array the item's whole line goes (with a comment on that
 * line, which described it), in a one-line array the item and one comma. Returns the text
 * unchanged when the item is not there. Throws when the result would not parse (a layout
 * these lexical edits do not handle); the caller decides what to do then.
 *
 * (A companion to `addToStringArray` in cargo/toml-text.ts, which has no removal.)
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
  try {
    TOML.parse(out);
  } catch {
    throw new Error(`cannot remove "${item}" from ${tableName}.${key} automatically with this file's layout; remove it by hand.`);
  }
  return out;
}
