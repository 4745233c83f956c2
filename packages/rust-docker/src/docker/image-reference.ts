/**
 * Docker's image reference grammar (github.com/distribution/reference), checked before a
 * name reaches the engine: a typo gets a message here rather than an engine error later,
 * and a value starting with `-` can never be read as a flag.
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [ domain "/" ] path-component { "/" path-component }
 */

const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|-+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const DOMAIN = `${HOST}(?::[0-9]+)?`;
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';

const NAME_RE = new RegExp(`^${NAME}$`);
const TAG_RE = new RegExp(`^${TAG}$`);
const DIGEST_RE = new RegExp(`^${DIGEST}$`);
const REFERENCE_RE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const MAX_NAME = 255;

export interface ImageReference {
  name: string;
  tag?: string;
  digest?: string;
}

/** Why `name` is not an image repository name; undefined when it is one. */
function nameProblem(name: string): string | undefined {
  if (!name) return 'the repository name is empty';
  if (name.startsWith('-')) return 'it starts with "-", so the engine would read it as a flag';
  if (name.length > MAX_NAME) return `the repository name is ${name.length} characters long (at most ${MAX_NAME})`;
  if (NAME_RE.test(name)) return undefined;
  const path = name.includes('/') && /[.:]|^localhost$/.test(name.split('/')[0]) ? name.split('/').slice(1).join('/') : name;
  if (/[A-Z]/.test(path)) return 'repository names must be lowercase';
  if (/\s/.test(name)) return 'it contains whitespace';
  return 'a repository name is lowercase letters and digits separated by ".", "_", "__" or "-", in "/"-separated parts, optionally after a registry host';
}

/** Why `ref` is not a valid image reference; undefined when it is one. */
export function imageReferenceProblem(ref: string): string | undefined {
  if (typeof ref !== 'string' || !ref) return 'it is empty';
  if (ref.startsWith('-')) return 'it starts with "-", so the engine would read it as a flag';
  if (REFERENCE_RE.test(ref)) {
    const name = REFERENCE_RE.exec(ref)![1];
    return name.length > MAX_NAME ? `the repository name is ${name.length} characters long (at most ${MAX_NAME})` : undefined;
  }
  const at = ref.indexOf('@');
  const beforeDigest = at >= 0 ? ref.slice(0, at) : ref;
  if (at >= 0 && !DIGEST_RE.test(ref.slice(at + 1))) return `${JSON.stringify(ref.slice(at + 1))} is not a digest (e.g. sha256:<64 hex digits>)`;
  const colon = beforeDigest.lastIndexOf(':');
  const hasTag = colon > beforeDigest.lastIndexOf('/');
  if (hasTag && !TAG_RE.test(beforeDigest.slice(colon + 1))) return tagProblem(beforeDigest.slice(colon + 1));
  return nameProblem(hasTag ? beforeDigest.slice(0, colon) : beforeDigest);
}

function tagProblem(tag: string): string | undefined {
  if (TAG_RE.test(tag)) return undefined;
  if (!tag) return 'the tag is empty';
  if (tag.length > 128) return `the tag is ${tag.length} characters long (at most 128)`;
  return `the tag ${JSON.stringify(tag)} is not valid: letters, digits, "_", "." and "-", at most 128, not starting with "." or "-"`;
}

const EXAMPLE = 'e.g. registry.example.com/team/api:1.2.3';

/** Throws one line naming the option, the value and what is wrong with it. */
export function checkImageReference(ref: string, what: string): ImageReference {
  const problem = imageReferenceProblem(ref);
  if (problem) throw new Error(`${what} ${JSON.stringify(ref)} is not a valid image reference: ${problem} (${EXAMPLE}).`);
  const match = REFERENCE_RE.exec(ref)!;
  return { name: match[1], tag: match[2], digest: match[3] };
}

/** A repository name alone (no tag, no digest), as docker-build's `image` option takes. */
export function checkRepository(name: string, what: string): string {
  const problem = typeof name === 'string' ? nameProblem(name) : 'it is not a string';
  if (problem) throw new Error(`${what} ${JSON.stringify(name)} is not a valid image repository: ${problem} (e.g. registry.example.com/team/api, without a tag).`);
  return name;
}

/** An image id as the engine prints it. */
export function isImageId(id: unknown): id is string {
  return typeof id === 'string' && /^sha256:[0-9a-f]{64}$/.test(id);
}

export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && /^sha256:[0-9a-f]{64}$/.test(value);
}
