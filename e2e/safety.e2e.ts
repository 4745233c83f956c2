import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildKitPath, containerIds, docker, removeImages, STAND_IN_RUST_IMAGE, waitForAsync } from './helpers/docker';
import { createWorkspace, useBaseImages, type Workspace } from './helpers/workspace';

/**
 * Safe in a real repository, for real: generators that refuse paths climbing out and files
 * they cannot parse, a graph that refuses a project name that is a path, every executor
 * bounded against an engine that accepts connections and never answers, health-check and
 * docker-run that run only an image this project built (its record, or its labels), state
 * files that heal, and base images pinned by digest from a real registry.
 */

const REGISTRY = '127.0.0.1:5000';
const PINNED_REPO = `${REGISTRY}/rust-docker-e2e/distroless-static`;
const PINNED_BASE = `${PINNED_REPO}:debian12`;
const LOCAL_BASE = 'local/distroless-static:debian12';

/** Processes whose environment names this DOCKER_HOST: whatever an executor left behind. */
function processesUsing(dockerHost: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`DOCKER_HOST=${dockerHost}`)) {
        found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`);
      }
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

describe('safe in a real repository', () => {
  let ws: Workspace;
  const env = { PATH: buildKitPath() };
  let containersBefore: string[];
  const status = () => ws.git(['status', '--porcelain']).stdout.trim();

  beforeAll(() => {
    containersBefore = containerIds();
    ws = createWorkspace('safety', env, { quickRelease: true });
    ws.nx(['g', '@org/rust-docker:init']);
    ws.nx(['g', '@org/rust-docker:service', 'api']);
    ws.nx(['g', '@org/rust-docker:library', 'shared']);
    useBaseImages(ws, { RUST_IMAGE: STAND_IN_RUST_IMAGE });
    ws.git(['add', '-A']);
    ws.git(['commit', '-qm', 'api and shared']);
  });

  afterAll(() => {
    for (const id of containerIds()) if (!containersBefore.includes(id)) docker(['rm', '-f', id], true);
    removeImages('api');
    removeImages('tiny');
    docker(['rmi', PINNED_BASE], true);
    ws?.remove();
  });

  describe('generators', () => {
    it.each([
      ['service', 'svc', 'foo/../../x', 'services/svc'],
      ['library', 'lib', 'a/../../y', 'libs/lib'],
    ])('%s --directory %s refuses a path that climbs out, writing nothing anywhere', (kind, name, directory, example) => {
      // Where the generator would have written: beside the workspace folder.
      const outside = join(ws.root, directory);
      const existed = existsSync(outside);
      const result = ws.nx(['g', `@org/rust-docker:${kind}`, name, `--directory=${directory}`], { allowFailure: true });
      expect(result.code).not.toBe(0);
      expect(result.output).toContain(`--directory "${directory}" must be a folder inside the workspace, e.g. "${example}".`);
      expect(existsSync(join(outside, 'Cargo.toml'))).toBe(false);
      expect(existsSync(outside)).toBe(existed);
      expect(status()).toBe('');
    });

    it('refuses to edit a root Cargo.toml with a merge conflict, naming the line', () => {
      const original = ws.read('Cargo.toml');
      const conflicted = original.replace('[workspace]\n', '[workspace]\n<<<<<<< HEAD\nmembers = ["api"]\n=======\nmembers = ["api", "web"]\n>>>>>>> feature\n');
      ws.write('Cargo.toml', conflicted);
      const result = ws.nx(['g', '@org/rust-docker:service', 'web'], { allowFailure: true });
      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(/Cargo\.toml:\d+: has merge conflict markers; fix it and run the command again \(nothing was written\)\./);
      expect(ws.read('Cargo.toml')).toBe(conflicted);
      expect(existsSync(join(ws.root, 'web'))).toBe(false);
      ws.write('Cargo.toml', original);
      expect(status()).toBe('');
    });

    it('refuses a compose.yaml whose services are a list instead of replacing them', () => {
      const original = ws.read('compose.yaml');
      const listed = 'services:\n  - name: db\n    image: postgres:17\n';
      ws.write('compose.yaml', listed);
      const result = ws.nx(['g', '@org/rust-docker:service', 'web'], { allowFailure: true });
      expect(result.code).not.toBe(0);
      expect(result.output).toContain('compose.yaml:2: `services:` is a list, where Compose expects a map of service names; fix it and run the command again (nothing was written).');
      expect(ws.read('compose.yaml')).toBe(listed);
      ws.write('compose.yaml', original);
      expect(status()).toBe('');
    });
  });

  it('the graph refuses a project name that is a path, and names the crate after itself', () => {
    const manifest = ws.read('shared/Cargo.toml');
    ws.write('shared/Cargo.toml', `${manifest}\n[package.metadata.nx]\nname = "../../../evil"\n`);
    try {
      const shown = ws.nx(['show', 'projects', '--json']);
      expect(JSON.parse(shown.stdout)).toEqual(expect.arrayContaining(['api', 'shared']));
      expect(shown.stdout).not.toContain('evil');
      expect(shown.output).toMatch(/shared\/Cargo\.toml:\d+: \[package\.metadata\.nx\] name "\.\.\/\.\.\/\.\.\/evil" is not a project name: .*; the project is named after the crate, "shared"/);
      expect(existsSync(join(ws.root, '..', 'evil'))).toBe(false);
    } finally {
      ws.write('shared/Cargo.toml', manifest);
    }
  });

  describe('an engine that accepts connections and never answers', () => {
    let server: Server;
    let socketDir: string;
    let dockerHost: string;
    const connections: Socket[] = [];

    beforeAll(async () => {
      socketDir = mkdtempSync(join(tmpdir(), 'rust-docker-hung-'));
      dockerHost = `unix://${join(socketDir, 'docker.sock')}`;
      server = createServer((socket) => void connections.push(socket)); // accepted, never answered
      await new Promise<void>((resolve) => server.listen(join(socketDir, 'docker.sock'), resolve));
    });
    afterAll(async () => {
      for (const socket of connections) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
      rmSync(socketDir, { recursive: true, force: true });
    });

    // Nx itself takes a few seconds to start here; the bound is what the message proves.
    const NX_OVERHEAD_MS = 30_000;
    it.each([
      ['api:docker-build', ['--engineTimeout=3', '--skip-nx-cache'], 3, 'docker version got no answer from the engine (docker, DOCKER_HOST=%h) within 3 s ("engineTimeout"); it was stopped.'],
      ['api:docker-run', ['--engineTimeout=3'], 3, 'docker version got no answer from the engine (docker, DOCKER_HOST=%h) within 3 s ("engineTimeout"); it was stopped.'],
      ['api:health-check', ['--timeout=4'], 4, 'docker version was still waiting for the engine (docker, DOCKER_HOST=%h) when the health-check deadline ("timeout": 4 s) ran out; it was stopped.'],
      ['api:docker-push', ['--engineTimeout=3'], 3, 'docker version got no answer from the engine (docker, DOCKER_HOST=%h) within 3 s ("engineTimeout"); it was stopped.'],
      ['compose:compose-up', ['--engineTimeout=3'], 3, 'docker version got no answer from the engine (docker, DOCKER_HOST=%h) within 3 s ("engineTimeout"); it was stopped.'],
    ])('%s fails within its bound, naming the engine and the bound, and leaves nothing running', (target, flags, bound, message) => {
      const before = connections.length;
      const result = ws.nx(['run', target, '--excludeTaskDependencies', ...flags], { allowFailure: true, env: { DOCKER_HOST: dockerHost } });
      expect(result.code).not.toBe(0);
      expect(result.output).toContain(message.replace('%h', dockerHost));
      expect(result.ms).toBeGreaterThanOrEqual(bound * 1000);
      expect(result.ms).toBeLessThan(bound * 1000 + NX_OVERHEAD_MS);
      expect(processesUsing(dockerHost)).toEqual([]);
      // It did reach the socket: the engine was asked, and never answered. (The test process
      // was blocked while nx ran; the kernel held the connections until now.)
      return waitForAsync('the connections to be accepted', 5000, async () => (connections.length > before ? true : undefined));
    });
  });

  describe('only an image this project built runs', () => {
    it('refuses an api:latest that merely has the name, and starts no container', () => {
      docker(['tag', LOCAL_BASE, 'api:latest']);
      const before = containerIds();
      const result = ws.nx(['run', 'api:health-check', '--excludeTaskDependencies'], { allowFailure: true });
      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(
        /no image record at dist\/api\/docker\/image\.json, and api:latest \([0-9a-f]{12}\) in this engine is not proven to be this project's build \(it has no org\.rust-docker\.project label, so docker-build did not build it\); it is not run: build it with `nx run api:docker-build`/,
      );
      expect(containerIds()).toEqual(before);
      docker(['rmi', 'api:latest']);
    });

    it('refuses an image option that the engine would read as a flag', () => {
      const result = ws.nx(['run', 'api:health-check', '--excludeTaskDependencies', '--image=--privileged'], { allowFailure: true });
      expect(result.code).not.toBe(0);
      expect(result.output).toContain('image "--privileged" is not a valid image reference: it starts with "-", so the engine would read it as a flag');
    });

    it('labels what docker-build builds with the project and this checkout, and runs it by its record, then by its labels', () => {
      ws.nx(['run', 'api:docker-build']);
      const labels = JSON.parse(docker(['image', 'inspect', '--format', '{{json .Config.Labels}}', 'api:latest']).stdout);
      expect(labels['org.rust-docker.project']).toBe('api');
      expect(labels['org.rust-docker.workspace']).toMatch(/^[0-9a-f]{16}$/);
      expect(ws.nx(['run', 'api:health-check', '--excludeTaskDependencies']).output).toMatch(/healthy in \d+ ms/);

      rmSync(join(ws.root, 'dist/api/docker'), { recursive: true, force: true });
      const byLabels = ws.nx(['run', 'api:health-check', '--excludeTaskDependencies']);
      expect(byLabels.output).toMatch(/image api:latest \([0-9a-f]{12}, labels match this workspace\) found in this engine/);
      expect(byLabels.output).toMatch(/healthy in \d+ ms/);
    });

    it('rebuilds a truncated lockfile stamp with a warning instead of failing every build', () => {
      const stamp = join(ws.root, 'target/rust-docker/api/lockfile.json');
      writeFileSync(stamp, readFileSync(stamp, 'utf8').slice(0, 40));
      const result = ws.nx(['run', 'api:docker-build', '--skip-nx-cache']);
      expect(result.output).toMatch(/lockfile stamp .*target\/rust-docker\/api\/lockfile\.json is unreadable \(.+\); discarded, it will be rebuilt\./);
      expect(JSON.parse(readFileSync(stamp, 'utf8')).lockfile).toContain('name = "api"');
    });
  });

  describe('base images pinned by digest', () => {
    beforeAll(() => {
      // An earlier run's push left a registry digest on the stand-in: forget it, so this
      // run proves that a push is what gives one.
      const digests: string[] = JSON.parse(docker(['image', 'inspect', '--format', '{{json .RepoDigests}}', LOCAL_BASE]).stdout) ?? [];
      for (const ref of digests.filter((d) => d.startsWith(`${PINNED_REPO}@`))) docker(['rmi', ref], true);
      docker(['rmi', PINNED_BASE], true);
      // A service on a small base image, so a build proves the pin in seconds.
      ws.nx(['g', '@org/rust-docker:service', 'tiny']);
      ws.write('tiny/Dockerfile', `ARG BASE_IMAGE=${PINNED_BASE}\nFROM \${BASE_IMAGE}\nCOPY Cargo.lock /Cargo.lock\n`);
    });

    it('refuses to build on a tag when asked for digests', () => {
      const result = ws.nx(['run', 'tiny:docker-build', '--requirePinnedBaseImages', '--vendor=false'], { allowFailure: true });
      expect(result.code).not.toBe(0);
      expect(result.output).toContain(`requirePinnedBaseImages: tiny/Dockerfile would build on ${PINNED_BASE} (ARG BASE_IMAGE default), not pinned by digest: run \`nx g @org/rust-docker:pin-base-images\``);
    });

    it('cannot pin an image that never came from a registry, and writes nothing', () => {
      docker(['tag', LOCAL_BASE, PINNED_BASE]);
      const before = ws.read('tiny/Dockerfile');
      const result = ws.nx(['g', '@org/rust-docker:pin-base-images', 'tiny'], { allowFailure: true });
      expect(result.code).not.toBe(0);
      expect(result.output).toContain(`cannot pin a base image, so nothing was written: ${PINNED_BASE} (tiny/Dockerfile:1 ARG BASE_IMAGE): this engine has no registry digest for it`);
      expect(ws.read('tiny/Dockerfile')).toBe(before);
    });

    it('pins it once pushed to a registry, and builds on exactly that digest', () => {
      const pushed = docker(['push', PINNED_BASE]).stdout;
      const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed)![1];
      const pin = ws.nx(['g', '@org/rust-docker:pin-base-images', 'tiny']);
      expect(pin.output).toContain(`tiny/Dockerfile:1 ARG BASE_IMAGE: ${PINNED_BASE} → ${PINNED_BASE}@${digest}`);
      expect(ws.read('tiny/Dockerfile').split('\n')[0]).toBe(`ARG BASE_IMAGE=${PINNED_BASE}@${digest}`);
      ws.nx(['run', 'tiny:docker-build', '--requirePinnedBaseImages', '--vendor=false']);
      const record = ws.json('dist/tiny/docker/image.json');
      expect(docker(['image', 'inspect', '--format', '{{.Id}}', 'tiny:latest']).stdout.trim()).toBe(record.id);
      // The base layer of the image is the pinned one's.
      const baseLayers = JSON.parse(docker(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', `${PINNED_BASE}@${digest}`]).stdout);
      const layers = JSON.parse(docker(['image', 'inspect', '--format', '{{json .RootFS.Layers}}', 'tiny:latest']).stdout);
      expect(layers.slice(0, baseLayers.length)).toEqual(baseLayers);
    });
  });
});
