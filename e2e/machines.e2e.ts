import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildKitPath, removeImages, STAND_IN_RUST_IMAGE, waitFor } from './helpers/docker';
import { run, seconds } from './helpers/run';
import { cloneWorkspace, createWorkspace, useBaseImages, type Workspace } from './helpers/workspace';

/**
 * Two CI machines, for real, on this one: two clones of a workspace, each with its own
 * Docker daemon (B is a second dockerd), one Nx remote cache and one registry between them
 * (all made by e2e/infra/setup.sh). Machine A builds; machine B health-checks every image
 * with zero cargo or Docker builds, each image coming from the cache or the registry.
 */
const INFRA = '/tmp/rust-docker-e2e';
const REGISTRY = '127.0.0.1:5000';
const AUTH_REGISTRY = '127.0.0.1:5001';
const DAEMON_B = `unix://${INFRA}/docker-b.sock`;
const DAEMON_B_TCP = 'tcp://127.0.0.1:23750';
const INFRA_SCRIPTS = resolve(__dirname, 'infra');

const cacheEnv = () => ({
  NX_SELF_HOSTED_REMOTE_CACHE_SERVER: 'http://127.0.0.1:3456',
  NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: readFileSync(`${INFRA}/nx-cache/token`, 'utf8').trim(),
});

