import { posix } from 'node:path';
import { isMap, parseDocument, type Document } from 'yaml';

/**
 * The workspace's compose.yaml (Compose specification, no `version:` key), edited as a
 * YAML document so a user's comments, key order and own services survive every run.
 */

export const COMPOSE_FILE = 'compose.yaml';

export type Backing = 'postgres' | 'redis';
export const BACKINGS: Backing[] = ['postgres', 'redis'];

export interface ComposeService {
  name: string;
  /** Workspace-relative Dockerfile path. */
  dockerfile: string;
  bin: string;
  /** Port the service listens on inside its container. */
  port: number;
  /** Port published on 127.0.0.1 (default: `port`); unique across the file. */
  hostPort?: number;
  with: Backing[];
  /** The binary has a `healthcheck` subcommand (default true). */
  healthcheck?: boolean;
}

interface BackingSpec {
  service: Record<string, unknown>;
  volume: string;
  /** Environment variable the app reads, and its value inside the compose network. */
  env: [string, string];
}

/** Pinned images with their own health checks; credentials are dev defaults, overridable. */
export const BACKING_SERVICES: Record<Backing, BackingSpec> = {
  postgres: {
    service: {
      image: 'postgres:17.6-alpine',
      environment: {
        POSTGRES_USER: 'app',
        POSTGRES_PASSWORD: '${POSTGRES_PASSWORD:-app}',
        POSTGRES_DB: 'app',
      },
      volumes: ['postgres-data:/var/lib/postgresql/data'],
      healthcheck: {
        test: ['CMD-SHELL', 'pg_isready -U app -d app'],
        interval: '5s',
        timeout: '3s',
        retries: 10,
      },
      restart: 'unless-stopped',
    },
    volume: 'postgres-data',
    env: ['DATABASE_URL', 'postgres://app:${POSTGRES_PASSWORD:-app}@postgres:5432/app'],
  },
  redis: {
    service: {
      image: 'redis:7.4-alpine',
      volumes: ['redis-data:/data'],
      healthcheck: {
        test: ['CMD', 'redis-cli', 'ping'],
        interval: '5s',
        timeout: '3s',
        retries: 10,
      },
      restart: 'unless-stopped',
    },
    volume: 'redis-data',
    env: ['REDIS_URL', 'redis://redis:6379'],
  },
};

export function serviceEntry(service: ComposeService): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    build: { context: '.', dockerfile: service.dockerfile },
    image: `${service.name}:latest`,
    ports: [`127.0.0.1:${service.hostPort ?? service.port}:${service.port}`],
    environment: {
      RUST_LOG: 'info',
      PORT: String(service.port),
      ...Object.fromEntries(service.with.map((b) => BACKING_SERVICES[b].env)),
    },
    // Checked often: compose-up waits for it, and a check is one short process.
    healthcheck: service.healthcheck === false ? { disable: true } : {
      test: ['CMD', `/usr/local/bin/${service.bin}`, 'healthcheck'],
      interval: '3s',
      timeout: '2s',
      retries: 5,
      start_period: '5s',
    },
    restart: 'unless-stopped',
    // An init process as PID 1 forwards SIGTERM and reaps children, so a binary that does
    // not handle SIGTERM itself still stops at once instead of after the 10 s grace period.
    init: true,
    cpus: 1,
    mem_limit: '256m',
    // As production should run it: nothing on the root filesystem changes, no capabilities.
    read_only: true,
    tmpfs: ['/tmp'],
    cap_drop: ['ALL'],
    security_opt: ['no-new-privileges:true'],
  };
  if (service.with.length) {
    entry.depends_on = Object.fromEntries(service.with.map((b) => [b, { condition: 'service_healthy' }]));
  }
  return entry;
}

function ensureMap(doc: Document, key: string): void {
  const node = doc.get(key);
  if (!isMap(node)) doc.set(key, doc.createNode({}));
  // An empty `{}` parses as a flow map, and would keep every entry added to it on one line.
  else if (node.items.length === 0) node.flow = false;
}

/**
 * Adds (or updates) a service's entry and its backing services. A backing service that
 * is already there is reused as it is; the service's own entry is replaced only in the
 * keys this plugin owns, so a user's extra keys stay.
 */
