import { formatFiles, logger, readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { posix } from 'node:path';
import { findCrates } from '../../cargo/tree-crates';
import { baseImageArgs, isPinned, pinnedReference } from '../../docker/base-images';
import { chooseCli, currentCli, runDocker, useCli, useEngineBounds } from '../../docker/docker-cli';
import { imageReferenceProblem } from '../../docker/image-reference';
import { checkNxJson, transactional } from '../../safety/tree';
import { PLUGIN_NAME } from '../init/generator';
import type { PinBaseImagesGeneratorSchema } from './schema';

/**
 * `nx g @org/rust-docker:pin-base-images`: base images from tags to `tag@sha256:` digests,
 * where docker-build reads them: the ARG defaults of each service Dockerfile, and the
 * build arguments nx.json gives docker-build (a private mirror, usually). Every image is
 * pinned, or nothing is written.
 */

/** The pinned reference for `ref`, or why there is none. */
export type DigestResolver = (ref: string) => Promise<{ pinned: string } | { problem: string }>;

/** Asks the local engine (after a pull, when asked) for the digest of each image. */
export function engineResolver(options: { pull: boolean }): DigestResolver {
  return async (ref) => {
    if (options.pull) {
      const pulled = await runDocker(['pull', ref], { kind: 'transfer' });
      if (pulled.code !== 0) return { problem: `\`${currentCli()} pull\` failed: ${(pulled.stderr || pulled.stdout).trim().split('\n').pop()}` };
    }
    const inspect = await runDocker(['image', 'inspect', '--format', '{{json .RepoDigests}}', ref]);
    if (inspect.code !== 0) return { problem: `it is not in this engine: pull it first (\`${currentCli()} pull ${ref}\`), or pass --pull` };
    let digests: string[] = [];
    try {
      digests = (JSON.parse(inspect.stdout.trim()) as string[] | null) ?? [];
    } catch {
      digests = [];
    }
    const pinned = pinnedReference(ref, digests);
    return pinned
      ? { pinned }
      : { problem: 'this engine has no registry digest for it (it was built or imported here, never pulled from or pushed to a registry): push it to your registry and pull it from there' };
  };
}

interface Use {
  /** Where the reference is written: a Dockerfile's ARG line, or an nx.json build argument. */
  where: string;
  ref: string;
  apply: (pinned: string) => void;
}

/** docker-build's entries in nx.json targetDefaults: by the plugin's target name and by executor. */
function dockerBuildDefaults(tree: Tree): Array<{ key: string; buildArgs: Record<string, unknown> }> {
  const nxJson = readNxJson(tree);
  const plugin = (nxJson?.plugins ?? []).find((p) => typeof p !== 'string' && p.plugin === PLUGIN_NAME);
  const targetName = ((plugin && typeof plugin !== 'string' ? plugin.options : undefined) as { dockerBuildTargetName?: string } | undefined)?.dockerBuildTargetName ?? 'docker-build';
  const out: Array<{ key: string; buildArgs: Record<string, unknown> }> = [];
  for (const key of [targetName, `${PLUGIN_NAME}:docker-build`]) {
    const buildArgs = (nxJson?.targetDefaults?.[key] as { options?: { buildArgs?: unknown } } | undefined)?.options?.buildArgs;
    if (buildArgs && typeof buildArgs === 'object' && !Array.isArray(buildArgs)) out.push({ key, buildArgs: buildArgs as Record<string, unknown> });
  }
  return out;
}

async function generatePins(tree: Tree, schema: PinBaseImagesGeneratorSchema, resolve?: DigestResolver): Promise<void> {
  checkNxJson(tree);
  const crates = findCrates(tree);
  const dirs = schema.project ? [crates.byProject.get(schema.project) ?? crates.byName.get(schema.project)] : [...new Set(crates.byName.values())].sort();
  if (dirs[0] === undefined) throw new Error(`no crate or project named "${schema.project}" in this workspace (crates: ${[...crates.byProject.keys()].sort().join(', ') || 'none yet'}).`);

  const defaults = dockerBuildDefaults(tree);
  const nxJsonEdits: Array<[key: string, arg: string, value: string]> = [];
  const uses: Use[] = [];
  const dockerfiles = new Map<string, string[]>();
  const argsUsed = new Set<string>();
  for (const dir of dirs as string[]) {
    const file = posix.join(dir === '.' ? '' : dir, 'Dockerfile');
    if (!tree.isFile(file)) continue;
    const lines = tree.read(file, 'utf8')!.split('\n');
    dockerfiles.set(file, lines);
    for (const { arg, value, line } of baseImageArgs(lines.join('\n'))) {
      argsUsed.add(arg);
      // docker-build takes nx.json's value instead; the default stays for plain `docker build`.
      if (defaults.some((d) => typeof d.buildArgs[arg] === 'string')) continue;
      uses.push({
        where: `${file}:${line} ARG ${arg}`,
        ref: value,
        apply: (pinned) => (lines[line - 1] = lines[line - 1].replace(value, pinned)),
      });
    }
  }
  for (const { key, buildArgs } of defaults) {
    for (const [arg, value] of Object.entries(buildArgs)) {
      if (!argsUsed.has(arg) || typeof value !== 'string') continue;
      uses.push({ where: `nx.json targetDefaults["${key}"] buildArgs.${arg}`, ref: value, apply: (pinned) => nxJsonEdits.push([key, arg, pinned]) });
    }
  }
  if (dockerfiles.size === 0) throw new Error(`${schema.project ? `${schema.project} has no Dockerfile` : 'no crate has a Dockerfile'}: add one with \`nx g @org/rust-docker:docker <project>\`.`);

  const toPin = uses.filter((u) => !isPinned(u.ref));
  if (toPin.length === 0) {
    logger.info('@org/rust-docker: every base image is already pinned by digest.');
    return;
  }
  for (const use of toPin) {
    const problem = imageReferenceProblem(use.ref);
    if (problem) throw new Error(`${use.where}: "${use.ref}" is not an image reference (${problem}); nothing was written.`);
  }
  if (!resolve) {
    useEngineBounds(schema);
    useCli(chooseCli(schema.engine ?? 'auto'));
    resolve = engineResolver({ pull: schema.pull ?? false });
  }
  const resolved = new Map<string, Awaited<ReturnType<DigestResolver>>>();
  for (const ref of new Set(toPin.map((u) => u.ref))) resolved.set(ref, await resolve(ref));
  const failures = toPin.filter((u) => 'problem' in resolved.get(u.ref)!);
  if (failures.length) {
    const lines = failures.map((u) => `${u.ref} (${u.where}): ${(resolved.get(u.ref) as { problem: string }).problem}`);
    throw new Error(`cannot pin ${failures.length === 1 ? 'a base image' : `${failures.length} base images`}, so nothing was written: ${[...new Set(lines)].join('; ')}.`);
  }
  for (const use of toPin) {
    const { pinned } = resolved.get(use.ref) as { pinned: string };
    use.apply(pinned);
    logger.info(`${use.where}: ${use.ref} → ${pinned}`);
  }
  for (const [file, lines] of dockerfiles) {
    const text = lines.join('\n');
    if (text !== tree.read(file, 'utf8')) tree.write(file, text);
  }
  if (nxJsonEdits.length) {
    const nxJson = readNxJson(tree)!;
    for (const [key, arg, pinned] of nxJsonEdits) (nxJson.targetDefaults![key] as { options: { buildArgs: Record<string, string> } }).options.buildArgs[arg] = pinned;
    updateNxJson(tree, nxJson);
  }
  if (!schema.skipFormat) await formatFiles(tree);
}

/** With `resolve`, digests come from it (tests); otherwise from the engine. */
export function pinBaseImages(tree: Tree, schema: PinBaseImagesGeneratorSchema = {}, resolve?: DigestResolver): Promise<void> {
  return transactional((t: Tree, s: PinBaseImagesGeneratorSchema) => generatePins(t, s, resolve))(tree, schema);
}

export const pinBaseImagesGenerator = (tree: Tree, schema: PinBaseImagesGeneratorSchema = {}) => pinBaseImages(tree, schema);

export default pinBaseImagesGenerator;
