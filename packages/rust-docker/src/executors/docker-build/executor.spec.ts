import type { ExecutorContext } from '@nx/devkit';
import { buildDockerArgs, normalizeOptions } from './executor';

function contextFor(projectName: string, root: string): ExecutorContext {
  return {
    root: '/ws',
    cwd: '/ws',
    isVerbose: false,
    projectName,
    projectsConfigurations: { version: 2, projects: { [projectName]: { root } } },
    nxJsonConfiguration: {},
    projectGraph: { nodes: {}, dependencies: {} },
  } as ExecutorContext;
}

describe('normalizeOptions', () => {
  it('defaults to the project Dockerfile, an image named after the project, a pruned vendored context and the automatic engine', () => {
    expect(normalizeOptions({}, contextFor('api', 'services/api'))).toEqual({
      project: 'api',
      projectRoot: 'services/api',
      dockerfile: '/ws/services/api/Dockerfile',
      image: 'api',
      tags: [],
      buildArgs: {},
      context: 'pruned',
      vendor: true,
      engine: 'auto',
      outputFile: '/ws/dist/services/api/docker/image.json',
    });
  });

  it('takes every option given, resolving paths against the workspace root', () => {
    const options = normalizeOptions(
      {
        dockerfile: 'docker/api.Dockerfile',
        image: 'registry.example.com/team/api',
        tags: ['v1.2.3'],
        buildArgs: { RUST_IMAGE: 'rust:1.95-slim' },
        context: 'workspace',
        vendor: false,
        engine: 'legacy',
        outputFile: 'out/api.json',
      },
      contextFor('api', 'services/api'),
    );
    expect(options).toEqual({
      project: 'api',
      projectRoot: 'services/api',
      dockerfile: '/ws/docker/api.Dockerfile',
      image: 'registry.example.com/team/api',
      tags: ['v1.2.3'],
      buildArgs: { RUST_IMAGE: 'rust:1.95-slim' },
      context: 'workspace',
      vendor: false,
      engine: 'legacy',
      outputFile: '/ws/out/api.json',
    });
  });

  it('handles a project at the workspace root', () => {
    const options = normalizeOptions({}, contextFor('app', '.'));
    expect(options.dockerfile).toBe('/ws/Dockerfile');
    expect(options.outputFile).toBe('/ws/dist/docker/image.json');
  });
});

describe('buildDockerArgs', () => {
  const input = {
    dockerfile: '/ws/target/rust-docker/api/Dockerfile.buildx',
    contextDir: '/ws/target/rust-docker/api/context',
    tags: ['api:latest', 'api:0123456789ab'],
    buildArgs: { CARGO_CACHE_ID: 'abc', RUST_IMAGE: 'rust:1.95-slim' },
    labels: { 'org.opencontainers.image.title': 'api', 'org.opencontainers.image.version': '0.1.0' },
  };

  it('puts the Dockerfile first, then plain progress, tags, build args, labels and the context last', () => {
    expect(buildDockerArgs({ ...input, engine: 'buildx' })).toEqual([
      '-f',
      '/ws/target/rust-docker/api/Dockerfile.buildx',
      '--progress=plain',
      '-t',
      'api:latest',
      '-t',
      'api:0123456789ab',
      '--build-arg',
      'CARGO_CACHE_ID=abc',
      '--build-arg',
      'RUST_IMAGE=rust:1.95-slim',
      '--label',
      'org.opencontainers.image.title=api',
      '--label',
      'org.opencontainers.image.version=0.1.0',
      '/ws/target/rust-docker/api/context',
    ]);
  });

  it('asks for plain progress with BuildKit only: the legacy builder has no --progress', () => {
    expect(buildDockerArgs({ ...input, engine: 'buildkit' })).toContain('--progress=plain');
    expect(buildDockerArgs({ ...input, engine: 'legacy' })).not.toContain('--progress=plain');
  });

  it('is just the Dockerfile and the context without tags, args or labels', () => {
    expect(buildDockerArgs({ dockerfile: 'D', contextDir: 'C', tags: [], buildArgs: {}, labels: {}, engine: 'legacy' })).toEqual(['-f', 'D', 'C']);
  });
});
