import { parse } from 'yaml';
import {
  addComposeService,
  BACKING_SERVICES,
  BACKINGS,
  backingList,
  COMPOSE_FILE,
  composeServices,
  serviceEntry,
  type ComposeService,
} from './compose-file';

type Doc = Record<string, any>;
const doc = (text: string): Doc => parse(text) as Doc;

const api: ComposeService = { name: 'api', dockerfile: 'services/api/Dockerfile', bin: 'api', port: 8080, with: [] };

describe('serviceEntry', () => {
  it('builds from the workspace root with the Dockerfile, publishes on loopback only and sets PORT', () => {
    const entry = serviceEntry(api);
    expect(entry.build).toEqual({ context: '.', dockerfile: 'services/api/Dockerfile' });
    expect(entry.image).toBe('api:latest');
    expect(entry.ports).toEqual(['127.0.0.1:8080:8080']);
    expect(entry.environment).toEqual({ RUST_LOG: 'info', PORT: '8080' });
    expect(entry).not.toHaveProperty('depends_on');
  });

  it('runs hardened, as production should: read-only root, /tmp in memory, no capabilities, no privilege escalation, limits', () => {
    expect(serviceEntry(api)).toEqual(
      expect.objectContaining({
        read_only: true,
        tmpfs: ['/tmp'],
        cap_drop: ['ALL'],
        security_opt: ['no-new-privileges:true'],
        cpus: 1,
        mem_limit: '256m',
        restart: 'unless-stopped',
      }),
    );
  });

  it('checks health through the binary, unless it has no healthcheck subcommand', () => {
    expect(serviceEntry(api).healthcheck).toEqual({ test: ['CMD', '/usr/local/bin/api', 'healthcheck'], interval: '3s', timeout: '2s', retries: 5, start_period: '5s' });
    expect(serviceEntry({ ...api, healthcheck: true }).healthcheck).toEqual(serviceEntry(api).healthcheck);
    expect(serviceEntry({ ...api, healthcheck: false }).healthcheck).toEqual({ disable: true });
  });

  it('adds each backing service as a healthy dependency and its URL to the environment', () => {
    const entry = serviceEntry({ ...api, with: ['postgres', 'redis'] });
    expect(entry.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    expect(entry.environment).toEqual({
      RUST_LOG: 'info',
      PORT: '8080',
      DATABASE_URL: 'postgres://app:${POSTGRES_PASSWORD:-app}@postgres:5432/app',
      REDIS_URL: 'redis://redis:6379',
    });
  });
});

describe('BACKING_SERVICES', () => {
  it.each(BACKINGS)('pins %s to a version, with its own health check and a named volume', (backing) => {
    const spec = BACKING_SERVICES[backing];
    expect(spec.service.image).toMatch(new RegExp(`^${backing}:\\d+\\.\\d+(\\.\\d+)?-alpine$`));
    expect(spec.service.healthcheck).toEqual(expect.objectContaining({ test: expect.any(Array), interval: '5s' }));
    expect(spec.service.volumes).toEqual([expect.stringMatching(new RegExp(`^${spec.volume}:/`))]);
    expect(spec.service).not.toHaveProperty('ports'); // reached inside the compose network only
  });
});

describe('addComposeService', () => {
  it('writes a new compose.yaml with a header comment, the service and no version key', () => {
    const text = addComposeService(undefined, api);
    expect(COMPOSE_FILE).toBe('compose.yaml');
    expect(text.startsWith('# Services of this workspace, kept in step by @org/rust-docker.\n# Bring them up with: nx run compose:compose-up')).toBe(true);
    expect(doc(text)).toEqual({ services: { api: serviceEntry(api) } });
    expect(text).not.toMatch(/^version:/m);
    // Block style throughout: one key a line.
    expect(text).toContain('\nservices:\n  api:\n    build:\n      context: .\n      dockerfile: services/api/Dockerfile\n');
  });

  it("keeps a user's comments and own services, adding the new one after them", () => {
    const user = '# our stack\nservices:\n  # the legacy gateway\n  gateway:\n    image: nginx:1.27 # pinned on purpose\n    ports: ["8000:80"]\n';
    const text = addComposeService(user, api);
    expect(text).toContain('# our stack');
    expect(text).toContain('# the legacy gateway');
    expect(text).toContain('image: nginx:1.27 # pinned on purpose');
    const parsed = doc(text);
    expect(Object.keys(parsed.services)).toEqual(['gateway', 'api']);
    expect(parsed.services.gateway).toEqual({ image: 'nginx:1.27', ports: ['8000:80'] });
    expect(parsed.services.api).toEqual(serviceEntry(api));
  });

  it("updates only its own keys when the service is added again, keeping the user's extra keys and variables", () => {
    const first = addComposeService(undefined, api);
    const edited = first
      .replace('    image: api:latest\n', '    image: api:latest\n    labels:\n      team: billing\n')
      .replace('      RUST_LOG: info\n', '      RUST_LOG: debug\n      FEATURE_X: "on"\n')
      .replace('    mem_limit: 256m\n', '    mem_limit: 1g\n');
    const text = addComposeService(edited, { ...api, port: 9090, bin: 'api-server', dockerfile: 'svc/api/Dockerfile' });
    const entry = doc(text).services.api;
    expect(entry.labels).toEqual({ team: 'billing' });
    expect(entry.environment).toEqual({ RUST_LOG: 'info', FEATURE_X: 'on', PORT: '9090' });
    expect(entry.ports).toEqual(['127.0.0.1:9090:9090']);
    expect(entry.build).toEqual({ context: '.', dockerfile: 'svc/api/Dockerfile' });
    expect(entry.healthcheck.test).toEqual(['CMD', '/usr/local/bin/api-server', 'healthcheck']);
    expect(entry.mem_limit).toBe('256m'); // a key the plugin owns
    expect(Object.keys(doc(text).services)).toEqual(['api']);
  });

  it('changes nothing when the same service is added again', () => {
    const once = addComposeService(undefined, { ...api, with: ['postgres'] });
    expect(addComposeService(once, { ...api, with: ['postgres'] })).toBe(once);
  });

  it('adds a backing service once, with its volume, a healthy depends_on and its URL, however many services use it', () => {
    let text = addComposeService(undefined, { ...api, with: ['postgres'] });
    text = addComposeService(text, { name: 'worker', dockerfile: 'services/worker/Dockerfile', bin: 'worker', port: 8081, with: ['postgres', 'redis'] });
    const parsed = doc(text);
    expect(Object.keys(parsed.services)).toEqual(['api', 'postgres', 'worker', 'redis']);
    expect(parsed.services.postgres).toEqual(BACKING_SERVICES.postgres.service);
    expect(parsed.services.redis).toEqual(BACKING_SERVICES.redis.service);
    expect(parsed.volumes).toEqual({ 'postgres-data': {}, 'redis-data': {} });
    expect(parsed.services.api.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(parsed.services.worker.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    expect(parsed.services.api.environment.DATABASE_URL).toBe('postgres://app:${POSTGRES_PASSWORD:-app}@postgres:5432/app');
    expect(parsed.services.worker.environment.REDIS_URL).toBe('redis://redis:6379');
    expect(text.match(/^ {2}postgres:$/gm)).toHaveLength(1);
  });

  it("reuses a user's own backing service as it is, and adds only the missing volume", () => {
    const user = 'services:\n  postgres:\n    image: postgres:16 # ours\nvolumes:\n  other: {}\n';
    const text = addComposeService(user, { ...api, with: ['postgres'] });
    const parsed = doc(text);
    expect(parsed.services.postgres).toEqual({ image: 'postgres:16' });
    expect(text).toContain('image: postgres:16 # ours');
    expect(parsed.volumes).toEqual({ other: {}, 'postgres-data': {} });
  });

  it('adds a dependency to an existing depends_on map, keeping the ones the user added', () => {
    const first = addComposeService(undefined, { ...api, with: ['postgres'] });
    const edited = first.replace('    depends_on:\n', '    depends_on:\n      migrations:\n        condition: service_completed_successfully\n');
    const entry = doc(addComposeService(edited, { ...api, with: ['postgres', 'redis'] })).services.api;
    expect(entry.depends_on).toEqual({
      migrations: { condition: 'service_completed_successfully' },
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
  });

  it('removes an obsolete version key and never writes one', () => {
    const text = addComposeService('version: "3.8"\n# mine\nservices:\n  db:\n    image: postgres:17.6-alpine\n', api);
    expect(text).not.toMatch(/^version:/m);
    expect(doc(text)).not.toHaveProperty('version');
    expect(text).toContain('# mine');
    expect(Object.keys(doc(text).services)).toEqual(['db', 'api']);
  });

  it('turns an empty services: {} into a block map, so entries are not written on one line', () => {
    const text = addComposeService('services: {}\n', api);
    expect(text.startsWith('services:\n  api:\n')).toBe(true);
    expect(text).not.toContain('{ api');
    expect(doc(text).services.api).toEqual(serviceEntry(api));
  });

  it('turns an empty volumes: {} into a block map too', () => {
    const text = addComposeService('services: {}\nvolumes: {}\n', { ...api, with: ['redis'] });
    expect(text).toMatch(/\nvolumes:\n {2}redis-data: \{\}\n/);
  });

  it('adds services: to a file without it', () => {
    expect(doc(addComposeService('# empty\n', api))).toEqual({ services: { api: serviceEntry(api) } });
    expect(doc(addComposeService('name: shop\n', api))).toEqual({ name: 'shop', services: { api: serviceEntry(api) } });
  });

  it('refuses a file that is not valid YAML, naming it', () => {
    expect(() => addComposeService('services:\n  api: [oops\n', api)).toThrow(/^compose\.yaml is not valid YAML: /);
  });
});

describe('composeServices', () => {
  it('lists every service with the Dockerfile it builds from, relative to the compose file', () => {
    const text = addComposeService(addComposeService(undefined, { ...api, with: ['redis'] }), { ...api, name: 'worker', dockerfile: 'services/worker/Dockerfile', port: 8081 });
    expect(composeServices(text)).toEqual([
      { name: 'api', dockerfile: 'services/api/Dockerfile', image: 'api:latest' },
      { name: 'redis', dockerfile: undefined, image: 'redis:7.4-alpine' },
      { name: 'worker', dockerfile: 'services/worker/Dockerfile', image: 'worker:latest' },
    ]);
  });

  it('resolves build.dockerfile against build.context', () => {
    const text = [
      'services:',
      '  a:',
      '    build:',
      '      context: services/api',
      '      dockerfile: Dockerfile',
      '  b:',
      '    build: { context: .., dockerfile: ./services/b/Dockerfile }',
      '  c:',
      '    build: { dockerfile: docker/c.Dockerfile }',
      '  d:',
      '    build: { context: ./svc/, dockerfile: ../d/Dockerfile }',
    ].join('\n');
    expect(composeServices(text).map((s) => [s.name, s.dockerfile])).toEqual([
      ['a', 'services/api/Dockerfile'],
      ['b', '../services/b/Dockerfile'],
      ['c', 'docker/c.Dockerfile'],
      ['d', 'd/Dockerfile'],
    ]);
  });

  it('gives no Dockerfile to a service that runs an image', () => {
    expect(composeServices('services:\n  db:\n    image: postgres:17.6-alpine\n')).toEqual([{ name: 'db', dockerfile: undefined, image: 'postgres:17.6-alpine' }]);
  });

  it('defaults the Dockerfile to <context>/Dockerfile, also for the short form build: <context>', () => {
    const text = 'services:\n  a:\n    build: services/api\n  b:\n    build:\n      context: ./services/worker\n';
    expect(composeServices(text).map((s) => [s.name, s.dockerfile])).toEqual([
      ['a', 'services/api/Dockerfile'],
      ['b', 'services/worker/Dockerfile'],
    ]);
  });

  it('is empty for a file without services, with no services map, or that does not parse', () => {
    expect(composeServices('')).toEqual([]);
    expect(composeServices('name: x\n')).toEqual([]);
    expect(composeServices('services:\n  - a\n')).toEqual([]);
    expect(composeServices('services: [oops\n')).toEqual([]);
  });

  it('lists a service with an empty entry by name', () => {
    expect(composeServices('services:\n  bare:\n')).toEqual([{ name: 'bare', dockerfile: undefined, image: undefined }]);
  });
});

describe('backingList', () => {
  it.each([
    [undefined, []],
    ['', []],
    ['postgres', ['postgres']],
    ['postgres,redis', ['postgres', 'redis']],
    [' redis , postgres ', ['redis', 'postgres']],
    [['postgres', 'redis'], ['postgres', 'redis']],
    [['postgres,redis', 'postgres'], ['postgres', 'redis']],
  ] as Array<[string | string[] | undefined, string[]]>)('reads %j as %j', (value, expected) => {
    expect(backingList(value)).toEqual(expected);
  });

  it('names every unknown backing service and the known ones', () => {
    expect(() => backingList('mysql')).toThrow('--with mysql: use postgres or redis.');
    expect(() => backingList(['postgres', 'mysql,mongo'])).toThrow('--with mysql, mongo: use postgres or redis.');
  });

  it('is case-sensitive, as the names in compose.yaml are', () => {
    expect(() => backingList('Postgres')).toThrow('--with Postgres: use postgres or redis.');
  });
});
