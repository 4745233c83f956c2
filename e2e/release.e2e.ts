import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildKitPath, removeImages, STAND_IN_RUST_IMAGE } from './helpers/docker';
import { run, seconds } from './helpers/run';
import { createWorkspace, useBaseImages, type Workspace } from './helpers/workspace';

/**
 * `nx release` as a team runs it: two services and a library, conventional commits, one
 * command that bumps the versions in Cargo.toml (and Cargo.lock), writes changelogs,
 * commits and tags, then pushes each service's image by digest to a registry (the open
 * one on 127.0.0.1:5000, made by e2e/infra/setup.sh). Then CI's affected-only run: one
 * service rebuilt, a release that publishes it and reports the other as skipped. And a
 * `cargo publish --dry-run` of the library.
 */
const REGISTRY = '127.0.0.1:5000';
const RUN = Date.now().toString(36);
// A repository per run, so nothing here comes from an earlier run's pushes; a library name
// no crate registry has, for the cargo publish dry run.
const REPOSITORY = `${REGISTRY}/release-e2e-${RUN}`;
const LIB = `ledger-${RUN}`;
// Nx commits and tags the release: it needs an identity wherever it runs.
const GIT_IDENTITY = { GIT_AUTHOR_NAME: 'e2e', GIT_AUTHOR_EMAIL: 'e2e@example.com', GIT_COMMITTER_NAME: 'e2e', GIT_COMMITTER_EMAIL: 'e2e@example.com' };

interface ReleaseRecord {
  project: string;
  version: string;
  image: string;
  digest: string;
  tags: string[];
}

/** The digest the registry serves for a tag (its HTTP API), or undefined when it has no such tag. */
async function registryDigest(repository: string, tag: string): Promise<string | undefined> {
  const [host, ...path] = repository.split('/');
  const response = await fetch(`http://${host}/v2/${path.join('/')}/manifests/${tag}`, {
    method: 'HEAD',
    headers: {
      Accept: [
        'application/vnd.docker.distribution.manifest.v2+json',
        'application/vnd.docker.distribution.manifest.list.v2+json',
        'application/vnd.oci.image.manifest.v1+json',
        'application/vnd.oci.image.index.v1+json',
      ].join(', '),
    },
  });
  if (response.status === 404) return undefined;
  expect(response.status).toBe(200);
  return response.headers.get('docker-content-digest') ?? undefined;
}

const versionOf = (manifest: string) => /^version = "([^"]+)"/m.exec(manifest)?.[1];

