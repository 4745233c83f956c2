import { logger, type ExecutorContext } from '@nx/devkit';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { imageSize } from '../../docker/container';
import { docker, runDocker, type DockerResult } from '../../docker/docker-cli';
import { readImageRecord } from '../../docker/image-record';
import { makeTempDir, pkg, removeDir, writeFiles } from '../../testing/fixtures';
import dockerBuildExecutor, { buildDockerArgs, normalizeOptions, parseSize } from './executor';

// The executor is run below with the Docker CLI, the engine probe, the image inspection and
// git replaced: no docker, cargo or git process is started by these tests.
jest.mock('../../docker/docker-cli', () => ({
  ...jest.requireActual('../../docker/docker-cli'),
  checkDocker: jest.fn(async () => ({ client: '27.3.1', server: '27.3.1' })),
  runDocker: jest.fn(async () => ({ code: 0, stdout: '', stderr: '' })),
  docker: jest.fn(async () => ''),
}));
jest.mock('../../docker/engine', () => ({
  ...jest.requireActual('../../docker/engine'),
  probeEngine: jest.fn(async (clientVersion: string) => ({ buildx: true, clientVersion })),
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
      vendor: true,
      engine: 'auto',
      noCache: false,
      push: false,
      strategy: 'compile',
      outputFile: '/ws/dist/services/api/docker/image.json',
    });
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

  it('is just the Dockerfile and the context without tags, args or labels', () => {
    expect(buildDockerArgs({ dockerfile: 'D', contextDir: 'C', tags: [], buildArgs: {}, labels: {}, engine: 'legacy' })).toEqual(['-f', 'D', 'C']);
  });
});

