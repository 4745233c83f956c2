import { logger, type ExecutorContext } from '@nx/devkit';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeImageRecord } from '../../docker/image-record';
import releasePublishExecutor, { cargoPublishArgs, normalizeOptions, releaseTags } from './executor';

describe('release-publish: pure parts', () => {
  it('tags the image with the version and the extra tags, filled in', () => {
    expect(releaseTags('127.0.0.1:5000/api', '1.4.2', ['latest', '{major}.{minor}', 'v{version}', '{major}'])).toEqual([
      '127.0.0.1:5000/api:1.4.2',
      '127.0.0.1:5000/api:latest',
      '127.0.0.1:5000/api:1.4',
      '127.0.0.1:5000/api:v1.4.2',
      '127.0.0.1:5000/api:1',
    ]);
    // Docker tags cannot hold `+`; a prerelease keeps its dash.
    expect(releaseTags('api', '1.0.0-rc.1+build.7', ['{major}.{minor}.{patch}'])).toEqual(['api:1.0.0-rc.1_build.7', 'api:1.0.0']);
  });

  it('builds the cargo publish command line from the options', () => {
    expect(cargoPublishArgs({ packageName: 'domain', verify: true, dryRun: false })).toEqual(['publish', '--package', 'domain']);
    expect(cargoPublishArgs({ packageName: 'domain', registry: 'internal', verify: false, dryRun: true })).toEqual([
      'publish',
      '--package',
      'domain',
      '--registry',
      'internal',
      '--no-verify',
      '--dry-run',
    ]);
  });
});

