/**
 * A name every tool in the chain accepts: Cargo (package names), Nx (project names) and
 * Docker (repository names are lowercase, with single separators).
 */
const VALID = /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$/;

const RUST_KEYWORDS = new Set(
  'as async await break const continue crate dyn else enum extern false fn for if impl in let loop match mod move mut pub ref return self Self static struct super trait true type unsafe use where while abstract become box do final gen macro override priv try typeof unsized virtual yield'.split(' '),
);

/** Names that clash with Rust's built-in crates or with folders Cargo creates. */
const RESERVED = new Set(['std', 'core', 'alloc', 'proc_macro', 'proc-macro', 'test', 'build', 'deps', 'examples', 'incremental', 'target']);

/** Names Windows cannot use as a file or folder. */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])$/;

/** Returns why `name` cannot name a crate and its image, or undefined when it can. */
export function crateNameProblem(name: string, what = 'name'): string | undefined {
  if (!name || !name.trim()) return `the ${what} is empty: pass one, e.g. \`nx g @org/rust-docker:service api\``;
  if (name.length > 64) return `"${name}" is ${name.length} characters long; use at most 64`;
  if (!VALID.test(name)) {
    return `"${name}" is not a valid ${what}: use lowercase letters and digits, starting with a letter, with single "-" or "_" between words (e.g. "billing-api"), so that Cargo, Nx and Docker all accept it`;
  }
  if (RUST_KEYWORDS.has(name)) return `"${name}" is a Rust keyword and cannot name a crate; choose another ${what}`;
  if (RESERVED.has(name)) return `"${name}" clashes with a built-in Rust crate or a Cargo folder; choose another ${what}`;
  if (WINDOWS_RESERVED.test(name)) return `"${name}" is a reserved file name on Windows; choose another ${what}`;
  return undefined;
}
