import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkspace, type Workspace } from './helpers/workspace';

/**
 * Every option of every executor, set from the real nx command line, reaches the executor
 * as the user typed it. The executors print what they received and stop when
 * RUST_DOCKER_PRINT_OPTIONS is set, so no image or crate is built: each command checks
 * the whole path from Nx's argument parsing, through its schema coercion and
 * configuration merge, to the executor.
 */

const HOST_TRIPLE = 'x86_64-unknown-linux-gnu';

interface Case {
  /** project:target to run. */
  task: string;
  executor: string;
  /** Every option of the executor, camelCase, with what the executor must receive. */
  camel: Array<[flag: string, option: string, expected: unknown]>;
  /** The kebab-case and --no- spellings of the multi-word options. */
  kebab: Array<[flag: string, option: string, expected: unknown]>;
}

const CASES: Case[] = [
  {
    task: 'api:build',
    executor: 'cargo',
    camel: [
      ['--command=check', 'command', 'check'],
      ['--package=api', 'package', 'api'],
      ['--release=false', 'release', false],
      ['--profile=fast', 'profile', 'fast'],
      [`--triple=${HOST_TRIPLE}`, 'triple', HOST_TRIPLE],
      ['--features=metrics,tracing', 'features', ['metrics', 'tracing']],
      ['--allFeatures', 'allFeatures', true],
      ['--noDefaultFeatures', 'noDefaultFeatures', true],
      // Looks like a number to Nx's parser (1.9): the text typed must arrive.
      ['--toolchain=1.90', 'toolchain', '1.90'],
      ['--bin=api', 'bin', 'api'],
      ['--outputPath=dist/elsewhere', 'outputPath', 'dist/elsewhere'],
      ['--args=--locked', 'args', ['--locked']],
      ['--toolArgs=--nocapture', 'toolArgs', ['--nocapture']],
      ['--static=false', 'static', false],
    ],
    kebab: [
      ['--all-features', 'allFeatures', true],
      // As cargo users type it; yargs alone would make it `default-features: false`.
      ['--no-default-features', 'noDefaultFeatures', true],
      ['--output-path=dist/kebab', 'outputPath', 'dist/kebab'],
      ['--tool-args=exact', 'toolArgs', ['exact']],
    ],
  },
  {
    task: 'api:serve',
    executor: 'serve',
    camel: [
      ['--port=3001', 'port', 3001],
      ['--env.RUST_LOG=debug', 'env', { RUST_LOG: 'debug' }],
      ['--package=api', 'package', 'api'],
      ['--bin=api', 'bin', 'api'],
      ['--features=metrics', 'features', ['metrics']],
      ['--allFeatures', 'allFeatures', true],
      ['--noDefaultFeatures', 'noDefaultFeatures', true],
      ['--release', 'release', true],
      ['--profile=fast', 'profile', 'fast'],
      ['--toolchain=nightly', 'toolchain', 'nightly'],
      ['--args=--locked', 'args', ['--locked']],
      ['--toolArgs=--verbose', 'toolArgs', ['--verbose']],
      ['--gracePeriod=2', 'gracePeriod', 2],
    ],
    kebab: [
      ['--all-features', 'allFeatures', true],
      ['--no-default-features', 'noDefaultFeatures', true],
      ['--grace-period=3', 'gracePeriod', 3],
      ['--tool-args=x', 'toolArgs', ['x']],
    ],
  },
  {
    task: 'api:docker-build',
    executor: 'docker-build',
    camel: [
      ['--dockerfile=api/Dockerfile.dev', 'dockerfile', 'api/Dockerfile.dev'],
      ['--image=registry.example.com/team/api', 'image', 'registry.example.com/team/api'],
      // A short git sha Nx's parser reads as 81919 x 10^4.
      ['--tags=81919e4', 'tags', ['81919e4']],
      ['--buildArgs.RUST_VERSION=1.90', 'buildArgs', { RUST_VERSION: '1.90' }],
      ['--labels.team=core', 'labels', { team: 'core' }],
      ['--context=workspace', 'context', 'workspace'],
      ['--vendor=false', 'vendor', false],
      ['--engine=legacy', 'engine', 'legacy'],
      ['--outputFile=dist/image.json', 'outputFile', 'dist/image.json'],
      // Nx takes --target for itself: the Dockerfile stage is --stage.
      ['--stage=builder', 'stage', 'builder'],
      ['--platform=linux/amd64', 'platform', 'linux/amd64'],
      ['--network=host', 'network', 'host'],
      ['--noCache', 'noCache', true],
      ['--push', 'push', true],
      ['--maxImageSize=3MB', 'maxImageSize', '3MB'],
      ['--strategy=prebuilt', 'strategy', 'prebuilt'],
      ['--bin=api', 'bin', 'api'],
      ['--archive=false', 'archive', false],
      ['--builder=ci', 'builder', 'ci'],
      ['--requirePinnedBaseImages', 'requirePinnedBaseImages', true],
      ['--engineTimeout=5', 'engineTimeout', 5],
      ['--buildTimeout=600', 'buildTimeout', 600],
      ['--transferTimeout=90', 'transferTimeout', 90],
    ],
    kebab: [
      // As docker users type it; yargs alone would make it `cache: false`.
      ['--no-cache', 'noCache', true],
      ['--build-args.DEBIAN_IMAGE=mirror/debian', 'buildArgs', { DEBIAN_IMAGE: 'mirror/debian' }],
      ['--output-file=dist/kebab.json', 'outputFile', 'dist/kebab.json'],
      ['--max-image-size=2500000', 'maxImageSize', 2500000],
      ['--require-pinned-base-images', 'requirePinnedBaseImages', true],
      ['--engine-timeout=6', 'engineTimeout', 6],
      ['--build-timeout=601', 'buildTimeout', 601],
      ['--transfer-timeout=91', 'transferTimeout', 91],
    ],
  },
  {
    task: 'api:docker-run',
    executor: 'docker-run',
    camel: [
      ['--image=api:dev', 'image', 'api:dev'],
      ['--port=8081', 'port', 8081],
      ['--hostPort=18081', 'hostPort', 18081],
      ['--env.WORKERS=04', 'env', { WORKERS: '04' }],
      ['--hardened=false', 'hardened', false],
      ['--init=false', 'init', false],
      ['--engine=podman', 'engine', 'podman'],
      ['--engineTimeout=5', 'engineTimeout', 5],
      ['--transferTimeout=90', 'transferTimeout', 90],
    ],
    kebab: [
      ['--host-port=18082', 'hostPort', 18082],
      ['--engine-timeout=6', 'engineTimeout', 6],
      ['--transfer-timeout=91', 'transferTimeout', 91],
      ['--no-hardened', 'hardened', false],
      ['--no-init', 'init', false],
    ],
  },
  {
    task: 'api:health-check',
    executor: 'health-check',
    camel: [
      ['--image=api:dev', 'image', 'api:dev'],
      ['--port=8081', 'port', 8081],
      ['--path=/ready', 'path', '/ready'],
      ['--expectStatus=204', 'expectStatus', 204],
      ['--expectBody=ok', 'expectBody', 'ok'],
      ['--timeout=12', 'timeout', 12],
      ['--env.VERSION=1.10', 'env', { VERSION: '1.10' }],
      ['--hardened=false', 'hardened', false],
      ['--init=false', 'init', false],
      ['--engine=docker', 'engine', 'docker'],
      ['--engineTimeout=5', 'engineTimeout', 5],
      ['--transferTimeout=90', 'transferTimeout', 90],
    ],
    kebab: [
      ['--expect-status=201', 'expectStatus', 201],
      ['--expect-body=ready', 'expectBody', 'ready'],
      ['--engine-timeout=6', 'engineTimeout', 6],
      ['--transfer-timeout=91', 'transferTimeout', 91],
    ],
  },
  {
    task: 'api:docker-push',
    executor: 'docker-push',
    camel: [
      ['--tags=1.0', 'tags', ['1.0']],
      ['--engine=docker', 'engine', 'docker'],
      ['--engineTimeout=5', 'engineTimeout', 5],
      ['--transferTimeout=90', 'transferTimeout', 90],
    ],
    kebab: [
      ['--engine-timeout=6', 'engineTimeout', 6],
      ['--transfer-timeout=91', 'transferTimeout', 91],
    ],
  },
  {
    task: 'compose-up',
    executor: 'compose',
    camel: [
      ['--command=down', 'command', 'down'],
      ['--file=compose.dev.yaml', 'file', 'compose.dev.yaml'],
      ['--services=api', 'services', ['api']],
      ['--timeout=30', 'timeout', 30],
      ['--volumes', 'volumes', true],
      ['--engineTimeout=5', 'engineTimeout', 5],
      ['--transferTimeout=90', 'transferTimeout', 90],
    ],
    kebab: [
      ['--engine-timeout=6', 'engineTimeout', 6],
      ['--transfer-timeout=91', 'transferTimeout', 91],
    ],
  },
  {
    task: 'api:nx-release-publish',
    executor: 'release-publish',
    camel: [
      ['--image=false', 'image', false],
      ['--cargoPublish', 'cargoPublish', true],
      ['--tags=1.0', 'tags', ['1.0']],
      ['--registry=internal', 'registry', 'internal'],
      ['--verify=false', 'verify', false],
      ['--engine=docker', 'engine', 'docker'],
      ['--engineTimeout=5', 'engineTimeout', 5],
      ['--transferTimeout=90', 'transferTimeout', 90],
      ['--dryRun', 'dryRun', true],
      ['--nxReleaseVersionData.api.newVersion=2.0.0', 'nxReleaseVersionData', { api: { newVersion: '2.0.0' } }],
    ],
    kebab: [
      ['--cargo-publish', 'cargoPublish', true],
      ['--no-verify', 'verify', false],
      ['--dry-run', 'dryRun', true],
      ['--engine-timeout=6', 'engineTimeout', 6],
    ],
  },
];

