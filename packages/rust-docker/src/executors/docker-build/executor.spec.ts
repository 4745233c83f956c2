import { logger, type ExecutorContext } from '@nx/devkit';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { imageSize } from '../../docker/container';
import { docker, runDocker, type DockerResult } from '../../docker/docker-cli';
import { prebuiltStage, renderDockerfile } from '../../docker/dockerfile';
import { readImageRecord } from '../../docker/image-record';
import { dynamicElf, staticElf } from '../../testing/elf';
import { makeTempDir, pkg, removeDir, writeFiles } from '../../testing/fixtures';
import dockerBuildExecutor, { buildDockerArgs, DEFAULT_ARCHIVE_MAX, normalizeOptions, parseSize } from './executor';

// The executor is run below with the Docker CLI, the engine probe, the image inspection,
// cargo and git replaced: no docker, cargo or git process is started by these tests.
jest.mock('../../docker/docker-cli', () => ({
  ...jest.requireActual('../../docker/docker-cli'),
  checkDocker: jest.fn(async () => ({ client: '27.3.1', server: '27.3.1' })),
  runDocker: jest.fn(async () => ({ code: 0, stdout: '', stderr: '' })),
  docker: jest.fn(async () => ''),
}));
jest.mock('../../docker/engine', () => ({
  ...jest.requireActual('../../docker/engine'),
  probeEngine: jest.fn(async (clientVersion: string | Promise<string>) => ({ buildx: true, clientVersion: await clientVersion })),
}));
jest.mock('../../docker/container', () => ({
  ...jest.requireActual('../../docker/container'),
  imageSize: jest.fn(async () => ({ id: `sha256:${'ab'.repeat(32)}`, size: 12_345_678 })),
}));
jest.mock('node:child_process', () => ({
  ...jest.requireActual('node:child_process'),
  execFileSync: jest.fn(() => {
    throw new Error('no external process in unit tests');
  }),
}));
const execFileSyncMock = execFileSync as unknown as jest.Mock;

function contextFor(projectName: string, root: string, workspaceRoot = '/ws'): ExecutorContext {
  return {
    root: workspaceRoot,
    cwd: workspaceRoot,
    isVerbose: false,
    projectName,
    projectsConfigurations: { version: 2, projects: { [projectName]: { root } } },
    nxJsonConfiguration: {},
    projectGraph: { nodes: {}, dependencies: {} },
  } as ExecutorContext;
}

describe('normalizeOptions', () => {
  it('defaults to the project Dockerfile, an image named after the project, a pruned vendored context and the automatic engine', () => {
    expect(normalizeOptions({}, contextFor('api', 'services/api'))).toEqual({
      project: 'api',
      projectRoot: 'services/api',
      dockerfile: '/ws/services/api/Dockerfile',
      image: 'api',
      tags: [],
      buildArgs: {},
      labels: {},
      context: 'pruned',
      contextGiven: false,
      vendor: true,
      engine: 'auto',
      noCache: false,
      push: false,
      strategy: 'compile',
      archiveMax: 50_000_000,
      outputFile: '/ws/dist/services/api/docker/image.json',
    });
    expect(DEFAULT_ARCHIVE_MAX).toBe('50MB');
  });

  it('takes every option given, resolving paths against the workspace root', () => {
    const options = normalizeOptions(
      {
        dockerfile: 'docker/api.Dockerfile',
        image: 'registry.example.com/team/api',
        tags: ['v1.2.3'],
        buildArgs: { RUST_IMAGE: 'rust:1.95-slim' },
        labels: { 'org.opencontainers.image.vendor': 'Example' },
        context: 'workspace',
        vendor: false,
        engine: 'legacy',
        target: 'runtime',
        platform: 'linux/arm64',
        network: 'host',
        noCache: true,
        push: true,
        maxImageSize: '3MB',
        strategy: 'prebuilt',
        bin: 'api-server',
        archive: '20MB',
        builder: 'remote',
        outputFile: 'out/api.json',
      },
      contextFor('api', 'services/api'),
    );
    expect(options).toEqual({
      project: 'api',
      projectRoot: 'services/api',
      dockerfile: '/ws/docker/api.Dockerfile',
      image: 'registry.example.com/team/api',
      tags: ['v1.2.3'],
      buildArgs: { RUST_IMAGE: 'rust:1.95-slim' },
      labels: { 'org.opencontainers.image.vendor': 'Example' },
      context: 'workspace',
      contextGiven: true,
      vendor: false,
      engine: 'legacy',
      target: 'runtime',
      platform: 'linux/arm64',
      network: 'host',
      noCache: true,
      push: true,
      maxImageSize: 3_000_000,
      strategy: 'prebuilt',
      bin: 'api-server',
      archiveMax: 20_000_000,
      builder: 'remote',
      outputFile: '/ws/out/api.json',
    });
  });

  it('builds the prebuilt stage with the prebuilt strategy unless a target is given', () => {
    expect(normalizeOptions({ strategy: 'prebuilt' }, contextFor('api', 'services/api')).target).toBe('prebuilt');
    expect(normalizeOptions({ strategy: 'prebuilt', target: 'slim' }, contextFor('api', 'services/api')).target).toBe('slim');
    expect(normalizeOptions({}, contextFor('api', 'services/api')).target).toBeUndefined();
  });

  it('reads maxImageSize as bytes, and rejects a size it cannot read', () => {
    expect(normalizeOptions({ maxImageSize: 5_000_000 }, contextFor('api', 'services/api')).maxImageSize).toBe(5_000_000);
    expect(normalizeOptions({ maxImageSize: '2.5 MiB' }, contextFor('api', 'services/api')).maxImageSize).toBe(2_621_440);
    expect(() => normalizeOptions({ maxImageSize: 'small' }, contextFor('api', 'services/api'))).toThrow('maxImageSize "small" is not a size');
  });

  it('handles a project at the workspace root', () => {
    const options = normalizeOptions({}, contextFor('app', '.'));
    expect(options.dockerfile).toBe('/ws/Dockerfile');
    expect(options.outputFile).toBe('/ws/dist/docker/image.json');
  });
});

describe('parseSize', () => {
  it.each([
    ['3MB', 3_000_000],
    ['2.5 MiB', 2_621_440],
    ['500kB', 500_000],
    ['1.5GB', 1_500_000_000],
    ['1 GiB', 1024 ** 3],
    ['64KiB', 65_536],
    ['1234', 1234],
    ['  7 B ', 7],
    ['3mb', 3_000_000],
  ])('reads %j as %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it('takes a number as bytes', () => {
    expect(parseSize(1234)).toBe(1234);
    expect(parseSize(2.5e6)).toBe(2_500_000);
  });

  it.each([0, -1, -3e6, Number.NaN, Number.POSITIVE_INFINITY])('rejects the number %d: a size is positive and finite', (value) => {
    expect(() => parseSize(value)).toThrow(`maxImageSize ${value} is not a size: use a positive number of bytes or e.g. "3MB".`);
  });

  it.each(['3 parsecs', 'MB', '', '-1MB', '1,5MB', '3 M'])('rejects %j with a message that says what a size looks like', (text) => {
    expect(() => parseSize(text)).toThrow(
      `maxImageSize "${text}" is not a size: use bytes or a number with kB, MB, GB, KiB, MiB or GiB (e.g. "3MB").`,
    );
  });
});