export function addComposeService(text: string | undefined, service: ComposeService): string {
  const doc = parseDocument(text ?? '# Services of this workspace, kept in step by @org/rust-docker.\n# Bring them up with: nx run compose:compose-up (and down with compose-down)\n');
  if (doc.errors.length) throw new Error(`${COMPOSE_FILE} is not valid YAML: ${doc.errors[0].message}`);
  if (doc.has('version')) doc.delete('version');
  ensureMap(doc, 'services');
  const hostPort = service.hostPort ?? service.port;
  const owners = publishedPortOwners(String(doc));
  const owner = owners.get(hostPort);
  if (owner !== undefined && owner !== service.name) {
    throw new Error(portTakenMessage(hostPort, owner, suggestHostPort(hostPort, new Set(owners.keys())), '--port'));
  }
  const entry = serviceEntry(service);
  const existing = doc.getIn(['services', service.name]);
  if (isMap(existing)) {
    for (const [key, value] of Object.entries(entry)) {
      if (key === 'environment' && isMap(existing.get('environment'))) {
        for (const [k, v] of Object.entries(value as Record<string, string>)) existing.setIn(['environment', k], v);
      } else if (key === 'depends_on' && isMap(existing.get('depends_on'))) {
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) existing.setIn(['depends_on', k], doc.createNode(v));
      } else {
        existing.set(key, doc.createNode(value));
      }
    }
  } else {
    doc.setIn(['services', service.name], doc.createNode(entry));
  }
  for (const backing of service.with) {
    const spec = BACKING_SERVICES[backing];
    if (!doc.hasIn(['services', backing])) doc.setIn(['services', backing], doc.createNode(spec.service));
    ensureMap(doc, 'volumes');
    if (!doc.hasIn(['volumes', spec.volume])) doc.setIn(['volumes', spec.volume], doc.createNode({}));
  }
  return String(doc);
}

/** Service names in a compose file, with the Dockerfile each one builds from (if any). */
export function composeServices(text: string): Array<{ name: string; dockerfile?: string; image?: string }> {
  const doc = parseDocument(text);
  const services = doc.get('services');
  if (!isMap(services)) return [];
  return services.items.map((item) => {
    const name = String((item.key as { value?: unknown })?.value ?? item.key);
    const value = item.value;
    const build = isMap(value) ? value.get('build') : undefined;
    const image = isMap(value) ? value.get('image') : undefined;
    // `build: ./api` is the context alone; the Dockerfile is then `Dockerfile` inside it.
    const context = typeof build === 'string' ? build : isMap(build) ? build.get('context') : undefined;
    const dockerfile = isMap(build) ? build.get('dockerfile') : undefined;
    const hasBuild = typeof build === 'string' || isMap(build);
    return {
      name,
      // Relative to the build context, which is relative to the compose file's folder.
      dockerfile: hasBuild
        ? typeof dockerfile === 'string' && posix.isAbsolute(dockerfile)
          ? dockerfile
          : posix.join(typeof context === 'string' ? context : '.', typeof dockerfile === 'string' ? dockerfile : 'Dockerfile')
        : undefined,
      image: typeof image === 'string' ? image : undefined,
    };
  });
}

/** `--with postgres --with redis` and `--with postgres,redis` alike, checked. */
export function backingList(value: string | string[] | undefined): Backing[] {
  const values = (Array.isArray(value) ? value : value ? [value] : []).flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter(Boolean);
  const unknown = values.filter((v) => !(BACKINGS as string[]).includes(v));
  if (unknown.length) throw new Error(`--with ${unknown.join(', ')}: use ${BACKINGS.join(' or ')}.`);
  return [...new Set(values)] as Backing[];
}

/** Host ports a compose file publishes, in the short (`"127.0.0.1:8080:80"`) and long forms. */
export function publishedPorts(text: string): number[] {
  return [...publishedPortOwners(text).keys()];
}

/** Each host port the compose file publishes, with the (first) service that publishes it. */
export function publishedPortOwners(text: string): Map<number, string> {
  const doc = parseDocument(text);
  const services = doc.get('services');
  const out = new Map<number, string>();
  if (!isMap(services)) return out;
  for (const item of services.items) {
    const name = String((item.key as { value?: unknown })?.value ?? item.key);
    const ports = isMap(item.value) ? item.value.get('ports') : undefined;
    const entries = (ports as { items?: Array<{ value?: unknown; get?: (k: string) => unknown }> } | undefined)?.items ?? [];
    const add = (port: number) => {
      if (Number.isInteger(port) && port > 0 && !out.has(port)) out.set(port, name);
    };
    for (const entry of entries) {
      if (isMap(entry)) {
        add(Number(String(entry.get('published') ?? '').split('-')[0]));
        continue;
      }
      const parts = String((entry as { value?: unknown }).value ?? '').split('/')[0].split(':');
      // HOST:CONTAINER or IP:HOST:CONTAINER; a bare CONTAINER publishes a random port.
      if (parts.length >= 2) {
        const [from, to] = parts[parts.length - 2].split('-').map(Number);
        for (let port = from; port <= (to || from) && port - from < 1000; port++) add(port);
      }
    }
  }
  return out;
}

/** The first port from `from` up that nothing in `taken` uses. */
export function suggestHostPort(from: number, taken: Set<number>): number {
  let port = Math.min(from, 65535);
  while (taken.has(port) && port < 65535) port++;
  return port;
}

/** The one line a clash of published ports gets. */
export function portTakenMessage(port: number, owner: string, free: number, option: string): string {
  return `port ${port} is already published by "${owner}" in ${COMPOSE_FILE} (published ports must differ, container ports need not); pass a free one, e.g. ${option} ${free}.`;
}
