import { spawnSync } from 'node:child_process';
import { STAND_IN_RUST_IMAGE } from './helpers/docker';
import { run, seconds } from './helpers/run';
import { createWorkspace, useBaseImages, type Workspace } from './helpers/workspace';

const podman = (args: string[], allowFailure = false) => run('podman', args, { quiet: true, allowFailure });

/**
 * Podman as the engine: the same Dockerfile and pruned context built by buildah (cache
 * mounts included), the image run, health-checked and removed, all without Docker.
 */
describe('podman as the engine', () => {
  let ws: Workspace;

  beforeAll(() => {
    // Podman sees none of Docker's images: it gets its own copy of the base image stand-in.
    if (podman(['image', 'exists', STAND_IN_RUST_IMAGE], true).code !== 0) {
      const save = spawnSync('bash', ['-o', 'pipefail', '-c', `docker save ${STAND_IN_RUST_IMAGE} | podman load`], { stdio: 'ignore' });
      expect(save.status).toBe(0);
    }
    ws = createWorkspace('podman', {}, { quickRelease: true });
    ws.nx(['g', '@org/rust-docker:init']);
    ws.nx(['g', '@org/rust-docker:service', 'api']);
    useBaseImages(ws, { RUST_IMAGE: STAND_IN_RUST_IMAGE }, { engine: 'podman' });
    ws.git(['add', '-A']);
    ws.git(['commit', '-qm', 'api']);
  });

  afterAll(() => {
    podman(['rmi', '-f', 'api:latest'], true);
    ws?.remove();
  });

  it('builds with podman, then health-checks with podman, leaving no container', () => {
    const before = podman(['ps', '-aq']).stdout;
    const build = ws.nx(['run', 'api:docker-build']);
    expect(build.output).toContain('building with podman');
    expect(build.output).toContain('cargo cache mounts on');
    console.log(`podman docker-build (cold): ${seconds(build.ms)}`);
    const record = ws.json('dist/api/docker/image.json');
    expect(record.engine).toBe('podman');
    expect(podman(['image', 'inspect', '--format', '{{.Id}}', record.id]).code).toBe(0);
    const check = ws.nx(['run', 'api:health-check', '--engine=podman', '--exclude-task-dependencies']);
    expect(check.output).toMatch(/healthy in \d+ ms/);
    expect(podman(['ps', '-aq']).stdout).toBe(before);
  });
});
