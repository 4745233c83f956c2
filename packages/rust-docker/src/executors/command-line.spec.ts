import { logger, type ExecutorContext } from '@nx/devkit';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromCommandLine, PRINT_OPTIONS_ENV, rawValues, receivingOptions, taskCommandLine, type ExecutorSchema } from './command-line';

/**
 * The options Nx's own command line takes for itself in `nx run`, `nx <target> <project>`,
 * `nx run-many` and `nx affected` (Nx 24: packages/nx/src/command-line/yargs-utils/shared-options.ts
 * and the run, run-many and affected command objects), with their aliases. An executor
 * option of one of these names never reaches the executor from the command line. The e2e
 * suite (options.e2e.ts) reads the same list from the installed nx's --help.
 */
const NX_RUN_OPTIONS = [
  // nx run and the infix form
  'project', 'p', 'target', 't', 'configuration', 'c', 'help', 'version',
  // every task-running command
  'verbose', 'exclude', 'parallel', 'maxParallel', 'runner', 'prod', 'graph', 'nxBail', 'nxIgnoreCycles',
  'skipNxCache', 'disableNxCache', 'skipRemoteCache', 'disableRemoteCache', 'excludeTaskDependencies', 'skipSync',
  'cloud', 'dte', 'useAgents', 'agents', 'outputStyle', 'batch', 'tui', 'tuiAutoExit',
];
/** What run-many and affected take besides. */
const NX_MANY_OPTIONS = ['targets', 'projects', 'all', 'files', 'stdin', 'uncommitted', 'untracked', 'base', 'head', 'explain'];

/**
 * yargs also keeps for Nx any unknown `--<word>-…` or `--<word>.…` whose first word is one
 * of its names (`--target-triple` is swallowed as `--target`), so the first word of an
 * option's kebab-case spelling must not be one either. `--all-features` is the one we keep,
 * as cargo spells it: it works with `nx run` and `nx <target> <project>`; run-many and
 * affected (where `--all` is Nx's) need `--allFeatures`, as the README says.
 */
const FIRST_WORD_ALLOWED_WITH_RUN_MANY = ['allFeatures'];

const executorsDir = __dirname;
const schemas: Array<[string, ExecutorSchema]> = readdirSync(executorsDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => [entry.name, JSON.parse(readFileSync(join(executorsDir, entry.name, 'schema.json'), 'utf8')) as ExecutorSchema]);

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const spelled = (names: string[]) => new Set(names.flatMap((n) => [n, kebab(n)]));
const takenByRun = spelled(NX_RUN_OPTIONS);
const takenByMany = spelled(NX_MANY_OPTIONS);

describe('executor option names', () => {
  it('finds every executor schema', () => {
    expect(schemas.map(([name]) => name).sort()).toEqual(['cargo', 'compose', 'docker-build', 'docker-push', 'docker-run', 'health-check', 'release-publish', 'serve']);
  });

  it.each(schemas)('%s: no option, its --no- form or the first word of its kebab-case spelling is a name Nx takes for itself', (_name, schema) => {
    const clashes = Object.keys(schema.properties).flatMap((option) => {
      const spellings = [option, kebab(option)];
      // `--no-x` is read as `x: false`: a `noX` option clashes when `x` is Nx's.
      if (/^no[A-Z]/.test(option)) spellings.push(option[2].toLowerCase() + option.slice(3));
      const firstWord = kebab(option).split('-')[0];
      const found = spellings.filter((s) => takenByRun.has(s) || takenByMany.has(s)).map((s) => `${option} (--${s})`);
      if (firstWord !== kebab(option) && takenByRun.has(firstWord)) found.push(`${option} (--${firstWord}-…)`);
      if (firstWord !== kebab(option) && takenByMany.has(firstWord) && !FIRST_WORD_ALLOWED_WITH_RUN_MANY.includes(option)) found.push(`${option} (--${firstWord}-…)`);
      return found;
    });
    expect(clashes).toEqual([]);
  });

  it('keeps docker-build\'s former option name "target" readable from configuration files, as an alias of stage', () => {
    const dockerBuild = Object.fromEntries(schemas)['docker-build'];
    expect(dockerBuild.properties).not.toHaveProperty('target');
    expect(dockerBuild.properties.stage.aliases).toEqual(['target']);
  });
});

describe('rawValues', () => {
  it('finds --name=value and --name value, in either spelling, stopping at --', () => {
    const tokens = ['--toolchain=1.90', '--output-path', 'dist/x', '--tags', '1.0', '--tags=2', '--', '--tags=3'];
    expect(rawValues(tokens, 'toolchain')).toEqual(['1.90']);
    expect(rawValues(tokens, 'outputPath')).toEqual(['dist/x']);
    expect(rawValues(tokens, 'tags')).toEqual(['1.0', '2']);
    expect(rawValues(tokens, 'env.PORT')).toEqual([]);
    expect(rawValues(['--env.WORKERS=04'], 'env.WORKERS')).toEqual(['04']);
    expect(rawValues(['--noCache', '--push'], 'noCache')).toEqual([]);
  });
});

