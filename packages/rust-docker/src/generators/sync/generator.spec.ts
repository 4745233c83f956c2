import * as TOML from '@iarna/toml';
import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { parse as parseYaml } from 'yaml';
import { renderDockerfile, type DockerfileOptions } from '../../docker/dockerfile';
import { libraryGenerator } from '../library/generator';
import { serviceGenerator } from '../service/generator';
import { defaultPort } from '../service/generator';
import { syncGenerator, updateDockerfile, type SyncGeneratorResult } from './generator';
import { removeFromStringArray } from '../../cargo/toml-text';

type Doc = Record<string, any>;
const read = (tree: Tree, file: string) => tree.read(file, 'utf8')!;
const members = (tree: Tree): string[] => (TOML.parse(read(tree, 'Cargo.toml')) as Doc).workspace.members;
const compose = (tree: Tree): Doc => parseYaml(read(tree, 'compose.yaml'));
/** Every pending change of the tree, with its content, to compare before and after. */
const changes = (tree: Tree) => tree.listChanges().map((c) => ({ path: c.path, type: c.type, content: c.content?.toString() }));
const pkg = (name: string, extra = '') => `[package]\nname = "${name}"\nversion = "0.1.0"\nedition = "2024"\n${extra ? `\n${extra}\n` : ''}`;

/** Replaces `from` (which must be there) with `to` in a file of the tree. */
function edit(tree: Tree, file: string, from: string | RegExp, to: string): void {
  const text = read(tree, file);
  expect(text).toMatch(from);
  tree.write(file, text.replace(from, to));
}

/** The change lines of a result's message ("- " items), without the summary line. */
const lines = (result: SyncGeneratorResult | undefined) =>
  (result?.outOfSyncMessage ?? '').split('\n').filter((l) => l.startsWith('- ')).map((l) => l.slice(2));

/** Runs the generator, then checks that a second run finds nothing left to do. */
function sync(tree: Tree): SyncGeneratorResult | undefined {
  const result = syncGenerator(tree);
  const after = changes(tree);
  expect(syncGenerator(tree)).toBeUndefined();
  expect(changes(tree)).toEqual(after);
  return result;
}

/** The Dockerfile the service generator would write for these facts. */
const rendered = (options: Partial<DockerfileOptions> = {}) =>
  renderDockerfile({ name: 'api', bin: 'api', project: 'api', port: 8080, dockerfilePath: 'api/Dockerfile', runtime: 'scratch', ...options });

/** A service `api` (with postgres) and a library `libs/shared`, as the plugin's generators write them. */
async function workspace(): Promise<Tree> {
  const tree = createTreeWithEmptyWorkspace();
  await serviceGenerator(tree, { name: 'api', skipFormat: true, with: ['postgres'] });
  await libraryGenerator(tree, { name: 'shared', directory: 'libs/shared', skipFormat: true });
  return tree;
}

