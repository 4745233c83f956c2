import { logger, type ExecutorContext } from '@nx/devkit';

/**
 * What Nx's command line does to executor options on their way in, and how each executor
 * gets them back as the user typed them:
 *
 * - `--no-cache` reaches the executor as `cache: false`, not `noCache: true` (yargs reads
 *   `--no-<name>` as a negation of `<name>`); the `no…` options take it back.
 * - Values that look like numbers are parsed as numbers before the schema is consulted
 *   (`--toolchain=1.90` arrives as 1.9, `--tags=81919e4` as 819190000): options that take
 *   text take it back from the task's command line, which Nx keeps, wherever parsing
 *   changed it (a list option always gets its items as text).
 * - An option the executor does not have is a warning instead of silence.
 *
 * `RUST_DOCKER_PRINT_OPTIONS=1` makes every executor print the options it received and
 * stop without doing anything (and fail, so Nx caches nothing).
 */

interface PropertySchema {
  type?: string | string[];
  oneOf?: PropertySchema[];
  items?: PropertySchema;
  additionalProperties?: PropertySchema | boolean;
  aliases?: string[];
  alias?: string;
}

export interface ExecutorSchema {
  properties: Record<string, PropertySchema>;
}

export const PRINT_OPTIONS_ENV = 'RUST_DOCKER_PRINT_OPTIONS';

type Options = Record<string, unknown>;

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function types(schema: PropertySchema): string[] {
  if (schema.oneOf) return schema.oneOf.flatMap(types);
  return Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
}

function acceptsString(schema: PropertySchema | undefined): boolean {
  return !!schema && types(schema).includes('string');
}

/** An option holding a list of strings (possibly also accepting one string). */
function stringItems(schema: PropertySchema): boolean {
  const arrays = schema.oneOf ? schema.oneOf.filter((s) => types(s).includes('array')) : types(schema).includes('array') ? [schema] : [];
  return arrays.some((s) => acceptsString(s.items));
}

function stringValues(schema: PropertySchema): boolean {
  return types(schema).includes('object') && typeof schema.additionalProperties === 'object' && acceptsString(schema.additionalProperties);
}

/** The values given for `--<name>` (either spelling, `=value` or next word) in a task's raw arguments. */
export function rawValues(tokens: string[], name: string): string[] {
  const spellings = [...new Set([name, kebab(name)])];
  const values: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === '--') break;
    for (const spelling of spellings) {
      if (token.startsWith(`--${spelling}=`)) values.push(token.slice(spelling.length + 3));
      else if (token === `--${spelling}` && i + 1 < tokens.length && !tokens[i + 1].startsWith('--')) values.push(tokens[++i]);
    }
  }
  return values;
}

/** The raw command-line words of this task (`nx run api:build --x=1` gives `['--x=1']`). */
export function taskCommandLine(context: ExecutorContext): string[] {
  const tasks = Object.values(context.taskGraph?.tasks ?? {});
  const task = tasks.find((t) => t.target.project === context.projectName && t.target.target === context.targetName);
  const raw = (task?.overrides as Options | undefined)?.__overrides_unparsed__;
  return Array.isArray(raw) ? raw.map(String) : [];
}

/**
 * The options as the user meant them (see above); `unknown` lists the names that are not
 * options of this executor. Pure, so each rule is tested without Nx.
 */
export function fromCommandLine(received: Options, schema: ExecutorSchema, tokens: string[]): { options: Options; unknown: string[] } {
  const options: Options = { ...received };
  const properties = schema.properties;
  const known = new Set(Object.entries(properties).flatMap(([name, p]) => [name, ...(p.aliases ?? []), ...(p.alias ? [p.alias] : [])]));
  for (const [name, property] of Object.entries(properties)) {
    const negated = /^no[A-Z]/.test(name) && types(property).includes('boolean') ? name[2].toLowerCase() + name.slice(3) : undefined;
    if (negated && !known.has(negated)) {
      for (const spelling of new Set([negated, kebab(negated)])) {
        // The command line wins over a configured `false` (Nx merges it in last too).
        if (options[spelling] === false) options[name] = true;
        if (typeof options[spelling] === 'boolean') delete options[spelling];
      }
    }
    const value = options[name];
    if (value === undefined) continue;
    if (stringItems(property)) {
      // A list option: the typed words, else the value as a list ("a,b" from a file too).
      const raw = Array.isArray(value) && value.every((v) => typeof v === 'string') ? [] : rawValues(tokens, name);
      if (raw.length) options[name] = raw.flatMap((r) => r.split(','));
      else if (!Array.isArray(value)) options[name] = String(value).split(',').filter(Boolean);
    } else if (acceptsString(property) && typeof value !== 'string') {
      // Only where parsing changed the text (1.90 → 1.9); 3000000 stays a number.
      const raw = rawValues(tokens, name).at(-1);
      if (raw !== undefined && raw !== String(value)) options[name] = raw;
    } else if (stringValues(property) && value && typeof value === 'object' && !Array.isArray(value)) {
      const map = { ...(value as Options) };
      for (const [key, entry] of Object.entries(map)) {
        if (typeof entry === 'string') continue;
        const raw = rawValues(tokens, `${name}.${key}`).at(-1);
        if (raw !== undefined && raw !== String(entry)) map[key] = raw;
      }
      options[name] = map;
    }
  }
  const unknown = Object.keys(options).filter((k) => !known.has(k) && !k.startsWith('__'));
  return { options, unknown };
}

type Executor<O, R> = (options: O, context: ExecutorContext) => R;

/**
 * Wraps an executor's implementation: the options go through `fromCommandLine` first, and
 * with RUST_DOCKER_PRINT_OPTIONS set they are printed instead of acted on.
 */
export function receivingOptions<O, R>(schema: ExecutorSchema, implementation: Executor<O, R>): Executor<O, R> {
  const isGenerator = implementation.constructor.name === 'AsyncGeneratorFunction';
  return (received, context) => {
    const { options, unknown } = fromCommandLine(received as Options, schema, taskCommandLine(context));
    const task = `${context.projectName}:${context.targetName}`;
    const executor = context.target?.executor ?? 'this executor';
    for (const name of unknown) logger.warn(`${task}: "${name}" is not an option of ${executor}; it was ignored (see nx run ${task} --help).`);
    if (process.env[PRINT_OPTIONS_ENV]) {
      logger.info(`${task} received options ${JSON.stringify(options)}`);
      logger.info(`${task}: ${PRINT_OPTIONS_ENV} is set, so nothing was run.`);
      const result = { success: false };
      return (isGenerator ? (async function* () { yield result; })() : Promise.resolve(result)) as R;
    }
    return implementation(options as O, context);
  };
}