describe('fromCommandLine', () => {
  const schema: ExecutorSchema = {
    properties: {
      noCache: { type: 'boolean' },
      noDefaultFeatures: { type: 'boolean' },
      release: { type: 'boolean' },
      toolchain: { type: ['string', 'number'] },
      port: { type: 'number' },
      tags: { oneOf: [{ type: 'array', items: { type: 'string' } }, { type: 'string' }, { type: 'number' }] },
      features: { oneOf: [{ type: 'array', items: { type: 'string' } }, { type: 'string' }] },
      env: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
      stage: { type: 'string', aliases: ['target'] },
    },
  };

  it('reads --no-cache and --no-default-features as the no… options, as cargo and docker users type them', () => {
    expect(fromCommandLine({ cache: false, 'default-features': false }, schema, []).options).toEqual({ noCache: true, noDefaultFeatures: true });
    expect(fromCommandLine({ defaultFeatures: false }, schema, []).options).toEqual({ noDefaultFeatures: true });
    // The command line wins over a configured false, as Nx merges it last.
    expect(fromCommandLine({ noCache: false, cache: false }, schema, []).options).toEqual({ noCache: true });
    expect(fromCommandLine({ noCache: true }, schema, []).options).toEqual({ noCache: true });
  });

  it('takes back the text of string options Nx parsed as numbers', () => {
    const tokens = ['--toolchain=1.90', '--tags=81919e4', '--env.VERSION=1.10', '--env.WORKERS', '4', '--port=3000'];
    const { options } = fromCommandLine({ toolchain: 1.9, tags: 819190000, env: { VERSION: 1.1, WORKERS: 4, NAME: 'x' }, port: 3000 }, schema, tokens);
    expect(options).toEqual({ toolchain: '1.90', tags: ['81919e4'], env: { VERSION: '1.10', WORKERS: 4, NAME: 'x' }, port: 3000 });
  });

  it('keeps a number that parsing did not change, for options that take numbers too', () => {
    const tokens = ['--toolchain=1.95', '--env.WORKERS=4'];
    expect(fromCommandLine({ toolchain: 1.95, env: { WORKERS: 4 } }, schema, tokens).options).toEqual({ toolchain: 1.95, env: { WORKERS: 4 } });
  });

  it('makes list options lists: repeated, comma-separated, or one value', () => {
    expect(fromCommandLine({ tags: [1, 'b'] }, schema, ['--tags', '1.0', '--tags', 'b']).options.tags).toEqual(['1.0', 'b']);
    expect(fromCommandLine({ tags: 'v1,v2' }, schema, []).options.tags).toEqual(['v1', 'v2']);
    expect(fromCommandLine({ tags: 2 }, schema, []).options.tags).toEqual(['2']);
    expect(fromCommandLine({ features: ['a', 'b'] }, schema, ['--features=a,b']).options.features).toEqual(['a', 'b']);
  });

  it('leaves configured values alone when the command line does not name them', () => {
    const received = { toolchain: 'stable', tags: ['x'], env: { A: 1 }, release: true, stage: 'builder' };
    expect(fromCommandLine(received, schema, ['--release']).options).toEqual(received);
  });

  it('lists the options the executor does not have, and not Nx internals or aliases', () => {
    expect(fromCommandLine({ colour: 'red', target: 'x', __overrides_unparsed__: [], release: true }, schema, []).unknown).toEqual(['colour']);
  });
});

describe('receivingOptions', () => {
  const schema: ExecutorSchema = { properties: { noCache: { type: 'boolean' }, toolchain: { type: ['string', 'number'] } } };
  const context = (unparsed?: string[]) =>
    ({
      root: '/ws',
      projectName: 'api',
      targetName: 'build',
      target: { executor: '@org/rust-docker:cargo' },
      taskGraph: unparsed
        ? { roots: [], dependencies: {}, tasks: { 'api:build': { id: 'api:build', target: { project: 'api', target: 'build' }, overrides: { __overrides_unparsed__: unparsed } } } }
        : undefined,
    }) as unknown as ExecutorContext;
  let info: jest.SpyInstance;
  let warn: jest.SpyInstance;
  beforeEach(() => {
    info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => {
    delete process.env[PRINT_OPTIONS_ENV];
    info.mockRestore();
    warn.mockRestore();
  });

  it('hands the executor the options as typed, and warns about unknown ones', async () => {
    const seen: unknown[] = [];
    const executor = receivingOptions(schema, async (options: Record<string, unknown>) => {
      seen.push(options);
      return { success: true };
    });
    await expect(executor({ cache: false, toolchain: 1.9, colour: 'red' }, context(['--no-cache', '--toolchain=1.90', '--colour=red']))).resolves.toEqual({ success: true });
    expect(seen).toEqual([{ noCache: true, toolchain: '1.90', colour: 'red' }]);
    expect(warn).toHaveBeenCalledWith('api:build: "colour" is not an option of @org/rust-docker:cargo; it was ignored (see nx run api:build --help).');
  });

  it('reads the raw words of its own task from the task graph', () => {
    expect(taskCommandLine(context(['--toolchain=1.90']))).toEqual(['--toolchain=1.90']);
    expect(taskCommandLine(context())).toEqual([]);
  });

  it(`with ${PRINT_OPTIONS_ENV} prints the options and runs nothing, failing so that nothing is cached`, async () => {
    process.env[PRINT_OPTIONS_ENV] = '1';
    const promised = jest.fn(async () => ({ success: true }));
    await expect(receivingOptions(schema, promised)({ toolchain: 'nightly' }, context([]))).resolves.toEqual({ success: false });
    expect(promised).not.toHaveBeenCalled();
    expect(info).toHaveBeenCalledWith('api:build received options {"toolchain":"nightly"}');

    let ran = false;
    const generator = receivingOptions(schema, async function* () {
      ran = true;
      yield { success: true };
    });
    const results = [];
    for await (const result of generator({}, context([]))) results.push(result);
    expect(results).toEqual([{ success: false }]);
    expect(ran).toBe(false);
  });
});