describe('nx release: Cargo versions, changelogs, images by digest, affected-only publishing', () => {
  const PATH = buildKitPath();
  let ws: Workspace;
  const figures: Array<[string, string]> = [];
  const nx = (args: string[], allowFailure = false) => ws.nx(args, { env: { PATH, ...GIT_IDENTITY }, allowFailure });
  const commit = (message: string) => {
    ws.git(['add', '-A']);
    ws.git(['commit', '-qm', message]);
  };
  const head = () => ws.git(['rev-parse', 'HEAD']).stdout.trim();
  const releaseRecord = (project: string): ReleaseRecord => ws.json(`dist/${project}/docker/release.json`);

  beforeAll(() => {
    ws = createWorkspace('release', { PATH }, { quickRelease: true });
    ws.nx(['g', '@org/rust-docker:init']);
    ws.nx(['g', '@org/rust-docker:library', LIB]);
    ws.nx(['g', '@org/rust-docker:service', 'api', `--deps=${LIB}`]);
    ws.nx(['g', '@org/rust-docker:service', 'web']);
    // api pins the library's version, as a crate that is published must.
    ws.write('api/Cargo.toml', ws.read('api/Cargo.toml').replace(`${LIB} = { path = "../${LIB}" }`, `${LIB} = { path = "../${LIB}", version = "0.1.0" }`));
    useBaseImages(ws, { RUST_IMAGE: STAND_IN_RUST_IMAGE }, { image: `${REPOSITORY}/{projectName}` });
    ws.nx(['g', '@org/rust-docker:release']);
    commit('chore: two services and a library');
    // The work a release is about, in conventional commits.
    ws.write(`${LIB}/src/lib.rs`, `${ws.read(`${LIB}/src/lib.rs`)}\n/// The ledger's unit.\npub const UNIT: &str = "EUR";\n`);
    commit(`feat(${LIB}): a unit for amounts`);
    ws.write('api/src/main.rs', `${ws.read('api/src/main.rs')}\n// Routes answer with JSON only.\n`);
    commit('feat(api)!: answer with JSON only');
    ws.write('web/src/main.rs', `${ws.read('web/src/main.rs')}\n// Shutdown waits for open requests.\n`);
    commit('fix(web): wait for open requests on shutdown');
  });

  afterAll(() => {
    if (figures.length) console.log(`release figures:\n${figures.map(([k, v]) => `  ${k.padEnd(44)} ${v}`).join('\n')}`);
    for (const name of ['api', 'web']) removeImages(`${REPOSITORY}/${name}`);
    ws?.remove();
  });

  it('configures nx.json and infers nx-release-publish for every crate', () => {
    expect(ws.json('nx.json').release).toEqual({
      projects: ['api', LIB, 'web'],
      projectsRelationship: 'independent',
      version: { conventionalCommits: true, versionActions: '@org/rust-docker/release', fallbackCurrentVersionResolver: 'disk' },
      changelog: { projectChangelogs: true },
    });
    const api = JSON.parse(nx(['show', 'project', 'api', '--json']).stdout);
    expect(api.targets['nx-release-publish']).toEqual(expect.objectContaining({ executor: '@org/rust-docker:release-publish', dependsOn: ['^nx-release-publish'] }));
  });

  it('releases: versions in Cargo.toml and Cargo.lock, changelogs naming the commits, tags, and both images pushed by digest', async () => {
    const build = nx(['run-many', '-t', 'docker-build']);
    figures.push(['nx run-many -t docker-build (2 images, cold)', seconds(build.ms)]);
    const built = head();
    for (const name of ['api', 'web']) expect(ws.json(`dist/${name}/docker/image.json`).revision).toBe(built);

    const release = nx(['release', '--first-release', '--yes']);
    figures.push(['nx release (version, changelog, publish)', seconds(release.ms)]);
    // A breaking change on 0.x bumps the minor version; a fix or feature the patch.
    expect(versionOf(ws.read('api/Cargo.toml'))).toBe('0.2.0');
    expect(versionOf(ws.read('web/Cargo.toml'))).toBe('0.1.1');
    expect(versionOf(ws.read(`${LIB}/Cargo.toml`))).toBe('0.1.1');
    // The pinned requirement follows the library; the path-only one in web has nothing to follow.
    expect(ws.read('api/Cargo.toml')).toContain(`${LIB} = { path = "../${LIB}", version = "0.1.1" }`);
    // Cargo.lock is in step: a locked, offline resolution accepts it as it is.
    const lock = ws.read('Cargo.lock');
    expect(lock).toContain('name = "api"\nversion = "0.2.0"');
    expect(lock).toContain(`name = "${LIB}"\nversion = "0.1.1"`);
    run('cargo', ['metadata', '--format-version', '1', '--locked', '--offline'], { cwd: ws.root, quiet: true });
    // Changelogs as Nx writes them, naming the commits.
    expect(ws.read('api/CHANGELOG.md')).toMatch(/## 0\.2\.0[\s\S]*answer with JSON only/);
    expect(ws.read('web/CHANGELOG.md')).toMatch(/## 0\.1\.1[\s\S]*wait for open requests on shutdown/);
    expect(ws.read(`${LIB}/CHANGELOG.md`)).toMatch(/## 0\.1\.1[\s\S]*a unit for amounts/);
    // One release commit with everything, and a tag per project.
    expect(ws.git(['status', '--porcelain']).stdout.trim()).toBe('');
    expect(ws.git(['show', '--name-only', '--format=', 'HEAD']).stdout.split('\n').filter(Boolean).sort()).toEqual(
      ['Cargo.lock', 'api/CHANGELOG.md', 'api/Cargo.toml', `${LIB}/CHANGELOG.md`, `${LIB}/Cargo.toml`, 'web/CHANGELOG.md', 'web/Cargo.toml'].sort(),
    );
    expect(ws.git(['tag', '--points-at', 'HEAD']).stdout.split('\n').filter(Boolean).sort()).toEqual(['api@0.2.0', `${LIB}@0.1.1`, 'web@0.1.1'].sort());

    // Publishing: each service's recorded image, tagged with its version, pushed; its digest
    // recorded and served by the registry for that tag.
    for (const [name, version] of [['api', '0.2.0'], ['web', '0.1.1']]) {
      const record = releaseRecord(name);
      expect(record).toEqual(expect.objectContaining({ project: name, version, image: `${REPOSITORY}/${name}`, tags: [`${REPOSITORY}/${name}:${version}`] }));
      expect(record.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      await expect(registryDigest(`${REPOSITORY}/${name}`, version)).resolves.toBe(record.digest);
      expect(release.output).toContain(`${name}: published ${REPOSITORY}/${name}@${record.digest} as ${version}`);
      // The image record now names its registry digest, as docker-build's own push does.
      expect(ws.json(`dist/${name}/docker/image.json`).digest).toBe(record.digest);
    }
    // The library says publish = false (as generated): nothing to publish, and no failure.
    expect(release.output).toContain(`${LIB}: nothing to publish: it has no image, and ${LIB}/Cargo.toml says \`publish = false\``);
  });

  it('after an affected-only CI run, publishes the image that was built and reports the other as skipped, exit 0', async () => {
    const releaseCommit = head();
    ws.write('api/src/main.rs', `${ws.read('api/src/main.rs')}// Errors carry a request id.\n`);
    commit('fix(api): errors carry a request id');
    // A fresh CI machine has no image record for web: nothing built it here.
    rmSync(join(ws.root, 'dist/web'), { recursive: true, force: true });
    const affected = nx(['affected', '-t', 'docker-build', `--base=${releaseCommit}`, '--head=HEAD']);
    figures.push(['nx affected -t docker-build (api, one-line change)', seconds(affected.ms)]);
    expect(affected.output).toContain('api:docker-build');
    expect(affected.output).not.toContain('web:docker-build');
    expect(existsSync(join(ws.root, 'dist/web/docker/image.json'))).toBe(false);

    // Every crate gets a patch release, web included, as a fixed group or `nx release patch` does.
    const release = nx(['release', 'patch', '--yes']);
    expect(release.code).toBe(0);
    expect(versionOf(ws.read('web/Cargo.toml'))).toBe('0.1.2');
    const api = releaseRecord('api');
    expect(api.version).toBe('0.2.1');
    await expect(registryDigest(`${REPOSITORY}/api`, '0.2.1')).resolves.toBe(api.digest);
    expect(release.output).toContain(`api: published ${REPOSITORY}/api@${api.digest} as 0.2.1`);
    // web: skipped, with the reason and the way to publish it; nothing pushed for 0.1.2.
    expect(release.output).toContain(
      'web: image not published: no image record at dist/web/docker/image.json: docker-build did not run for web here (not affected by this change, or another machine built it), so there is nothing to push; to publish it, run `nx run web:docker-build`, then `nx release publish --projects=web`.',
    );
    await expect(registryDigest(`${REPOSITORY}/web`, '0.1.2')).resolves.toBeUndefined();
    // The web image of the first release is still there, untouched.
    await expect(registryDigest(`${REPOSITORY}/web`, '0.1.1')).resolves.toMatch(/^sha256:/);
  });

  it('runs cargo publish --dry-run for the library once its Cargo.toml allows publishing', () => {
    ws.write(
      `${LIB}/Cargo.toml`,
      ws.read(`${LIB}/Cargo.toml`).replace('publish = false\n', 'description = "Amounts and units"\nlicense = "MIT"\n'),
    );
    commit(`chore(${LIB}): publishable`);
    const publish = nx(['release', 'publish', `--projects=${LIB}`, '--dry-run']);
    figures.push(['nx release publish --dry-run (cargo, one crate)', seconds(publish.ms)]);
    expect(publish.output).toContain(`${LIB}: cargo publish --package ${LIB} --dry-run`);
    expect(publish.output).toMatch(new RegExp(`Packaging ${LIB} v0\\.1\\.2`));
    expect(publish.output).toMatch(/aborting upload due to dry run/);
    expect(publish.output).toContain(`${LIB}: cargo publish --dry-run passed for ${LIB} 0.1.2`);
  });
});