describe('buildDockerArgs', () => {
  const input = {
    dockerfile: '/ws/target/rust-docker/api/Dockerfile.buildx',
    contextDir: '/ws/target/rust-docker/api/context',
    tags: ['api:latest', 'api:0123456789ab'],
    buildArgs: { CARGO_CACHE_ID: 'abc', RUST_IMAGE: 'rust:1.95-slim' },
    labels: { 'org.opencontainers.image.title': 'api', 'org.opencontainers.image.version': '0.1.0' },
  };

  it('puts the Dockerfile first, then plain progress, tags, build args, labels and the context last', () => {
    expect(buildDockerArgs({ ...input, engine: 'buildx' })).toEqual([
      '-f',
      '/ws/target/rust-docker/api/Dockerfile.buildx',
      '--progress=plain',
      '-t',
      'api:latest',
      '-t',
      'api:0123456789ab',
      '--build-arg',
      'CARGO_CACHE_ID=abc',
      '--build-arg',
      'RUST_IMAGE=rust:1.95-slim',
      '--label',
      'org.opencontainers.image.title=api',
      '--label',
      'org.opencontainers.image.version=0.1.0',
      '/ws/target/rust-docker/api/context',
    ]);
  });

  it('asks for plain progress with BuildKit only: the legacy builder has no --progress', () => {
    expect(buildDockerArgs({ ...input, engine: 'buildkit' })).toContain('--progress=plain');
    expect(buildDockerArgs({ ...input, engine: 'legacy' })).not.toContain('--progress=plain');
  });

  it('puts the stage, platform, network and --no-cache after the progress flag, before the tags', () => {
    expect(buildDockerArgs({ ...input, tags: ['api:latest'], buildArgs: {}, labels: {}, engine: 'buildx', target: 'runtime', platform: 'linux/arm64', network: 'host', noCache: true })).toEqual([
      '-f',
      '/ws/target/rust-docker/api/Dockerfile.buildx',
      '--progress=plain',
      '--target',
      'runtime',
      '--platform',
      'linux/arm64',
      '--network',
      'host',
      '--no-cache',
      '-t',
      'api:latest',
      '/ws/target/rust-docker/api/context',
    ]);
  });

  it('leaves out --no-cache when noCache is false', () => {
    expect(buildDockerArgs({ ...input, engine: 'buildx', noCache: false })).not.toContain('--no-cache');
  });

  it('names a buildx builder right after the Dockerfile', () => {
    expect(buildDockerArgs({ dockerfile: 'D', contextDir: 'C', tags: ['t'], buildArgs: {}, labels: {}, engine: 'buildx', builder: 'remote' })).toEqual([
      '-f',
      'D',
      '--builder',
      'remote',
      '--progress=plain',
      '-t',
      't',
      'C',
    ]);
  });

  it('is just the Dockerfile and the context without tags, args or labels', () => {
    expect(buildDockerArgs({ dockerfile: 'D', contextDir: 'C', tags: [], buildArgs: {}, labels: {}, engine: 'legacy' })).toEqual(['-f', 'D', 'C']);
  });
});

