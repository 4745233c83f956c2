import { logger, type ExecutorContext } from '@nx/devkit';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDocker } from '../../docker/docker-cli';
import { readImageRecord } from '../../docker/image-record';
import { makeTempDir, pkg, removeDir, writeFiles } from '../../testing/fixtures';
import dockerBuildExecutor, { buildDockerArgs, normalizeOptions } from './executor';

// The executor is run below with the Docker CLI, the engine probe, the image inspection and
// git replaced: no docker, cargo or git process is started by these tests.
jest.mock('../../docker/docker-cli', () => ({
  ...jest.requireActual('../../docker/docker-cli'),
  checkDocker: jest.fn(async () => ({ client: '27.3.1', server: '27.3.1' })),
  runDocker: jest.fn(async () => ({ code: 0, stdout: '', stderr: '' })),
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
      context: 'pruned',
      vendor: true,
      engine: 'auto',
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
        context: 'workspace',
        vendor: false,
        engine: 'legacy',
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
      context: 'workspace',
      vendor: false,
      engine: 'legacy',
      outputFile: '/ws/out/api.json',
    });
  });

  it('handles a project at the workspace root', () => {
    const options = normalizeOptions({}, contextFor('app', '.'));
    expect(options.dockerfile).toBe('/ws/Dockerfile');
    expect(options.outputFile).toBe('/ws/dist/docker/image.json');
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

  it('is just the Dockerfile and the context without tags, args or labels', () => {
    expect(buildDockerArgs({ dockerfile: 'D', contextDir: 'C', tags: [], buildArgs: {}, labels: {}, engine: 'legacy' })).toEqual(['-f', 'D', 'C']);
  });
});

describe('dockerBuildExecutor (Docker CLI mocked)', () => {
  let ws: string;
  let info: jest.SpyInstance;
  let error: jest.SpyInstance;
  const runDockerMock = runDocker as jest.MockedFunction<typeof runDocker>;

  const API_MANIFEST = pkg('api', '[dependencies]\ncore = { path = "../../libs/core" }');

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
    runDockerMock.mockClear();
    info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    info.mockRestore();
    error.mockRestore();
    removeDir(ws);
  });

  const run = (options = {}) => dockerBuildExecutor({ vendor: false, ...options }, contextFor('api', 'services/api', ws));
  const buildArgs = () => runDockerMock.mock.calls[0][0];
  const labels = () =>
    Object.fromEntries(
      buildArgs()
        .filter((_, i, all) => all[i - 1] === '--label')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );

  it('builds from a pruned context with buildx and records the image', async () => {
    await expect(run({ tags: ['v1', 'registry.example.com/api:stable'], buildArgs: { RUST_IMAGE: 'rust:1.95-slim' } })).resolves.toEqual({ success: true });
    expect(runDockerMock).toHaveBeenCalledTimes(1);
    const args = buildArgs();
    const workDir = join(ws, 'target/rust-docker/api');
    expect(args.slice(0, 5)).toEqual(['buildx', 'build', '--load', '-f', join(workDir, 'Dockerfile.buildx')]);
    expect(args[args.length - 1]).toBe(join(workDir, 'context'));
    const tags = args.filter((_, i) => args[i - 1] === '-t');
    expect(tags).toEqual(['api:latest', expect.stringMatching(/^api:[0-9a-f]{12}$/), 'api:v1', 'registry.example.com/api:stable']);
    expect(args).toContain('RUST_IMAGE=rust:1.95-slim');
    expect(args).toContainEqual(expect.stringMatching(/^CARGO_CACHE_ID=[0-9a-f]{12}$/));
    expect(labels()).toEqual(expect.objectContaining({ 'org.opencontainers.image.title': 'api', 'org.opencontainers.image.version': '0.1.0' }));

    const record = readImageRecord(join(ws, 'dist/services/api/docker/image.json'))!;
    expect(record).toEqual(expect.objectContaining({ project: 'api', image: 'api', tags, size: 12_345_678, engine: 'buildx', cacheMounts: true, vendored: false }));
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
    const contentTag = () => buildArgs().filter((_, i, all) => all[i - 1] === '-t')[1];
    await run();
    const first = contentTag();
    runDockerMock.mockClear();
    await run();
    expect(contentTag()).toBe(first);
    expect(first).toMatch(/^api:[0-9a-f]{12}$/);
    runDockerMock.mockClear();
    writeFiles(ws, { 'libs/core/src/lib.rs': 'pub fn changed() {}\n' });
    await run();
    expect(contentTag()).not.toBe(first);
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
    runDockerMock.mockResolvedValueOnce({ code: 1, stdout: '', stderr: 'step 1\nerror: cannot compile\n' });
    await expect(run()).resolves.toEqual({ success: false });
    expect(error).toHaveBeenCalledWith(expect.stringContaining('api: docker build failed (exit 1):\nstep 1\nerror: cannot compile'));
    expect(existsSync(join(ws, 'dist/services/api/docker/image.json'))).toBe(false);
  });

  // BUG: labelsFor reads the version with /^version\s*=\s*"([^"]+)"/m over the whole manifest, so a
  // crate with `version.workspace = true` gets the version of the first dependency table that has
  // a `version = "..."` line (here serde's "1.0") as org.opencontainers.image.version.
  it.failing("labels the image with the crate's version, not a dependency's", async () => {
    writeFiles(ws, {
      'Cargo.toml': '[workspace]\nmembers = ["services/*", "libs/*"]\n\n[workspace.package]\nversion = "2.3.4"\n',
      'services/api/Cargo.toml': '[package]\nname = "api"\nversion.workspace = true\n\n[dependencies.serde]\nversion = "1.0"\n',
    });
    await run();
    expect([undefined, '2.3.4']).toContain(labels()['org.opencontainers.image.version']);
  });
});