describe('executor options from the nx command line', () => {
  let ws: Workspace;
  let composeTask: string;
  const env = { RUST_DOCKER_PRINT_OPTIONS: '1' };

  /** What the executor of `task` received from `nx run task ...flags`, parsed from its print line. */
  const received = (task: string, flags: string[], command: string[] = ['run', task]): Record<string, unknown> => {
    const result = ws.nx([...command, ...flags, '--excludeTaskDependencies', '--skipSync', '--skip-nx-cache'], { env, allowFailure: true });
    const line = new RegExp(`${task.replace(/[:.]/g, '\\$&')} received options (\\{.*\\})`).exec(result.output);
    if (!line) throw new Error(`nx ${command.join(' ')} printed no options:\n${result.output.slice(-3000)}`);
    // Print mode never runs the task, and fails it so that Nx caches nothing.
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('RUST_DOCKER_PRINT_OPTIONS is set, so nothing was run');
    return JSON.parse(line[1]);
  };
  const schemaOf = (executor: string) =>
    JSON.parse(readFileSync(join(ws.root, 'node_modules/@org/rust-docker/packages/rust-docker/dist/executors', executor, 'schema.json'), 'utf8'));

  beforeAll(() => {
    ws = createWorkspace('options', {}, { quickRelease: true });
    ws.nx(['g', '@org/rust-docker:init']);
    ws.nx(['g', '@org/rust-docker:service', 'api']);
    // nx-release-publish is inferred once nx.json releases the crates.
    ws.nx(['g', '@org/rust-docker:release']);
    // docker-build's former option name, in a configuration file.
    ws.write('api/project.json', JSON.stringify({ name: 'api', targets: { 'builder-image': { executor: '@org/rust-docker:docker-build', options: { target: 'builder' } } } }, null, 2));
    ws.git(['add', '-A']);
    ws.git(['commit', '-qm', 'api']);
    const owner = ws.nx(['show', 'projects', '--withTarget=compose-up']).stdout.trim().split('\n').filter(Boolean);
    expect(owner).toHaveLength(1);
    composeTask = `${owner[0]}:compose-up`;
  });

  afterAll(() => ws?.remove());

  it('no executor option is a name Nx\'s run, run-many or affected takes for itself (read from the installed nx)', () => {
    const helpNames = (command: string) =>
      ws
        .nx([command, '--help'])
        // yargs prints help on stderr
        .output.split('\n')
        .filter((line) => /^\s+-/.test(line))
        // "  -t, --targets, --target     Tasks to run ...": the names before the description.
        .flatMap((line) => [...line.trim().split(/\s{2,}/)[0].matchAll(/--?([A-Za-z][\w-]*)/g)].map((m) => m[1]));
    const nxNames = new Set([
      ...helpNames('run-many'),
      ...helpNames('affected'),
      // nx run's own (its --help shows the executor's options instead), and hidden ones.
      ...['project', 'p', 'target', 't', 'help', 'maxParallel', 'prod', 'cloud', 'dte', 'useAgents', 'agents'],
    ]);
    for (const known of ['targets', 'configuration', 'parallel', 'skipNxCache', 'outputStyle', 'exclude', 'projects', 'base', 'head', 'files']) {
      expect(nxNames.has(known)).toBe(true);
    }
    const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const clashes: string[] = [];
    for (const { executor } of CASES) {
      for (const option of Object.keys(schemaOf(executor).properties)) {
        const negated = /^no[A-Z]/.test(option) ? [option[2].toLowerCase() + option.slice(3)] : [];
        for (const spelling of [option, kebab(option), ...negated, ...negated.map(kebab)]) {
          if (nxNames.has(spelling)) clashes.push(`${executor}: ${option} (--${spelling})`);
        }
        // yargs keeps any --<word>-… whose first word is Nx's (--target-triple goes to --target).
        // --all-features stays as cargo spells it: run-many and affected need --allFeatures.
        const firstWord = kebab(option).split('-')[0];
        if (firstWord !== kebab(option) && nxNames.has(firstWord) && option !== 'allFeatures') clashes.push(`${executor}: ${option} (--${firstWord}-…)`);
      }
    }
    expect(clashes).toEqual([]);
  });

  it.each(CASES.map((c) => [c.executor, c] as const))('%s: every option reaches the executor, camelCase and kebab-case', (_name, c) => {
    const task = c.task === 'compose-up' ? composeTask : c.task;
    // The case names every option the installed schema has, so a new option needs a case.
    expect(c.camel.map(([, option]) => option).sort()).toEqual(Object.keys(schemaOf(c.executor).properties).sort());
    const options = received(task, c.camel.map(([flag]) => flag));
    for (const [flag, option, expected] of c.camel) expect([flag, options[option]]).toEqual([flag, expected]);
    if (c.kebab.length) {
      const kebab = received(task, c.kebab.map(([flag]) => flag));
      for (const [flag, option, expected] of c.kebab) expect([flag, kebab[option]]).toEqual([flag, expected]);
    }
  });

  it('docker-build still reads its former option name target from a configuration file, as stage', () => {
    expect(received('api:builder-image', [])).toEqual(expect.objectContaining({ stage: 'builder' }));
  });

  it('build is production (--release) by default, development on request; options also reach through the infix form and run-many', () => {
    expect(received('api:build', [])).toEqual(expect.objectContaining({ release: true }));
    expect(received('api:build', [], ['run', 'api:build:development'])).toEqual(expect.objectContaining({ release: false }));
    expect(received('api:build', ['--configuration=development'])).toEqual(expect.objectContaining({ release: false }));
    expect(received('api:build', ['--features=metrics'], ['build', 'api'])).toEqual(expect.objectContaining({ features: ['metrics'] }));
    expect(received('api:build', ['--toolchain=1.90', '--no-default-features', '--allFeatures'], ['run-many', '-t', 'build', '-p', 'api'])).toEqual(
      expect.objectContaining({ toolchain: '1.90', noDefaultFeatures: true, allFeatures: true }),
    );
    // What the README warns about: in run-many (and affected) Nx's own --all takes --all-features.
    expect(received('api:build', ['--all-features'], ['run-many', '-t', 'build', '-p', 'api'])).not.toHaveProperty('allFeatures');
  });

  it('warns about an option the executor does not have', () => {
    const result = ws.nx(['run', 'api:build', '--colour=red', '--excludeTaskDependencies', '--skip-nx-cache'], { env, allowFailure: true });
    expect(result.output).toContain('api:build: "colour" is not an option of @org/rust-docker:cargo; it was ignored (see nx run api:build --help).');
  });
});
