import { buildKitPath, containerIds, docker, removeImages, STAND_IN_RUST_IMAGE, waitForAsync } from './helpers/docker';
import { run, seconds } from './helpers/run';
import { createWorkspace, useBaseImages, type Workspace } from './helpers/workspace';

const FRAMEWORKS = [
  ['axum', 'ax'],
  ['warp', 'wp'],
  ['actix', 'ac'],
] as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A slow route for the graceful-shutdown test, added the way a user adds a route: what is
 * tested is that a request in its handler when SIGTERM arrives still gets its answer.
 */
const SLOW_ROUTES: Record<string, [string, string]> = {
  axum: [
    '.route("/health", get(health))',
    '.route("/health", get(health)).route("/slow", get(|| async { tokio::task::spawn_blocking(|| std::thread::sleep(std::time::Duration::from_millis(800))).await.ok(); "slow" }))',
  ],
  warp: [
    'root.or(health)',
    'root.or(health).or(warp::path!("slow").and(warp::get()).then(|| async { tokio::task::spawn_blocking(|| std::thread::sleep(std::time::Duration::from_millis(800))).await.ok(); "slow" }))',
  ],
  actix: [
    '.route("/health", web::get().to(health))',
    '.route("/health", web::get().to(health)).route("/slow", web::get().to(|| async { rt::time::sleep(Duration::from_millis(800)).await; "slow" }))',
  ],
};

/**
 * One service per framework plus a shared library, all held to the same contract, then
 * the whole system up and down with Compose.
 */