describe('dockerBuildExecutor (Docker CLI, cargo and git mocked)', () => {
  let ws: string;
  let info: jest.SpyInstance;
  let warn: jest.SpyInstance;
  let error: jest.SpyInstance;
  const runDockerMock = runDocker as jest.MockedFunction<typeof runDocker>;
  const dockerMock = docker as jest.MockedFunction<typeof docker>;
  const imageSizeMock = imageSize as jest.MockedFunction<typeof imageSize>;

  const API_MANIFEST = pkg('api', '[dependencies]\ncore = { path = "../../libs/core" }');
  const IMAGE_ID = `sha256:${'ab'.repeat(32)}`;
  const LOCK = 'version = 4\n\n[[package]]\nname = "api"\nversion = "0.1.0"\ndependencies = [\n "core",\n]\n\n[[package]]\nname = "core"\nversion = "0.1.0"\n\n[[package]]\nname = "worker"\nversion = "0.1.0"\n';

  // A small stand-in for the Docker engine: `image inspect` finds only what a build (or a
  // tag) made, so a first build is never mistaken for a reuse; builds answer `nextBuild`.
  let images: Map<string, string>;
  let nextBuild: DockerResult;
  const isBuild = (args: string[]) => args.includes('build');
  const ok = (stdout = ''): DockerResult => ({ code: 0, stdout, stderr: '' });

  // Stand-ins for cargo and git. `cargo metadata` leaves the context's Cargo.lock as it is,
  // or writes `exactLock` when set, as cargo does when it trims the superset lockfile.
  let exactLock: string | undefined;
  let git: { head?: string; dirty?: boolean; remote?: string; lsFiles?: string[] };
  const VENDOR_SNIPPET = '\n[source.crates-io]\nreplace-with = "vendored-sources"\n\n[source.vendored-sources]\ndirectory = "vendor"\n';
  const cargoCalls = () => execFileSyncMock.mock.calls.filter(([command]) => command === 'cargo').map(([, args, options]) => ({ args, cwd: options.cwd }));

  beforeEach(() => {
    ws = makeTempDir();
    writeFiles(ws, {
      'Cargo.toml': '[workspace]\nresolver = "2"\nmembers = ["services/*", "libs/*"]\n',
      'Cargo.lock': LOCK,
      'services/api/Cargo.toml': API_MANIFEST,
      'services/api/src/main.rs': 'fn main() {}\n',
      'services/api/.env': 'SECRET=1\n',
      'services/api/Dockerfile': 'FROM scratch\nRUN --mount=type=cache,target=/x \\\n    true\nEXPOSE 8080\n',
      'services/worker/Cargo.toml': pkg('worker'),
      'services/worker/src/main.rs': 'fn main() {}\n',
      'libs/core/Cargo.toml': pkg('core'),
      'libs/core/src/lib.rs': '\n',
    });
    images = new Map();
    nextBuild = ok();
    exactLock = undefined;
    git = {};
    runDockerMock.mockReset();
    runDockerMock.mockImplementation(async (args) => {
      if (args[0] === 'image' && args[1] === 'inspect') {
        const ref = args[args.length - 1];
        return images.has(ref) ? ok(`${images.get(ref)}\n`) : { code: 1, stdout: '', stderr: `Error response from daemon: No such image: ${ref}\n` };
      }
      if (isBuild(args)) {
        if (nextBuild.code === 0) for (const tag of args.filter((_, i) => args[i - 1] === '-t')) images.set(tag, IMAGE_ID);
        return nextBuild;
      }
      if (args[0] === 'push') return ok(`${args[1]}: digest: sha256:${'cd'.repeat(32)} size: 1573\n`);
      return ok();
    });
    dockerMock.mockReset();
    dockerMock.mockImplementation(async (args) => {
      if (args[0] === 'tag') images.set(args[2], images.get(args[1])!);
      return '';
    });
    imageSizeMock.mockClear();
    execFileSyncMock.mockReset();
    execFileSyncMock.mockImplementation((command: string, args: string[], options: { cwd: string }) => {
      if (command === 'cargo' && args[0] === 'metadata') {
        if (exactLock !== undefined) writeFileSync(join(options.cwd, 'Cargo.lock'), exactLock);
        return Buffer.from('');
      }
      if (command === 'cargo' && args[0] === 'vendor') {
        writeFiles(options.cwd, { 'vendor/itoa-1.0.11/Cargo.toml': pkg('itoa'), 'vendor/itoa-1.0.11/.cargo-checksum.json': '{}' });
        return VENDOR_SNIPPET;
      }
      if (command === 'git' && args[0] === 'ls-files' && git.lsFiles) return git.lsFiles.map((f) => `${f}\0`).join('');
      if (command === 'git' && git.head) {
        if (args[0] === 'rev-parse') return `${git.head}\n`;
        if (args[0] === 'status') return git.dirty ? ' M services/api/src/main.rs\n' : '';
        if (args[0] === 'config') return `${git.remote ?? 'https://example.com/org/shop.git'}\n`;
      }
      throw new Error(`${command} ${args[0]}: not here`);
    });
    info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    info.mockRestore();
    warn.mockRestore();
    error.mockRestore();
    removeDir(ws);
  });

  // Saving an image archive is covered by its own test; the others leave it out.
  const run = (options = {}) => dockerBuildExecutor({ vendor: false, archive: false, ...options }, contextFor('api', 'services/api', ws));
  const recordFile = () => join(ws, 'dist/services/api/docker/image.json');
  const contextDir = () => join(ws, 'target/rust-docker/api/context');
  const calls = () => runDockerMock.mock.calls.map(([args]) => args);
  const buildCalls = () => calls().filter(isBuild);
  const tagCalls = () => dockerMock.mock.calls.map(([args]) => args).filter((args) => args[0] === 'tag');
  /** The arguments of the one `docker build` of this run. */
  const buildArgs = () => {
    expect(buildCalls()).toHaveLength(1);
    return buildCalls()[0];
  };
  const builtTags = () => buildArgs().filter((_, i, all) => all[i - 1] === '-t');
  const labels = () =>
    Object.fromEntries(
      buildArgs()
        .filter((_, i, all) => all[i - 1] === '--label')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  const contentTag = () => readImageRecord(recordFile())!.tags[1];
  const clearCalls = () => {
    runDockerMock.mockClear();
    dockerMock.mockClear();
    execFileSyncMock.mockClear();
  };

  it('builds from a pruned context with buildx under every tag at once, and records the image', async () => {
    await expect(run({ tags: ['v1', 'registry.example.com/api:stable'], buildArgs: { RUST_IMAGE: 'rust:1.95-slim' } })).resolves.toEqual({ success: true });
    // First it asks whether the content tag exists (it does not), then it builds.
    expect(calls().map((args) => args.slice(0, 2))).toEqual([
      ['image', 'inspect'],
      ['buildx', 'build'],
    ]);
    const args = buildArgs();
    const workDir = join(ws, 'target/rust-docker/api');
    expect(args.slice(0, 5)).toEqual(['buildx', 'build', '--load', '-f', join(workDir, 'Dockerfile.buildx')]);
    expect(args[args.length - 1]).toBe(contextDir());
    const tag = contentTag();
    expect(tag).toMatch(/^api:[0-9a-f]{12}$/);
    // Without a size budget nothing can reject the image: no `docker tag` afterwards.
    expect(builtTags()).toEqual(['api:latest', tag, 'api:v1', 'registry.example.com/api:stable']);
    expect(dockerMock).not.toHaveBeenCalled();
    expect(calls()[0]).toEqual(['image', 'inspect', '--format', '{{.Id}}', tag]);
    expect(args).toContain('RUST_IMAGE=rust:1.95-slim');
    expect(args).toContainEqual(expect.stringMatching(/^CARGO_CACHE_ID=[0-9a-f]{12}$/));
    expect(args).not.toContain('--no-cache');
    expect(labels()).toEqual(expect.objectContaining({ 'org.opencontainers.image.title': 'api', 'org.opencontainers.image.version': '0.1.0' }));
    expect(imageSizeMock).toHaveBeenCalledWith(tag);

    const record = readImageRecord(recordFile())!;
    expect(record).toEqual(
      expect.objectContaining({
        project: 'api',
        image: 'api',
        id: IMAGE_ID,
        tags: ['api:latest', tag, 'api:v1', 'registry.example.com/api:stable'],
        size: 12_345_678,
        engine: 'buildx',
        cacheMounts: true,
        vendored: false,
        strategy: 'compile',
        reused: false,
      }),
    );
    expect(record.digest).toBeUndefined();
    expect(record.archive).toBeUndefined();
  });

  it('records the sources the image was built from, and their commit only when they were clean (what a release checks)', async () => {
    git = { head: 'c0ffee'.repeat(6) + 'c0ff' };
    await expect(run()).resolves.toEqual({ success: true });
    expect(readImageRecord(recordFile())).toEqual(
      expect.objectContaining({
        revision: 'c0ffee'.repeat(6) + 'c0ff',
        sources: ['libs/core', 'services/api', 'services/api/Dockerfile', 'Cargo.toml', 'Cargo.lock', 'rust-toolchain.toml', 'rust-toolchain', '.cargo/config.toml', '.cargo/config', '.dockerignore'],
      }),
    );
    git = { head: 'c0ffee'.repeat(6) + 'c0ff', dirty: true };
    await expect(run()).resolves.toEqual({ success: true });
    expect(readImageRecord(recordFile())!.revision).toBeUndefined();
  });

  it('with a size budget, builds under the content tag only and tags the image once it is within it', async () => {
    await expect(run({ tags: ['v1'], maxImageSize: '100MB' })).resolves.toEqual({ success: true });
    const tag = contentTag();
    expect(builtTags()).toEqual([tag]);
    expect(dockerMock.mock.calls.map(([a]) => a)).toEqual([
      ['tag', tag, 'api:latest'],
      ['tag', tag, 'api:v1'],
    ]);
    expect(imageSizeMock.mock.invocationCallOrder[0]).toBeLessThan(dockerMock.mock.invocationCallOrder[0]);
  });

  it('puts only the closure in the context, with a pruned manifest and lockfile and no secrets', async () => {
    await expect(run()).resolves.toEqual({ success: true });
    expect(readFileSync(join(contextDir(), 'Cargo.toml'), 'utf8')).toContain('members = [ "libs/core", "services/api" ]');
    expect(readFileSync(join(contextDir(), 'Cargo.lock'), 'utf8')).not.toContain('worker');
    expect(existsSync(join(contextDir(), 'services/api/src/main.rs'))).toBe(true);
    expect(existsSync(join(contextDir(), 'libs/core/src/lib.rs'))).toBe(true);
    expect(existsSync(join(contextDir(), 'services/worker'))).toBe(false);
    expect(existsSync(join(contextDir(), 'services/api/.env'))).toBe(false);
  });

  it("asks cargo for the exact lockfile of the pruned workspace, in the context, and builds with the one cargo wrote", async () => {
    exactLock = 'version = 4\n\n[[package]]\nname = "api"\nversion = "0.1.0"\ndependencies = [\n "core",\n]\n\n[[package]]\nname = "core"\nversion = "0.1.0"\n# trimmed by cargo\n';
    await expect(run()).resolves.toEqual({ success: true });
    expect(cargoCalls()).toEqual([{ args: ['metadata', '--format-version', '1', '--offline'], cwd: contextDir() }]);
    expect(readFileSync(join(contextDir(), 'Cargo.lock'), 'utf8')).toBe(exactLock);
    // Cached by its inputs: the next run with the same ones does not ask cargo again.
    clearCalls();
    await expect(run()).resolves.toEqual({ success: true });
    expect(cargoCalls()).toEqual([]);
    expect(readFileSync(join(contextDir(), 'Cargo.lock'), 'utf8')).toBe(exactLock);
  });

  it("keeps the content tag when the workspace lockfile changes but cargo's exact lockfile for the service does not", async () => {
    exactLock = 'version = 4\n# exact\n';
    await run();
    const first = contentTag();
    // Another crate's dependency bump; core now also lists a crate only another member's features pull in.
    writeFiles(ws, { 'Cargo.lock': LOCK.replace('name = "core"\nversion = "0.1.0"\n', 'name = "core"\nversion = "0.1.0"\ndependencies = [\n "parking_lot",\n]\n') + '\n[[package]]\nname = "parking_lot"\nversion = "0.12.3"\n' });
    clearCalls();
    await run();
    expect(cargoCalls()).toHaveLength(1); // the superset changed, so cargo was asked again
    expect(contentTag()).toBe(first);
    exactLock = 'version = 4\n# exact, now with parking_lot\n';
    writeFiles(ws, { 'Cargo.lock': `${LOCK}\n` });
    await run();
    expect(contentTag()).not.toBe(first);
  });

  it('fails before building when cargo cannot resolve the pruned workspace, with cargo\'s message', async () => {
    execFileSyncMock.mockImplementation((command: string) => {
      if (command === 'cargo') throw Object.assign(new Error('Command failed'), { status: 101, stderr: Buffer.from('error: no matching package named `core` found\n') });
      throw new Error('not here');
    });
    await expect(run()).resolves.toEqual({ success: false });
    expect(error).toHaveBeenCalledWith('api: cargo could not resolve the pruned workspace: error: no matching package named `core` found');
    expect(buildCalls()).toEqual([]);
    expect(existsSync(recordFile())).toBe(false);
  });

  it('fails before building without cargo on PATH, saying how to build without it', async () => {
    execFileSyncMock.mockImplementation(() => {
      throw Object.assign(new Error('spawnSync cargo ENOENT'), { code: 'ENOENT' });
    });
    await expect(run()).resolves.toEqual({ success: false });
    expect(error).toHaveBeenCalledWith(expect.stringContaining('cargo not found on PATH: the pruned build context needs cargo on the host to trim Cargo.lock.'));
    expect(buildCalls()).toEqual([]);
  });

  it('asks cargo nothing for the whole-workspace context, a copy of the workspace without its secrets', async () => {
    writeFiles(ws, { '.cargo/config.toml': '[registry]\ntoken = "s3cret"\n\n[build]\njobs = 2\n', 'id_ed25519': 'key\n' });
    await expect(run({ context: 'workspace' })).resolves.toEqual({ success: true });
    expect(cargoCalls()).toEqual([]);
    expect(buildArgs().at(-1)).toBe(contextDir());
    for (const file of ['Cargo.toml', 'Cargo.lock', 'services/api/src/main.rs', 'services/worker/src/main.rs', 'libs/core/src/lib.rs']) {
      expect(readFileSync(join(contextDir(), file), 'utf8')).toBe(readFileSync(join(ws, file), 'utf8'));
    }
    expect(existsSync(join(contextDir(), 'services/api/.env'))).toBe(false);
    expect(existsSync(join(contextDir(), 'id_ed25519'))).toBe(false);
    expect(readFileSync(join(contextDir(), '.cargo/config.toml'), 'utf8')).toBe('[build]\njobs = 2\n');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('kept 2 credential files out of the build context, as every build does, even for committed files: id_ed25519 (SSH private key), services/api/.env (dotenv file).'));
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('api: .cargo/config.toml enters the build context without registry.token.'));
  });

  describe('keeps secrets out', () => {
    const SECRETS = {
      'services/api/id_rsa': 's3cret',
      'services/api/.ssh/id_ed25519': 's3cret',
      'services/api/.aws/credentials': 's3cret',
      'services/api/.npmrc': 's3cret',
      'services/api/cert.p12': 's3cret',
      'services/api/service-account.json': 's3cret',
      'libs/core/.git-credentials': 's3cret',
    };
    const contextFiles = () => readdirSync(contextDir(), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));

    it('names every credential file it kept out of the context, and sends none to the engine', async () => {
      writeFiles(ws, { ...SECRETS, 'services/api/src/keys.rs': 'pub fn keys() {}\n', 'services/api/src/secrets/mod.rs': '\n' });
      await expect(run()).resolves.toEqual({ success: true });
      expect(warn).toHaveBeenCalledWith(
        "api: kept 8 credential files out of the build context, as every build does, even for committed files: libs/core/.git-credentials (git credentials), services/api/.aws/credentials (AWS credentials), services/api/.env (dotenv file), services/api/.npmrc (npm config), services/api/.ssh/id_ed25519 (SSH folder), services/api/cert.p12 (key or keystore), services/api/id_rsa (SSH private key), services/api/service-account.json (service account key). Move them out of the crate's folder (and out of git, if committed).",
      );
      for (const file of contextFiles()) expect(readFileSync(file, 'utf8')).not.toContain('s3cret');
      expect(existsSync(join(contextDir(), 'services/api/src/keys.rs'))).toBe(true);
      expect(existsSync(join(contextDir(), 'services/api/src/secrets/mod.rs'))).toBe(true);
    });

    it('takes only what git lists, asking git once, and warns only about credential files git would commit', async () => {
      writeFiles(ws, { 'services/api/notes.txt': 's3cret', 'services/api/local/dump.sql': 's3cret', 'services/api/id_rsa': 's3cret' });
      git.lsFiles = ['Cargo.toml', 'Cargo.lock', 'services/api/Cargo.toml', 'services/api/src/main.rs', 'services/api/Dockerfile', 'services/api/id_rsa', 'libs/core/Cargo.toml', 'libs/core/src/lib.rs'];
      await expect(run()).resolves.toEqual({ success: true });
      const lsFiles = execFileSyncMock.mock.calls.filter(([command, args]) => command === 'git' && args[0] === 'ls-files');
      expect(lsFiles).toHaveLength(1);
      expect(lsFiles[0][1]).toEqual(expect.arrayContaining(['--cached', '--others', '--exclude-standard', '--', 'libs/core', 'services/api']));
      expect(lsFiles[0][2].cwd).toBe(ws);
      expect(existsSync(join(contextDir(), 'services/api/src/main.rs'))).toBe(true);
      expect(existsSync(join(contextDir(), 'services/api/notes.txt'))).toBe(false);
      expect(existsSync(join(contextDir(), 'services/api/local'))).toBe(false);
      // .env is not listed by git (ignored): it was never a candidate, so no warning names it.
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^api: kept a credential file out of the build context, .*: services\/api\/id_rsa \(SSH private key\)\./));
    });

    it('refuses a crate of the closure that git ignores, naming it and the way to find the rule', async () => {
      git.lsFiles = ['Cargo.toml', 'Cargo.lock', 'services/api/Cargo.toml', 'services/api/src/main.rs'];
      await expect(run()).resolves.toEqual({ success: false });
      expect(error).toHaveBeenCalledWith(
        'api: libs/core/Cargo.toml is ignored by git, so a fresh clone has no such crate and neither does the build context, which takes only what git lists: un-ignore it (`git check-ignore -v libs/core/Cargo.toml` names the rule).',
      );
      expect(buildCalls()).toEqual([]);
    });

    it('says so when git cannot list the files, and still keeps credential files out', async () => {
      writeFiles(ws, { 'services/api/id_rsa': 's3cret' });
      const fallback = execFileSyncMock.getMockImplementation()!;
      execFileSyncMock.mockImplementation((command: string, args: string[], options: { cwd: string }) => {
        if (command === 'git' && args[0] === 'ls-files') {
          throw Object.assign(new Error('Command failed'), { status: 128, stderr: "fatal: detected dubious ownership in repository at '/ws'\n" });
        }
        return fallback(command, args, options);
      });
      await expect(run()).resolves.toEqual({ success: true });
      expect(warn).toHaveBeenCalledWith(
        "api: git could not list the workspace's files (fatal: detected dubious ownership in repository at '/ws'), so the build context cannot leave out what git ignores: only .dockerignore and the built-in exclusions apply. Fix git's access to the repository (e.g. `git config --global --add safe.directory <path>`).",
      );
      expect(existsSync(join(contextDir(), 'services/api/id_rsa'))).toBe(false);
    });

    it('enters the Cargo config without tokens or credentials, and vendoring still points Cargo at the vendored crates', async () => {
      writeFiles(ws, {
        '.cargo/config.toml':
          '[registries.private]\nindex = "sparse+https://ci:s3cret@cargo.example.com/index/"\ntoken = "s3cret"\n\n[registry]\ntoken = "s3cret"\n\n[build]\nrustflags = ["-C", "opt-level=3"]\n',
      });
      await expect(run({ vendor: true })).resolves.toEqual({ success: true });
      const config = readFileSync(join(contextDir(), '.cargo/config.toml'), 'utf8');
      expect(config).not.toContain('s3cret');
      expect(config).toContain('[registries.private]\nindex = "sparse+https://cargo.example.com/index/"');
      expect(config).toContain('[build]\nrustflags = [ "-C", "opt-level=3" ]');
      expect(config).toContain(VENDOR_SNIPPET.trim());
      expect(warn).toHaveBeenCalledWith(
        "api: .cargo/config.toml enters the build context without registries.private.index (user information), registries.private.token, registry.token. Cargo on this machine still reads them; a secret in a committed file is in git's history: keep tokens in $CARGO_HOME/credentials.toml or CARGO_REGISTRIES_<NAME>_TOKEN.",
      );
      // cargo vendor ran in the context, under the workspace, whose own config it still reads.
      expect(cargoCalls()[1].cwd.startsWith(ws)).toBe(true);
    });

    it('enters a Cargo config without secrets when nothing is vendored too, and fails on one it cannot read', async () => {
      writeFiles(ws, { '.cargo/config': '[registry]\ntoken = "s3cret"\n[net]\nretry = 3\n' });
      await expect(run()).resolves.toEqual({ success: true });
      expect(readFileSync(join(contextDir(), '.cargo/config'), 'utf8')).toBe('[net]\nretry = 3\n');
      writeFiles(ws, { '.cargo/config': '[registry\ntoken = "s3cret"\n' });
      await expect(run()).resolves.toEqual({ success: false });
      expect(error).toHaveBeenCalledWith(expect.stringMatching(/^api: \.cargo\/config is not valid TOML \(.*\), so it cannot enter a build context without its secrets: fix it/));
      expect(buildCalls()).toHaveLength(1);
    });

    it('labels the image with the git remote without its user information', async () => {
      git = { head: '0123456789abcdef0123456789abcdef01234567', remote: 'https://ci:s3cret@git.example.com/org/shop.git' };
      await expect(run({ labels: { docs: 'https://reader:s3cret@docs.example.com/api' } })).resolves.toEqual({ success: true });
      expect(labels()['org.opencontainers.image.source']).toBe('https://git.example.com/org/shop.git');
      expect(labels().docs).toBe('https://docs.example.com/api');
      for (const args of [...calls(), ...dockerMock.mock.calls.map(([a]) => a)]) expect(args.join(' ')).not.toContain('s3cret');
      expect(readFileSync(recordFile(), 'utf8')).not.toContain('s3cret');
    });

    it('prints an error without the user information of any URL in it', async () => {
      nextBuild = { code: 1, stdout: '', stderr: 'error: failed to fetch `https://ci:s3cret@cargo.example.com/index/`\n' };
      await expect(run()).resolves.toEqual({ success: false });
      expect(error).toHaveBeenCalledWith(expect.stringContaining('failed to fetch `https://cargo.example.com/index/`'));
      expect(error.mock.calls.join('\n')).not.toContain('s3cret');
    });
  });

  it('vendors the crates into the context on the host once, pointing Cargo at them, and records it', async () => {
    await expect(run({ vendor: true })).resolves.toEqual({ success: true });
    expect(cargoCalls().map((c) => c.args[0])).toEqual(['metadata', 'vendor']);
    expect(cargoCalls()[1]).toEqual({ args: ['vendor', '--locked', '--versioned-dirs', 'vendor'], cwd: contextDir() });
    expect(readFileSync(join(contextDir(), '.cargo/config.toml'), 'utf8')).toBe(`${VENDOR_SNIPPET.trim()}\n`);
    expect(existsSync(join(contextDir(), 'vendor/itoa-1.0.11/Cargo.toml'))).toBe(true);
    expect(readImageRecord(recordFile())!.vendored).toBe(true);
    const first = contentTag();
    clearCalls();
    await expect(run({ vendor: true })).resolves.toEqual({ success: true });
    expect(cargoCalls()).toEqual([]); // the lockfile did not change: vendor/ is reused
    expect(existsSync(join(contextDir(), 'vendor/itoa-1.0.11/Cargo.toml'))).toBe(true);
    expect(contentTag()).toBe(first);
  });

  it('gives the same content tag to the same inputs', async () => {
    await run();
    const first = contentTag();
    expect(first).toMatch(/^api:[0-9a-f]{12}$/);
    images.clear(); // as if the image had been removed: the second run builds again
    clearCalls();
    await run();
    expect(builtTags()).toContain(first);
    expect(contentTag()).toBe(first);
    clearCalls();
    writeFiles(ws, { 'libs/core/src/lib.rs': 'pub fn changed() {}\n' });
    await run();
    expect(contentTag()).not.toBe(first);
    expect(buildCalls()).toHaveLength(1);
  });

  it('keeps the content tag when only a crate outside the closure changes', async () => {
    await run();
    const first = contentTag();
    writeFiles(ws, { 'services/worker/src/main.rs': 'fn main() { println!("v2"); }\n' });
    await run();
    expect(contentTag()).toBe(first);
  });

  it('gives another content tag to other labels, build arguments, stage or platform, but not to other extra tags', async () => {
    const tagFor = async (options: Record<string, unknown>) => {
      await run(options);
      return contentTag();
    };
    const plain = await tagFor({});
    expect(await tagFor({ labels: { team: 'billing' } })).not.toBe(plain);
    expect(await tagFor({ labels: { team: 'payments' } })).not.toBe(await tagFor({ labels: { team: 'billing' } }));
    expect(await tagFor({ buildArgs: { RUST_IMAGE: 'mirror/rust:1.95' } })).not.toBe(plain);
    expect(await tagFor({ target: 'runtime' })).not.toBe(plain);
    expect(await tagFor({ platform: 'linux/arm64' })).not.toBe(plain);
    expect(await tagFor({ tags: ['v2'] })).toBe(plain);
  });

  it('tags the image built earlier from the same inputs instead of building again, and records the reuse', async () => {
    await expect(run({ tags: ['v1'] })).resolves.toEqual({ success: true });
    const first = readImageRecord(recordFile())!;
    expect(first.reused).toBe(false);
    clearCalls();

    await expect(run({ tags: ['v1'] })).resolves.toEqual({ success: true });
    expect(buildCalls()).toEqual([]);
    expect(calls()).toEqual([['image', 'inspect', '--format', '{{.Id}}', first.tags[1]]]);
    expect(dockerMock.mock.calls.map(([args]) => args)).toEqual([
      ['tag', first.tags[1], 'api:latest'],
      ['tag', first.tags[1], 'api:v1'],
    ]);
    const second = readImageRecord(recordFile())!;
    expect(second).toEqual(expect.objectContaining({ tags: first.tags, id: first.id, size: first.size, strategy: 'compile', reused: true }));
    expect(info).toHaveBeenCalledWith(expect.stringContaining(`api: ${first.tags[1]} was already built from this exact context; tagged it, no build`));
  });

  it('builds again with --no-cache without looking for an earlier image', async () => {
    await run();
    clearCalls();
    await expect(run({ noCache: true })).resolves.toEqual({ success: true });
    expect(calls().filter((args) => args[0] === 'image')).toEqual([]);
    expect(buildArgs()).toContain('--no-cache');
    expect(readImageRecord(recordFile())!.reused).toBe(false);
  });

  it('fails when the image is over maxImageSize, with both sizes in the message, moves no tag and writes no record', async () => {
    await expect(run({ maxImageSize: '10MB', tags: ['v1'] })).resolves.toEqual({ success: false });
    const [tag] = builtTags();
    expect(error).toHaveBeenCalledWith(
      `api: image api:latest is 12.35 MB (12345678 bytes), over its budget maxImageSize 10.00 MB (10000000 bytes); it stays tagged ${tag} only.`,
    );
    expect(tagCalls()).toEqual([]);
    expect(images.has('api:latest')).toBe(false);
    expect(existsSync(recordFile())).toBe(false);
  });

  it('checks the size of a reused image too, before tagging it', async () => {
    await run();
    clearCalls();
    await expect(run({ maxImageSize: '12MB' })).resolves.toEqual({ success: false });
    expect(buildCalls()).toEqual([]);
    expect(tagCalls()).toEqual([]);
    expect(error).toHaveBeenCalledWith(expect.stringContaining('over its budget maxImageSize 12.00 MB'));
  });

  it('passes an image within maxImageSize', async () => {
    await expect(run({ maxImageSize: 12_345_678 })).resolves.toEqual({ success: true });
    await expect(run({ maxImageSize: '12.5 MB' })).resolves.toEqual({ success: true });
    expect(error).not.toHaveBeenCalled();
    expect(tagCalls().map((args) => args[2])).toEqual(['api:latest', 'api:latest']);
  });

  it('fails on a maxImageSize it cannot read, before any docker call', async () => {
    await expect(run({ maxImageSize: 'big' })).resolves.toEqual({ success: false });
    expect(error).toHaveBeenCalledWith(expect.stringContaining('maxImageSize "big" is not a size'));
    expect(runDockerMock).not.toHaveBeenCalled();
    await expect(run({ maxImageSize: 0 })).resolves.toEqual({ success: false });
    expect(error).toHaveBeenCalledWith('api: maxImageSize 0 is not a size: use a positive number of bytes or e.g. "3MB".');
    expect(runDockerMock).not.toHaveBeenCalled();
  });

  it('pushes every tag once they are all set, and records the registry digest', async () => {
    await expect(run({ push: true, tags: ['registry.example.com/api:stable'] })).resolves.toEqual({ success: true });
    const record = readImageRecord(recordFile())!;
    const pushes = runDockerMock.mock.calls.filter(([args]) => args[0] === 'push');
    expect(pushes.map(([args]) => args)).toEqual(record.tags.map((tag) => ['push', tag]));
    expect(Math.min(...pushes.map((_, i) => runDockerMock.mock.invocationCallOrder[runDockerMock.mock.calls.indexOf(pushes[i])]))).toBeGreaterThan(
      Math.max(...dockerMock.mock.invocationCallOrder),
    );
    expect(record.digest).toBe(`sha256:${'cd'.repeat(32)}`);
  });

  it('adds a git tag and the revision label for a clean checkout, and neither for uncommitted changes', async () => {
    git = { head: '0123456789abcdef0123456789abcdef01234567' };
    await run();
    expect(readImageRecord(recordFile())!.tags).toEqual(['api:latest', expect.stringMatching(/^api:[0-9a-f]{12}$/), 'api:git-0123456789ab']);
    expect(labels()).toEqual(expect.objectContaining({ 'org.opencontainers.image.revision': git.head, 'org.opencontainers.image.source': 'https://example.com/org/shop.git' }));
    const status = execFileSyncMock.mock.calls.find(([command, args]) => command === 'git' && args[0] === 'status')!;
    expect(status[1]).toEqual(['status', '--porcelain', '--', 'libs/core', 'services/api', 'services/api/Dockerfile']);

    git.dirty = true;
    images.clear();
    clearCalls();
    await run();
    expect(readImageRecord(recordFile())!.tags).toHaveLength(2);
    expect(labels()['org.opencontainers.image.revision']).toBe(git.head);
  });

  it('passes the stage, platform and network to docker build', async () => {
    await run({ target: 'runtime', platform: 'linux/arm64', network: 'host' });
    const args = buildArgs();
    expect(args.slice(args.indexOf('--target'), args.indexOf('--target') + 6)).toEqual(['--target', 'runtime', '--platform', 'linux/arm64', '--network', 'host']);
  });

  it('refuses --platform with the legacy builder, before building', async () => {
    await expect(run({ engine: 'legacy', platform: 'linux/arm64' })).resolves.toEqual({ success: false });
    expect(error).toHaveBeenCalledWith(expect.stringContaining('--platform needs BuildKit'));
    expect(buildCalls()).toEqual([]);
  });

  it('rewrites the Dockerfile for the legacy builder outside the context', async () => {
    await run({ engine: 'legacy' });
    const args = buildArgs();
    expect(args.slice(0, 1)).toEqual(['build']);
    const dockerfile = readFileSync(args[args.indexOf('-f') + 1], 'utf8');
    expect(dockerfile).toBe('FROM scratch\nRUN \\\n    true\nEXPOSE 8080\n');
    expect(args[args.indexOf('-f') + 1].startsWith(contextDir())).toBe(false);
  });

  it('gives the legacy builder only the stages the target needs', async () => {
    writeFiles(ws, { 'services/api/Dockerfile': 'FROM rust AS builder\nRUN make\n\nFROM alpine AS unused\nRUN true\n\nFROM scratch AS runtime\nCOPY --from=builder /out /out\n' });
    await run({ engine: 'legacy', target: 'runtime' });
    const args = buildArgs();
    expect(readFileSync(args[args.indexOf('-f') + 1], 'utf8')).toBe('FROM rust AS builder\nRUN make\n\nFROM scratch AS runtime\nCOPY --from=builder /out /out\n');
  });

  it('fails without building when the Dockerfile is missing, saying how to add one', async () => {
    await expect(dockerBuildExecutor({}, contextFor('worker', 'services/worker', ws))).resolves.toEqual({ success: false });
    expect(runDockerMock).not.toHaveBeenCalled();
    expect(error).toHaveBeenCalledWith(expect.stringContaining('services/worker/Dockerfile not found: add one with `nx g @org/rust-docker:service`'));
  });

  it('fails when docker build fails, with its last output lines, tagging nothing', async () => {
    nextBuild = { code: 1, stdout: '', stderr: 'step 1\nerror: cannot compile\n' };
    await expect(run()).resolves.toEqual({ success: false });
    expect(buildCalls()).toHaveLength(1);
    expect(error).toHaveBeenCalledWith(expect.stringContaining('api: docker build failed (exit 1):\nstep 1\nerror: cannot compile'));
    expect(existsSync(recordFile())).toBe(false);
    expect(dockerMock).not.toHaveBeenCalled();
  });

  it("labels the image with the crate's version, not a dependency's", async () => {
    writeFiles(ws, {
      'Cargo.toml': '[workspace]\nmembers = ["services/*", "libs/*"]\n\n[workspace.package]\nversion = "2.3.4"\n',
      'services/api/Cargo.toml': '[package]\nname = "api"\nversion.workspace = true\n\n[dependencies.serde]\nversion = "1.0"\n',
    });
    await expect(run()).resolves.toEqual({ success: true });
    expect(labels()['org.opencontainers.image.version']).toBe('2.3.4');
  });

  it('lets the labels given override the OCI ones', async () => {
    await run({ labels: { 'org.opencontainers.image.title': 'Billing API', team: 'billing' } });
    expect(labels()).toEqual(expect.objectContaining({ 'org.opencontainers.image.title': 'Billing API', team: 'billing' }));
  });

  it('saves the image next to its record by default, after tagging, and records the archive', async () => {
    await expect(dockerBuildExecutor({ vendor: false }, contextFor('api', 'services/api', ws))).resolves.toEqual({ success: true });
    const record = readImageRecord(recordFile())!;
    const saves = dockerMock.mock.calls.map(([args]) => args).filter((args) => args[0] === 'save');
    expect(saves).toEqual([['save', '-o', join(ws, 'dist/services/api/docker/image.tar'), record.tags[1], 'api:latest']]);
    expect(record.archive).toBe('image.tar');
  });

  it('saves no archive of an image over the archive size, and removes an earlier one', async () => {
    writeFiles(ws, { 'dist/services/api/docker/image.tar': 'old' });
    await expect(dockerBuildExecutor({ vendor: false, archive: '10MB' }, contextFor('api', 'services/api', ws))).resolves.toEqual({ success: true });
    expect(dockerMock.mock.calls.filter(([args]) => args[0] === 'save')).toEqual([]);
    expect(existsSync(join(ws, 'dist/services/api/docker/image.tar'))).toBe(false);
    expect(readImageRecord(recordFile())!.archive).toBeUndefined();
  });

  describe('with a hand-written Dockerfile', () => {
    const handWritten = (copy: string) =>
      [
        'FROM rust:1.95-bookworm AS build',
        'WORKDIR /src',
        copy,
        'RUN cargo build --release -p api',
        '',
        'FROM debian:bookworm-slim',
        'COPY --from=build /src/target/release/api /usr/local/bin/api',
        'CMD ["api"]',
        '',
      ].join('\n');
    const args = () => buildArgs();
    // Only the warnings about the Dockerfile's COPY paths (the fixture has no git and a .env file).
    const copyWarnings = () => warn.mock.calls.map(([m]: [string]) => m).filter((m: string) => m.includes('Dockerfile copies'));

    it('builds one that copies the workspace layout (COPY . .) from the pruned context', async () => {
      writeFiles(ws, { 'services/api/Dockerfile': handWritten('COPY . .') });
      await expect(run()).resolves.toEqual({ success: true });
      expect(args().at(-1)).toBe(contextDir());
      expect(existsSync(join(contextDir(), 'services/worker'))).toBe(false);
      expect(copyWarnings()).toEqual([]);
    });

    it('builds one that copies only the closure\'s folders and root files from the pruned context', async () => {
      writeFiles(ws, { 'services/api/Dockerfile': handWritten('COPY Cargo.toml Cargo.lock ./\nCOPY services/api services/api\nCOPY ["libs/core", "libs/core"]\nCOPY libs/c* libs/') });
      await expect(run()).resolves.toEqual({ success: true });
      expect(args().at(-1)).toBe(contextDir());
      expect(copyWarnings()).toEqual([]);
    });

    it('builds one that copies a folder outside the closure from the whole workspace folder, saying so', async () => {
      writeFiles(ws, { 'services/api/Dockerfile': handWritten('COPY . .\nCOPY services/worker/src /worker'), 'scripts/x.sh': '' });
      await expect(run()).resolves.toEqual({ success: true });
      // The whole workspace, copied with the same filters as the pruned context.
      expect(args().at(-1)).toBe(contextDir());
      expect(existsSync(join(contextDir(), 'services/worker/src'))).toBe(true);
      expect(warn).toHaveBeenCalledWith(
        'api: services/api/Dockerfile copies services/worker/src, outside api\'s pruned context (the folders of api, core); building from the whole Cargo workspace folder instead, crates not vendored (set "context": "workspace" to say so, or copy only those folders).',
      );
    });

    it('refuses that with "context": "pruned" asked for, building nothing', async () => {
      writeFiles(ws, { 'services/api/Dockerfile': handWritten('COPY services/worker/src /worker') });
      await expect(run({ context: 'pruned' })).resolves.toEqual({ success: false });
      expect(error).toHaveBeenCalledWith(
        'api: services/api/Dockerfile copies services/worker/src, outside api\'s pruned context (the folders of api, core): set "context": "workspace" for it, or copy only those folders.',
      );
      expect(buildCalls()).toEqual([]);
    });

    it('refuses one written for the crate folder as context, naming the paths it lacks', async () => {
      writeFiles(ws, { 'services/api/Dockerfile': handWritten('COPY Cargo.toml ./\nCOPY src ./src') });
      await expect(run()).resolves.toEqual({ success: false });
      expect(error).toHaveBeenCalledWith(
        'api: services/api/Dockerfile copies src, which the Cargo workspace folder (.) does not have: its build context is that folder, so write COPY paths relative to it (e.g. services/api/src).',
      );
      expect(buildCalls()).toEqual([]);
    });

    it('leaves a context it was told to use alone', async () => {
      writeFiles(ws, { 'services/api/Dockerfile': handWritten('COPY services/worker/src /worker') });
      await expect(run({ context: 'workspace' })).resolves.toEqual({ success: true });
      expect(args().at(-1)).toBe(contextDir());
      expect(existsSync(join(contextDir(), 'services/worker/src'))).toBe(true);
      expect(copyWarnings()).toEqual([]);
    });
  });

  describe('with the prebuilt strategy', () => {
    const binary = () => join(ws, 'dist/services/api/bin/api');
    beforeEach(() => {
      writeFiles(ws, {
        'services/api/Dockerfile': renderDockerfile({ name: 'api', bin: 'api', project: 'api', port: 8080, dockerfilePath: 'services/api/Dockerfile' }),
      });
    });
    const prebuilt = (options = {}) => run({ strategy: 'prebuilt', ...options });

    it('ships the static binary of the build target from a context holding it alone, building the prebuilt stage', async () => {
      writeFiles(ws, { 'dist/services/api/bin/api': '' });
      writeFileSync(binary(), staticElf());
      chmodSync(binary(), 0o755);
      await expect(prebuilt()).resolves.toEqual({ success: true });
      const args = buildArgs();
      const dir = join(ws, 'target/rust-docker/api/prebuilt');
      expect(args.at(-1)).toBe(dir);
      expect(readdirSync(dir)).toEqual(['api']);
      expect(readFileSync(join(dir, 'api'))).toEqual(staticElf());
      expect(args.slice(args.indexOf('--target'), args.indexOf('--target') + 2)).toEqual(['--target', 'prebuilt']);
      const dockerfile = readFileSync(args[args.indexOf('-f') + 1], 'utf8');
      expect(dockerfile.endsWith(prebuiltStage('api', 'api'))).toBe(true);
      expect(cargoCalls()).toEqual([]); // nothing to compile, no lockfile to trim
      expect(readImageRecord(recordFile())).toEqual(expect.objectContaining({ strategy: 'prebuilt', vendored: false }));
      // Without "dependsOn": ["build"] in the task graph, it says the cache cannot see the binary.
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('the prebuilt strategy without "dependsOn": ["build"]'));
    });

    it('refuses a dynamically linked binary for a scratch image, naming its interpreter', async () => {
      writeFiles(ws, { 'dist/services/api/bin/api': '' });
      writeFileSync(binary(), dynamicElf('/lib64/ld-linux-x86-64.so.2'));
      await expect(prebuilt()).resolves.toEqual({ success: false });
      expect(error).toHaveBeenCalledWith(expect.stringContaining('dist/services/api/bin/api is dynamically linked (it needs /lib64/ld-linux-x86-64.so.2), so it cannot start in a scratch image'));
      expect(buildCalls()).toEqual([]);
    });

    it('accepts a dynamically linked binary for a debian image', async () => {
      writeFiles(ws, {
        'services/api/Dockerfile': renderDockerfile({ name: 'api', bin: 'api', project: 'api', port: 8080, dockerfilePath: 'services/api/Dockerfile', runtime: 'debian' }),
        'dist/services/api/bin/api': '',
      });
      writeFileSync(binary(), dynamicElf());
      await expect(prebuilt()).resolves.toEqual({ success: true });
    });

    it('fails without the binary, saying which target makes it', async () => {
      await expect(prebuilt()).resolves.toEqual({ success: false });
      expect(error).toHaveBeenCalledWith(expect.stringContaining('dist/services/api/bin/api not found: the prebuilt strategy ships the binary of `nx run api:build`'));
      expect(buildCalls()).toEqual([]);
    });

    it("also takes the service's runtime files into the context, as the runtime stage copies them", async () => {
      writeFiles(ws, {
        'services/api/Dockerfile': renderDockerfile({
          name: 'api',
          bin: 'api',
          project: 'api',
          port: 8080,
          dockerfilePath: 'services/api/Dockerfile',
          runtimeFiles: ['configuration', 'settings.toml'],
          crateDir: 'services/api',
        }),
        'services/api/configuration/base.yaml': 'port: 8080\n',
        'services/api/configuration/local/dev.yaml': 'debug: true\n',
        'services/api/settings.toml': 'a = 1\n',
        'dist/services/api/bin/api': '',
      });
      writeFileSync(binary(), staticElf());
      await expect(prebuilt()).resolves.toEqual({ success: true });
      const dir = join(ws, 'target/rust-docker/api/prebuilt');
      expect(readdirSync(dir, { recursive: true }).map(String).sort()).toEqual([
        'api',
        'services',
        'services/api',
        'services/api/configuration',
        'services/api/configuration/base.yaml',
        'services/api/configuration/local',
        'services/api/configuration/local/dev.yaml',
        'services/api/settings.toml',
      ]);
    });

    it('needs a runtime-base stage in the Dockerfile', async () => {
      writeFiles(ws, { 'services/api/Dockerfile': 'FROM scratch\nCOPY api /api\n', 'dist/services/api/bin/api': '' });
      writeFileSync(binary(), staticElf());
      await expect(prebuilt()).resolves.toEqual({ success: false });
      expect(error).toHaveBeenCalledWith(expect.stringContaining('the prebuilt strategy needs a stage named runtime-base in services/api/Dockerfile'));
    });
  });
});
