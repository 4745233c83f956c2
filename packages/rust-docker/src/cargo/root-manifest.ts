import { addToStringArray, ensureTableEntries, findTable } from './toml-text';

/** Small, fast, panic-free-unwinding release binaries; Cargo only honours it at the workspace root. */
export const RELEASE_PROFILE: Array<[string, string]> = [
  ['strip', 'true'],
  ['lto', 'true'],
  ['codegen-units', '1'],
  ['panic', '"abort"'],
  ['opt-level', '3'],
];

/**
 * Makes `text` (the root Cargo.toml, or nothing) a workspace root with a resolver and the
 * release profile, adding only what is missing: existing keys, comments and order stay.
 */
export function ensureCargoWorkspace(text: string | undefined): string {
  let out = text ?? '';
  if (!findTable(out, 'workspace')) {
    out = ensureTableEntries(out, 'workspace', [
      ['resolver', '"2"'],
      ['members', '[]'],
    ]);
  } else {
    out = ensureTableEntries(out, 'workspace', [['resolver', '"2"']]);
  }
  return ensureTableEntries(out, 'profile.release', RELEASE_PROFILE);
}

export function addWorkspaceMember(text: string, member: string): string {
  return addToStringArray(text, 'workspace', 'members', member);
}

/** Adds `[workspace.dependencies]` entries that are not there yet; a user's versions win. */
export function ensureWorkspaceDependencies(text: string, entries: Array<[string, string]>): string {
  return ensureTableEntries(text, 'workspace.dependencies', entries);
}
