import { existsSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { globToRegExp, type CargoWorkspaceModel } from '../cargo/workspace';
import { collectCrateFiles, planBuildContext } from './build-context';
import { pruneStages } from './dockerfile';
import type { IgnoreRule } from './dockerignore';

/**
 * What a Dockerfile takes from its build context: the sources of its COPY and ADD
 * instructions (not `--from` another stage or image, not URLs) in the stages the build
 * needs. A hand-written Dockerfile is built from the pruned context when everything it
 * copies is in there, which is what `COPY . .` and the crates' own folders are.
 */

export interface ContextSource {
  instruction: string;
  /** As written, e.g. `services/api/src` or `Cargo.*`. */
  source: string;
}

/** Instructions with their continuation lines joined. */
function logicalLines(dockerfile: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const line of dockerfile.split('\n')) {
    if (/^\s*#/.test(line) && current === '') continue;
    if (/\\\s*$/.test(line)) {
      current += line.replace(/\\\s*$/, ' ');
      continue;
    }
    out.push(current + line);
    current = '';
  }
  if (current) out.push(current);
  return out;
}

export function contextSources(dockerfile: string, target?: string): ContextSource[] {
  const out: ContextSource[] = [];
  let stages = dockerfile;
  try {
    stages = pruneStages(dockerfile, target);
  } catch {
    // no such stage: docker build says so itself; every stage is looked at here
  }
  for (const line of logicalLines(stages)) {
    const match = /^\s*(COPY|ADD)\s+(.*)$/i.exec(line);
    if (!match) continue;
    let rest = match[2].trim();
    const flags: string[] = [];
    while (rest.startsWith('--')) {
      const flag = /^(\S+)\s*/.exec(rest)!;
      flags.push(flag[1]);
      rest = rest.slice(flag[0].length);
    }
    if (flags.some((f) => /^--from=/i.test(f))) continue;
    let args: string[];
    if (rest.startsWith('[')) {
      try {
        args = JSON.parse(rest) as string[];
      } catch {
        continue;
      }
    } else {
      args = rest.split(/\s+/).filter(Boolean);
    }
    for (const source of args.slice(0, -1)) {
      // Heredocs, URLs and git repositories, and variables (unknown here) are not context paths.
      if (source.startsWith('<<') || /^[a-z][\w+.-]*:\/\//i.test(source) || source.startsWith('git@') || source.includes('$')) continue;
      out.push({ instruction: line.trim().replace(/\s+/g, ' '), source });
    }
  }
  return out;
}

/** Whether a COPY source matches a file of the context, or a folder holding one. */
export function contextHas(files: Iterable<string>, source: string): boolean {
  const path = posix.normalize(source.replace(/^\/+/, '')).replace(/\/+$/, '');
  if (path === '.' || path === '') return true;
  const list = [...files];
  if (/[*?[]/.test(path)) {
    const re = globToRegExp(path);
    return list.some((file) => {
      const parts = file.split('/');
      return parts.some((_, i) => re.test(parts.slice(0, i + 1).join('/')));
    });
  }
  return list.some((file) => file === path || file.startsWith(`${path}/`));
}

export interface PrunedContextCheck {
  /** Sources in the Cargo workspace folder but outside the crate closure's context. */
  outside: ContextSource[];
  /** Sources in neither: the Dockerfile expects another context (a crate folder, say). */
  missing: ContextSource[];
  /** The crates the pruned context has. */
  crateNames: string[];
}

/**
 * Checks a Dockerfile's COPY sources against the pruned context of a crate: its closure's
 * folders (after .dockerignore), the generated root files, the vendored crates.
 */
export function checkPrunedContext(
  dockerfile: string,
  target: string | undefined,
  model: CargoWorkspaceModel,
  crateDir: string,
  workspaceAbs: string,
  readRoot: (file: string) => string | undefined,
  rules: IgnoreRule[],
): PrunedContextCheck {
  const sources = contextSources(dockerfile, target);
  const plan = planBuildContext(model, crateDir, readRoot);
  if (sources.length === 0) return { outside: [], missing: [], crateNames: plan.crateNames };
  const files = new Set([
    ...collectCrateFiles(workspaceAbs, plan.crateDirs, rules).keys(),
    ...plan.generated.keys(),
    ...plan.copied,
    '.cargo/config.toml',
    'vendor/.',
  ]);
  const outside: ContextSource[] = [];
  const missing: ContextSource[] = [];
  for (const source of sources) {
    if (contextHas(files, source.source)) continue;
    const exists = /[*?[]/.test(source.source) || existsSync(join(workspaceAbs, source.source));
    (exists ? outside : missing).push(source);
  }
  return { outside, missing, crateNames: plan.crateNames };
}

/**
 * The files a Dockerfile's COPY sources name under `workspaceAbs` (folders expanded,
 * .dockerignore applied), for a context that is not the crate closure: the prebuilt
 * strategy's, which otherwise holds the binary alone.
 */
export function filesForSources(workspaceAbs: string, sources: ContextSource[], rules: IgnoreRule[]): Map<string, { source: string }> {
  const out = new Map<string, { source: string }>();
  for (const { source } of sources) {
    const rel = posix.normalize(source.replace(/^\/+/, '')).replace(/\/+$/, '');
    if (rel === '.' || rel.startsWith('..') || /[*?[]/.test(rel)) continue;
    const abs = join(workspaceAbs, rel);
    if (!existsSync(abs)) continue;
    if (statSync(abs).isDirectory()) {
      for (const [file, entry] of collectCrateFiles(workspaceAbs, [rel], rules)) out.set(file, entry);
    } else {
      out.set(rel, { source: abs });
    }
  }
  return out;
}
