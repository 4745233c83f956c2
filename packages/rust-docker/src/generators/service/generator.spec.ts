import * as TOML from '@iarna/toml';
import { addProjectConfiguration, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { createHash } from 'node:crypto';
import { exposedPort } from '../../docker/dockerfile';
import {
  DEFAULT_FRAMEWORK,
  DEFAULT_PORT,
  FRAMEWORK_DEPENDENCIES,
  normalizeFramework,
  normalizeOptions,
  SERVICE_DEPENDENCIES,
  SERVICE_FRAMEWORKS,
  serviceGenerator,
  type ServiceFramework,
} from './generator';
import type { ServiceGeneratorSchema } from './schema';

type Doc = Record<string, any>;
const parse = (text: string): Doc => TOML.parse(text) as Doc;
const read = (tree: Tree, file: string) => tree.read(file, 'utf8')!;

/** Every pending change of the tree, with its content, to compare before and after. */
function changes(tree: Tree) {
  return tree.listChanges().map((c) => ({ path: c.path, type: c.type, content: c.content?.toString() }));
}

const generate = (tree: Tree, schema: Partial<ServiceGeneratorSchema> & { name: string }) => serviceGenerator(tree, { skipFormat: true, ...schema });

describe('service generator', () => {
  let tree: Tree;
  beforeEach(() => (tree = createTreeWithEmptyWorkspace()));

  describe('a first service with the defaults', () => {
    let callback: unknown;
    beforeEach(async () => {
      callback = await generate(tree, { name: 'api' });
    });

    it('writes the crate files in a folder named after the service', () => {
      const files = tree.listChanges().map((c) => c.path).filter((p) => p.startsWith('api/')).sort();
      expect(files).toEqual(['api/Cargo.toml', 'api/Dockerfile', 'api/src/main.rs']);
    });

    it('returns a callback (which updates Cargo.lock with cargo; not run here)', () => {
      expect(typeof callback).toBe('function');
    });

    it('initializes the workspace: plugin registered, root manifest, ignore files', () => {
      expect(tree.exists('.dockerignore')).toBe(true);
      expect(tree.exists('.gitignore')).toBe(true);
      expect(JSON.parse(read(tree, 'nx.json')).plugins).toEqual([expect.objectContaining({ plugin: '@org/rust-docker' })]);
    });

    it('adds the crate to the root members and the shared versions to [workspace.dependencies]', () => {
      const root = parse(read(tree, 'Cargo.toml'));
      expect(root.workspace.members).toEqual(['api']);
      expect(root.workspace.dependencies).toEqual(Object.fromEntries(SERVICE_DEPENDENCIES.map(([k, v]) => [k, JSON.parse(v)])));
      expect(root.profile.release.lto).toBe(true);
    });

    it('writes a crate manifest that parses, with a [[bin]] and workspace dependencies', () => {
      const crate = parse(read(tree, 'api/Cargo.toml'));
      expect(crate.package).toEqual({ name: 'api', version: '0.1.0', edition: '2024', publish: false });
      expect(crate.bin).toEqual([{ name: 'api', path: 'src/main.rs' }]);
      expect(crate.dependencies).toEqual({
        axum: { workspace: true },
        serde_json: { workspace: true },
        tokio: { workspace: true, features: ['macros', 'net', 'rt-multi-thread', 'signal'] },
      });
      for (const key of Object.keys(crate.dependencies)) expect(SERVICE_DEPENDENCIES.map(([k]) => k)).toContain(key);
    });

    it('uses port 8080, the same in main.rs and in the Dockerfile', () => {
      expect(DEFAULT_PORT).toBe(8080);
      expect(read(tree, 'api/src/main.rs')).toContain('const DEFAULT_PORT: u16 = 8080;');
      expect(exposedPort(read(tree, 'api/Dockerfile'))).toBe(8080);
      expect(read(tree, 'api/Dockerfile')).toContain('ENV PORT=8080\n');
    });

    it('writes a main.rs with the service name, a /health route and a healthcheck subcommand', () => {
      const main = read(tree, 'api/src/main.rs');
      expect(main).toContain('const SERVICE: &str = "api";');
      expect(main).toContain('.route("/health", get(health))');
      expect(main).toContain('Some("healthcheck")');
      expect(main).toContain('fn healthcheck(port: u16)');
      expect(main).not.toMatch(/<%|%>/);
    });

    it('writes a Dockerfile for the package and binary, pointing at itself', () => {
      const dockerfile = read(tree, 'api/Dockerfile');
      expect(dockerfile).toContain('--package api --bin api');
      expect(dockerfile).toContain('docker build -f api/Dockerfile .');
      expect(dockerfile).toContain('HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["/usr/local/bin/api", "healthcheck"]');
    });

    it('has no [package.metadata.nx] without tags', () => {
      expect(parse(read(tree, 'api/Cargo.toml')).package.metadata).toBeUndefined();
    });

    it('gives a second service the next free port', async () => {
      await generate(tree, { name: 'billing' });
      await generate(tree, { name: 'orders' });
      expect(exposedPort(read(tree, 'billing/Dockerfile'))).toBe(8081);
      expect(read(tree, 'billing/src/main.rs')).toContain('const DEFAULT_PORT: u16 = 8081;');
      expect(exposedPort(read(tree, 'orders/Dockerfile'))).toBe(8082);
      expect(parse(read(tree, 'Cargo.toml')).workspace.members).toEqual(['api', 'billing', 'orders']);
    });

    it('refuses a second crate with the same name, even in another folder, and changes nothing', async () => {
      const before = changes(tree);
      await expect(generate(tree, { name: 'api', directory: 'services/api' })).rejects.toThrow('a crate or project named "api" already exists (api/Cargo.toml); choose another name.');
      expect(changes(tree)).toEqual(before);
    });
  });

  it('writes the crate under --directory and lists that folder as the member', async () => {
    await generate(tree, { name: 'billing-api', directory: './services/billing/', port: 9000, tags: 'scope:billing, type:service,' });
    expect(tree.exists('services/billing/Cargo.toml')).toBe(true);
    expect(tree.exists('services/billing/src/main.rs')).toBe(true);
    expect(tree.exists('billing-api')).toBe(false);
    expect(parse(read(tree, 'Cargo.toml')).workspace.members).toEqual(['services/billing']);
    expect(read(tree, 'services/billing/Dockerfile')).toContain('docker build -f services/billing/Dockerfile .');
    expect(exposedPort(read(tree, 'services/billing/Dockerfile'))).toBe(9000);
    expect(read(tree, 'services/billing/src/main.rs')).toContain('const DEFAULT_PORT: u16 = 9000;');
    const crate = parse(read(tree, 'services/billing/Cargo.toml'));
    expect(crate.package.name).toBe('billing-api');
    expect(crate.package.metadata.nx).toEqual({ tags: ['scope:billing', 'type:service'] });
    expect(crate.bin).toEqual([{ name: 'billing-api', path: 'src/main.rs' }]);
  });

  it("adds the member to an existing root Cargo.toml, keeping its comments and the user's versions", async () => {
    const existing = [
      '# Company Rust workspace',
      '[workspace]',
      'resolver = "2"',
      'members = [',
      '    "libs/core", # shared code',
      ']',
      '',
      '[workspace.dependencies]',
      'tokio = { version = "=1.40.0", features = ["full"] } # pinned',
      '',
    ].join('\n');
    tree.write('Cargo.toml', existing);
    tree.write('libs/core/Cargo.toml', '[package]\nname = "core"\nversion = "0.1.0"\n');
    await generate(tree, { name: 'api' });
    const text = read(tree, 'Cargo.toml');
    for (const comment of ['# Company Rust workspace', '"libs/core", # shared code', '# pinned']) expect(text).toContain(comment);
    const root = parse(text);
    expect(root.workspace.members).toEqual(['libs/core', 'api']);
    expect(root.workspace.dependencies.tokio).toEqual({ version: '=1.40.0', features: ['full'] });
    expect(root.workspace.dependencies.axum).toBe('0.8');
  });

  it('picks the next port after those the existing service Dockerfiles expose', async () => {
    tree.write('legacy/Cargo.toml', '[package]\nname = "legacy"\n');
    tree.write('legacy/Dockerfile', 'FROM scratch\nEXPOSE 8080\n');
    tree.write('other/Dockerfile', 'FROM scratch\nEXPOSE 8081\n'); // not a crate: its port does not count
    await generate(tree, { name: 'api' });
    expect(exposedPort(read(tree, 'api/Dockerfile'))).toBe(8081);
  });

  describe('--deps', () => {
    beforeEach(() => {
      tree.write('libs/shared/Cargo.toml', '[package]\nname = "shared"\nversion = "0.1.0"\n');
      tree.write('libs/shared/src/lib.rs', '');
      tree.write('libs/db-client/Cargo.toml', '[package]\nname = "db-client"\nversion = "0.1.0"\n');
      tree.write('libs/db-client/src/lib.rs', '');
    });

    it('adds a path dependency on each named crate, relative to the new crate', async () => {
      await generate(tree, { name: 'api', directory: 'services/api', deps: ['shared', 'db-client,shared'] });
      const crate = parse(read(tree, 'services/api/Cargo.toml'));
      expect(crate.dependencies.shared).toEqual({ path: '../../libs/shared' });
      expect(crate.dependencies['db-client']).toEqual({ path: '../../libs/db-client' });
      expect(crate.dependencies.axum).toEqual({ workspace: true });
    });

    it('names every unknown crate and the known ones, and changes nothing', async () => {
      const before = changes(tree);
      await expect(generate(tree, { name: 'api', deps: 'shared,nope,ghost' })).rejects.toThrow(
        'no library named "nope", "ghost" in this workspace (crates: db-client, shared).',
      );
      expect(changes(tree)).toEqual(before);
    });

    it('refuses a dependency on a crate without a library target', async () => {
      await generate(tree, { name: 'billing' });
      const before = changes(tree);
      await expect(generate(tree, { name: 'web', deps: 'billing' })).rejects.toThrow(/billing/);
      await expect(generate(tree, { name: 'web', deps: 'billing' })).rejects.toThrow('"billing" has no library target (src/lib.rs)');
      expect(changes(tree)).toEqual(before);
    });
  });

  describe('invalid input throws a clear message and leaves the tree unchanged', () => {
    const expectRejected = async (schema: Partial<ServiceGeneratorSchema> & { name: string }, message: string | RegExp) => {
      const before = changes(tree);
      await expect(generate(tree, schema)).rejects.toThrow(message);
      expect(changes(tree)).toEqual(before);
    };

    it.each(['Api', '1api', 'billing--api', 'api-', 'billing api', 'api/v2'])('rejects the invalid name %j', async (name) => {
      await expectRejected({ name }, `"${name}" is not a valid service name`);
    });

    it('rejects an empty name', async () => {
      await expectRejected({ name: '  ' }, 'the service name is empty');
    });

    it.each(['std', 'test', 'target', 'fn', 'self', 'con', 'lpt1'])('rejects the reserved name %j', async (name) => {
      await expectRejected({ name }, /keyword|clashes with a built-in Rust crate|reserved file name on Windows/);
    });

    it('rejects the name of an existing crate', async () => {
      tree.write('libs/billing/Cargo.toml', '[package]\nname = "billing"\nversion = "0.1.0"\n');
      await expectRejected({ name: 'billing' }, 'a crate or project named "billing" already exists (libs/billing/Cargo.toml); choose another name.');
    });

    it('rejects the name of an existing Nx project', async () => {
      addProjectConfiguration(tree, 'web', { root: 'apps/web' });
      await expectRejected({ name: 'web', directory: 'services/web' }, 'project "web" already exists (apps/web); choose another name.');
    });

    it('rejects the Nx name an existing crate takes through [package.metadata.nx]', async () => {
      tree.write('libs/core/Cargo.toml', '[package]\nname = "core"\nversion = "0.1.0"\n\n[package.metadata.nx]\nname = "api"\n');
      await expectRejected({ name: 'api', directory: 'services/api' }, /already exists/);
      await expectRejected({ name: 'api', directory: 'services/api' }, 'a crate or project named "api" already exists (libs/core/Cargo.toml); choose another name.');
    });

    it('rejects an existing folder', async () => {
      tree.write('api/README.md', '# old api\n');
      await expectRejected({ name: 'api' }, 'folder "api" already exists; choose another --directory or name.');
      tree.write('services/api/notes.txt', '');
      await expectRejected({ name: 'api2', directory: 'services/api' }, 'folder "services/api" already exists');
    });

    it.each(['../outside', '/abs/api', '..'])('rejects a --directory outside the workspace (%j)', async (directory) => {
      await expectRejected({ name: 'api', directory }, `--directory "${directory}" must be a folder inside the workspace, e.g. "services/api".`);
    });

    it.each(['rocket', 'actix-web', 'axum2', ''])('rejects the unknown framework %j', async (framework) => {
      await expectRejected({ name: 'api', framework: framework as ServiceFramework }, `--framework "${framework}" is not one of axum, warp, actix (e.g. --framework warp).`);
    });

    it('rejects an unknown framework after an earlier service, leaving that one as it was', async () => {
      await generate(tree, { name: 'api', framework: 'warp' });
      await expectRejected({ name: 'web', framework: 'rocket' as ServiceFramework }, '--framework "rocket" is not one of axum, warp, actix');
    });

    it.each([0, -1, 70000, 65536, 80.5, Number.NaN, 'abc' as unknown as number])('rejects the port %p', async (port) => {
      await expectRejected({ name: 'api', port }, `--port ${port} is not a port: use a whole number from 1 to 65535 (e.g. --port 8080).`);
    });

    it('refuses a --port compose.yaml already publishes for another service, suggesting a free one', async () => {
      await generate(tree, { name: 'api', port: 8080 });
      await generate(tree, { name: 'web', port: 8081 });
      await expectRejected(
        { name: 'billing', port: 8080 },
        'port 8080 is already published by "api" in compose.yaml (published ports must differ, container ports need not); pass a free one, e.g. --port 8082.',
      );
    });

    it('accepts the port bounds and a numeric string', async () => {
      await generate(tree, { name: 'low', port: 1 });
      await generate(tree, { name: 'high', port: 65535 });
      await generate(tree, { name: 'text', port: '3000' as unknown as number });
      expect(exposedPort(read(tree, 'low/Dockerfile'))).toBe(1);
      expect(exposedPort(read(tree, 'high/Dockerfile'))).toBe(65535);
      expect(exposedPort(read(tree, 'text/Dockerfile'))).toBe(3000);
    });
  });
});

describe('normalizeOptions', () => {
  it('trims the name, defaults the folder to it and splits the tags', () => {
    const tree = createTreeWithEmptyWorkspace();
    expect(normalizeOptions(tree, { name: ' api ', tags: ' a ,, b ' })).toEqual({
      name: 'api',
      projectRoot: 'api',
      port: 8080,
      framework: 'axum',
      runtime: 'scratch',
      tags: ['a', 'b'],
      deps: [],
      with: [],
      skipFormat: false,
    });
  });

  it('defaults the framework to axum and accepts it in any case, with spaces', () => {
    expect(DEFAULT_FRAMEWORK).toBe('axum');
    expect(normalizeFramework(undefined)).toBe('axum');
    expect(normalizeFramework(' Warp ')).toBe('warp');
    expect(normalizeFramework('ACTIX')).toBe('actix');
    expect(() => normalizeFramework('rocket')).toThrow('--framework "rocket" is not one of axum, warp, actix (e.g. --framework warp).');
  });
});

describe('--framework', () => {
  let tree: Tree;
  beforeEach(() => (tree = createTreeWithEmptyWorkspace()));

  /** What each framework's crate manifest and the root's [workspace.dependencies] must hold. */
  const expected: Record<ServiceFramework, { dependencies: Doc; devDependencies?: Doc; workspace: Doc; serve: string }> = {
    axum: {
      dependencies: {
        axum: { workspace: true },
        serde_json: { workspace: true },
        tokio: { workspace: true, features: ['macros', 'net', 'rt-multi-thread', 'signal'] },
      },
      workspace: { axum: '0.8', serde_json: '1', tokio: '1' },
      serve: 'axum::serve(listener, app())',
    },
    warp: {
      dependencies: {
        serde_json: { workspace: true },
        tokio: { workspace: true, features: ['macros', 'net', 'rt-multi-thread', 'signal'] },
        warp: { workspace: true, features: ['server'] },
      },
      devDependencies: { warp: { workspace: true, features: ['test'] } },
      workspace: { serde_json: '1', tokio: '1', warp: '0.4' },
      serve: 'warp::serve(app())',
    },
    actix: {
      dependencies: {
        'actix-web': { workspace: true, features: ['macros'] },
        serde_json: { workspace: true },
      },
      workspace: { 'actix-web': { version: '4', 'default-features': false }, serde_json: '1' },
      serve: 'HttpServer::new(',
    },
  };

  it('offers the same frameworks in schema.json, axum the default, as an important option', () => {
    const property = require('./schema.json').properties.framework;
    expect(property).toEqual(expect.objectContaining({ type: 'string', enum: [...SERVICE_FRAMEWORKS], default: DEFAULT_FRAMEWORK, 'x-priority': 'important' }));
    expect(Object.keys(FRAMEWORK_DEPENDENCIES).sort()).toEqual([...SERVICE_FRAMEWORKS].sort());
    expect(SERVICE_DEPENDENCIES).toBe(FRAMEWORK_DEPENDENCIES.axum);
  });

  it('writes the axum service byte for byte as before when no framework is given', async () => {
    await generate(tree, { name: 'api' });
    expect(read(tree, 'api/Cargo.toml')).toBe(
      [
        '[package]',
        'name = "api"',
        'version = "0.1.0"',
        'edition = "2024"',
        'publish = false',
        '',
        '[[bin]]',
        'name = "api"',
        'path = "src/main.rs"',
        '',
        '[dependencies]',
        'axum = { workspace = true }',
        'serde_json = { workspace = true }',
        'tokio = { workspace = true, features = ["macros", "net", "rt-multi-thread", "signal"] }',
        '',
      ].join('\n'),
    );
    // The main.rs the generator wrote before --framework existed, for "api" on port 8080.
    expect(createHash('sha256').update(read(tree, 'api/src/main.rs')).digest('hex')).toBe('1a8465a86b7cda552c567428c2d6b882201099df39743185cf918e328585a021');
    const explicit = createTreeWithEmptyWorkspace();
    await generate(explicit, { name: 'api', framework: 'axum' });
    for (const file of ['Cargo.toml', 'api/Cargo.toml', 'api/src/main.rs', 'api/Dockerfile']) expect(read(explicit, file)).toBe(read(tree, file));
  });

  describe.each(SERVICE_FRAMEWORKS)('%s', (framework) => {
    beforeEach(async () => {
      await generate(tree, { name: 'api', framework, port: 9000, tags: 'scope:api' });
    });

    it('writes the same files as every framework', () => {
      const files = tree.listChanges().map((c) => c.path).filter((p) => p.startsWith('api/')).sort();
      expect(files).toEqual(['api/Cargo.toml', 'api/Dockerfile', 'api/src/main.rs']);
    });

    it('writes a crate manifest that parses, with a [[bin]], the tags and its framework dependencies', () => {
      const crate = parse(read(tree, 'api/Cargo.toml'));
      expect(crate.package).toEqual({ name: 'api', version: '0.1.0', edition: '2024', publish: false, metadata: { nx: { tags: ['scope:api'] } } });
      expect(crate.bin).toEqual([{ name: 'api', path: 'src/main.rs' }]);
      expect(crate.dependencies).toEqual(expected[framework].dependencies);
      expect(crate['dev-dependencies']).toEqual(expected[framework].devDependencies);
    });

    it('adds its shared versions to [workspace.dependencies], covering every `workspace = true` dependency', () => {
      const root = parse(read(tree, 'Cargo.toml'));
      expect(root.workspace.members).toEqual(['api']);
      expect(root.workspace.dependencies).toEqual(expected[framework].workspace);
      const crate = parse(read(tree, 'api/Cargo.toml'));
      for (const [key, value] of Object.entries({ ...crate.dependencies, ...crate['dev-dependencies'] })) {
        if ((value as Doc).workspace) expect(Object.keys(root.workspace.dependencies)).toContain(key);
      }
    });

    it('writes a main.rs with the name, the port, both routes, signal handling, the healthcheck subcommand and a test', () => {
      const main = read(tree, 'api/src/main.rs');
      expect(main).toContain('const SERVICE: &str = "api";');
      expect(main).toContain('const DEFAULT_PORT: u16 = 9000;');
      expect(main).toContain('std::env::var("PORT")');
      expect(main).toContain('Ipv4Addr::UNSPECIFIED');
      expect(main).toContain(expected[framework].serve);
      expect(main).toMatch(/"health"|"\/health"/);
      expect(main).toContain('json!({ "status": "ok" })');
      expect(main).toContain('json!({ "service": SERVICE, "version": env!("CARGO_PKG_VERSION") })');
      expect(main).toContain('println!("{SERVICE} listening on {address}");');
      expect(main).toContain('println!("{SERVICE} shutting down");');
      expect(main).toContain('SignalKind::terminate()');
      expect(main).toContain('signal::ctrl_c()');
      expect(main).toContain('Some("healthcheck")');
      expect(main).toContain('fn healthcheck(port: u16)');
      expect(main).toContain('b"GET /health HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n"');
      expect(main).toContain('async fn health_reports_ok()');
      expect(main).not.toMatch(/<%|%>/);
      for (const other of SERVICE_FRAMEWORKS.filter((f) => f !== framework)) expect(main).not.toMatch(new RegExp(`\\b${other}(_web)?::`));
    });

    it('writes the same Dockerfile, with the healthcheck, as the other frameworks', () => {
      const dockerfile = read(tree, 'api/Dockerfile');
      expect(exposedPort(dockerfile)).toBe(9000);
      expect(dockerfile).toContain('--package api --bin api');
      expect(dockerfile).toContain('CMD ["/usr/local/bin/api", "healthcheck"]');
    });
  });

  it('adds --deps to [dependencies], not to the [dev-dependencies] after it', async () => {
    tree.write('libs/shared/Cargo.toml', '[package]\nname = "shared"\nversion = "0.1.0"\n');
    tree.write('libs/shared/src/lib.rs', '');
    await generate(tree, { name: 'api', framework: 'warp', deps: 'shared' });
    const crate = parse(read(tree, 'api/Cargo.toml'));
    expect(crate.dependencies.shared).toEqual({ path: '../libs/shared' });
    expect(crate['dev-dependencies']).toEqual({ warp: { workspace: true, features: ['test'] } });
  });

  it('lets services of every framework share one workspace, adding only the versions still missing', async () => {
    await generate(tree, { name: 'api' });
    await generate(tree, { name: 'events', framework: 'warp' });
    await generate(tree, { name: 'billing', framework: 'actix' });
    const text = read(tree, 'Cargo.toml');
    const root = parse(text);
    expect(root.workspace.members).toEqual(['api', 'events', 'billing']);
    expect(root.workspace.dependencies).toEqual({ axum: '0.8', serde_json: '1', tokio: '1', warp: '0.4', 'actix-web': { version: '4', 'default-features': false } });
    expect(text.match(/^serde_json = /gm)).toHaveLength(1);
    expect(read(tree, 'events/src/main.rs')).toContain('const DEFAULT_PORT: u16 = 8081;');
    expect(read(tree, 'billing/src/main.rs')).toContain('const DEFAULT_PORT: u16 = 8082;');
  });

  it("keeps the user's own versions of the framework crates", async () => {
    tree.write('Cargo.toml', '[workspace]\nresolver = "2"\nmembers = []\n\n[workspace.dependencies]\nactix-web = "=4.9.0" # pinned\n');
    await generate(tree, { name: 'api', framework: 'actix' });
    const text = read(tree, 'Cargo.toml');
    expect(text).toContain('actix-web = "=4.9.0" # pinned');
    expect(parse(text).workspace.dependencies).toEqual({ 'actix-web': '=4.9.0', serde_json: '1' });
  });
});
