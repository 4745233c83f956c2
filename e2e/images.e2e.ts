import { buildKitPath, containerIds, docker, removeImages, STAND_IN_RUST_IMAGE } from './helpers/docker';
import { run, seconds } from './helpers/run';
import { createWorkspace, useBaseImages, type Workspace } from './helpers/workspace';

/** Local stand-ins (e2e/infra/base-images.sh) for the runtime images nothing here can pull. */
const STAND_INS = {
  RUST_IMAGE: STAND_IN_RUST_IMAGE,
  DISTROLESS_IMAGE: 'local/distroless-static:debian12',
  DEBIAN_IMAGE: 'local/debian:bookworm-slim',
};

/**
 * Every runtime variant that can be built on these machines is built, run and
 * health-checked; alpine (no musl toolchain or Alpine packages here) is rendered and
 * linted. Then the build options users reach for: prebuilt binaries, size budgets, tags
 * and labels.
 */
describe('images: runtime variants and build options', () => {
  let ws: Workspace;
  const env = { PATH: buildKitPath() };
  const figures: Array<[string, string]> = [];
  let containersBefore: string[];

  beforeAll(() => {
    containersBefore = containerIds();
    ws = createWorkspace('images', env);
    ws.nx(['g', '@org/rust-docker:init']);
    ws.nx(['g', '@org/rust-docker:service', 'tiny']);
    ws.nx(['g', '@org/rust-docker:service', 'slim', '--runtime=distroless']);
    ws.nx(['g', '@org/rust-docker:service', 'full', '--runtime=debian']);
    ws.nx(['g', '@org/rust-docker:service', 'musl', '--runtime=alpine']);
    // Debian's packages install in the image build; on these machines only the host
    // network reaches the mirror, so builds get `--network host`, as a user behind a
    // proxy-only network would set it.
    useBaseImages(ws, STAND_INS, { network: 'host' });
    ws.git(['add', '-A']);
    ws.git(['commit', '-qm', 'one service per runtime']);
  });

  afterAll(() => {
    if (figures.length) console.log(`image figures:\n${figures.map(([k, v]) => `  ${k.padEnd(34)} ${v}`).join('\n')}`);
    for (const id of containerIds()) if (!containersBefore.includes(id)) docker(['rm', '-f', id], true);
    for (const image of ['tiny', 'slim', 'full']) removeImages(image);
    ws?.remove();
  });

  it('renders every variant hadolint-clean, with pinned, overridable base images', () => {
    for (const service of ['tiny', 'slim', 'full', 'musl']) {
      const result = run('hadolint', [`${service}/Dockerfile`], { cwd: ws.root, allowFailure: true });
      expect({ service, findings: result.output.trim(), code: result.code }).toEqual({ service, findings: '', code: 0 });
      const text = ws.read(`${service}/Dockerfile`);
      for (const arg of text.matchAll(/^ARG (\w+_IMAGE)=(\S+)$/gm)) {
        expect(arg[2]).toMatch(/:[\w.-]+$/);
        expect(arg[2]).not.toMatch(/:latest$/);
        expect(text).toContain(`FROM \${${arg[1]}}`);
      }
    }
    // Alpine cannot be built here (no Alpine images or packages, no musl target): check its shape.
    const alpine = ws.read('musl/Dockerfile');
    expect(alpine).toContain('ARG RUST_ALPINE_IMAGE=rust:1.95-alpine3.22');
    expect(alpine).toContain('ARG ALPINE_IMAGE=alpine:3.22');
    // No SHELL line and no pipes: the steps run in Alpine's own /bin/sh as they are.
    expect(alpine).not.toMatch(/^SHELL /m);
    expect(alpine).not.toMatch(/ \| /);
    expect(alpine).toMatch(/apk add --no-cache ca-certificates tzdata/);
    expect(alpine).toMatch(/^USER 10001:10001$/m);
    expect(alpine).not.toContain('crt-static');
  });

  for (const [service, runtime, user, maxBytes] of [
    ['tiny', 'scratch', '10001:10001', 3e6],
    ['slim', 'distroless', '65532:65532', 6e6],
    ['full', 'debian', '10001:10001', 100e6],
  ] as const) {
    it(`${runtime}: builds, runs as ${user}, and turns healthy`, () => {
      const build = ws.nx(['run', `${service}:docker-build`]);
      const record = ws.json(`dist/${service}/docker/image.json`);
      figures.push([`${runtime} image (${service})`, `${(record.size / 1e6).toFixed(2)} MB, cold build ${seconds(build.ms)}`]);
      expect(record.size).toBeLessThan(maxBytes);
      expect(docker(['image', 'inspect', '--format', '{{.Config.User}}', `${service}:latest`]).stdout.trim()).toBe(user);
      const check = ws.nx(['run', `${service}:health-check`, '--exclude-task-dependencies']);
      expect(check.output).toMatch(/healthy in \d+ ms/);
      if (runtime !== 'debian') {
        // No shell to get into: nothing but the binary runs in these images.
        const shell = docker(['run', '--rm', '--entrypoint', '/bin/sh', `${service}:latest`, '-c', 'true'], true);
        expect(shell.code).not.toBe(0);
      }
    });
  }

  it('prebuilt: ships the static binary the build target made, compiling nothing in Docker', () => {
    const build = ws.nx(['run', 'tiny:build']);
    expect(build.output).toContain('(static)');
    const prebuilt = ws.nx(['run', 'tiny:docker-build', '--strategy=prebuilt', '--skip-nx-cache']);
    expect(prebuilt.output).toContain('build context target/rust-docker/tiny/prebuilt: prebuilt dist/tiny/bin/tiny');
    expect(prebuilt.output).not.toContain('Compiling');
    expect(prebuilt.output).toContain('the prebuilt strategy without "dependsOn": ["build"]');
    figures.push(['prebuilt docker-build', seconds(prebuilt.ms)]);
    const check = ws.nx(['run', 'tiny:health-check', '--exclude-task-dependencies']);
    expect(check.output).toMatch(/healthy in \d+ ms/);
  });

  it('fails a build over its size budget, with both sizes in the message', () => {
    const result = ws.nx(['run', 'tiny:docker-build', '--maxImageSize=1MB', '--skip-nx-cache'], { allowFailure: true });
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/image tiny:latest is \d+\.\d+ MB \(\d+ bytes\), over its budget maxImageSize 1\.00 MB \(1000000 bytes\)/);
  });

  it('takes extra tags and labels, and records them', () => {
    ws.nx(['run', 'tiny:docker-build', '--tags=v1.2.3', '--labels.team=payments', '--noCache', '--skip-nx-cache']);
    const record = ws.json('dist/tiny/docker/image.json');
    expect(record.tags).toEqual(expect.arrayContaining(['tiny:latest', 'tiny:v1.2.3']));
    const labels = JSON.parse(docker(['image', 'inspect', '--format', '{{json .Config.Labels}}', 'tiny:v1.2.3']).stdout);
    expect(labels).toMatchObject({
      team: 'payments',
      'org.opencontainers.image.title': 'tiny',
      'org.opencontainers.image.version': '0.1.0',
      'org.opencontainers.image.revision': ws.git(['rev-parse', 'HEAD']).stdout.trim(),
    });
    expect(labels['org.opencontainers.image.created']).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});
