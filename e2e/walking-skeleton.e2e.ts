import * as TOML from '@iarna/toml';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildKitPath,
  containerIds,
  docker,
  freeLoopbackPort,
  removeImages,
  STAND_IN_RUST_IMAGE,
  waitFor,
  waitForAsync,
} from './helpers/docker';
import { compiledCrates, run, seconds } from './helpers/run';
import { createWorkspace, newestNxVersion, nxVersion, useBaseImages, type Workspace } from './helpers/workspace';

// e2e/nx-matrix.js runs this suite again on older Nx majors; the two builds that involve the
// Docker engine alone (no Nx difference to find there) run once, on the newest Nx.
const engineOnly = nxVersion() === newestNxVersion() ? it : it.skip;

/**
 * The whole path a user takes, for real: a new Nx workspace, the plugin from its tarball,
 * `nx g` init and service, cargo build/test/lint, the image built (then a cache hit),
 * health-checked, and the running container checked as Docker sees it.
 */
describe('walking skeleton: nx g to a healthy container', () => {
  let ws: Workspace;
  const figures: Array<[string, string]> = [];
  const env = { PATH: buildKitPath() };
  let containersBefore: string[];

  beforeAll(() => {
    containersBefore = containerIds();
    ws = createWorkspace('skeleton', env, { quickRelease: process.env.E2E_QUICK_RELEASE === '1' });
  });

  afterAll(() => {
    // Print what the note reports; the assertions are in the tests.
    if (figures.length) console.log(`walking skeleton figures:\n${figures.map(([k, v]) => `  ${k.padEnd(36)} ${v}`).join('\n')}`);
    for (const id of containerIds()) if (!containersBefore.includes(id)) docker(['rm', '-f', id], true);
    removeImages('api');
    ws?.remove();
  });

  it('init registers the plugin and makes a Cargo workspace', () => {
    ws.nx(['g', '@org/rust-docker:init']);
    const nxJson = ws.json('nx.json');
    expect(nxJson.plugins).toEqual([expect.objectContaining({ plugin: '@org/rust-docker' })]);
    const cargo = TOML.parse(ws.read('Cargo.toml')) as any;
    expect(cargo.workspace.resolver).toBe('2');
    expect(cargo.profile.release).toMatchObject({ strip: true, lto: true, 'codegen-units': 1, panic: 'abort', 'opt-level': 3 });
    expect(ws.read('.gitignore')).toMatch(/^target\/$/m);
    expect(ws.read('.dockerignore')).toMatch(/\*\*\/target/);
    // Idempotent: a second run changes nothing.
    ws.git(['add', '-A']);
    ws.git(['commit', '-qm', 'init']);
    ws.nx(['g', '@org/rust-docker:init']);
    expect(ws.git(['status', '--porcelain']).stdout.trim()).toBe('');
  });

  it('refuses a name Docker would reject and writes nothing', () => {
    const result = ws.nx(['g', '@org/rust-docker:service', 'Api'], { allowFailure: true });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('"Api" is not a valid service name');
    expect(ws.git(['status', '--porcelain']).stdout.trim()).toBe('');
  });

  it('service scaffolds a crate that is rustfmt- and hadolint-clean', () => {
    ws.nx(['g', '@org/rust-docker:service', 'api']);
    const cargo = TOML.parse(ws.read('Cargo.toml')) as any;
    expect(cargo.workspace.members).toEqual(['api']);
    const crate = TOML.parse(ws.read('api/Cargo.toml')) as any;
    expect(crate.bin).toEqual([{ name: 'api', path: 'src/main.rs' }]);
    expect(existsSync(join(ws.root, 'Cargo.lock'))).toBe(true);
    run('cargo', ['fmt', '--all', '--check'], { cwd: ws.root });
    const hadolint = run('hadolint', ['api/Dockerfile'], { cwd: ws.root, allowFailure: true });
    expect(hadolint.output.trim()).toBe('');
    expect(hadolint.code).toBe(0);
    useBaseImages(ws, { RUST_IMAGE: STAND_IN_RUST_IMAGE });
    ws.git(['add', '-A']);
    ws.git(['commit', '-qm', 'api service']);
  });

  it('infers the targets and explains each one', () => {
    const project = JSON.parse(ws.nx(['show', 'project', 'api', '--json']).stdout);
    expect(Object.keys(project.targets)).toEqual(
      expect.arrayContaining(['build', 'test', 'lint', 'docker-build', 'docker-run', 'health-check']),
    );
    for (const name of ['build', 'test', 'lint', 'docker-build', 'docker-run', 'health-check']) {
      expect(project.targets[name].metadata.description).toEqual(expect.any(String));
    }
    expect(project.targets['docker-build'].cache).toBe(true);
    expect(project.targets['docker-run'].continuous).toBe(true);
    // What Nx resolves the build's inputs to: the crate's files and the Cargo root files.
    const inputs = JSON.parse(ws.nx(['show', 'target', 'inputs', 'api:build', '--json']).stdout);
    expect(inputs.files).toEqual(expect.arrayContaining(['Cargo.toml', 'Cargo.lock', 'api/Cargo.toml', 'api/src/main.rs']));
  });

  it('builds, tests and lints with cargo', () => {
    const build = ws.nx(['run', 'api:build']);
    figures.push(['nx run api:build (cold)', seconds(build.ms)]);
    expect(existsSync(join(ws.root, 'dist/api/bin/api'))).toBe(true);
    const test = ws.nx(['run', 'api:test']);
    // Nx relays cargo's output in chunks, so line breaks can fall anywhere in it.
    expect(test.output).toMatch(/test result:\s*ok\s*\.\s*1 passed/);
    ws.nx(['run', 'api:lint']);
  });

  it('builds the image with BuildKit, then a second run is an Nx cache hit', () => {
    const cold = ws.nx(['run', 'api:docker-build']);
    expect(cold.output).toContain('building with buildkit');
    expect(cold.output).toContain('cargo cache mounts on');
    const record = ws.json('dist/api/docker/image.json');
    expect(record.tags).toEqual(expect.arrayContaining(['api:latest']));
    expect(record.tags.some((t: string) => /^api:git-[0-9a-f]{12}$/.test(t))).toBe(true);
    const inspected = docker(['image', 'inspect', '--format', '{{.Id}} {{.Size}} {{.Config.User}}', 'api:latest']).stdout.trim().split(' ');
    expect(inspected[0]).toBe(record.id);
    expect(Number(inspected[1])).toBe(record.size);
    expect(inspected[2]).toBe('10001:10001');
    figures.push(['nx run api:docker-build (cold)', seconds(cold.ms)]);
    figures.push(['image size', `${(record.size / 1e6).toFixed(2)} MB`]);

    const warm = ws.nx(['run', 'api:docker-build']);
    expect(warm.output).toMatch(/\[(local|existing outputs match the) cache\]|read the output from the cache/);
    expect(ws.json('dist/api/docker/image.json')).toEqual(record);
    figures.push(['nx run api:docker-build (cache hit)', seconds(warm.ms)]);
  });

  it('health-check reports time-to-healthy and leaves no container', () => {
    const before = containerIds();
    const check = ws.nx(['run', 'api:health-check']);
    const ms = /healthy in (\d+) ms/.exec(check.output);
    expect(ms).not.toBeNull();
    figures.push(['time-to-healthy (health-check)', `${ms![1]} ms`]);
    expect(containerIds()).toEqual(before);
  });

  it('runs as non-root, turns healthy by its own HEALTHCHECK, and stops in under 2 s', async () => {
    const name = `api-e2e-${process.pid}`;
    docker(['run', '-d', '--name', name, '-p', '127.0.0.1::8080', 'api:latest']);
    try {
      const processes = docker(['top', name, '-eo', 'uid,pid,comm']).stdout.trim().split('\n').slice(1);
      expect(processes.map((line) => line.trim().split(/\s+/)[0])).toEqual(['10001']);
      const health = await waitFor('HEALTHCHECK healthy', 30_000, () => {
        const status = docker(['inspect', '--format', '{{.State.Health.Status}}', name]).stdout.trim();
        return status === 'healthy' ? status : undefined;
      });
      expect(health).toBe('healthy');
      const stop = docker(['stop', name]);
      expect(stop.ms).toBeLessThan(2000);
      figures.push(['docker stop', `${stop.ms} ms`]);
      // A graceful shutdown on SIGTERM exits 0 and says so.
      expect(docker(['inspect', '--format', '{{.State.ExitCode}}', name]).stdout.trim()).toBe('0');
      expect(docker(['logs', name]).output).toContain('api shutting down');
    } finally {
      docker(['rm', '-f', name], true);
    }
  });

  it('rebuilds after a source edit without recompiling dependencies', async () => {
    const main = ws.read('api/src/main.rs');
    // A new edit every run: BuildKit's layer cache is shared by every workspace on the engine.
    const stamp = String(Date.now());
    ws.write('api/src/main.rs', main.replace('"service": SERVICE', `"service": SERVICE, "edited": "${stamp}"`));
    const rebuild = ws.nx(['run', 'api:docker-build']);
    const compiled = compiledCrates(rebuild.output);
    // The build log goes with the figures, so a failure here says what the engine did.
    expect({ compiled, log: compiled.includes('api') ? '' : rebuild.output.slice(-6000) }).toEqual({ compiled: ['api'], log: '' });
    figures.push(['docker-build after a source edit', seconds(rebuild.ms)]);
    // The new image serves the edited source: no stale build came out of the target cache.
    const name = `api-edited-${process.pid}`;
    docker(['run', '-d', '--name', name, '-p', '127.0.0.1::8080', 'api:latest']);
    try {
      const port = docker(['port', name, '8080/tcp']).stdout.trim().split(':').pop();
      const body = await waitForAsync('the rebuilt image to answer', 30_000, () =>
        fetch(`http://127.0.0.1:${port}/`).then((r) => (r.ok ? r.text() : undefined), () => undefined),
      );
      expect(JSON.parse(body).edited).toBe(stamp);
    } finally {
      docker(['rm', '-f', name], true);
      ws.write('api/src/main.rs', main);
    }
  });

  it('docker-run serves on loopback, and Ctrl-C stops and removes the container', async () => {
    const port = await freeLoopbackPort();
    // A terminal's Ctrl-C signals the whole foreground process group: start nx as its own group.
    const child = spawn(process.execPath, [join(ws.root, 'node_modules/.bin/nx'), 'run', 'api:docker-run', `--hostPort=${port}`], {
      cwd: ws.root,
      env: { ...process.env, ...env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
    try {
      const body = await waitForAsync('docker-run to answer', 60_000, () =>
        fetch(`http://127.0.0.1:${port}/health`).then((r) => r.text(), () => undefined),
      );
      expect(JSON.parse(body)).toEqual({ status: 'ok' });
      expect(docker(['ps', '--filter', 'name=^api$', '--format', '{{.Ports}}']).stdout).toContain(`127.0.0.1:${port}->8080/tcp`);
    } finally {
      process.kill(-child.pid!, 'SIGINT');
    }
    await exited;
    await waitFor('the container to be removed', 15_000, () =>
      docker(['ps', '-a', '--filter', 'name=^api$', '-q']).stdout.trim() === '' ? true : undefined,
    );
    expect(output).toMatch(new RegExp(`running api:latest \\([0-9a-f]{12}\\) as api on http://127\\.0\\.0\\.1:${port}`));
  });

  engineOnly('the same Dockerfile builds with a plain docker build from the workspace root', async () => {
    // Crates vendored in the workspace, as an air-gapped team keeps them: the build
    // container here cannot reach crates.io, so this is how a plain build gets them.
    const vendored = run('cargo', ['vendor', '--locked', 'vendor'], { cwd: ws.root, quiet: true }).stdout;
    ws.write('.cargo/config.toml', vendored);
    try {
      const plain = run(
        'docker',
        ['build', '-f', 'api/Dockerfile', '--build-arg', `RUST_IMAGE=${STAND_IN_RUST_IMAGE}`, '-t', 'api:plain', '.'],
        { cwd: ws.root, env: { ...process.env, ...env, DOCKER_BUILDKIT: '1' }, quiet: true },
      );
      figures.push(['plain docker build -f api/Dockerfile .', seconds(plain.ms)]);
      const name = `api-plain-${process.pid}`;
      docker(['run', '-d', '--name', name, '-p', '127.0.0.1::8080', 'api:plain']);
      try {
        const port = docker(['port', name, '8080/tcp']).stdout.trim().split(':').pop();
        const body = await waitForAsync('the plain image to answer', 15_000, () =>
          fetch(`http://127.0.0.1:${port}/health`).then((r) => r.text(), () => undefined),
        );
        expect(JSON.parse(body)).toEqual({ status: 'ok' });
      } finally {
        docker(['rm', '-f', name], true);
      }
    } finally {
      rmSync(join(ws.root, 'vendor'), { recursive: true, force: true });
      rmSync(join(ws.root, '.cargo'), { recursive: true, force: true });
    }
  });

  engineOnly('falls back to the legacy builder when asked, and the image still works', () => {
    const legacy = ws.nx(['run', 'api:docker-build', '--engine=legacy', '--skip-nx-cache', '--noCache']);
    expect(legacy.output).toContain('building with legacy');
    expect(legacy.output).toContain('cargo cache mounts off');
    figures.push(['docker-build, legacy builder (cold)', seconds(legacy.ms)]);
    const check = ws.nx(['run', 'api:health-check', '--exclude-task-dependencies']);
    expect(check.output).toMatch(/healthy in \d+ ms/);
  });

  describe('clear one-line errors', () => {
    it('a build that does not compile: the compiler error reaches the user', () => {
      const main = ws.read('api/src/main.rs');
      ws.write('api/src/main.rs', main.replace('async fn health() -> Json<Value> {', 'async fn health() -> Json<Value> {\n    let broken: u32 = "not a number";'));
      try {
        const result = ws.nx(['run', 'api:docker-build'], { allowFailure: true });
        expect(result.code).not.toBe(0);
        expect(result.output).toMatch(/error\[E0308\]: mismatched types/);
        expect(result.output).toContain('api: docker build failed');
      } finally {
        ws.write('api/src/main.rs', main);
      }
    });

    it('a container that exits at once: its exit code and last log lines, nothing left running', () => {
      const before = containerIds();
      // The service's image with its own probe as the entrypoint: nothing listens, so the
      // probe fails and the container exits at once. (A privileged port is no way to make
      // a service fail here: Docker lets containers bind low ports without root.)
      run('docker', ['build', '-q', '-t', 'api:exits-at-once', '-'], {
        input: 'FROM api:latest\nENTRYPOINT ["/usr/local/bin/api", "healthcheck"]\n',
        env: { ...process.env, ...env },
        quiet: true,
      });
      try {
        const result = ws.nx(['run', 'api:health-check', '--exclude-task-dependencies', '--image=api:exits-at-once'], { allowFailure: true });
        expect(result.code).not.toBe(0);
        expect(result.output).toMatch(/the container exited with code 1 before answering on \/health/);
        expect(result.output).toMatch(/connect 127\.0\.0\.1:\d+: Connection refused/);
        expect(containerIds()).toEqual(before);
      } finally {
        docker(['rmi', 'api:exits-at-once'], true);
      }
    });

    it('a health check that never turns healthy: the deadline, the last answer, the logs', () => {
      const before = containerIds();
      const result = ws.nx(['run', 'api:health-check', '--exclude-task-dependencies', '--path=/nope', '--timeout=3'], { allowFailure: true });
      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(/not healthy after 3 s \(GET \/nope expects 200 .*last answer 404/);
      expect(result.output).toContain('GET /nope 404');
      expect(containerIds()).toEqual(before);
    });

    it('Ctrl-C during a health check removes its container', async () => {
      const before = containerIds();
      const child = spawn(process.execPath, [join(ws.root, 'node_modules/.bin/nx'), 'run', 'api:health-check', '--exclude-task-dependencies', '--path=/nope', '--timeout=60'], {
        cwd: ws.root,
        env: { ...process.env, ...env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
        detached: true,
        stdio: 'ignore',
      });
      const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
      await waitFor('the health-check container', 30_000, () => (containerIds().length > before.length ? true : undefined));
      process.kill(-child.pid!, 'SIGINT');
      await exited;
      await waitFor('the container to be removed', 15_000, () => (containerIds().length === before.length ? true : undefined));
      expect(containerIds()).toEqual(before);
    });

    it('two health checks of the same service at the same time both pass', async () => {
      const runCheck = () =>
        new Promise<{ code: number; output: string }>((resolve) => {
          const child = spawn(process.execPath, [join(ws.root, 'node_modules/.bin/nx'), 'run', 'api:health-check', '--exclude-task-dependencies'], {
            cwd: ws.root,
            env: { ...process.env, ...env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
          });
          let output = '';
          child.stdout.on('data', (d) => (output += d));
          child.stderr.on('data', (d) => (output += d));
          child.on('close', (code) => resolve({ code: code ?? 1, output }));
        });
      const [a, b] = await Promise.all([runCheck(), runCheck()]);
      expect([a.code, b.code]).toEqual([0, 0]);
      expect(a.output).toMatch(/healthy in \d+ ms/);
      expect(b.output).toMatch(/healthy in \d+ ms/);
    });

    it('no secret, .env, .git, target/ or node_modules reaches the build context', () => {
      for (const [file, content] of [
        ['api/.env', 'API_KEY=do-not-ship'],
        ['api/.env.production', 'API_KEY=do-not-ship'],
        ['api/server.pem', 'PRIVATE KEY'],
        ['api/target/debug/leftover', 'x'],
        ['api/node_modules/pkg/index.js', 'x'],
        ['.cargo/credentials.toml', '[registry]\ntoken = "do-not-ship"'],
      ]) {
        ws.write(file, content);
      }
      try {
        ws.nx(['run', 'api:docker-build', '--skip-nx-cache']);
        const listed = run('find', ['.', '-path', './vendor', '-prune', '-o', '-type', 'f', '-print'], { cwd: join(ws.root, 'target/rust-docker/api/context'), quiet: true })
          .stdout.split('\n')
          .filter(Boolean)
          .sort();
        expect(listed).toEqual(['./.cargo/config.toml', './Cargo.lock', './Cargo.toml', './api/Cargo.toml', './api/Dockerfile', './api/src/main.rs']);
        expect(run('grep', ['-rl', 'do-not-ship', '.'], { cwd: join(ws.root, 'target/rust-docker/api/context'), quiet: true, allowFailure: true }).stdout).toBe('');
      } finally {
        for (const path of ['api/.env', 'api/.env.production', 'api/server.pem', 'api/target', 'api/node_modules', '.cargo']) {
          rmSync(join(ws.root, path), { recursive: true, force: true });
        }
      }
    });

    it('no Docker CLI', () => {
      // A PATH with node alone: no docker, no cargo.
      const bin = mkdtempSync(join(tmpdir(), 'no-docker-'));
      symlinkSync(process.execPath, join(bin, 'node'));
      const result = ws.nx(['run', 'api:health-check', '--exclude-task-dependencies'], { env: { PATH: bin }, allowFailure: true });
      expect(result.code).not.toBe(0);
      expect(result.output).toContain('Docker CLI not found: install Docker');
    });

    it('Docker daemon not reachable', () => {
      const result = ws.nx(['run', 'api:health-check', '--exclude-task-dependencies'], {
        env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
        allowFailure: true,
      });
      expect(result.code).not.toBe(0);
      expect(result.output).toContain('Docker daemon is not reachable');
    });

    it('a port already taken', async () => {
      const server: Server = createServer();
      const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as any).port)));
      try {
        const result = ws.nx(['run', 'api:docker-run', `--hostPort=${port}`, '--exclude-task-dependencies'], { allowFailure: true });
        expect(result.output).toContain(`port ${port} on 127.0.0.1 is already in use`);
        // Nx 23 reports a continuous task run on its own that exits, failed or not, as done
        // (exit 0); Nx 22 and 24 fail the run.
        if (nxVersion().split('.')[0] !== '23') expect(result.code).not.toBe(0);
      } finally {
        server.close();
      }
    });
  });
});
