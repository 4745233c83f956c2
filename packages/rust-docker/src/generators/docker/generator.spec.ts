import { logger, readNxJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { parse } from 'yaml';
import { dockerfileRuntime, exposedPort, renderDockerfile, runtimeLayout } from '../../docker/dockerfile';
import { serviceGenerator } from '../service/generator';
import { dockerGenerator, normalizeOptions } from './generator';
import { noPrompter } from './prompt';
import type { Prompter } from './prompt';
import type { DockerGeneratorSchema } from './schema';

const read = (tree: Tree, file: string) => tree.read(file, 'utf8')!;
const compose = (tree: Tree) => parse(read(tree, 'compose.yaml')) as Record<string, any>;
const generate = (tree: Tree, schema: DockerGeneratorSchema) => dockerGenerator(tree, { skipFormat: true, ...schema }, noPrompter);
const HEALTHCHECK = /^HEALTHCHECK .*CMD \["\/usr\/local\/bin\/\S+", "healthcheck"\]$/m;

/** A binary crate as a user might have written it, without a Dockerfile. */
function addCrate(tree: Tree, dir: string, name: string, main = 'fn main() {}\n', extra = '') {
  tree.write(`${dir}/Cargo.toml`, `[package]\nname = "${name}"\nversion = "0.1.0"\nedition = "2021"\n${extra}`);
  tree.write(`${dir}/src/main.rs`, main);
}

describe('docker generator', () => {
  let tree: Tree;
  beforeEach(() => (tree = createTreeWithEmptyWorkspace()));

  describe('on a binary crate without a Dockerfile', () => {
    beforeEach(() => addCrate(tree, 'apps/billing', 'billing', 'const DEFAULT_PORT: u16 = 3000;\nfn main() { if std::env::args().nth(1).as_deref() == Some("healthcheck") {} }\n'));

    it('writes a Dockerfile for the crate, its binary and the default runtime, pointing at itself', async () => {
      await generate(tree, { project: 'billing' });
      const dockerfile = read(tree, 'apps/billing/Dockerfile');
      expect(dockerfile).toBe(
        renderDockerfile({ name: 'billing', bin: 'billing', project: 'billing', port: 3000, dockerfilePath: 'apps/billing/Dockerfile', runtime: 'scratch', healthcheck: true }),
      );
      expect(dockerfileRuntime(dockerfile)).toBe('scratch');
    });

    it('takes the port from `const DEFAULT_PORT` in src/main.rs', async () => {
      await generate(tree, { project: 'billing' });
      expect(exposedPort(read(tree, 'apps/billing/Dockerfile'))).toBe(3000);
    });

    it('prefers --port to the one in the sources', async () => {
      await generate(tree, { project: 'billing', port: 9100 });
      expect(exposedPort(read(tree, 'apps/billing/Dockerfile'))).toBe(9100);
    });

    it('adds a hardened compose entry publishing that port on loopback, with the healthcheck the binary has', async () => {
      await generate(tree, { project: 'billing' });
      const entry = compose(tree).services.billing;
      expect(entry).toEqual(
        expect.objectContaining({
          build: { context: '.', dockerfile: 'apps/billing/Dockerfile' },
          image: 'billing:latest',
          ports: ['127.0.0.1:3000:3000'],
          environment: { RUST_LOG: 'info', PORT: '3000' },
          read_only: true,
          cap_drop: ['ALL'],
        }),
      );
      expect(entry.healthcheck.test).toEqual(['CMD', '/usr/local/bin/billing', 'healthcheck']);
      expect(entry).not.toHaveProperty('depends_on');
    });

    it('registers the plugin, as init does', async () => {
      await generate(tree, { project: 'billing' });
      expect(readNxJson(tree)!.plugins).toEqual([expect.objectContaining({ plugin: '@org/rust-docker' })]);
      expect(tree.exists('.dockerignore')).toBe(true);
    });

    it('uses the runtime asked for', async () => {
      await generate(tree, { project: 'billing', runtime: 'debian' });
      expect(dockerfileRuntime(read(tree, 'apps/billing/Dockerfile'))).toBe('debian');
    });
  });

  describe('healthcheck detection', () => {
    it('adds a HEALTHCHECK when a source file under src/ has a "healthcheck" subcommand', async () => {
      addCrate(tree, 'svc', 'svc', 'mod cli;\nfn main() { let _ = ("0.0.0.0", 8080); }\n');
      tree.write('svc/src/cli.rs', 'pub fn run(cmd: &str) { if cmd == "healthcheck" { std::process::exit(0) } }\n');
      await generate(tree, { project: 'svc' });
      expect(read(tree, 'svc/Dockerfile')).toMatch(HEALTHCHECK);
      expect(compose(tree).services.svc.healthcheck.test).toEqual(['CMD', '/usr/local/bin/svc', 'healthcheck']);
      expect((await normalizeOptions(tree, { project: 'svc', port: 8080 })).healthcheck).toBe(true);
    });

    it('adds none, in the Dockerfile or compose.yaml, when no source has one', async () => {
      addCrate(tree, 'svc', 'svc', '// checks health elsewhere: healthcheck\nfn main() { let _ = ("0.0.0.0", 8080); }\n');
      tree.write('svc/README.md', 'run `svc "healthcheck"`\n');
      tree.write('svc/tests/health.rs', 'const X: &str = "healthcheck";\n');
      await generate(tree, { project: 'svc' });
      expect(read(tree, 'svc/Dockerfile')).not.toMatch(/^HEALTHCHECK/m);
      expect(read(tree, 'svc/Dockerfile')).toContain('ENTRYPOINT ["/usr/local/bin/svc"]');
      expect(compose(tree).services.svc.healthcheck).toEqual({ disable: true });
    });

    it('lets --healthcheck override the detection either way', async () => {
      addCrate(tree, 'a', 'a', 'fn main() {}\n');
      addCrate(tree, 'b', 'b', 'fn main() { let _ = "healthcheck"; }\n');
      await generate(tree, { project: 'a', healthcheck: true, port: 8080 });
      await generate(tree, { project: 'b', healthcheck: false, port: 8081 });
      expect(read(tree, 'a/Dockerfile')).toMatch(HEALTHCHECK);
      expect(read(tree, 'b/Dockerfile')).not.toMatch(/^HEALTHCHECK/m);
    });
  });

  describe('on a Dockerfile it did not write', () => {
    const own = 'FROM rust:1.95 AS build\nCOPY . .\nRUN cargo build --release\nEXPOSE 7000\n';
    beforeEach(() => {
      addCrate(tree, 'svc', 'svc');
      tree.write('svc/Dockerfile', own);
    });

    it('refuses to replace it without --force, changing nothing', async () => {
      const before = tree.listChanges().map((c) => c.path);
      await expect(generate(tree, { project: 'svc' })).rejects.toThrow('svc/Dockerfile exists and was not written by @org/rust-docker; pass --force to replace it.');
      expect(read(tree, 'svc/Dockerfile')).toBe(own);
      expect(tree.exists('compose.yaml')).toBe(false);
      expect(tree.listChanges().map((c) => c.path)).toEqual(before);
    });

    it('replaces it with --force, keeping the port it exposes', async () => {
      await generate(tree, { project: 'svc', force: true });
      const dockerfile = read(tree, 'svc/Dockerfile');
      expect(dockerfileRuntime(dockerfile)).toBe('scratch');
      expect(exposedPort(dockerfile)).toBe(7000);
    });
  });

  describe('on a Dockerfile it wrote', () => {
    beforeEach(async () => {
      await serviceGenerator(tree, { name: 'api', port: 8085, runtime: 'distroless', with: 'postgres', skipFormat: true });
    });

    it('rewrites it for another runtime without --force, keeping its port', async () => {
      await generate(tree, { project: 'api', runtime: 'alpine' });
      const dockerfile = read(tree, 'api/Dockerfile');
      expect(dockerfileRuntime(dockerfile)).toBe('alpine');
      expect(exposedPort(dockerfile)).toBe(8085);
      expect(dockerfile).toBe(renderDockerfile({ name: 'api', bin: 'api', project: 'api', port: 8085, dockerfilePath: 'api/Dockerfile', runtime: 'alpine', healthcheck: true }));
    });

    it('keeps its runtime when none is asked for, so running it again changes nothing', async () => {
      const before = read(tree, 'api/Dockerfile');
      const composeBefore = read(tree, 'compose.yaml');
      await generate(tree, { project: 'api' });
      expect(read(tree, 'api/Dockerfile')).toBe(before);
      expect(read(tree, 'compose.yaml')).toBe(composeBefore);
    });

    it('changes the port with --port, in the Dockerfile and compose.yaml, keeping the backing service the entry depends on', async () => {
      await generate(tree, { project: 'api', port: 9000 });
      expect(exposedPort(read(tree, 'api/Dockerfile'))).toBe(9000);
      expect(dockerfileRuntime(read(tree, 'api/Dockerfile'))).toBe('distroless');
      const services = compose(tree).services;
      expect(services.api.ports).toEqual(['127.0.0.1:9000:9000']);
      expect(services.api.environment).toEqual(expect.objectContaining({ PORT: '9000', DATABASE_URL: expect.stringContaining('@postgres:5432/') }));
      expect(services.api.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
      expect(Object.keys(services)).toEqual(['api', 'postgres']);
    });
  });

  describe('the port of a crate with nothing to say about it', () => {
    beforeEach(() => addCrate(tree, 'b', 'b', 'fn main() { serve(listener()) }\n'));

    it('is never invented: without a terminal it stops, says to pass --port, and writes nothing', async () => {
      await expect(generate(tree, { project: 'b' })).rejects.toThrow(
        'cannot tell which port "b" listens on: no PORT read from the environment and no bind address ("0.0.0.0:8080", ([0, 0, 0, 0], 8080), ("0.0.0.0", 8080)) in b/src; pass --port <port>.',
      );
      expect(tree.exists('b/Dockerfile')).toBe(false);
      expect(tree.exists('compose.yaml')).toBe(false);
    });

    it('is asked for at a terminal', async () => {
      const asked: string[] = [];
      const prompter: Prompter = { interactive: true, port: async (q) => (asked.push(q), 9123), confirm: async () => true };
      await dockerGenerator(tree, { project: 'b', skipFormat: true }, prompter);
      expect(asked).toEqual(['Which port does b listen on?']);
      expect(exposedPort(read(tree, 'b/Dockerfile'))).toBe(9123);
    });

    it('is the first free one when the binary reads PORT without a default (the image sets PORT)', async () => {
      addCrate(tree, 'c', 'c', 'fn main() { let port = std::env::var("PORT").expect("PORT must be set"); }\n');
      tree.write('a/Dockerfile', 'FROM scratch\nEXPOSE 8080\n');
      addCrate(tree, 'a', 'a');
      tree.write('compose.yaml', 'services:\n  other:\n    image: x\n    ports: ["127.0.0.1:8081:8081"]\n');
      await generate(tree, { project: 'c' });
      expect(exposedPort(read(tree, 'c/Dockerfile'))).toBe(8082);
      expect(read(tree, 'c/Dockerfile')).toContain('ENV PORT=8082');
      expect(Object.keys(compose(tree).services)).toEqual(['other', 'c']);
    });
  });

  describe('on services written the usual way (literal ports, no PORT, no healthcheck subcommand)', () => {
    const WARP = 'use warp::Filter;\n\n#[tokio::main]\nasync fn main() {\n    let health = warp::path!("healthz").map(|| "ok");\n    warp::serve(health).run(([0, 0, 0, 0], 8000)).await;\n}\n';
    const ACTIX = '#[actix_web::main]\nasync fn main() -> std::io::Result<()> {\n    HttpServer::new(|| App::new().service(health))\n        .bind(("0.0.0.0", 8080))?\n        .run()\n        .await\n}\n';
    const AXUM = 'async fn main() {\n    let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await.unwrap();\n    axum::serve(listener, app).await.unwrap();\n}\n';
    let info: jest.SpyInstance;
    let warn: jest.SpyInstance;
    const printed = () => info.mock.calls.map(([line]) => String(line));
    beforeEach(() => {
      info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
      warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
      addCrate(tree, 'services/greeter', 'greeter', WARP);
      addCrate(tree, 'services/orders', 'orders', ACTIX);
      addCrate(tree, 'services/catalog', 'catalog', AXUM);
    });
    afterEach(() => {
      info.mockRestore();
      warn.mockRestore();
    });

    it('uses the port each binary listens on, and says where it read it', async () => {
      for (const name of ['greeter', 'orders', 'catalog']) await generate(tree, { project: name });
      expect(['greeter', 'orders', 'catalog'].map((n) => exposedPort(read(tree, `services/${n}/Dockerfile`)))).toEqual([8000, 8080, 8080]);
      expect(printed()).toContain('greeter: port 8000: the address it binds: ([0, 0, 0, 0], 8000) (services/greeter/src/main.rs:6)');
      expect(printed()).toContain('catalog: port 8080: the address it binds: "0.0.0.0:8080" (services/catalog/src/main.rs:2)');
    });

    it('publishes each on its own host port: the container port when free, else the next free one, saying so', async () => {
      for (const name of ['greeter', 'orders', 'catalog']) await generate(tree, { project: name });
      const services = compose(tree).services;
      expect([services.greeter.ports, services.orders.ports, services.catalog.ports]).toEqual([['127.0.0.1:8000:8000'], ['127.0.0.1:8080:8080'], ['127.0.0.1:8081:8080']]);
      expect(services.catalog.environment.PORT).toBe('8080');
      expect(printed()).toContain(
        'catalog: published on 127.0.0.1:8081 in compose.yaml: 8080 is published by "orders" (container ports may repeat, published ones may not; --hostPort to choose)',
      );
      // Run again, it keeps its host port.
      await generate(tree, { project: 'catalog', runtime: 'debian' });
      expect(compose(tree).services.catalog.ports).toEqual(['127.0.0.1:8081:8080']);
    });

    it('refuses a --hostPort another service publishes, suggesting a free one, and writes nothing', async () => {
      await generate(tree, { project: 'orders' });
      await generate(tree, { project: 'greeter', hostPort: 8081 });
      const before = tree.listChanges().map((c) => [c.path, c.content?.toString()]);
      await expect(generate(tree, { project: 'catalog', hostPort: 8080 })).rejects.toThrow(
        'port 8080 is already published by "orders" in compose.yaml (published ports must differ, container ports need not); pass a free one, e.g. --hostPort 8082.',
      );
      expect(tree.listChanges().map((c) => [c.path, c.content?.toString()])).toEqual(before);
      await generate(tree, { project: 'catalog', hostPort: 9000 });
      expect(compose(tree).services.catalog.ports).toEqual(['127.0.0.1:9000:8080']);
    });

    it('runs every service under an init process in compose.yaml', async () => {
      await generate(tree, { project: 'greeter' });
      expect(compose(tree).services.greeter.init).toBe(true);
    });

    it('writes no HEALTHCHECK, and prints what health-check will probe: the route the sources name, else /, any 2xx', async () => {
      await generate(tree, { project: 'greeter' });
      await generate(tree, { project: 'orders' });
      expect(read(tree, 'services/greeter/Dockerfile')).not.toMatch(/^HEALTHCHECK/m);
      expect(printed()).toContain(
        'greeter: health-check: GET /healthz expects any 2xx status (the route "/healthz" at services/greeter/src/main.rs:5); to change it, set "path", "expectStatus" or "expectBody" in the health-check target\'s options (project.json, or targetDefaults in nx.json)',
      );
      expect(printed()).toContainEqual(expect.stringContaining('orders: health-check: GET / expects any 2xx status (no health route in its sources, so the root)'));
    });

    it('prints the JSON body check for a generated service', async () => {
      await serviceGenerator(tree, { name: 'api', skipFormat: true });
      await generate(tree, { project: 'api', runtime: 'debian' });
      expect(printed()).toContainEqual(expect.stringContaining('api: health-check: GET /health expects 200 and a body matching /"status"\\s*:\\s*"ok"/ (the health route of generated services)'));
    });

    it('warns about a service that binds loopback only', async () => {
      addCrate(tree, 'tide', 'tide', 'async fn main() { app.listen("127.0.0.1:8080").await?; }\n');
      await generate(tree, { project: 'tide' });
      expect(warn).toHaveBeenCalledWith(
        'tide binds "127.0.0.1:8080" (tide/src/main.rs:1): only the container itself can reach a loopback address. Bind 0.0.0.0 instead, or docker run, health-check and compose cannot reach it.',
      );
    });

    it('asks which port when the sources name several, and stops without a terminal', async () => {
      tree.write('services/orders/src/admin.rs', 'pub fn admin() { TcpListener::bind(("0.0.0.0", 9100)); }\n');
      await expect(generate(tree, { project: 'orders' })).rejects.toThrow(
        'cannot tell which port "orders" listens on: its sources name 9100 (services/orders/src/admin.rs:1), 8080 (services/orders/src/main.rs:4); pass --port <the HTTP port>.',
      );
      expect(tree.exists('services/orders/Dockerfile')).toBe(false);
      const asked: Array<[string, number[]]> = [];
      const prompter: Prompter = { interactive: true, port: async (q, choices) => (asked.push([q, choices]), 8080), confirm: async () => true };
      await dockerGenerator(tree, { project: 'orders', skipFormat: true }, prompter);
      expect(asked).toEqual([['orders names several ports: 9100 (services/orders/src/admin.rs:1), 8080 (services/orders/src/main.rs:4). Which one does it serve HTTP on?', [9100, 8080]]]);
      expect(exposedPort(read(tree, 'services/orders/Dockerfile'))).toBe(8080);
    });
  });

  describe('runtime files', () => {
    let info: jest.SpyInstance;
    const printed = () => info.mock.calls.map(([line]) => String(line));
    // z2p is a standalone crate: init leaves it out of the Cargo workspace it creates, so its
    // build context is its own folder and COPY paths are relative to it.
    beforeEach(() => {
      info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
      addCrate(tree, 'services/z2p', 'z2p', 'fn main() {\n    let dir = std::env::current_dir().unwrap().join("configuration");\n    let t = Tera::new("templates/**/*.html");\n    bind("0.0.0.0:8000");\n}\n');
      tree.write('services/z2p/configuration/base.yaml', 'port: 8000\n');
      tree.write('services/z2p/templates/index.html', '<p></p>\n');
      tree.write('services/z2p/static/site.css', '\n');
    });
    afterEach(() => info.mockRestore());

    it('copies those the sources read into /app, read-only, and says so', async () => {
      await generate(tree, { project: 'z2p' });
      const dockerfile = read(tree, 'services/z2p/Dockerfile');
      expect(dockerfile).toContain('WORKDIR /app\nCOPY configuration /app/configuration\nCOPY templates /app/templates\nUSER 10001:10001\n');
      expect(runtimeLayout(dockerfile)).toEqual({ workdir: '/app', sources: ['configuration', 'templates'] });
      expect(printed()).toContain(
        'z2p: runtime files copied read-only into /app: configuration/ ("configuration" at services/z2p/src/main.rs:2), templates/ ("templates/**/*.html" at services/z2p/src/main.rs:3); choose others with --runtimeFiles a,b or none with --runtimeFiles none',
      );
    });

    it('keeps them, and the working directory, when the generator runs again', async () => {
      await generate(tree, { project: 'z2p', runtimeFiles: ['static'], workdir: '/srv' });
      await generate(tree, { project: 'z2p', runtime: 'debian' });
      expect(runtimeLayout(read(tree, 'services/z2p/Dockerfile'))).toEqual({ workdir: '/srv', sources: ['static'] });
    });

    it('takes --runtimeFiles and --workdir instead, or none at all', async () => {
      await generate(tree, { project: 'z2p', runtimeFiles: 'static,configuration/base.yaml', workdir: '/srv/z2p' });
      expect(runtimeLayout(read(tree, 'services/z2p/Dockerfile'))).toEqual({ workdir: '/srv/z2p', sources: ['static', 'configuration/base.yaml'] });
      await generate(tree, { project: 'z2p', runtimeFiles: ['none'] });
      expect(read(tree, 'services/z2p/Dockerfile')).not.toMatch(/^COPY services/m);
    });

    it('asks at a terminal, and copies none when told no', async () => {
      const asked: string[] = [];
      const prompter: Prompter = { interactive: true, port: async () => 1, confirm: async (q) => (asked.push(q), false) };
      await dockerGenerator(tree, { project: 'z2p', skipFormat: true }, prompter);
      expect(asked).toEqual([
        'The sources read configuration/ ("configuration" at services/z2p/src/main.rs:2), templates/ ("templates/**/*.html" at services/z2p/src/main.rs:3) at run time. Copy them into the image, read-only?',
      ]);
      expect(runtimeLayout(read(tree, 'services/z2p/Dockerfile'))).toEqual({ workdir: undefined, sources: [] });
    });

    it('places the COPY lines relative to the Cargo workspace folder, the build context', async () => {
      tree.write('rust/Cargo.toml', '[workspace]\nmembers = ["apps/*"]\n');
      addCrate(tree, 'rust/apps/web', 'web', 'fn main() { bind("0.0.0.0:8000"); ServeDir::new("static"); }\n');
      tree.write('rust/apps/web/static/a.css', '\n');
      await generate(tree, { project: 'web', hostPort: 8100 });
      expect(read(tree, 'rust/apps/web/Dockerfile')).toContain('COPY apps/web/static /app/static\n');
    });

    it.each<[string, string]>([
      ['missing', 'runtime file "missing" not found in services/z2p: pass files or folders relative to the crate folder (e.g. --runtimeFiles configuration,templates), or --runtimeFiles none.'],
      ['../other', 'runtime file "../other" must be a path inside the crate folder services/z2p, e.g. --runtimeFiles configuration,templates.'],
      ['/etc/passwd', 'runtime file "/etc/passwd" must be a path inside the crate folder services/z2p, e.g. --runtimeFiles configuration,templates.'],
      ['my config', 'runtime file "my config": only letters, digits, ".", "_", "-", "@", "+" and "/" can be copied by name; rename it, or copy its folder.'],
    ])('refuses %j, writing nothing', async (file, message) => {
      await expect(generate(tree, { project: 'z2p', runtimeFiles: [file] })).rejects.toThrow(message);
      expect(tree.exists('services/z2p/Dockerfile')).toBe(false);
    });

    it.each(['app', 'C:\\app', '/app dir', '/$HOME'])('refuses the working directory %j', async (workdir) => {
      await expect(generate(tree, { project: 'z2p', workdir })).rejects.toThrow(`--workdir "${workdir}" must be an absolute path in the image`);
    });
  });

  describe('crate and binary', () => {
    it('finds the crate by its Nx project name or its crate name, naming the compose service after the project', async () => {
      addCrate(tree, 'libs/x', 'x-server', 'fn main() {}\n', '\n[package.metadata.nx]\nname = "xs"\n');
      expect(await normalizeOptions(tree, { project: 'xs', port: 8080 })).toEqual(expect.objectContaining({ project: 'xs', crateName: 'x-server', projectRoot: 'libs/x', bin: 'x-server' }));
      expect((await normalizeOptions(tree, { project: 'x-server', port: 8080 })).projectRoot).toBe('libs/x');
      await generate(tree, { project: 'xs', port: 8080 });
      expect(read(tree, 'libs/x/Dockerfile')).toContain('--package x-server --bin x-server');
      expect(read(tree, 'libs/x/Dockerfile')).toContain('nx run xs:docker-build');
      expect(Object.keys(compose(tree).services)).toEqual(['xs']);
    });

    it('names the known crates when there is no such crate or project', async () => {
      addCrate(tree, 'a', 'alpha');
      await expect(normalizeOptions(tree, { project: 'ghost' })).rejects.toThrow('no crate or project named "ghost" in this workspace (crates: alpha).');
      await expect(normalizeOptions(createTreeWithEmptyWorkspace(), { project: 'ghost' })).rejects.toThrow('(crates: none yet)');
    });

    it('refuses a library-only crate: there is nothing to run in a container', async () => {
      tree.write('libs/core/Cargo.toml', '[package]\nname = "core"\nversion = "0.1.0"\n');
      tree.write('libs/core/src/lib.rs', 'pub fn f() {}\n');
      await expect(generate(tree, { project: 'core' })).rejects.toThrow(
        'crate "core" (libs/core/Cargo.toml) has no binary target (no src/main.rs or [[bin]]), so there is nothing to run in a container',
      );
      expect(tree.exists('libs/core/Dockerfile')).toBe(false);
      expect(tree.exists('compose.yaml')).toBe(false);
    });

    it('ships the binary named like the crate, else the first, or the one asked for', async () => {
      addCrate(tree, 'a', 'a');
      tree.write('a/src/bin/admin.rs', 'fn main() {}\n');
      expect((await normalizeOptions(tree, { project: 'a', port: 8080 })).bin).toBe('a');
      expect((await normalizeOptions(tree, { project: 'a', bin: 'admin', port: 8080 })).bin).toBe('admin');
      tree.write('b/Cargo.toml', '[package]\nname = "b"\nversion = "0.1.0"\n\n[[bin]]\nname = "b-server"\npath = "./src/main.rs"\n');
      tree.write('b/src/main.rs', 'fn main() {}\n');
      tree.write('b/src/bin/tool/main.rs', 'fn main() {}\n');
      expect((await normalizeOptions(tree, { project: 'b', port: 8080 })).bin).toBe('b-server');
    });

    it('refuses a binary the crate does not have, naming those it has', async () => {
      addCrate(tree, 'a', 'a');
      tree.write('a/src/bin/admin.rs', 'fn main() {}\n');
      await expect(normalizeOptions(tree, { project: 'a', bin: 'nope' })).rejects.toThrow('crate "a" has no binary "nope" (it has a, admin).');
    });
  });

  describe('option checks', () => {
    beforeEach(() => addCrate(tree, 'a', 'a'));

    it.each([0, 65536, 80.5, Number.NaN])('refuses port %s', async (port) => {
      await expect(normalizeOptions(tree, { project: 'a', port })).rejects.toThrow('is not a port: use a whole number from 1 to 65535');
      await expect(normalizeOptions(tree, { project: 'a', port: 8080, hostPort: port })).rejects.toThrow(`--hostPort ${port} is not a port`);
    });

    it('accepts the port bounds and a numeric string', async () => {
      expect((await normalizeOptions(tree, { project: 'a', port: 1 })).port).toBe(1);
      expect((await normalizeOptions(tree, { project: 'a', port: 65535 })).port).toBe(65535);
      expect((await normalizeOptions(tree, { project: 'a', port: '8090' as unknown as number })).port).toBe(8090);
    });

    it('refuses an unknown runtime, naming the known ones', async () => {
      await expect(normalizeOptions(tree, { project: 'a', runtime: 'ubuntu' as never })).rejects.toThrow('--runtime "ubuntu" is not one of scratch, distroless, debian, alpine.');
    });

    it('defaults skipFormat to false', async () => {
      expect((await normalizeOptions(tree, { project: 'a', port: 8080 })).skipFormat).toBe(false);
    });
  });
});
