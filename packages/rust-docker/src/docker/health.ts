import { detectHealthRoute, hasHealthcheckCommand, type SourceFile } from '../cargo/service-sources';

/**
 * What "healthy" means for a service, decided the same way by health-check, compose-up and
 * the docker generator (which prints it). A generated service (it has the `healthcheck`
 * subcommand) answers `GET /health` with `{"status":"ok"}`; any other service is healthy
 * when its health route (found in its sources: "/health", "/healthz", ...) or else `/`
 * answers with any 2xx status. Each part can be set in the target's options.
 */

export interface HealthOptions {
  path?: string;
  expectStatus?: number;
  expectBody?: string;
}

export interface HealthExpectation {
  path: string;
  /** Undefined: any 2xx status. */
  status?: number;
  body?: RegExp;
  /** Where the path came from, for messages. */
  origin: string;
}

export const GENERATED_HEALTH_BODY = '"status"\\s*:\\s*"ok"';

/**
 * `sources` are read only when an option is missing; `generated` (the binary has the
 * `healthcheck` subcommand) is read from them unless the caller knows it.
 */
export function healthExpectation(options: HealthOptions, sources: () => SourceFile[], generated?: boolean): HealthExpectation {
  const all = options.path !== undefined && options.expectStatus !== undefined && options.expectBody !== undefined;
  const files = all ? [] : sources();
  generated ??= !all && hasHealthcheckCommand(files);
  let path = options.path;
  let origin = 'the "path" option';
  if (path === undefined && generated) {
    path = '/health';
    origin = 'the health route of generated services';
  } else if (path === undefined) {
    const route = detectHealthRoute(files);
    path = route?.path ?? '/';
    origin = route ? `the route "${route.path}" at ${route.where}` : 'no health route in its sources, so the root';
  }
  const body = options.expectBody !== undefined ? options.expectBody : generated ? GENERATED_HEALTH_BODY : undefined;
  return {
    path: path.startsWith('/') ? path : `/${path}`,
    status: options.expectStatus ?? (generated ? 200 : undefined),
    body: body !== undefined && body !== '' ? new RegExp(body) : undefined,
    origin,
  };
}

export function meetsExpectation(result: ProbeResult | undefined, expectation: HealthExpectation): boolean {
  if (!result) return false;
  const statusOk = expectation.status !== undefined ? result.status === expectation.status : result.status >= 200 && result.status < 300;
  return statusOk && (!expectation.body || expectation.body.test(result.body));
}

/** `GET /health expects 200 and a body matching /.../`, `GET /healthz expects any 2xx status`. */
export function describeExpectation(expectation: HealthExpectation): string {
  const status = expectation.status !== undefined ? String(expectation.status) : 'any 2xx status';
  return `GET ${expectation.path} expects ${status}${expectation.body ? ` and a body matching ${expectation.body}` : ''}`;
}

export interface ProbeResult {
  status: number;
  body: string;
}

/** One HTTP GET with its own short deadline; undefined while nothing answers. */
export async function probe(url: string, timeoutMs: number): Promise<ProbeResult | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, body: await response.text() };
  } catch {
    return undefined;
  }
}
