/**
 * Just enough of Rust's lexical grammar to read a crate's sources with regular expressions:
 * comments blanked out (so commented-out code and doc examples count for nothing), string
 * literals kept where they are, and line numbers for messages.
 */

export interface SourceFile {
  /** Path shown to the user, e.g. `services/api/src/main.rs`. */
  file: string;
  text: string;
}

export interface StringLiteral {
  /** The literal's value (escapes other than `\"` and `\\` left as written). */
  value: string;
  /** Offset of the opening quote (or of `r`/`b` for raw and byte strings) in the text. */
  start: number;
  end: number;
}

export interface LexedSource extends SourceFile {
  /** The text with every comment replaced by spaces (newlines kept), strings untouched. */
  code: string;
  strings: StringLiteral[];
}

const CHAR_LITERAL = /^'(?:\\u\{[0-9a-fA-F]{1,6}\}|\\x[0-9a-fA-F]{2}|\\.|[^\\'\n])'/;

function blank(text: string): string {
  return text.replace(/[^\n]/g, ' ');
}

export function lexRust(source: SourceFile): LexedSource {
  const { text } = source;
  let code = '';
  const strings: StringLiteral[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      code += blank(text.slice(i, stop));
      i = stop;
      continue;
    }
    if (c === '/' && next === '*') {
      // Block comments nest in Rust.
      let depth = 0;
      let j = i;
      while (j < text.length) {
        if (text[j] === '/' && text[j + 1] === '*') {
          depth++;
          j += 2;
        } else if (text[j] === '*' && text[j + 1] === '/') {
          depth--;
          j += 2;
          if (depth === 0) break;
        } else j++;
      }
      code += blank(text.slice(i, j));
      i = j;
      continue;
    }
    // Raw strings: r"..", r#".."#, br#".."# (an identifier ending in r or b is not one).
    const raw = /^(?:b|c)?r(#*)"/.exec(text.slice(i, i + 260));
    if (raw && !/[\w]/.test(text[i - 1] ?? '')) {
      const close = `"${raw[1]}`;
      const bodyStart = i + raw[0].length;
      const end = text.indexOf(close, bodyStart);
      const stop = end < 0 ? text.length : end + close.length;
      strings.push({ value: text.slice(bodyStart, end < 0 ? text.length : end), start: i, end: stop });
      code += text.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === '"' || ((c === 'b' || c === 'c') && next === '"' && !/[\w]/.test(text[i - 1] ?? ''))) {
      const open = c === '"' ? i : i + 1;
      let j = open + 1;
      let value = '';
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\' && j + 1 < text.length) {
          value += text[j + 1] === '"' || text[j + 1] === '\\' ? text[j + 1] : text.slice(j, j + 2);
          j += 2;
        } else {
          value += text[j];
          j++;
        }
      }
      const stop = Math.min(j + 1, text.length);
      strings.push({ value, start: i, end: stop });
      code += text.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === "'") {
      // A char literal ('"' must not open a string) or a lifetime ('a), which is left alone.
      const char = CHAR_LITERAL.exec(text.slice(i, i + 14));
      if (char) {
        code += char[0];
        i += char[0].length;
        continue;
      }
    }
    code += c;
    i++;
  }
  return { ...source, code, strings };
}

/** 1-based line of an offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}
