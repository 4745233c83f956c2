import { join } from 'node:path';
import { makeTempDir, removeDir, writeFiles } from '../testing/fixtures';
import { containerIsOurs, ensureRecordedImage, HARDENING_ARGS, IMAGE_SOURCES, LOOPBACK, resolveImage, runArgs, runEnv } from './container';
import { runDocker, type DockerResult } from './docker-cli';
import { imageArchivePath, imageRecordPath, writeImageRecord, type ImageRecord } from './image-record';
import { provenanceLabels } from './provenance';

// Image resolution runs below against a stand-in for the Docker CLI: no docker process.
jest.mock('./docker-cli', () => ({ ...jest.requireActual('./docker-cli'), runDocker: jest.fn() }));

describe('runArgs', () => {
  it('runs attached with --rm, publishing on 127.0.0.1 only, with PORT set to the container port', () => {
    expect(runArgs({ name: 'api', image: 'api:latest', hostPort: 3000, containerPort: 8080, detached: false })).toEqual([
      'run',
      '--rm',
      '--name',
      'api',
      '--init',
      '--read-only',
      '--tmpfs',
      '/tmp',
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges',
      '-p',
      '127.0.0.1:3000:8080',
      '-e',
      'PORT',
      'api:latest',
    ]);
    expect(runEnv({ containerPort: 8080 })).toEqual({ PORT: '8080' });
  });

  it('runs detached with -d, naming the extra environment before the image, its values only in the environment of the CLI', () => {
    const spec = { name: 'api-health', image: 'sha256:abc', hostPort: 49152, containerPort: 8081, env: { RUST_LOG: 'debug', A: 'b=c', DB_PASSWORD: 's3cret' }, detached: true };
    const args = runArgs(spec);
    expect(args).toEqual(['run', '-d', '--name', 'api-health', '--init', ...HARDENING_ARGS, '-p', '127.0.0.1:49152:8081', '-e', 'PORT', '-e', 'RUST_LOG', '-e', 'A', '-e', 'DB_PASSWORD', 'sha256:abc']);
    expect(args).not.toContain('--rm');
    expect(args.join(' ')).not.toContain('s3cret');
    expect(runEnv(spec)).toEqual({ PORT: '8081', RUST_LOG: 'debug', A: 'b=c', DB_PASSWORD: 's3cret' });
  });

  it('lets the env option set PORT, once', () => {
    const spec = { name: 'x', image: 'x', hostPort: 1, containerPort: 8080, env: { PORT: 9090 }, detached: true };
    expect(runArgs(spec).filter((a) => a === 'PORT')).toHaveLength(1);
    expect(runEnv(spec)).toEqual({ PORT: '9090' });
  });

  it('never publishes on all interfaces', () => {
    const args = runArgs({ name: 'x', image: 'x', hostPort: 80, containerPort: 80, detached: false });
    const published = args.filter((_, i) => args[i - 1] === '-p' || args[i - 1] === '--publish');
    expect(LOOPBACK).toBe('127.0.0.1');
    expect(published).toEqual(['127.0.0.1:80:80']);
    expect(args.some((a) => a.startsWith('-P') || a === '--publish-all' || a.startsWith('0.0.0.0'))).toBe(false);
  });

  it('hardens by default: read-only root, in-memory /tmp, no capabilities, no privilege escalation', () => {
    expect(HARDENING_ARGS).toEqual(['--read-only', '--tmpfs', '/tmp', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges']);
    const args = runArgs({ name: 'x', image: 'x:1', hostPort: 1, containerPort: 2, detached: true, hardened: true });
    expect(args.slice(5, 5 + HARDENING_ARGS.length)).toEqual(HARDENING_ARGS);
    expect(args.at(-1)).toBe('x:1');
  });

  it('leaves the hardening out with hardened: false', () => {
    const args = runArgs({ name: 'x', image: 'x:1', hostPort: 1, containerPort: 2, detached: false, hardened: false });
    expect(args).toEqual(['run', '--rm', '--name', 'x', '--init', '-p', '127.0.0.1:1:2', '-e', 'PORT', 'x:1']);
    for (const flag of ['--read-only', '--cap-drop', '--security-opt', '--tmpfs']) expect(args).not.toContain(flag);
  });

  it('starts an init process as PID 1 unless told not to (a binary without a SIGTERM handler then stops at once)', () => {
    expect(runArgs({ name: 'x', image: 'x:1', hostPort: 1, containerPort: 2, detached: true })).toContain('--init');
    expect(runArgs({ name: 'x', image: 'x:1', hostPort: 1, containerPort: 2, detached: true, init: false })).not.toContain('--init');
  });
});

describe('image resolution (Docker CLI mocked)', () => {
  const runDockerMock = runDocker as jest.MockedFunction<typeof runDocker>;
  const ID = `sha256:${'3fac581a329b'.padEnd(64, '0')}`;
  const DIGEST = `sha256:${'cd'.repeat(32)}`;
  let ws: string;
  /** The engine's images, by reference (id, tag or name@digest). */
  let images: Map<string, string>;
  /** What the registry serves, by name@digest. */
  let registry: Map<string, string>;
  const ok = (stdout = ''): DockerResult => ({ code: 0, stdout, stderr: '' });
  const fail = (stderr: string): DockerResult => ({ code: 1, stdout: '', stderr });
  const verbs = () => runDockerMock.mock.calls.map(([args]) => args[0] === 'image' ? `${args[0]} ${args[1]} ${args.at(-1)}` : args.join(' '));

  const recordFile = () => imageRecordPath(ws, 'services/api');
  const record = (extra: Partial<ImageRecord> = {}): ImageRecord => ({
    project: 'api',
    image: 'registry.example.com/api',
    id: ID,
    tags: ['registry.example.com/api:latest', 'registry.example.com/api:0123456789ab'],
    size: 1000,
    engine: 'buildx',
    cacheMounts: true,
    vendored: true,
    strategy: 'compile',
    reused: false,
    builtAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1,
    ...extra,
  });

  beforeEach(() => {
    ws = makeTempDir();
    images = new Map();
    registry = new Map();
    runDockerMock.mockReset();
    runDockerMock.mockImplementation(async (args) => {
      if (args[0] === 'image' && args[1] === 'inspect') {
        const ref = args.at(-1)!;
        return images.has(ref) ? ok(`${images.get(ref)}\n`) : fail(`Error: No such image: ${ref}\n`);
      }
      if (args[0] === 'pull') {
        if (!registry.has(args[1])) return fail(`Error response from daemon: manifest unknown\n`);
        images.set(args[1], registry.get(args[1])!);
        images.set(registry.get(args[1])!, registry.get(args[1])!);
        return ok();
      }
      if (args[0] === 'load') {
        images.set(ID, ID);
        return ok(`Loaded image ID: ${ID}\n`);
      }
      if (args[0] === 'tag') {
        images.set(args[2], images.get(args[1])!);
        return ok();
      }
      return fail(`unexpected docker ${args.join(' ')}`);
    });
  });
  afterEach(() => removeDir(ws));

  describe('ensureRecordedImage', () => {
    it('uses the recorded image when the engine has it, by id, asking nothing else', async () => {
      writeImageRecord(recordFile(), record());
      images.set(ID, ID);
      await expect(ensureRecordedImage(recordFile(), 'api')).resolves.toEqual({ ref: ID, label: 'registry.example.com/api:latest (3fac581a329b)', source: 'local' });
      expect(verbs()).toEqual([`image inspect ${ID}`]);
    });

    it('pulls it by digest from its registry when it was pushed, then gives it its recorded tags', async () => {
      writeImageRecord(recordFile(), record({ digest: DIGEST }));
      registry.set(`registry.example.com/api@${DIGEST}`, ID);
      await expect(ensureRecordedImage(recordFile(), 'api')).resolves.toEqual({ ref: ID, label: 'registry.example.com/api:latest (3fac581a329b)', source: 'registry' });
      expect(verbs()).toEqual([
        `image inspect ${ID}`,
        `pull registry.example.com/api@${DIGEST}`,
        `image inspect registry.example.com/api@${DIGEST}`,
        `tag ${ID} registry.example.com/api:latest`,
        `tag ${ID} registry.example.com/api:0123456789ab`,
      ]);
    });

    it('loads it from the archive beside the record when it was not pushed, then tags it', async () => {
      writeImageRecord(recordFile(), record({ archive: 'image.tar' }));
      writeFiles(ws, { 'dist/services/api/docker/image.tar': 'tar' });
      expect(imageArchivePath(recordFile())).toBe(join(ws, 'dist/services/api/docker/image.tar'));
      await expect(ensureRecordedImage(recordFile(), 'api')).resolves.toEqual(expect.objectContaining({ ref: ID, source: 'archive' }));
      expect(verbs()).toEqual([
        `image inspect ${ID}`,
        `load -i ${imageArchivePath(recordFile())}`,
        `image inspect ${ID}`,
        `tag ${ID} registry.example.com/api:latest`,
        `tag ${ID} registry.example.com/api:0123456789ab`,
      ]);
    });

    it('falls back to the archive when the pull fails or brings another image', async () => {
      writeImageRecord(recordFile(), record({ digest: DIGEST, archive: 'image.tar' }));
      writeFiles(ws, { 'dist/services/api/docker/image.tar': 'tar' });
      await expect(ensureRecordedImage(recordFile(), 'api')).resolves.toEqual(expect.objectContaining({ source: 'archive' }));
      images.clear();
      registry.set(`registry.example.com/api@${DIGEST}`, `sha256:${'ee'.repeat(32)}`);
      await expect(ensureRecordedImage(recordFile(), 'api')).resolves.toEqual(expect.objectContaining({ source: 'archive' }));
    });

    it('says why each way failed and how to rebuild when none works', async () => {
      writeImageRecord(recordFile(), record({ digest: DIGEST, archive: 'image.tar' }));
      await expect(ensureRecordedImage(recordFile(), 'api')).rejects.toThrow(
        `image registry.example.com/api:latest (3fac581a329b) is not in this Docker engine (pull registry.example.com/api@${DIGEST}: Error response from daemon: manifest unknown): rebuild it with \`nx run api:docker-build --skip-nx-cache\`.`,
      );
      expect(verbs()).not.toContainEqual(expect.stringMatching(/^load/)); // the archive is not there
    });

    it('says it was neither pushed nor archived when the record names no way to fetch it', async () => {
      writeImageRecord(recordFile(), record());
      await expect(ensureRecordedImage(recordFile(), 'api')).rejects.toThrow(
        'image registry.example.com/api:latest (3fac581a329b) is not in this Docker engine, and it was neither pushed nor archived: rebuild it with `nx run api:docker-build --skip-nx-cache`.',
      );
    });

    it('asks for a build without a record, or with one it cannot read', async () => {
      await expect(ensureRecordedImage(recordFile(), 'api')).rejects.toThrow(`no image record at ${recordFile()}: build the image with \`nx run api:docker-build\`.`);
      writeFiles(ws, { 'dist/services/api/docker/image.json': '{ half' });
      await expect(ensureRecordedImage(recordFile(), 'api')).rejects.toThrow('no image record at');
    });
  });

  describe('resolveImage', () => {
    const options = () => ({ workspaceRoot: ws, projectRoot: 'services/api', project: 'api' });

    it('uses the image given, when the engine has it', async () => {
      images.set('mirror/api:1.2', ID);
      await expect(resolveImage({ ...options(), image: 'mirror/api:1.2' })).resolves.toEqual({ ref: 'mirror/api:1.2', label: 'mirror/api:1.2', source: 'local' });
      await expect(resolveImage({ ...options(), image: 'mirror/api:9' })).rejects.toThrow('image mirror/api:9 is not in this Docker engine: build it with `nx run api:docker-build`.');
    });

    it('goes through the record when there is one', async () => {
      writeImageRecord(recordFile(), record());
      images.set(ID, ID);
      await expect(resolveImage(options())).resolves.toEqual({ ref: ID, label: 'registry.example.com/api:latest (3fac581a329b)', source: 'local' });
    });

    it('runs <project>:latest without a record only when its labels prove this project built it here', async () => {
      images.set('api:latest', `${ID}|${JSON.stringify(provenanceLabels('api', ws))}`);
      await expect(resolveImage(options())).resolves.toEqual({ ref: ID, label: 'api:latest (3fac581a329b, labels match this workspace)', source: 'local' });
      images.clear();
      await expect(resolveImage(options())).rejects.toThrow('image api:latest is not in this Docker engine: build it with `nx run api:docker-build`.');
    });

    it('refuses an api:latest that merely has the name: pulled, built by hand, by another project or checkout', async () => {
      const refused = (why: string) =>
        `no image record at dist/services/api/docker/image.json, and api:latest (3fac581a329b) in this engine is not proven to be this project's build (${why}); it is not run: build it with \`nx run api:docker-build\`, or pass --image=api:latest to run it anyway.`;
      images.set('api:latest', `${ID}|null`);
      await expect(resolveImage(options())).rejects.toThrow(refused('it has no org.rust-docker.project label, so docker-build did not build it'));
      images.set('api:latest', `${ID}|${JSON.stringify(provenanceLabels('web', ws))}`);
      await expect(resolveImage(options())).rejects.toThrow(refused('its org.rust-docker.project label says it was built for project "web"'));
      images.set('api:latest', `${ID}|${JSON.stringify(provenanceLabels('api', '/another/checkout'))}`);
      await expect(resolveImage(options())).rejects.toThrow(refused('it was built by another checkout of the workspace'));
      expect(runDockerMock.mock.calls.every(([args]) => args[0] === 'image' && args[1] === 'inspect')).toBe(true);
    });

    it('refuses an image option that is not an image reference before asking the engine', async () => {
      await expect(resolveImage({ ...options(), image: '--privileged' })).rejects.toThrow(
        'image "--privileged" is not a valid image reference: it starts with "-", so the engine would read it as a flag (e.g. registry.example.com/team/api:1.2.3).',
      );
      await expect(resolveImage({ ...options(), image: 'Api:latest' })).rejects.toThrow('image "Api:latest" is not a valid image reference: repository names must be lowercase');
      expect(runDockerMock).not.toHaveBeenCalled();
    });

    it("refuses another project's record at this project's place", async () => {
      writeImageRecord(recordFile(), record({ project: 'web' }));
      await expect(resolveImage(options())).rejects.toThrow(`the image record at ${recordFile()} is project "web"'s, not api's: build this one with \`nx run api:docker-build\`.`);
    });
  });

  describe('containerIsOurs', () => {
    const withContainer = (stdout: string) =>
      runDockerMock.mockImplementation(async (args) => {
        if (args[0] === 'container' && args[1] === 'inspect') return stdout ? ok(`${stdout}\n`) : fail('Error: No such container: api\n');
        if (args[0] === 'image' && args[1] === 'inspect') return ok(`${ID}\n`);
        return fail('unexpected');
      });

    it("is a container made from this project's labelled image, or from the image about to run", async () => {
      withContainer(`sha256:${'99'.repeat(32)}|api`);
      await expect(containerIsOurs('api', 'api', 'api:latest')).resolves.toBe(true);
      withContainer(`${ID}|<no value>`);
      await expect(containerIsOurs('api', 'api', 'mirror/api:1')).resolves.toBe(true);
    });

    it("is not someone else's container that has the name", async () => {
      withContainer(`sha256:${'99'.repeat(32)}|<no value>`);
      await expect(containerIsOurs('api', 'api', 'api:latest')).resolves.toBe(false);
      withContainer(`sha256:${'99'.repeat(32)}|web`);
      await expect(containerIsOurs('api', 'api', 'api:latest')).resolves.toBe(false);
      withContainer('');
      await expect(containerIsOurs('api', 'api', 'api:latest')).resolves.toBe(false);
    });
  });

  it('tells each source in words', () => {
    expect(Object.keys(IMAGE_SOURCES).sort()).toEqual(['archive', 'local', 'registry']);
  });
});
