import { visitNotIgnoredFiles, type Tree } from '@nx/devkit';
import { posix } from 'node:path';
import { RELEASE_PROFILE } from '../../cargo/root-manifest';
import { ensureTableEntries, findTable } from '../../cargo/toml-text';

/**
 * Which of the release profile's settings init writes: `all` in a new Cargo workspace;
 * `build-only` where crates exist, which leaves out what changes how a crate behaves at run
 * time (those are proposed instead); `none` leaves the profile alone.
 */
export const RELEASE_PROFILE_CHOICES = ['all', 'build-only', 'none'] as const;
export type ReleaseProfileChoice = (typeof RELEASE_PROFILE_CHOICES)[number];

/**
 * Why the generated services' release profile has each setting, and, for the settings a
 * running program notices, what changes (the README's "Release profile" says the same).
 */
export const RELEASE_PROFILE_REASONS: Record<string, { why: string; atRunTime?: string }> = {
  strip: {
    why: 'the binary carries no symbol table or debug info, so the image is smaller',
    atRunTime: 'a panic backtrace (RUST_BACKTRACE=1) shows addresses instead of function names',
  },
  lto: { why: 'link-time optimization across all crates: smaller, faster code; release builds take longer' },
  'codegen-units': { why: 'one code generation unit per crate: more optimization and smaller code; release builds take longer' },
  panic: {
    why: 'no unwinding tables or landing pads, so the binary is smaller',
    atRunTime: 'a panic ends the whole process instead of the one request or thread it happened in (Drop does not run, catch_unwind catches nothing)',
  },
  'opt-level': { why: 'optimized for speed: the release default, written out so it is visible next to the others' },
};

export interface RootManifestPlan {
  /** The new text, or undefined when nothing changes. */
  text?: string;
  /** What was changed, one line each. */
  changes: string[];
  /** What would change how existing crates behave, not applied. */
  proposals: string[];
}

/** `key` is set in `[table]` (a `key = ` line, a dotted key or a sub-table). */
function hasKey(text: string, table: string, key: string): boolean {
  return ensureTableEntries(text, table, [[key, '0']]) === text;
}

/**
 * Folders of the crates below the root that belong to no Cargo workspace: Cargo builds them
 * on their own (their Cargo.lock, their target/). A new workspace at the root would make
 * Cargo refuse them ("current package believes it's in a workspace when it's not") unless
 * they are members or excluded.
 */
export function standaloneCrates(tree: Tree): string[] {
  const packages: string[] = [];
  const workspaces = new Set<string>();
  visitNotIgnoredFiles(tree, '', (file) => {
    if (posix.basename(file) !== 'Cargo.toml' || file === 'Cargo.toml') return;
    const dir = posix.dirname(file);
    // Vendored crates (cargo vendor output) are not the workspace's.
    if (tree.exists(posix.join(dir, '.cargo-checksum.json'))) return;
    const text = tree.read(file, 'utf8')!;
    if (findTable(text, 'workspace')) workspaces.add(dir);
    else if (findTable(text, 'package')) packages.push(dir);
  });
  const inWorkspace = (dir: string) => [...workspaces].some((ws) => dir.startsWith(`${ws}/`));
  return packages.filter((dir) => !inWorkspace(dir)).sort();
}

/**
 * Makes the root Cargo.toml (or none) the root of a Cargo workspace with the release
 * profile, adding only what is missing (existing keys, comments and order stay), and says
 * what it added and what it leaves as a proposal. `standalone` crates are excluded from a
 * workspace it creates, so they keep building as they did.
 */
export function planRootManifest(text: string | undefined, profile: ReleaseProfileChoice, standalone: string[] = []): RootManifestPlan {
  const changes: string[] = [];
  const proposals: string[] = [];
  let out = text ?? '';
  if (!findTable(out, 'workspace')) {
    // A root package's edition already picks the resolver (2021: "2", 2024: "3").
    const entries: Array<[string, string]> = findTable(out, 'package') ? [['members', '[]']] : [['resolver', '"2"'], ['members', '[]']];
    if (standalone.length) entries.push(['exclude', `[${standalone.map((d) => JSON.stringify(d)).join(', ')}]`]);
    out = ensureTableEntries(out, 'workspace', entries);
    const listed = entries.map(([k, v]) => `${k} = ${v}`).join(', ');
    changes.push(
      text === undefined
        ? `created: the root of a Cargo workspace ([workspace] ${listed})`
        : findTable(text, 'package')
          ? `[workspace] added (${listed}): the root package becomes the root of a Cargo workspace, with the same resolver`
          : `[workspace] added (${listed})`,
    );
    if (standalone.length) {
      changes.push(`[workspace] exclude: ${standalone.join(', ')} keep building on their own (their Cargo.lock and target/); move them to members to build them in the workspace`);
    }
  } else if (!findTable(out, 'package') && !hasKey(out, 'workspace', 'resolver')) {
    proposals.push(
      '[workspace] resolver = "2": Cargo resolves this virtual workspace with resolver 1 (and warns); 2 resolves features per target and dependency kind, which can change what is compiled in, so add it by hand after a look at your builds',
    );
  }
  if (profile !== 'none') {
    for (const [key, value] of RELEASE_PROFILE) {
      if (hasKey(out, 'profile.release', key)) continue; // the team's own setting stays
      const reason = RELEASE_PROFILE_REASONS[key];
      const line = `[profile.release] ${key} = ${value}: ${reason.why}`;
      if (profile === 'all' || !reason.atRunTime) {
        out = ensureTableEntries(out, 'profile.release', [[key, value]]);
        changes.push(reason.atRunTime ? `${line} (at run time: ${reason.atRunTime})` : line);
      } else {
        proposals.push(`${line}; not applied to existing crates: ${reason.atRunTime}`);
      }
    }
  }
  return { text: out === (text ?? '') ? undefined : out, changes, proposals };
}
