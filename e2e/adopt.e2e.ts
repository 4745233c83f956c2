import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildKitPath, containerIds, docker, removeImages, STAND_IN_RUST_IMAGE, waitFor } from './helpers/docker';
import { run, seconds } from './helpers/run';
import { LEGACY, SERVICES } from './helpers/adopted-services';
import { createWorkspace, useBaseImages, type Workspace } from './helpers/workspace';

/**
 * Services a team already has, written the way people write them (framework README style:
 * a literal bind address, no PORT, no healthcheck subcommand, no SIGTERM handler), in the
 * team's own Cargo workspace: `nx g @org/rust-docker:docker <crate>` with only the
 * defaults the generator chose must give images that build, pass health-check, stop at
 * once and come up healthy together. Plus one crate with its own hand-written Dockerfile.
 */

const NAMES = Object.keys(SERVICES);

describe('adopt: existing services and a hand-written Dockerfile', () => {
  let ws: Workspace;
  const env = { PATH: buildKitPath() };
  const figures: Array<[string, string]> = [];
  let containersBefore: string[];
  const generated: Record<string, string> = {};

  beforeAll(() => {
    containersBefore = containerIds();
    ws = createWorkspace('adopt', env, { quickRelease: true });
    ws.write('Cargo.toml', '[workspace]\nresolver = "2"\nmembers = ["services/*"]\n');
    for (const [name, files] of Object.entries({ ...SERVICES, legacy: LEGACY })) {
      for (const [file, text] of Object.entries(files)) ws.write(`services/${name}/${file}`, text);
    }
    ws.write('.gitignore', `${ws.read('.gitignore')}target/\n`);
    // The team's lockfile, resolved from crates.io on the host.
    run('cargo', ['generate-lockfile'], { cwd: ws.root, quiet: true });
    ws.git(['add', '-A']);
    ws.git(['commit', '-qm', 'services as the team wrote them']);
  });

  afterAll(() => {
    if (figures.length) console.log(`adopt figures:\n${figures.map(([k, v]) => `  ${k.padEnd(40)} ${v}`).join('\n')}`);
    for (const id of containerIds()) if (!containersBefore.includes(id)) docker(['rm', '-f', id], true);
    for (const name of [...NAMES, 'legacy']) removeImages(name);
    ws?.remove();
  });

  it('does not replace a hand-written Dockerfile without --force, and writes nothing', () => {
    const result = ws.nx(['g', '@org/rust-docker:docker', 'legacy'], { allowFailure: true });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('services/legacy/Dockerfile exists and was not written by @org/rust-docker; pass --force to replace it.');
    expect(ws.git(['status', '--porcelain']).stdout.trim()).toBe('');
  });

  it('containerizes each service with the port, health route and runtime files its sources use', () => {
    for (const name of NAMES) generated[name] = ws.nx(['g', '@org/rust-docker:docker', name]).output;
    expect(generated.greeter).toContain('greeter: port 8000: the address it binds: ([0, 0, 0, 0], 8000) (services/greeter/src/main.rs:9)');
    expect(generated.greeter).toContain('greeter: health-check: GET /healthz expects any 2xx status (the route "/healthz" at services/greeter/src/main.rs:6)');
    expect(generated.orders).toContain('orders: port 8080: the address it binds: ("0.0.0.0", 8080) (services/orders/src/main.rs:31)');
    expect(generated.orders).toContain('orders: runtime files copied read-only into /app: configuration/ ("configuration" at services/orders/src/main.rs:8)');
    expect(generated.orders).toContain('orders: health-check: GET /health expects any 2xx status');
    expect(generated.catalog).toContain('catalog: published on 127.0.0.1:8081 in compose.yaml: 8080 is published by "orders"');
    expect(generated.catalog).toContain('catalog: health-check: GET / expects any 2xx status (no health route in its sources, so the root)');

    const expose = (name: string) => /^EXPOSE (\d+)$/m.exec(ws.read(`services/${name}/Dockerfile`))?.[1];
    expect(NAMES.map(expose)).toEqual(['8000', '8080', '8080']);
    // No healthcheck subcommand: no HEALTHCHECK that could not work.
    for (const name of NAMES) expect(ws.read(`services/${name}/Dockerfile`)).not.toMatch(/^HEALTHCHECK/m);
    expect(ws.read('services/orders/Dockerfile')).toMatch(/^WORKDIR \/app\nCOPY services\/orders\/configuration \/app\/configuration\nUSER /m);
    const config = run('docker-compose', ['-f', 'compose.yaml', 'config'], { cwd: ws.root, quiet: true }).stdout;
    for (const [name, published, target] of [['greeter', 8000, 8000], ['orders', 8080, 8080], ['catalog', 8081, 8080]]) {
      expect(config).toMatch(new RegExp(`  ${name}:[\\s\\S]*?init: true[\\s\\S]*?- 127\\.0\\.0\\.1:${published}:${target}/tcp`));
    }
  });

  it('renders hadolint-clean Dockerfiles, runtime files in every runtime variant', () => {
    for (const name of NAMES) {
      const lint = run('hadolint', [`services/${name}/Dockerfile`], { cwd: ws.root, allowFailure: true });
      expect({ name, findings: lint.output.trim(), code: lint.code }).toEqual({ name, findings: '', code: 0 });
    }
    // The shipped renderer, as the generator calls it, for the variants not generated here.
    const { renderDockerfile } = require(join(ws.root, 'node_modules/@org/rust-docker/packages/rust-docker/dist/docker/dockerfile.js'));
    const dir = mkdtempSync(join(tmpdir(), 'adopt-variants-'));
    try {
      for (const runtime of ['scratch', 'distroless', 'debian', 'alpine']) {
        const file = join(dir, `Dockerfile.${runtime}`);
        const text: string = renderDockerfile({
          name: 'orders',
          bin: 'orders',
          project: 'orders',
          port: 8080,
          dockerfilePath: 'services/orders/Dockerfile',
          runtime,
          healthcheck: false,
          runtimeFiles: ['configuration', 'templates', 'settings.toml'],
          crateDir: 'services/orders',
          workdir: '/srv/orders',
        });
        expect(text).toContain('COPY services/orders/templates /srv/orders/templates\nCOPY services/orders/settings.toml /srv/orders/settings.toml\n');
        writeFileSync(file, text);
        const lint = run('hadolint', [file], { allowFailure: true });
        expect({ runtime, findings: lint.output.trim(), code: lint.code }).toEqual({ runtime, findings: '', code: 0 });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe.each(NAMES)('%s', (name) => {
    it('builds from its pruned context and passes health-check with the defaults chosen', () => {
      if (name === NAMES[0]) {
        useBaseImages(ws, { RUST_IMAGE: STAND_IN_RUST_IMAGE });
        ws.git(['add', '-A']);
        ws.git(['commit', '-qm', 'containerized']);
      }
      const build = ws.nx(['run', `${name}:docker-build`]);
      expect(build.output).toContain(`${name}: build context target/rust-docker/${name}/context: 1 crate (${name})`);
      const record = ws.json(`dist/services/${name}/docker/image.json`);
      figures.push([`${name} docker-build (first)`, `${seconds(build.ms)}, ${(record.size / 1e6).toFixed(2)} MB`]);
      const check = ws.nx(['run', `${name}:health-check`, '--exclude-task-dependencies']);
      expect(check.output).toMatch(new RegExp(`${name}: healthy in \\d+ ms \\(GET /${name === 'greeter' ? 'healthz' : name === 'orders' ? 'health' : ''} → 200 `));
    });
  });

  it('takes health-check options from a project.json beside the crate, which Nx merges with the inferred target', () => {
    const override = (options: Record<string, unknown>) =>
      ws.write('services/catalog/project.json', JSON.stringify({ name: 'catalog', targets: { 'health-check': { options } } }, null, 2));
    try {
      override({ expectStatus: 200, expectBody: 'Hello, World', timeout: 5 });
      expect(JSON.parse(ws.nx(['show', 'project', 'catalog', '--json']).stdout).targets['health-check'].options).toEqual({ port: 8080, expectStatus: 200, expectBody: 'Hello, World', timeout: 5 });
      expect(ws.nx(['run', 'catalog:health-check', '--exclude-task-dependencies']).output).toMatch(/catalog: healthy in \d+ ms \(GET \/ → 200 Hello, World!\)/);
      override({ path: '/ready', timeout: 6 });
      const failed = ws.nx(['run', 'catalog:health-check', '--exclude-task-dependencies'], { allowFailure: true });
      expect(failed.code).not.toBe(0);
      expect(failed.output).toContain('not healthy after 6 s (GET /ready expects any 2xx status, from the "path" option; last answer 404');
    } finally {
      rmSync(join(ws.root, 'services/catalog/project.json'), { force: true });
    }
  });

  it('ships runtime files read-only: owned by root, not writable by the service user, and the service needs them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'adopt-image-'));
    try {
      docker(['save', '-o', join(dir, 'image.tar'), 'orders:latest']);
      run('tar', ['-xf', join(dir, 'image.tar'), '-C', dir]);
      const layers = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('layer.tar'));
      const entries = layers.flatMap((layer) => run('tar', ['--numeric-owner', '-tvf', join(dir, layer)], { quiet: true }).stdout.split('\n')).filter((l) => / app\/configuration/.test(l));
      expect(entries.map((l) => l.split(/\s+/).pop()).sort()).toEqual(['app/configuration/', 'app/configuration/base.toml']);
      for (const entry of entries) {
        const [mode, owner] = entry.split(/\s+/);
        expect({ entry, owner, writableByOthers: /^.{4}.w|^.{7}.w/.test(mode) }).toEqual({ entry, owner: '0/0', writableByOthers: false });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // From another working directory it cannot find them, and stops at start.
    const elsewhere = docker(['run', '--rm', '-w', '/', 'orders:latest'], true);
    expect(elsewhere.code).not.toBe(0);
    expect(elsewhere.output).toContain('Failed to read /configuration/base.toml');
  });

  it('builds the hand-written Dockerfile from its pruned context (crates vendored), and health-checks it', () => {
    const build = ws.nx(['run', 'legacy:docker-build']);
    expect(build.output).toContain('legacy: build context target/rust-docker/legacy/context: 1 crate (legacy), crates vendored');
    expect(build.output).not.toContain('whole Cargo workspace folder');
    figures.push(['legacy (hand-written) docker-build', seconds(build.ms)]);
    const check = ws.nx(['run', 'legacy:health-check', '--exclude-task-dependencies']);
    expect(check.output).toMatch(/legacy: healthy in \d+ ms \(GET \/ → 200 /);
  });

  it('docker-run starts the service under an init process: docker stop takes under 1 s', async () => {
    const child = spawn(process.execPath, [join(ws.root, 'node_modules/.bin/nx'), 'run', 'greeter:docker-run', '--exclude-task-dependencies'], {
      cwd: ws.root,
      env: { ...process.env, ...env, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await waitFor('greeter running', 60_000, () => (docker(['logs', 'greeter'], true).output.includes('greeter listening') ? true : undefined));
      const stop = docker(['stop', 'greeter']);
      expect(stop.ms).toBeLessThan(1000);
      figures.push(['greeter docker stop (docker-run)', `${stop.ms} ms`]);
      expect(await exited).toBe(0);
    } finally {
      child.kill();
      docker(['rm', '-f', 'greeter'], true);
    }
  });

  it('compose-up brings all of them up healthy; each stops in under 1 s; compose-down leaves nothing', () => {
    const up = ws.nx(['run', 'compose:compose-up']);
    expect(up.output).toMatch(/3 service\(s\) up and healthy with docker(-compose| compose)/);
    expect(up.output).toMatch(/greeter\s+running \(healthy, GET \/healthz expects any 2xx status: 200\)/);
    expect(up.output).toMatch(/catalog\s+running \(healthy, GET \/ expects any 2xx status: 200\)/);
    const project = ws.root.split('/').pop()!.toLowerCase().replace(/[^-_a-z0-9]/g, '');
    const containers = docker(['ps', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Names}}']).stdout.trim().split('\n');
    expect(containers).toHaveLength(3);
    for (const container of containers) {
      const stop = docker(['stop', container]);
      figures.push([`${container} docker stop (compose)`, `${stop.ms} ms`]);
      expect({ container, under1s: stop.ms < 1000 }).toEqual({ container, under1s: true });
    }
    const down = ws.nx(['run', 'compose:compose-down']);
    expect(down.output).toContain('compose.yaml: down');
    expect(docker(['ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '-q']).stdout.trim()).toBe('');
  });
});