describe('dockerBuildExecutor (Docker CLI mocked)', () => {
  let ws: string;
  let info: jest.SpyInstance;
  let error: jest.SpyInstance;
  const runDockerMock = runDocker as jest.MockedFunction<typeof runDocker>;
  const dockerMock = docker as jest.MockedFunction<typeof docker>;
  const imageSizeMock = imageSize as jest.MockedFunction<typeof imageSize>;

  const API_MANIFEST = pkg('api', '[dependencies]\ncore = { path = "../../libs/core" }');
  const IMAGE_ID = `sha256:${'ab'.repeat(32)}`;

  // A small stand-in for the Docker engine: `image inspect` finds only what a build (or a
  // tag) made, so a first build is never mistaken for a reuse; builds answer `nextBuild`.
  let images: Map<string, string>;
  let nextBuild: DockerResult;
  const isBuild = (args: string[]) => args.includes('build');
  const ok = (stdout = ''): DockerResult => ({ code: 0, stdout, stderr: '' });

  beforeEach(() => {
    ws = makeTempDir();
    writeFiles(ws, {
      'Cargo.toml': '[workspace]\nresolver = "2"\nmembers = ["services/*", "libs/*"]\n',
      'Cargo.lock': 'version = 4\n\n[[package]]\nname = "api"\nversion = "0.1.0"\ndependencies = [\n "core",\n]\n\n[[package]]\nname = "core"\nversion = "0.1.0"\n\n[[package]]\nname = "worker"\nversion = "0.1.0"\n',
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
    info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    info.mockRestore();
    error.mockRestore();
    removeDir(ws);
  });

  const run = (options = {}) => dockerBuildExecutor({ vendor: false, ...options }, contextFor('api', 'services/api', ws));
  const recordFile = () => join(ws, 'dist/services/api/docker/image.json');
  const calls = () => runDockerMock.mock.calls.map(([args]) => args);
  const buildCalls = () => calls().filter(isBuild);
  /** The arguments of the one `docker build` of this run. */
  const buildArgs = () => {
    expect(buildCalls()).toHaveLength(1);
    return buildCalls()[0];
  };
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
  };

  it('builds from a pruned context with buildx and records the image', async () => {
    await expect(run({ tags: ['v1', 'registry.example.com/api:stable'], buildArgs: { RUST_IMAGE: 'rust:1.95-slim' } })).resolves.toEqual({ success: true });
    // First it asks whether the content tag exists (it does not), then it builds.
    expect(calls().map((args) => args.slice(0, 2))).toEqual([
      ['image', 'inspect'],
      ['buildx', 'build'],
    ]);
    const args = buildArgs();
    const workDir = join(ws, 'target/rust-docker/api');
    expect(args.slice(0, 5)).toEqual(['buildx', 'build', '--load', '-f', join(workDir, 'Dockerfile.buildx')]);
    expect(args[args.length - 1]).toBe(join(workDir, 'context'));
    const tags = args.filter((_, i) => args[i - 1] === '-t');
    expect(tags).toEqual(['api:latest', expect.stringMatching(/^api:[0-9a-f]{12}$/), 'api:v1', 'registry.example.com/api:stable']);
    expect(calls()[0]).toEqual(['image', 'inspect', '--format', '{{.Id}}', tags[1]]);
    expect(args).toContain('RUST_IMAGE=rust:1.95-slim');
    expect(args).toContainEqual(expect.stringMatching(/^CARGO_CACHE_ID=[0-9a-f]{12}$/));
    expect(args).not.toContain('--no-cache');
    expect(labels()).toEqual(expect.objectContaining({ 'org.opencontainers.image.title': 'api', 'org.opencontainers.image.version': '0.1.0' }));
    expect(dockerMock).not.toHaveBeenCalled();
    expect(imageSizeMock).toHaveBeenCalledWith(tags[1]);

    const record = readImageRecord(recordFile())!;
    expect(record).toEqual(
      expect.objectContaining({ project: 'api', image: 'api', id: IMAGE_ID, tags, size: 12_345_678, engine: 'buildx', cacheMounts: true, vendored: false, strategy: 'compile', reused: false }),
    );
    expect(record.digest).toBeUndefined();
  });

  it('puts only the closure in the context, with a pruned manifest and lockfile and no secrets', async () => {
    await run();
    const context = join(ws, 'target/rust-docker/api/context');
    expect(readFileSync(join(context, 'Cargo.toml'), 'utf8')).toContain('members = [ "libs/core", "services/api" ]');
    expect(readFileSync(join(context, 'Cargo.lock'), 'utf8')).not.toContain('worker');
    expect(existsSync(join(context, 'services/api/src/main.rs'))).toBe(true);
    expect(existsSync(join(context, 'libs/core/src/lib.rs'))).toBe(true);
    expect(existsSync(join(context, 'services/worker'))).toBe(false);
    expect(existsSync(join(context, 'services/api/.env'))).toBe(false);
  });

  it('gives the same content tag to the same inputs', async () => {
    await run();
    const first = contentTag();
    expect(first).toMatch(/^api:[0-9a-f]{12}$/);
    images.clear(); // as if the image had been removed: the second run builds again
    clearCalls();
    await run();
    expect(buildArgs().filter((_, i, all) => all[i - 1] === '-t')[1]).toBe(first);
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

  it('fails when the image is over maxImageSize, with both sizes in the message, and writes no record', async () => {
    await expect(run({ maxImageSize: '10MB' })).resolves.toEqual({ success: false });
    expect(error).toHaveBeenCalledWith(
      'api: image api:latest is 12.35 MB (12345678 bytes), over its budget maxImageSize 10.00 MB (10000000 bytes).',
    );
    expect(existsSync(recordFile())).toBe(false);
  });

  it('passes an image within maxImageSize', async () => {
    await expect(run({ maxImageSize: 12_345_678 })).resolves.toEqual({ success: true });
    await expect(run({ maxImageSize: '12.5 MB' })).resolves.toEqual({ success: true });
    expect(error).not.toHaveBeenCalled();
  });

  it('fails on a maxImageSize it cannot read, before any docker call', async () => {
    await expect(run({ maxImageSize: 'big' })).resolves.toEqual({ success: false });
    expect(error).toHaveBeenCalledWith(expect.stringContaining('maxImageSize "big" is not a size'));
    expect(runDockerMock).not.toHaveBeenCalled();
  });

  it('pushes every tag and records the registry digest', async () => {
    await expect(run({ push: true, tags: ['registry.example.com/api:stable'] })).resolves.toEqual({ success: true });
    const record = readImageRecord(recordFile())!;
    expect(calls().filter((args) => args[0] === 'push')).toEqual(record.tags.map((tag) => ['push', tag]));
    expect(record.digest).toBe(`sha256:${'cd'.repeat(32)}`);
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
  });

  it('fails without building when the Dockerfile is missing, saying how to add one', async () => {
    await expect(dockerBuildExecutor({}, contextFor('worker', 'services/worker', ws))).resolves.toEqual({ success: false });
    expect(runDockerMock).not.toHaveBeenCalled();
    expect(error).toHaveBeenCalledWith(expect.stringContaining('services/worker/Dockerfile not found: add one with `nx g @org/rust-docker:service`'));
  });

  it('fails when docker build fails, with its last output lines', async () => {
    nextBuild = { code: 1, stdout: '', stderr: 'step 1\nerror: cannot compile\n' };
    await expect(run()).resolves.toEqual({ success: false });
    expect(buildCalls()).toHaveLength(1);
    expect(error).toHaveBeenCalledWith(expect.stringContaining('api: docker build failed (exit 1):\nstep 1\nerror: cannot compile'));
    expect(existsSync(recordFile())).toBe(false);
  });

  it("labels the image with the crate's version, not a dependency's", async () => {
    writeFiles(ws, {
      'Cargo.toml': '[workspace]\nmembers = ["services/*", "libs/*"]\n\n[workspace.package]\nversion = "2.3.4"\n',
      'services/api/Cargo.toml': '[package]\nname = "api"\nversion.workspace = true\n\n[dependencies.serde]\nversion = "1.0"\n',
    });
    await run();
    expect([undefined, '2.3.4']).toContain(labels()['org.opencontainers.image.version']);
    expect(labels()['org.opencontainers.image.version']).toBe('2.3.4');
  });
});
