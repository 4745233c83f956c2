import { describeExpectation, GENERATED_HEALTH_BODY, healthExpectation, meetsExpectation, type HealthExpectation } from './health';

const generated = [{ file: 'api/src/main.rs', text: 'fn main() { if std::env::args().nth(1).as_deref() == Some("healthcheck") {} }\n.route("/health", get(health))' }];
const adopted = [{ file: 'wp/src/main.rs', text: 'fn main() {\n    let health = warp::path!("healthz").map(|| "ok");\n}\n' }];
const bare = [{ file: 'ac/src/main.rs', text: 'fn main() { HttpServer::new(app).bind(("0.0.0.0", 8080)); }\n' }];

describe('healthExpectation', () => {
  it('checks a generated service (it has the healthcheck subcommand) on /health for 200 and {"status":"ok"}', () => {
    const e = healthExpectation({}, () => generated);
    expect([e.path, e.status, String(e.body)]).toEqual(['/health', 200, String(new RegExp(GENERATED_HEALTH_BODY))]);
    expect(describeExpectation(e)).toBe('GET /health expects 200 and a body matching /"status"\\s*:\\s*"ok"/');
  });

  it('checks another service on the health route its sources name, for any 2xx status and no body', () => {
    const e = healthExpectation({}, () => adopted);
    expect([e.path, e.status, e.body]).toEqual(['/healthz', undefined, undefined]);
    expect(e.origin).toBe('the route "/healthz" at wp/src/main.rs:2');
    expect(describeExpectation(e)).toBe('GET /healthz expects any 2xx status');
  });

  it('falls back to / for a service that names no health route', () => {
    const e = healthExpectation({}, () => bare);
    expect([e.path, e.status, e.body]).toEqual(['/', undefined, undefined]);
    expect(e.origin).toBe('no health route in its sources, so the root');
  });

  it('takes each option over its default, per part', () => {
    expect(healthExpectation({ path: '/ready' }, () => generated)).toEqual(expect.objectContaining({ path: '/ready', status: 200, origin: 'the "path" option' }));
    expect(healthExpectation({ expectStatus: 204 }, () => adopted)).toEqual(expect.objectContaining({ path: '/healthz', status: 204, body: undefined }));
    expect(String(healthExpectation({ expectBody: 'up' }, () => adopted).body)).toBe('/up/');
    expect(healthExpectation({ expectBody: '' }, () => generated).body).toBeUndefined();
    expect(healthExpectation({ path: 'live' }, () => bare).path).toBe('/live');
  });

  it('reads no sources when every part is given', () => {
    const sources = jest.fn(() => generated);
    healthExpectation({ path: '/x', expectStatus: 200, expectBody: 'ok' }, sources);
    expect(sources).not.toHaveBeenCalled();
  });

  it('lets the caller say it is a generated service', () => {
    expect(healthExpectation({}, () => bare, true).path).toBe('/health');
    expect(healthExpectation({}, () => generated, false).status).toBeUndefined();
  });
});

describe('meetsExpectation', () => {
  const strict: HealthExpectation = { path: '/health', status: 200, body: new RegExp(GENERATED_HEALTH_BODY), origin: '' };
  const any2xx: HealthExpectation = { path: '/', origin: '' };

  it('needs the status and a matching body when both are expected', () => {
    expect(meetsExpectation({ status: 200, body: '{"status":"ok"}' }, strict)).toBe(true);
    expect(meetsExpectation({ status: 200, body: '{ "status" : "ok", "db": "up" }' }, strict)).toBe(true);
    expect(meetsExpectation({ status: 503, body: '{"status":"ok"}' }, strict)).toBe(false);
    expect(meetsExpectation({ status: 200, body: '{"status":"starting"}' }, strict)).toBe(false);
    expect(meetsExpectation({ status: 200, body: '' }, strict)).toBe(false);
  });

  it('accepts any 2xx status, and only those, when no status is expected', () => {
    for (const status of [200, 201, 204, 299]) expect(meetsExpectation({ status, body: '' }, any2xx)).toBe(true);
    for (const status of [101, 301, 404, 500, 503]) expect(meetsExpectation({ status, body: 'ok' }, any2xx)).toBe(false);
  });

  it('is not met without an answer', () => {
    expect(meetsExpectation(undefined, any2xx)).toBe(false);
  });
});