describe('frameworks and compose', () => {
  let ws: Workspace;
  const env = { PATH: buildKitPath() };
  const figures: Array<[string, string]> = [];
  let containersBefore: string[];
  let formatted = false;

  beforeAll(() => {
    containersBefore = containerIds();
    ws = createWorkspace('frameworks', env, { quickRelease: true });
    ws.nx(['g', '@org/rust-docker:init']);
    ws.nx(['g', '@org/rust-docker:library', 'shared']);
    for (const [framework, name] of FRAMEWORKS) {
      ws.nx(['g', '@org/rust-docker:service', name, `--framework=${framework}`, '--deps=shared']);
    }
    // As generated: rustfmt-clean. Then the test's slow routes, formatted the same way.
    formatted = run('cargo', ['fmt', '--all', '--check'], { cwd: ws.root, allowFailure: true }).code === 0;
    for (const [framework, name] of FRAMEWORKS) {
      const [from, to] = SLOW_ROUTES[framework];
      const main = ws.read(`${name}/src/main.rs`);
      expect(main).toContain(from);
      ws.write(`${name}/src/main.rs`, main.replace(from, to));
    }
    run('cargo', ['fmt', '--all'], { cwd: ws.root });
    useBaseImages(ws, { RUST_IMAGE: STAND_IN_RUST_IMAGE });
    ws.git(['add', '-A']);
    ws.git(['commit', '-qm', 'one service per framework']);
  });

  afterAll(() => {
    if (figures.length) console.log(`framework figures:\n${figures.map(([k, v]) => `  ${k.padEnd(30)} ${v}`).join('\n')}`);
    for (const id of containerIds()) if (!containersBefore.includes(id)) docker(['rm', '-f', id], true);
    for (const [, name] of FRAMEWORKS) removeImages(name);
    ws?.remove();
  });

  it('every service is rustfmt-clean, clippy-clean, and its unit test passes', () => {
    expect(formatted).toBe(true);
    const result = ws.nx(['run-many', '-t', 'lint', 'test', '--projects=ax,wp,ac', '--parallel=1', '--output-style=static']);
    expect(result.output.match(/test result:\s*ok\s*\.\s*1 passed/g)).toHaveLength(3);
  });

  describe.each(FRAMEWORKS)('%s', (framework, name) => {
    it('builds, and its health check passes', () => {
      const build = ws.nx(['run', `${name}:docker-build`]);
      const record = ws.json(`dist/${name}/docker/image.json`);
      figures.push([`${framework} image`, `${(record.size / 1e6).toFixed(2)} MB, build ${seconds(build.ms)}`]);
      expect(ws.nx(['run', `${name}:health-check`, '--exclude-task-dependencies']).output).toMatch(/healthy in \d+ ms/);
    });

    it('meets the contract: routes, PORT, request log, healthcheck subcommand, graceful shutdown', async () => {
      const container = `${name}-contract-${process.pid}`;
      docker(['run', '-d', '--name', container, '-e', 'PORT=9090', '-p', '127.0.0.1::9090', `${name}:latest`]);
      try {
        const port = Number(docker(['port', container, '9090/tcp']).stdout.trim().split(':').pop());
        const health = await waitForAsync('the service on PORT=9090', 20_000, () =>
          fetch(`http://127.0.0.1:${port}/health`).then((r) => (r.ok ? r.json() : undefined), () => undefined),
        );
        expect(health).toEqual({ status: 'ok' });
        const root = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.json());
        expect(root).toEqual({ service: name, version: '0.1.0' });
        expect(docker(['exec', container, `/usr/local/bin/${name}`, 'healthcheck']).code).toBe(0);
        const logs = docker(['logs', container]).output;
        expect(logs).toContain(`${name} listening on 0.0.0.0:9090`);
        expect(logs).toMatch(/GET \/health 200/);

        // SIGTERM while a request is in its handler: it still gets its answer, then the process exits 0.
        const slow = fetch(`http://127.0.0.1:${port}/slow`).then((r) => r.text());
        await sleep(200);
        const stop = docker(['stop', container]);
        expect(await slow).toBe('slow');
        expect(docker(['inspect', '--format', '{{.State.ExitCode}}', container]).stdout.trim()).toBe('0');
        expect(docker(['logs', container]).output).toContain(`${name} shutting down`);
        figures.push([`${framework} docker stop, request in flight`, `${stop.ms} ms`]);

        // Idle, it stops at once.
        const idle = `${container}-idle`;
        docker(['run', '-d', '--name', idle, `${name}:latest`]);
        await waitForAsync('the idle service', 20_000, async () =>
          docker(['logs', idle]).output.includes('listening on') ? true : undefined,
        );
        const idleStop = docker(['stop', idle]);
        docker(['rm', '-f', idle], true);
        expect(idleStop.ms).toBeLessThan(1000);
        figures.push([`${framework} docker stop, idle`, `${idleStop.ms} ms`]);
      } finally {
        docker(['rm', '-f', container], true);
      }
    });
  });

  it('compose-up brings every service up healthy, compose-down leaves nothing', () => {
    const compose = ws.read('compose.yaml');
    for (const [, name] of FRAMEWORKS) expect(compose).toContain(`  ${name}:`);
    const up = ws.nx(['run', 'compose:compose-up']);
    expect(up.output).toMatch(/3 service\(s\) up and healthy with docker(-compose| compose)/);
    // Compose names the project after the folder: lower case, only letters, digits, - and _.
    const project = ws.root.split('/').pop()!.toLowerCase().replace(/[^-_a-z0-9]/g, '');
    const running = docker(['ps', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Names}}']).stdout;
    expect(running.trim().split('\n')).toHaveLength(3);
    const down = ws.nx(['run', 'compose:compose-down']);
    expect(down.output).toContain('compose.yaml: down');
    expect(docker(['ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '-q']).stdout.trim()).toBe('');
    expect(docker(['network', 'ls', '--filter', `name=${project}_default`, '-q']).stdout.trim()).toBe('');
  });

  it('keeps a hand-edited comment in compose.yaml, and writes backing services Compose accepts', () => {
    ws.write('compose.yaml', ws.read('compose.yaml').replace('services:', '# ops: the payments team owns these\nservices:'));
    ws.nx(['g', '@org/rust-docker:service', 'billing', '--with=postgres,redis']);
    ws.nx(['g', '@org/rust-docker:service', 'ledger', '--with=postgres']);
    const compose = ws.read('compose.yaml');
    expect(compose).toContain('# ops: the payments team owns these');
    expect(compose.match(/^ {2}postgres:$/gm)).toHaveLength(1);
    const config = run('docker-compose', ['-f', 'compose.yaml', 'config'], { cwd: ws.root, quiet: true }).stdout;
    expect(config).toMatch(/billing:[\s\S]*depends_on:[\s\S]*postgres:[\s\S]*condition: service_healthy/);
    expect(config).toContain('DATABASE_URL: postgres://app:app@postgres:5432/app');
    expect(config).toContain('REDIS_URL: redis://redis:6379');
    expect(config).toMatch(/postgres-data:/);
    expect(compose).not.toMatch(/^version:/m);
  });
});