describe('beyond one machine: images through the remote cache and a registry', () => {
  const PATH = buildKitPath();
  let origin: Workspace;
  let a: Workspace;
  let b: Workspace;
  let base: string;
  const outputs: string[] = [];
  const figures: Array<[string, string]> = [];
  // Nx keeps its local cache per repository under ~/.nx, which two clones on one host
  // would share: each machine gets a cache of its own, as two CI runners have.
  const onA = (args: string[], env: NodeJS.ProcessEnv = {}, allowFailure = false) => {
    const r = a.nx(args, { env: { PATH, ...cacheEnv(), NX_CACHE_DIRECTORY: join(a.root, '.nx', 'cache'), ...env }, allowFailure });
    outputs.push(r.output);
    return r;
  };
  const onB = (args: string[], env: NodeJS.ProcessEnv = {}, allowFailure = false) => {
    const r = b.nx(args, { env: { PATH, ...cacheEnv(), NX_CACHE_DIRECTORY: join(b.root, '.nx', 'cache'), DOCKER_HOST: DAEMON_B, ...env }, allowFailure });
    outputs.push(r.output);
    return r;
  };
  const dockerOn = (host: string | undefined, args: string[], allowFailure = false) =>
    run('docker', args, { env: { ...process.env, PATH, ...(host ? { DOCKER_HOST: host } : {}) }, quiet: true, allowFailure });
  /** How many build cache records a daemon holds: a build on it adds some. */
  const buildCacheCount = (host: string) =>
    dockerOn(host, ['system', 'df', '--format', '{{.Type}}={{.TotalCount}}'])
      .stdout.split('\n')
      .find((line) => line.startsWith('Build Cache='))
      ?.split('=')[1];
  const setImage = (ws: Workspace, options: Record<string, unknown>) => {
    useBaseImages(ws, { RUST_IMAGE: STAND_IN_RUST_IMAGE }, options);
  };

  beforeAll(() => {
    origin = createWorkspace('machines-origin', { PATH }, { quickRelease: true });
    base = origin.git(['rev-parse', 'HEAD']).stdout.trim();
    origin.nx(['g', '@org/rust-docker:init']);
    origin.nx(['g', '@org/rust-docker:library', 'shared']);
    origin.nx(['g', '@org/rust-docker:service', 'api', '--deps=shared']);
    origin.nx(['g', '@org/rust-docker:service', 'web']);
    // Versions unique to this run, so nothing comes from an earlier run's registry or layers.
    for (const crate of ['api', 'web']) {
      origin.write(`${crate}/Cargo.toml`, origin.read(`${crate}/Cargo.toml`).replace('version = "0.1.0"', `version = "0.1.0-run${Date.now()}"`));
    }
    run('cargo', ['metadata', '--format-version', '1'], { cwd: origin.root, quiet: true });
    setImage(origin, { image: `${REGISTRY}/{projectName}`, push: true });
    origin.git(['add', '-A']);
    origin.git(['commit', '-qm', 'two services and a library']);
    a = cloneWorkspace(origin, 'machine-a', { PATH });
    b = cloneWorkspace(origin, 'machine-b', { PATH });
  });

  afterAll(() => {
    if (figures.length) console.log(`machine figures:\n${figures.map(([k, v]) => `  ${k.padEnd(44)} ${v}`).join('\n')}`);
    for (const name of ['api', 'web']) {
      removeImages(`${REGISTRY}/${name}`);
      removeImages(`local-${name}`);
      removeImages(`${AUTH_REGISTRY}/${name}`);
    }
    for (const ws of [origin, a, b]) ws?.remove();
  });

  it('machine A builds the affected images, pushes them and fills the remote cache', () => {
    const build = onA(['affected', '-t', 'docker-build', `--base=${base}`, '--head=HEAD', '--output-style=static']);
    figures.push(['A: nx affected -t docker-build (cold)', seconds(build.ms)]);
    for (const name of ['api', 'web']) {
      const record = a.json(`dist/${name}/docker/image.json`);
      expect(record.image).toBe(`${REGISTRY}/${name}`);
      expect(record.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(record.archive).toBe('image.tar');
      expect(existsSync(join(a.root, `dist/${name}/docker/image.tar`))).toBe(true);
    }
    expect(build.output).toMatch(/pushed sha256:/);
  });

  it('machine B health-checks every image with no build: from the remote cache and the registry', () => {
    const buildCacheBefore = buildCacheCount(DAEMON_B);
    const check = onB(['affected', '-t', 'health-check', `--base=${base}`, '--head=HEAD', '--output-style=static']);
    figures.push(['B: nx affected -t health-check (no build)', seconds(check.ms)]);
    expect(check.output).toMatch(/nx run api:docker-build +\[remote cache\]/);
    expect(check.output).toMatch(/nx run web:docker-build +\[remote cache\]/);
    // Nx replays A's build log on a cache hit; what ran on B is what left traces on B: no
    // build context was prepared (the executor never ran), and B's build cache is empty.
    expect(existsSync(join(b.root, 'target'))).toBe(false);
    // (BuildKit may collect garbage meanwhile; a build would add records.)
    expect(Number(buildCacheCount(DAEMON_B))).toBeLessThanOrEqual(Number(buildCacheBefore));
    expect(check.output.match(/pulled by digest from its registry/g)).toHaveLength(2);
    expect(check.output.match(/healthy in \d+ ms/g)).toHaveLength(2);
    for (const name of ['api', 'web']) {
      const record = b.json(`dist/${name}/docker/image.json`);
      const digests = JSON.parse(dockerOn(DAEMON_B, ['image', 'inspect', '--format', '{{json .RepoDigests}}', `${REGISTRY}/${name}:latest`]).stdout);
      expect(digests).toContain(`${REGISTRY}/${name}@${record.digest}`);
      expect(dockerOn(DAEMON_B, ['image', 'inspect', '--format', '{{.Id}}', `${REGISTRY}/${name}:latest`]).stdout.trim()).toBe(record.id);
    }
  });

  it('without a registry, the archive in the cached output carries the image to B', () => {
    for (const ws of [a, b]) setImage(ws, { image: 'local-{projectName}', push: false });
    onA(['run-many', '-t', 'docker-build', '--output-style=static']);
    const check = onB(['run-many', '-t', 'health-check', '--output-style=static']);
    expect(check.output).toMatch(/nx run api:docker-build +\[remote cache\]/);
    expect(existsSync(join(b.root, 'target'))).toBe(false);
    expect(check.output.match(/loaded from the image archive in docker-build's output/g)).toHaveLength(2);
    expect(check.output.match(/healthy in \d+ ms/g)).toHaveLength(2);
  });

  it('an image removed from A after its build comes back from the cache hit', () => {
    dockerOn(undefined, ['rmi', '-f', ...dockerOn(undefined, ['images', '-q', 'local-api']).stdout.split('\n').filter(Boolean)]);
    const check = onA(['run', 'api:health-check', '--output-style=static']);
    expect(check.output).toMatch(/nx run api:docker-build +\[(local|remote) cache\]/);
    expect(check.output).toContain("loaded from the image archive in docker-build's output");
    expect(check.output).toMatch(/healthy in \d+ ms/);
  });

  it('pushes to a registry with a login, and the secret appears in no file, cache entry or log', () => {
    const password = readFileSync(`${INFRA}/registry-auth/password`, 'utf8').trim();
    const dockerConfig = mkdtempSync(join(tmpdir(), 'rust-docker-e2e-docker-config-'));
    try {
      const image = `--image=${AUTH_REGISTRY}/{projectName}`;
      const denied = onA(['run', 'web:docker-build', image, '--push', '--skip-nx-cache'], { DOCKER_CONFIG: dockerConfig }, true);
      expect(denied.code).not.toBe(0);
      expect(denied.output).toMatch(/docker push 127\.0\.0\.1:5001\/web:\S+ failed: .*\(log in with `docker login <registry>`/);
      execFileSync('docker', ['login', AUTH_REGISTRY, '--username', 'e2e', '--password-stdin'], {
        input: password,
        env: { ...process.env, PATH, DOCKER_CONFIG: dockerConfig },
        stdio: ['pipe', 'ignore', 'ignore'],
      });
      const pushed = onA(['run', 'web:docker-build', image, '--push', '--skip-nx-cache'], { DOCKER_CONFIG: dockerConfig });
      expect(pushed.output).toMatch(/pushed sha256:/);
      // Nowhere the secret could leak to: the workspace (outputs, local cache), the
      // remote cache's store, and everything the runs printed.
      for (const dir of [a.root, `${INFRA}/nx-cache/data`]) {
        const hits = run('grep', ['-rIl', '--exclude-dir=node_modules', password, dir], { quiet: true, allowFailure: true });
        expect(hits.stdout).toBe('');
      }
      for (const output of outputs) expect(output).not.toContain(password);
    } finally {
      rmSync(dockerConfig, { recursive: true, force: true });
    }
  });

  it('builds on a remote daemon through DOCKER_HOST (the second daemon, over TCP)', () => {
    const remote = onA(['run', 'web:docker-build', '--skip-nx-cache', '--noCache'], { DOCKER_HOST: DAEMON_B_TCP });
    expect(remote.output).toContain('building with buildkit');
    figures.push(['docker-build on the remote daemon', seconds(remote.ms)]);
    const id = a.json('dist/web/docker/image.json').id;
    expect(dockerOn(DAEMON_B_TCP, ['image', 'inspect', '--format', '{{.Id}}', id]).stdout.trim()).toBe(id);
    expect(dockerOn(undefined, ['image', 'inspect', id], true).code).not.toBe(0);
  });

  it('a daemon that dies mid-build: a clear failure, and nothing left running', async () => {
    const child = spawn(process.execPath, [join(a.root, 'node_modules/.bin/nx'), 'run', 'api:docker-build', '--skip-nx-cache', '--noCache'], {
      cwd: a.root,
      env: { ...process.env, PATH, DOCKER_HOST: DAEMON_B, NX_CACHE_DIRECTORY: join(a.root, '.nx', 'cache'), NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number>((done) => child.on('close', (code) => done(code ?? 1)));
    await waitFor('the build to start compiling on daemon B', 120_000, () => (/Compiling\s/.test(output) ? true : undefined));
    const pid = readFileSync(`${INFRA}/docker-b/docker.pid`, 'utf8').trim();
    run('kill', ['-9', pid], { quiet: true });
    expect(await exited).not.toBe(0);
    expect(output).toMatch(/api: (docker build failed|Docker daemon is not reachable)/);
    run('bash', [join(INFRA_SCRIPTS, 'second-daemon.sh')], { quiet: true });
    expect(dockerOn(DAEMON_B, ['ps', '-q']).stdout.trim()).toBe('');
  });
});
