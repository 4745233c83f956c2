import { checkImageReference } from './image-reference';
import { parseStages } from './dockerfile';

/**
 * Base images are tags by default (`rust:1.95-bookworm`): a tag moves when its publisher
 * pushes again, so the same Dockerfile can build on another base tomorrow. A reference
 * pinned by digest (`rust:1.95-bookworm@sha256:...`) names exactly one image.
 */

const PINNED = /@sha256:[0-9a-f]{64}$/;

export function isPinned(ref: string): boolean {
  return PINNED.test(ref);
}

/** `ARG NAME=default` lines before the first FROM, with their 1-based line. */
export interface BaseImageArg {
  arg: string;
  value: string;
  line: number;
}

export function baseImageArgs(dockerfile: string): BaseImageArg[] {
  const lines = dockerfile.split('\n');
  const out: BaseImageArg[] = [];
  const fromArgs = new Set<string>();
  for (const line of lines) {
    const from = /^\s*FROM\s+(?:--platform=\S+\s+)?\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/i.exec(line);
    if (from) fromArgs.add(from[1]);
  }
  for (const [i, line] of lines.entries()) {
    if (/^\s*FROM\s/i.test(line)) break;
    const arg = /^\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)=(\S+)\s*$/i.exec(line);
    if (arg && fromArgs.has(arg[1])) out.push({ arg: arg[1], value: arg[2].replace(/^["']|["']$/g, ''), line: i + 1 });
  }
  return out;
}

/** Each base image a build would use: ARG defaults (or the build arguments given instead) and literal FROM images. */
export function effectiveBaseImages(dockerfile: string, buildArgs: Record<string, string> = {}): Array<{ ref: string; source: string }> {
  const images: Array<{ ref: string; source: string }> = [];
  for (const { arg, value } of baseImageArgs(dockerfile)) {
    images.push(buildArgs[arg] !== undefined ? { ref: buildArgs[arg], source: `build argument ${arg}` } : { ref: value, source: `ARG ${arg} default` });
  }
  const stages = new Set(parseStages(dockerfile).stages.map((s) => s.name).filter(Boolean));
  for (const line of dockerfile.split('\n')) {
    const from = /^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)/i.exec(line);
    if (!from || from[1].includes('$') || from[1].toLowerCase() === 'scratch' || stages.has(from[1].toLowerCase())) continue;
    images.push({ ref: from[1], source: 'FROM' });
  }
  return images;
}

/** The base images of a build that are not pinned by digest (scratch needs none). */
export function unpinnedBaseImages(dockerfile: string, buildArgs: Record<string, string> = {}): Array<{ ref: string; source: string }> {
  return effectiveBaseImages(dockerfile, buildArgs).filter(({ ref }) => ref.toLowerCase() !== 'scratch' && !isPinned(ref));
}

/** Docker's familiar names: `rust` is `docker.io/library/rust`. */
export function canonicalRepository(name: string): string {
  const first = name.split('/')[0];
  const hasDomain = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const full = hasDomain ? name : `docker.io/${name.includes('/') ? name : `library/${name}`}`;
  return full.replace(/^index\.docker\.io\//, 'docker.io/');
}

/**
 * `ref` pinned with the digest the engine has for it: the RepoDigest of the same
 * repository (`docker image inspect` lists one per registry the image came from).
 */
export function pinnedReference(ref: string, repoDigests: string[]): string | undefined {
  const { name, tag } = checkImageReference(ref, 'base image');
  const wanted = canonicalRepository(name);
  for (const entry of repoDigests) {
    const at = entry.lastIndexOf('@');
    if (at < 0) continue;
    const digest = entry.slice(at + 1);
    if (canonicalRepository(entry.slice(0, at)) === wanted && /^sha256:[0-9a-f]{64}$/.test(digest)) return `${name}${tag ? `:${tag}` : ''}@${digest}`;
  }
  return undefined;
}