describe('release-publish: what it publishes and what it skips', () => {
  let root: string;
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };
  const context = (project: string): ExecutorContext =>
    ({
      root,
      cwd: root,
      isVerbose: false,
      projectName: project,
      targetName: 'nx-release-publish',
      projectsConfigurations: {
        version: 2,
        projects: {
          api: { root: 'api', targets: { image: { executor: '@org/rust-docker:docker-build' } } },
          domain: { root: 'domain', targets: {} },
          tools: { root: 'tools', targets: {} },
        },
      },
    }) as unknown as ExecutorContext;
  let warn: jest.SpyInstance;
  let info: jest.SpyInstance;
  let error: jest.SpyInstance;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'rust-docker-publish-'));
    write('Cargo.toml', '[workspace]\nmembers = ["api", "domain", "tools"]\n\n[workspace.package]\nversion = "2.0.0"\n');
    write('api/Cargo.toml', '[package]\nname = "api"\nversion = "0.3.0"\npublish = false\n');
    write('domain/Cargo.toml', '[package]\nname = "domain-core"\nversion.workspace = true\n');
    write('tools/Cargo.toml', '[package]\nname = "tools"\nversion = "0.1.0"\npublish = false\n');
    warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    delete process.env.NX_DRY_RUN;
  });
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(root, { recursive: true, force: true });
    delete process.env.NX_DRY_RUN;
  });

  it('publishes a service\'s image, not its crate, and a library\'s crate; versions from Cargo.toml or from nx release', () => {
    const api = normalizeOptions({}, context('api'));
    expect(api).toEqual(expect.objectContaining({ image: true, dockerBuildTarget: 'image', cargoPublish: false, version: '0.3.0', unreleased: false, dryRun: false }));
    expect(api.recordFile).toBe(join(root, 'dist/api/docker/image.json'));
    const domain = normalizeOptions({}, context('domain'));
    expect(domain).toEqual(expect.objectContaining({ image: false, cargoPublish: true, packageName: 'domain-core', version: '2.0.0' }));
    const released = normalizeOptions({ nxReleaseVersionData: { domain: { currentVersion: '2.0.0', newVersion: '2.1.0' } } }, context('domain'));
    expect(released.version).toBe('2.1.0');
    expect(normalizeOptions({ nxReleaseVersionData: { domain: { newVersion: null } } }, context('domain')).unreleased).toBe(true);
    expect(normalizeOptions({ nxReleaseVersionData: {} }, context('domain')).unreleased).toBe(true);
    process.env.NX_DRY_RUN = 'true';
    expect(normalizeOptions({}, context('domain')).dryRun).toBe(true);
  });

  it('respects publish = false: no crate by default, and a clear error when asked anyway', () => {
    expect(normalizeOptions({}, context('tools'))).toEqual(expect.objectContaining({ image: false, cargoPublish: false }));
    expect(() => normalizeOptions({ cargoPublish: true }, context('tools'))).toThrow(
      'tools/Cargo.toml says `publish = false`, so cargo will not publish it: remove that line, or set "cargoPublish": false on nx-release-publish.',
    );
  });

  it('skips a service whose image was not built here, says why and how to publish it, and succeeds', async () => {
    await expect(releasePublishExecutor({}, context('api'))).resolves.toEqual({ success: true });
    expect(warn).toHaveBeenCalledWith(
      'api: image not published: no image record at dist/api/docker/image.json: image did not run for api here (not affected by this change, or another machine built it), so there is nothing to push; to publish it, run `nx run api:image`, then `nx release publish --projects=api`.',
    );
    expect(error).not.toHaveBeenCalled();
  });

  it('skips an image whose record cannot vouch for the released sources', async () => {
    writeImageRecord(join(root, 'dist/api/docker/image.json'), {
      project: 'api',
      image: 'api',
      id: `sha256:${'ab'.repeat(32)}`,
      tags: ['api:latest'],
      size: 1,
      engine: 'buildkit',
      cacheMounts: true,
      vendored: true,
      strategy: 'compile',
      reused: false,
      builtAt: '',
      durationMs: 0,
      sources: ['api'],
    });
    await expect(releasePublishExecutor({}, context('api'))).resolves.toEqual({ success: true });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^api: image not published: it was built from uncommitted changes/));
  });

  it('in a dry run, says which image it would tag and push, and pushes nothing', async () => {
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: root, encoding: 'utf8' }).trim();
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'crates');
    const revision = git('rev-parse', 'HEAD');
    writeImageRecord(join(root, 'dist/api/docker/image.json'), {
      project: 'api',
      image: 'registry.example.com/api',
      id: `sha256:${'ab'.repeat(32)}`,
      tags: ['registry.example.com/api:latest'],
      size: 1,
      engine: 'buildkit',
      cacheMounts: true,
      vendored: true,
      strategy: 'compile',
      reused: false,
      builtAt: '',
      durationMs: 0,
      revision,
      sources: ['api', 'Cargo.toml', 'Cargo.lock'],
    });
    // The release bumped api's version since the image was built: still the same sources.
    write('api/Cargo.toml', '[package]\nname = "api"\nversion = "0.4.0"\npublish = false\n');
    const options = { dryRun: true, tags: ['latest'], engine: 'podman' as const, nxReleaseVersionData: { api: { newVersion: '0.4.0' } } };
    await expect(releasePublishExecutor(options, context('api'))).resolves.toEqual({ success: true });
    expect(info).toHaveBeenCalledWith(
      `api: would tag registry.example.com/api (${'ab'.repeat(6)}, built from ${revision.slice(0, 12)}) as registry.example.com/api:0.4.0, registry.example.com/api:latest and push it (dry run)`,
    );
    expect(warn).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
  });

  it('publishes nothing for a project nx release gave no new version, or one with nothing to publish', async () => {
    await expect(releasePublishExecutor({ nxReleaseVersionData: { api: { newVersion: null } } }, context('api'))).resolves.toEqual({ success: true });
    expect(info).toHaveBeenCalledWith('api: nothing published: this release gives it no new version (no changes since its last release).');
    await expect(releasePublishExecutor({}, context('tools'))).resolves.toEqual({ success: true });
    expect(info).toHaveBeenCalledWith(
      'tools: nothing to publish: it has no image, and tools/Cargo.toml says `publish = false` (remove it to publish the crate with cargo).',
    );
    expect(warn).not.toHaveBeenCalled();
  });

  it('fails with one line for a contradiction in its options', async () => {
    await expect(releasePublishExecutor({ cargoPublish: true }, context('tools'))).resolves.toEqual({ success: false });
    expect(error).toHaveBeenCalledWith(expect.stringMatching(/^tools: tools\/Cargo.toml says `publish = false`/));
  });
});
