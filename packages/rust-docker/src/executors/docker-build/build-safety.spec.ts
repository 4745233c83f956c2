import { logger, type ExecutorContext } from '@nx/devkit';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { docker, runDocker, type DockerResult } from '../../docker/docker-cli';
import { PROJECT_LABEL, WORKSPACE_LABEL, workspaceId } from '../../docker/provenance';
import { makeTempDir, pkg, removeDir, writeFiles } from '../../testing/fixtures';
import dockerBuildExecutor from './executor';

// As in executor.spec.ts: the Docker CLI, the engine probe and cargo are stand-ins, so these
// tests look only at what docker-build refuses, and at what it writes on disk.
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
  imageSize: jest.fn(async () => ({ id: `sha256:${'ab'.repeat(32)}`, size: 1000 })),
}));
jest.mock('node:child_process', () => ({
  ...jest.requireActual('node:child_process'),
  execFileSync: jest.fn(() => {
    throw new Error('no external process in unit tests');
  }),
}));

describe('docker-build keeps to the workspace and to its own files', () => {
  const runDockerMock = runDocker as jest.MockedFunction<typeof runDocker>;
  const dockerMock = docker as jest.MockedFunction<typeof docker>;
  const execFileSyncMock = execFileSync as unknown as jest.Mock;
  const LOCK = 'version = 4\n\n[[package]]\nname = "api"\nversion = "0.1.0"\n';
  const ok = (stdout = ''): DockerResult => ({ code: 0, stdout, stderr: '' });
  let ws: string;
  let outside: string;
  let errors: string[];
  let warnings: string[];
  let spies: jest.SpyInstance[];

  beforeEach(() => {
    ws = makeTempDir();
    outside = makeTempDir();
    writeFiles(ws, {
      'Cargo.toml': '[workspace]\nresolver = "2"\nmembers = ["services/api"]\n',
      'Cargo.lock': LOCK,
      'services/api/Cargo.toml': pkg('api'),
      'services/api/src/main.rs': 'fn main() {}\n',
      'services/api/Dockerfile': 'FROM scratch\nEXPOSE 8080\n',
    });
    writeFiles(outside, { 'precious.txt': 'precious' });
    runDockerMock.mockReset();
    runDockerMock.mockImplementation(async (args) => (args[0] === 'image' && args[1] === 'inspect' ? { code: 1, stdout: '', stderr: 'No such image' } : ok()));
    dockerMock.mockReset();
    dockerMock.mockImplementation(async () => '');
    execFileSyncMock.mockReset();
    execFileSyncMock.mockImplementation((command: string, args: string[]) => {
      if (command === 'cargo' && args[0] === 'metadata') return Buffer.from('');
      // The workspace is no git repository, as git would say.
      if (command === 'git') throw Object.assign(new Error('git'), { stderr: 'fatal: not a git repository (or any of the parent directories): .git' });
      throw new Error(`${command} ${args[0]}: not here`);
    });
    errors = [];
    warnings = [];
    spies = [
      jest.spyOn(logger, 'info').mockImplementation(() => undefined),
      jest.spyOn(logger, 'warn').mockImplementation((m) => void warnings.push(String(m))),
      jest.spyOn(logger, 'error').mockImplementation((m) => void errors.push(String(m))),
    ];
  });
  afterEach(() => {
    for (const spy of spies) spy.mockRestore();
    removeDir(ws);
    removeDir(outside);
  });

  const context = (project = 'api'): ExecutorContext =>
    ({
      root: ws,
      cwd: ws,
      isVerbose: false,
      projectName: project,
      projectsConfigurations: { version: 2, projects: { [project]: { root: 'services/api' } } },
      nxJsonConfiguration: {},
      projectGraph: { nodes: {}, dependencies: {} },
    }) as ExecutorContext;
  const run = (options = {}, project = 'api') => dockerBuildExecutor({ vendor: false, archive: false, ...options }, context(project));
  const buildCall = () => runDockerMock.mock.calls.map(([args]) => args).find((args) => args.includes('build'));
  const engineCalls = () => runDockerMock.mock.calls.length + dockerMock.mock.calls.length;

  it.each([
    [{ dockerfile: '../outside/Dockerfile' }, 'api: dockerfile "../outside/Dockerfile" resolves to'],
    [{ outputFile: 'dist/../../x.json' }, 'api: outputFile "dist/../../x.json" resolves to'],
    [{ image: '--privileged' }, 'api: image "--privileged" is not a valid image reference: it starts with "-", so the engine would read it as a flag'],
    [{ image: 'api:v1' }, 'api: image "api:v1" names a tag or digest: give the repository alone'],
    [{ tags: ['-q'] }, 'api: tag "api:-q" is not a valid image reference'],
    [{ target: '--output=type=local,dest=/' }, 'api: target "--output=type=local,dest=/" starts with "-", so the engine would read it as a flag: use a Dockerfile stage name, e.g. runtime.'],
    [{ platform: '-x' }, 'api: platform "-x" starts with "-"'],
    [{ network: '--privileged' }, 'api: network "--privileged" starts with "-"'],
    [{ builder: '-b' }, 'api: builder "-b" starts with "-"'],
    [{ buildArgs: { '--secret': 'x' } }, 'api: buildArgs key "--secret" starts with "-"'],
    [{ labels: { 'a=b': 'x' } }, 'api: labels key "a=b" is not valid'],
    [{ strategy: 'prebuilt', bin: '../../etc/passwd' }, 'api: bin "../../etc/passwd" is not valid'],
  ])('refuses %j before any engine call, in one line', async (options, message) => {
    await expect(run(options)).resolves.toEqual({ success: false });
    expect(errors).toEqual([expect.stringContaining(message)]);
    expect(engineCalls()).toBe(0);
  });

  it('with requirePinnedBaseImages, refuses base images that are tags, and builds on digests', async () => {
    writeFiles(ws, { 'services/api/Dockerfile': 'ARG RUST_IMAGE=rust:1.95-bookworm\nFROM ${RUST_IMAGE} AS builder\nFROM debian:bookworm-slim\n' });
    await expect(run({ requirePinnedBaseImages: true })).resolves.toEqual({ success: false });
    expect(errors).toEqual([
      'api: requirePinnedBaseImages: services/api/Dockerfile would build on rust:1.95-bookworm (ARG RUST_IMAGE default), debian:bookworm-slim (FROM), not pinned by digest: run `nx g @org/rust-docker:pin-base-images`, or give each as name:tag@sha256:<digest>.',
    ]);
    expect(engineCalls()).toBe(0);
    const digest = `sha256:${'ab'.repeat(32)}`;
    writeFiles(ws, { 'services/api/Dockerfile': `ARG RUST_IMAGE=rust:1.95-bookworm\nFROM \${RUST_IMAGE} AS builder\nFROM debian:bookworm-slim@${digest}\n` });
    await expect(run({ requirePinnedBaseImages: true, buildArgs: { RUST_IMAGE: `mirror/rust:1.95@${digest}` } })).resolves.toEqual({ success: true });
  });

  it('refuses a project name that is not an image name, saying to set the image option', async () => {
    await expect(run({}, '../../../evil')).resolves.toEqual({ success: false });
    expect(errors[0]).toContain('image (the project name; set the "image" option) "../../../evil" is not a valid image reference');
  });

  it('keeps the work folder of any project name inside target/rust-docker', async () => {
    await expect(run({ image: 'evil' }, '../../../evil')).resolves.toEqual({ success: true });
    expect(readdirSync(join(ws, 'target/rust-docker'))).toEqual(['..+..+..+evil']);
    expect(readdirSync(outside)).toEqual(['precious.txt']);
  });

  it('refuses to work in a target folder that is a symlink out of the workspace', async () => {
    symlinkSync(outside, join(ws, 'target'));
    await expect(run()).resolves.toEqual({ success: false });
    expect(errors[0]).toContain(`work folder target/rust-docker/api leads outside the workspace through a symlink (target → ${outside})`);
    expect(readdirSync(outside)).toEqual(['precious.txt']);
  });

  it('replaces a symlink sitting in the build context instead of writing through it', async () => {
    writeFiles(ws, { 'target/rust-docker/api/context/services/api/.keep': '' });
    symlinkSync(join(outside, 'precious.txt'), join(ws, 'target/rust-docker/api/context/services/api/Cargo.toml'));
    symlinkSync(outside, join(ws, 'target/rust-docker/api/context/services/api/src'));
    symlinkSync(join(outside, 'precious.txt'), join(ws, 'target/rust-docker/api/context/Cargo.lock'));
    await expect(run()).resolves.toEqual({ success: true });
    const context = join(ws, 'target/rust-docker/api/context');
    expect(lstatSync(join(context, 'services/api/Cargo.toml')).isFile()).toBe(true);
    expect(lstatSync(join(context, 'services/api/src')).isDirectory()).toBe(true);
    expect(lstatSync(join(context, 'Cargo.lock')).isFile()).toBe(true);
    expect(readFileSync(join(context, 'services/api/src/main.rs'), 'utf8')).toBe('fn main() {}\n');
    expect(readdirSync(outside)).toEqual(['precious.txt']);
    expect(readFileSync(join(outside, 'precious.txt'), 'utf8')).toBe('precious');
  });

  it('rebuilds a truncated lockfile stamp with a warning instead of failing every build', async () => {
    writeFiles(ws, { 'target/rust-docker/api/lockfile.json': '{"key": "abc", "lockf' });
    await expect(run()).resolves.toEqual({ success: true });
    expect(warnings).toEqual([expect.stringMatching(/^lockfile stamp .*target\/rust-docker\/api\/lockfile\.json is unreadable \(.*\); discarded, it will be rebuilt\.$/)]);
    expect(JSON.parse(readFileSync(join(ws, 'target/rust-docker/api/lockfile.json'), 'utf8')).lockfile).toBe(LOCK);
    warnings = [];
    await expect(run()).resolves.toEqual({ success: true });
    expect(warnings).toEqual([]);
  });

  it('rebuilds a truncated vendor stamp with a warning', async () => {
    execFileSyncMock.mockImplementation((command: string, args: string[], options: { cwd: string }) => {
      if (command === 'cargo' && args[0] === 'metadata') return Buffer.from('');
      if (command === 'cargo' && args[0] === 'vendor') {
        writeFiles(options.cwd, { 'vendor/.keep': '' });
        return '[source.crates-io]\nreplace-with = "vendored-sources"\n';
      }
      // The workspace is no git repository, as git would say.
      if (command === 'git') throw Object.assign(new Error('git'), { stderr: 'fatal: not a git repository (or any of the parent directories): .git' });
      throw new Error('not here');
    });
    writeFiles(ws, { 'target/rust-docker/api/vendor.json': '{"hash": ', 'target/rust-docker/api/context/vendor/.keep': '' });
    await expect(run({ vendor: true })).resolves.toEqual({ success: true });
    expect(warnings).toEqual([expect.stringContaining('vendor.json is unreadable (')]);
    expect(JSON.parse(readFileSync(join(ws, 'target/rust-docker/api/vendor.json'), 'utf8')).snippet).toContain('vendored-sources');
  });

  it('labels the image with the project and this checkout, after any label of the user', async () => {
    await expect(run({ labels: { [PROJECT_LABEL]: 'spoofed' } })).resolves.toEqual({ success: true });
    const args = buildCall()!;
    const labels = args.filter((_, i) => args[i - 1] === '--label');
    expect(labels).toContain(`${PROJECT_LABEL}=api`);
    expect(labels).toContain(`${WORKSPACE_LABEL}=${workspaceId(ws)}`);
    expect(labels.filter((l) => l.startsWith(`${PROJECT_LABEL}=`)).at(-1)).toBe(`${PROJECT_LABEL}=api`);
  });

  it('replaces only its own record: a file of the user at outputFile is refused and left alone', async () => {
    writeFiles(ws, { 'config/settings.json': '{"debug": true}\n' });
    await expect(run({ outputFile: 'config/settings.json' })).resolves.toEqual({ success: false });
    expect(errors[0]).toContain('outputFile config/settings.json already exists and is not an image record; docker-build replaces only files it wrote');
    expect(readFileSync(join(ws, 'config/settings.json'), 'utf8')).toBe('{"debug": true}\n');
    expect(engineCalls()).toBe(0);
  });

  it("refuses an image.tar beside a custom outputFile that no record of this project names", async () => {
    writeFiles(ws, { 'out/image.tar': 'a user file' });
    await expect(run({ outputFile: 'out/record.json', archive: true })).resolves.toEqual({ success: false });
    expect(errors[0]).toContain('out/image.tar exists and docker-build did not write it');
    expect(readFileSync(join(ws, 'out/image.tar'), 'utf8')).toBe('a user file');
  });

  it('discards an unreadable record at its default place with a warning, and writes a new one', async () => {
    writeFiles(ws, { 'dist/services/api/docker/image.json': '{"project": "ap' });
    await expect(run()).resolves.toEqual({ success: true });
    expect(warnings).toContain(`image record ${join('dist/services/api/docker/image.json')} is unreadable; discarded, it will be rebuilt.`);
    expect(JSON.parse(readFileSync(join(ws, 'dist/services/api/docker/image.json'), 'utf8')).project).toBe('api');
  });

  it('never writes the record or the archive through a symlink', async () => {
    writeFiles(ws, { 'dist/services/api/docker/.keep': '' });
    symlinkSync(join(outside, 'precious.txt'), join(ws, 'dist/services/api/docker/image.tar'));
    writeFileSync(join(ws, 'dist/services/api/docker/image.json'), JSON.stringify({ project: 'api', builtAt: 'x', archive: 'image.tar' }));
    await expect(run({ archive: true })).resolves.toEqual({ success: true });
    expect(existsSync(join(ws, 'dist/services/api/docker/image.tar'))).toBe(false); // docker save is a stand-in here
    expect(readFileSync(join(outside, 'precious.txt'), 'utf8')).toBe('precious');
  });
});