describe('sync generator', () => {
  describe('a workspace in sync', () => {
    it('changes nothing and returns no message', async () => {
      const tree = await workspace();
      const before = changes(tree);
      expect(syncGenerator(tree)).toBeUndefined();
      expect(changes(tree)).toEqual(before);
    });

    it('does not throw without a root Cargo.toml or a compose.yaml', () => {
      const tree = createTreeWithEmptyWorkspace();
      expect(syncGenerator(tree)).toBeUndefined();
      tree.write('tool/Cargo.toml', pkg('tool'));
      tree.write('tool/src/main.rs', 'fn main() {}\n');
      expect(syncGenerator(tree)).toBeUndefined();
    });

    it('syncs a Dockerfile when there is no compose.yaml or root workspace', () => {
      const tree = createTreeWithEmptyWorkspace();
      tree.write('api/Cargo.toml', pkg('api'));
      tree.write('api/src/main.rs', 'const DEFAULT_PORT: u16 = 9000;\nfn main() {}\n');
      tree.write('api/Dockerfile', rendered());
      expect(lines(sync(tree))).toEqual(['api/Dockerfile: port 8080 → 9000']);
      expect(read(tree, 'api/Dockerfile')).toBe(rendered({ port: 9000 }));
      expect(tree.exists('compose.yaml')).toBe(false);
      expect(tree.exists('Cargo.toml')).toBe(false);
    });
  });

  describe('a renamed crate', () => {
    it('renames the package in the Dockerfile, and the compose service and image; the [[bin]] keeps its name', async () => {
      const tree = await workspace();
      edit(tree, 'api/Cargo.toml', '[package]\nname = "api"', '[package]\nname = "billing"');
      const result = sync(tree);
      expect(read(tree, 'api/Dockerfile')).toBe(rendered({ name: 'billing', project: 'billing' }));
      const services = compose(tree).services;
      expect(Object.keys(services)).toEqual(['billing', 'postgres']);
      expect(services.billing.image).toBe('billing:latest');
      expect(services.billing.build).toEqual({ context: '.', dockerfile: 'api/Dockerfile' });
      expect(services.billing.healthcheck.test).toEqual(['CMD', '/usr/local/bin/api', 'healthcheck']);
      expect(services.billing.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
      expect(lines(result)).toEqual([
        'api/Dockerfile: package api → billing',
        'api/Dockerfile: project api → billing',
        'compose.yaml: service api → billing',
        'compose.yaml: billing image api:latest → billing:latest',
      ]);
    });

    it('follows a rename of both the package and its [[bin]]', async () => {
      const tree = await workspace();
      edit(tree, 'api/Cargo.toml', /name = "api"/g, 'name = "billing"');
      sync(tree);
      expect(read(tree, 'api/Dockerfile')).toBe(rendered({ name: 'billing', bin: 'billing', project: 'billing' }));
      expect(compose(tree).services.billing.healthcheck.test).toEqual(['CMD', '/usr/local/bin/billing', 'healthcheck']);
    });

    it('follows the implicit binary (src/main.rs) when there is no [[bin]]', async () => {
      const tree = await workspace();
      edit(tree, 'api/Cargo.toml', '[[bin]]\nname = "api"\npath = "src/main.rs"\n\n', '');
      expect(syncGenerator(tree)).toBeUndefined(); // the implicit binary is still called api
      edit(tree, 'api/Cargo.toml', 'name = "api"', 'name = "orders"');
      sync(tree);
      expect(read(tree, 'api/Dockerfile')).toBe(rendered({ name: 'orders', bin: 'orders', project: 'orders' }));
    });

    it('renames the compose service after [package.metadata.nx] name, and depends_on entries that point at it', async () => {
      const tree = await workspace();
      edit(tree, 'api/Cargo.toml', 'publish = false\n', 'publish = false\n\n[package.metadata.nx]\nname = "billing-api"\n');
      edit(tree, 'compose.yaml', /\n  postgres:\n/, '\n  gateway:\n    image: nginx:1.27\n    depends_on:\n      - api\n  postgres:\n');
      const result = sync(tree);
      expect(read(tree, 'api/Dockerfile')).toBe(rendered({ project: 'billing-api' }));
      const services = compose(tree).services;
      expect(Object.keys(services)).toEqual(['billing-api', 'gateway', 'postgres']);
      expect(services['billing-api'].image).toBe('billing-api:latest');
      expect(services.gateway.depends_on).toEqual(['billing-api']);
      expect(lines(result)).toEqual([
        'api/Dockerfile: project api → billing-api',
        'compose.yaml: service api → billing-api (and depends_on of gateway)',
        'compose.yaml: billing-api image api:latest → billing-api:latest',
      ]);
    });

    it("leaves a compose image that is the user's own", async () => {
      const tree = await workspace();
      edit(tree, 'compose.yaml', 'image: api:latest', 'image: registry.example.com/team/api:1.2');
      edit(tree, 'api/Cargo.toml', '[package]\nname = "api"', '[package]\nname = "billing"');
      sync(tree);
      expect(compose(tree).services.billing.image).toBe('registry.example.com/team/api:1.2');
    });
  });

  describe('a renamed binary', () => {
    it('ships the new binary: cargo --bin, /out, /usr/local/bin, and the compose health check', async () => {
      const tree = await workspace();
      edit(tree, 'api/Cargo.toml', '[[bin]]\nname = "api"', '[[bin]]\nname = "api-server"');
      const result = sync(tree);
      const dockerfile = read(tree, 'api/Dockerfile');
      expect(dockerfile).toBe(rendered({ bin: 'api-server' }));
      expect(dockerfile).toContain('--package api --bin api-server');
      expect(dockerfile).toContain('COPY --from=builder /out/api-server /usr/local/bin/api-server');
      expect(dockerfile).toContain('ENTRYPOINT ["/usr/local/bin/api-server"]');
      const api = compose(tree).services.api;
      expect(api.healthcheck.test).toEqual(['CMD', '/usr/local/bin/api-server', 'healthcheck']);
      expect(api.image).toBe('api:latest');
      expect(lines(result)).toEqual([
        'api/Dockerfile: binary api → api-server',
        'compose.yaml: api healthcheck /usr/local/bin/api → /usr/local/bin/api-server',
      ]);
    });

    it('keeps the binary the Dockerfile names while the crate still has it', async () => {
      const tree = await workspace();
      tree.write('api/src/bin/migrate.rs', 'fn main() {}\n');
      expect(syncGenerator(tree)).toBeUndefined();
    });
  });

  describe('a changed port', () => {
    it('follows DEFAULT_PORT in main.rs: EXPOSE and ENV PORT, the published port and PORT in compose', async () => {
      const tree = await workspace();
      edit(tree, 'api/src/main.rs', 'const DEFAULT_PORT: u16 = 8080;', 'const DEFAULT_PORT: u16 = 9090;');
      const result = sync(tree);
      expect(read(tree, 'api/Dockerfile')).toBe(rendered({ port: 9090 }));
      const api = compose(tree).services.api;
      expect(api.ports).toEqual(['127.0.0.1:9090:9090']);
      expect(api.environment).toEqual({ RUST_LOG: 'info', PORT: '9090', DATABASE_URL: 'postgres://app:${POSTGRES_PASSWORD:-app}@postgres:5432/app' });
      expect(read(tree, 'compose.yaml')).toContain('PORT: "9090"');
      expect(lines(result)).toEqual([
        'api/Dockerfile: port 8080 → 9090',
        'compose.yaml: api ports 127.0.0.1:8080:8080 → 127.0.0.1:9090:9090',
        'compose.yaml: api PORT 8080 → 9090',
      ]);
    });

    it('keeps a host port the user remapped, moving only the container port', async () => {
      const tree = await workspace();
      edit(tree, 'compose.yaml', '127.0.0.1:8080:8080', '127.0.0.1:18080:8080');
      edit(tree, 'api/src/main.rs', 'DEFAULT_PORT: u16 = 8080', 'DEFAULT_PORT: u16 = 9090');
      sync(tree);
      expect(compose(tree).services.api.ports).toEqual(['127.0.0.1:18080:9090']);
    });

    it("takes the Dockerfile's EXPOSE when main.rs has no DEFAULT_PORT, and fixes an ENV PORT that differs", async () => {
      const tree = await workspace();
      edit(tree, 'api/src/main.rs', 'const DEFAULT_PORT: u16 = 8080;', 'const FALLBACK: u16 = 1;');
      edit(tree, 'api/Dockerfile', 'EXPOSE 8080', 'EXPOSE 7000');
      const result = sync(tree);
      expect(read(tree, 'api/Dockerfile')).toBe(rendered({ port: 7000 }));
      expect(compose(tree).services.api.ports).toEqual(['127.0.0.1:7000:7000']);
      expect(compose(tree).services.api.environment.PORT).toBe('7000');
      expect(lines(result)).toEqual([
        'api/Dockerfile: ENV PORT 8080 → 7000',
        'compose.yaml: api ports 127.0.0.1:8080:8080 → 127.0.0.1:7000:7000',
        'compose.yaml: api PORT 8080 → 7000',
      ]);
    });
  });

  describe("a user's own edits", () => {
    it('survive in compose.yaml and in the Dockerfile', async () => {
      const tree = await workspace();
      edit(tree, 'compose.yaml', '  api:\n', '  # The public API (kept by sync)\n  api:\n');
      const command = '    command: ["--log-format", "json", "--a-long-argument-that-goes-well-past-eighty-columns-in-this-file"]\n';
      edit(tree, 'compose.yaml', '    mem_limit: 256m\n', `    mem_limit: 256m # raised for load tests\n${command}    labels:\n      team: payments\n`);
      edit(tree, 'compose.yaml', 'volumes:\n  postgres-data', '  adminer:\n    image: adminer:4 # admin UI\n    ports:\n      - 127.0.0.1:8081:8080\nvolumes:\n  postgres-data');
      const extra = 'LABEL org.opencontainers.image.source="https://example.com/api" # our label\n';
      edit(tree, 'api/Dockerfile', 'ENTRYPOINT', `${extra}ENTRYPOINT`);
      edit(tree, 'api/Cargo.toml', /name = "api"/g, 'name = "billing"');
      edit(tree, 'api/src/main.rs', 'DEFAULT_PORT: u16 = 8080', 'DEFAULT_PORT: u16 = 9090');
      const before = read(tree, 'compose.yaml');
      sync(tree);

      const expected = rendered({ name: 'billing', bin: 'billing', project: 'billing', port: 9090 });
      expect(read(tree, 'api/Dockerfile')).toBe(expected.replace('ENTRYPOINT', `${extra}ENTRYPOINT`));

      const text = read(tree, 'compose.yaml');
      // Only the lines the plugin owns changed, everything else is as it was, byte for byte.
      expect(text).toBe(
        before
          .replace('\n  api:\n', '\n  billing:\n')
          .replace('image: api:latest', 'image: billing:latest')
          .replace('- 127.0.0.1:8080:8080', '- 127.0.0.1:9090:9090')
          .replace('PORT: "8080"', 'PORT: "9090"')
          .replace('- /usr/local/bin/api\n', '- /usr/local/bin/billing\n'),
      );
      expect(text).toContain('# Services of this workspace, kept in step by @org/rust-docker.');
      expect(text).toContain('  # The public API (kept by sync)\n  billing:\n');
      expect(text).toContain('mem_limit: 256m # raised for load tests');
      expect(text).toContain('image: adminer:4 # admin UI');
      expect(text).toContain(command);
      const services = compose(tree).services;
      expect(Object.keys(services)).toEqual(['billing', 'postgres', 'adminer']);
      expect(services.billing.labels).toEqual({ team: 'payments' });
      expect(services.billing.ports).toEqual(['127.0.0.1:9090:9090']);
      expect(services.adminer.ports).toEqual(['127.0.0.1:8081:8080']);
    });

    it('leaves a Dockerfile the plugin did not write alone', async () => {
      const tree = await workspace();
      const own = 'FROM rust:1.95 AS builder\nRUN cargo build --release --package api --bin api\nEXPOSE 8080\n';
      tree.write('api/Dockerfile', own);
      edit(tree, 'api/Cargo.toml', /name = "api"/g, 'name = "billing"');
      edit(tree, 'api/src/main.rs', 'DEFAULT_PORT: u16 = 8080', 'DEFAULT_PORT: u16 = 9090');
      const before = read(tree, 'compose.yaml');
      expect(syncGenerator(tree)).toBeUndefined();
      expect(read(tree, 'api/Dockerfile')).toBe(own);
      expect(read(tree, 'compose.yaml')).toBe(before);
    });
  });

  describe('workspace members', () => {
    const root = [
      '# Company Rust workspace (kept by sync)',
      '[workspace]',
      'resolver = "2"',
      'members = [',
      '    "api", # the HTTP service',
      '    "libs/old", # deleted below',
      '    "crates/*",',
      ']',
      'exclude = ["tools"]',
      '',
      '[profile.release]',
      'lto = true # small binaries',
      '',
    ].join('\n');

    function cargoWorkspace(): Tree {
      const tree = createTreeWithEmptyWorkspace();
      tree.write('Cargo.toml', root);
      tree.write('api/Cargo.toml', pkg('api', '[dependencies]\nshared = { path = "../libs/shared" }'));
      tree.write('api/src/main.rs', 'fn main() {}\n');
      tree.write('libs/shared/Cargo.toml', pkg('shared'));
      tree.write('libs/shared/src/lib.rs', '');
      tree.write('crates/one/Cargo.toml', pkg('one'));
      return tree;
    }

    it('is in sync when every listed folder has a crate: a glob and a path dependency cover the rest', () => {
      const tree = cargoWorkspace();
      tree.write('libs/old/Cargo.toml', pkg('old'));
      expect(syncGenerator(tree)).toBeUndefined();
    });

    it('adds a new crate folder and removes a deleted one, keeping comments and layout', () => {
      const tree = cargoWorkspace();
      tree.write('libs/new/Cargo.toml', pkg('new'));
      tree.write('libs/new/src/lib.rs', '');
      const result = sync(tree);
      expect(read(tree, 'Cargo.toml')).toBe(root.replace('    "libs/old", # deleted below\n', '').replace('    "crates/*",\n', '    "crates/*",\n    "libs/new",\n'));
      expect(members(tree)).toEqual(['api', 'crates/*', 'libs/new']);
      expect(lines(result)).toEqual(['Cargo.toml: remove member libs/old (no Cargo.toml)', 'Cargo.toml: add member libs/new']);
    });

    it('adds nothing for a crate a glob member covers', () => {
      const tree = cargoWorkspace();
      tree.write('libs/old/Cargo.toml', pkg('old'));
      tree.write('crates/two/Cargo.toml', pkg('two'));
      expect(syncGenerator(tree)).toBeUndefined();
    });

    it('adds nothing for excluded, vendored, build-output, node_modules or nested-workspace crates', () => {
      const tree = cargoWorkspace();
      tree.write('libs/old/Cargo.toml', pkg('old'));
      tree.write('tools/gen/Cargo.toml', pkg('gen'));
      tree.write('vendor/serde/Cargo.toml', pkg('serde'));
      tree.write('vendor/serde/.cargo-checksum.json', '{"files":{}}');
      tree.write('target/package/api-0.1.0/Cargo.toml', pkg('api'));
      tree.write('web/node_modules/some-napi/Cargo.toml', pkg('some-napi'));
      tree.write('nested/Cargo.toml', '[workspace]\nmembers = ["inner"]\n');
      tree.write('nested/inner/Cargo.toml', pkg('inner'));
      tree.write('nested/stray/Cargo.toml', pkg('stray'));
      tree.write('docs/Cargo.toml', '[workspace]\n'); // not a crate
      expect(syncGenerator(tree)).toBeUndefined();
    });

    it('adds a crate whose package.workspace names the root but that members do not list', () => {
      const tree = cargoWorkspace();
      tree.write('libs/old/Cargo.toml', pkg('old'));
      tree.write('tools/gen/Cargo.toml', '[package]\nname = "gen"\nversion = "0.1.0"\nworkspace = "../.."\n');
      tree.write('extra/Cargo.toml', '[package]\nname = "extra"\nversion = "0.1.0"\nworkspace = ".."\n');
      expect(lines(sync(tree))).toEqual(['Cargo.toml: add member extra']);
    });

    it('edits a one-line members array', () => {
      const tree = createTreeWithEmptyWorkspace();
      tree.write('Cargo.toml', '[workspace]\nmembers = ["a", "gone", "b"] # all of them\n');
      tree.write('a/Cargo.toml', pkg('a'));
      tree.write('b/Cargo.toml', pkg('b'));
      tree.write('c/Cargo.toml', pkg('c'));
      sync(tree);
      expect(read(tree, 'Cargo.toml')).toBe('[workspace]\nmembers = ["a", "b", "c"] # all of them\n');
    });

    it('leaves a root Cargo.toml that is no workspace alone', () => {
      const tree = createTreeWithEmptyWorkspace();
      tree.write('Cargo.toml', pkg('app'));
      tree.write('sub/Cargo.toml', pkg('sub'));
      expect(syncGenerator(tree)).toBeUndefined();
    });
  });

  it('follows a crate that moved: members, the Dockerfile usage comment and the compose build path', async () => {
    const tree = await workspace();
    for (const file of ['Cargo.toml', 'Dockerfile', 'src/main.rs']) {
      tree.write(`services/api/${file}`, read(tree, `api/${file}`));
    }
    tree.delete('api');
    const result = sync(tree);
    expect(read(tree, 'services/api/Dockerfile')).toBe(rendered({ dockerfilePath: 'services/api/Dockerfile' }));
    expect(compose(tree).services.api.build).toEqual({ context: '.', dockerfile: 'services/api/Dockerfile' });
    expect(members(tree)).toEqual(['libs/shared', 'services/api']);
    expect(lines(result)).toEqual([
      'Cargo.toml: remove member api (no Cargo.toml)',
      'Cargo.toml: add member services/api',
      'services/api/Dockerfile: path api/Dockerfile → services/api/Dockerfile',
      'compose.yaml: api dockerfile api/Dockerfile → services/api/Dockerfile',
    ]);
  });

  it('lists every change in its message, one line each, and is idempotent', async () => {
    const tree = await workspace();
    tree.write('libs/extra/Cargo.toml', pkg('extra'));
    tree.delete('libs/shared');
    edit(tree, 'api/Cargo.toml', /name = "api"/g, 'name = "billing"');
    edit(tree, 'api/src/main.rs', 'DEFAULT_PORT: u16 = 8080', 'DEFAULT_PORT: u16 = 9090');
    const result = sync(tree);
    expect(result?.outOfSyncMessage).toBe(
      [
        '11 changes to follow the Rust crates:',
        '- Cargo.toml: remove member libs/shared (no Cargo.toml)',
        '- Cargo.toml: add member libs/extra',
        '- api/Dockerfile: package api → billing',
        '- api/Dockerfile: binary api → billing',
        '- api/Dockerfile: port 8080 → 9090',
        '- api/Dockerfile: project api → billing',
        '- compose.yaml: service api → billing',
        '- compose.yaml: billing image api:latest → billing:latest',
        '- compose.yaml: billing ports 127.0.0.1:8080:8080 → 127.0.0.1:9090:9090',
        '- compose.yaml: billing PORT 8080 → 9090',
        '- compose.yaml: billing healthcheck /usr/local/bin/api → /usr/local/bin/billing',
      ].join('\n'),
    );
    expect(members(tree)).toEqual(['api', 'libs/extra']);
  });
});

describe('updateDockerfile', () => {
  it('moves a legacy `ENV PORT 8080` and a PORT among other variables', () => {
    const text = 'FROM scratch\nENV PORT 8080\nENV RUST_LOG=info PORT=8080\nEXPOSE 8080/tcp\nEXPOSE 9100\n';
    expect(updateDockerfile(text, { name: 'a', project: 'a', port: 9090, dockerfilePath: 'a/Dockerfile' })).toEqual({
      text: 'FROM scratch\nENV PORT 9090\nENV RUST_LOG=info PORT=9090\nEXPOSE 9090/tcp\nEXPOSE 9100\n',
      changes: ['port 8080 → 9090'],
    });
  });

  it('renames a binary only where it is the binary, not in longer names', () => {
    const text = 'RUN cargo build --package api --bin api && cp "target/x/release/api" /out/api\nCOPY api.toml /usr/local/bin/api.toml\nCOPY --from=b /out/api /usr/local/bin/api\n';
    expect(updateDockerfile(text, { name: 'api', bin: 'srv', project: 'api', dockerfilePath: 'api/Dockerfile' }).text).toBe(
      'RUN cargo build --package api --bin srv && cp "target/x/release/srv" /out/srv\nCOPY api.toml /usr/local/bin/api.toml\nCOPY --from=b /out/srv /usr/local/bin/srv\n',
    );
  });
});

describe('defaultPort', () => {
  it.each([
    ['const DEFAULT_PORT: u16 = 8080;', 8080],
    ['pub(crate) const DEFAULT_PORT: u16 = 9_000;', 9000],
    ['    const DEFAULT_PORT : u16 = 3000u16 ;', 3000],
    ['// const DEFAULT_PORT: u16 = 1234;', undefined],
    ['const DEFAULT_PORT: u16 = 70000;', undefined],
    ['const PORT: u16 = 8080;', undefined],
  ])('%s → %s', (source, port) => expect(defaultPort(`fn a() {}\n${source}\n`)).toBe(port));
});

describe('removeFromStringArray', () => {
  it.each([
    ['members = ["a", "b", "c"]', 'b', 'members = ["a", "c"]'],
    ['members = ["a", "b", "c"]', 'c', 'members = ["a", "b"]'],
    ['members = ["a"]', 'a', 'members = []'],
    ['members = ["a", "b",]', 'b', 'members = ["a",]'],
    ['members = [\n  "a",\n  "b", # note\n  "c"\n]', 'b', 'members = [\n  "a",\n  "c"\n]'],
    ['members = [\n  "a",\n  "b"]', 'b', 'members = [\n  "a"]'],
    ["members = ['a', 'b']", 'a', "members = ['b']"],
    ['members = ["a"]', 'x', 'members = ["a"]'],
  ])('%j without %s', (array, item, expected) => {
    expect(removeFromStringArray(`[workspace]\n${array}\n`, 'workspace', 'members', item)).toBe(`[workspace]\n${expected}\n`);
  });
});
