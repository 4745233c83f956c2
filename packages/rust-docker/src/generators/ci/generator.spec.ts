import { logger, readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { PLUGIN_NAME } from '../init/generator';
import {
  affectedCommand,
  affectedCommands,
  ciGenerator,
  CI_FILES,
  DEFAULT_PARALLEL,
  GITLAB_RUST_IMAGE,
  normalizeOptions,
  pushCommand,
  type CiProvider,
} from './generator';
import type { CiGeneratorSchema } from './schema';

type Doc = Record<string, any>;
type Step = Record<string, any>;

const MAIN = 'npx nx affected -t lint test build docker-build --base=$NX_BASE --head=$NX_HEAD --parallel=3';
const PUSH = 'npx nx affected -t docker-build --base=$NX_BASE --head=$NX_HEAD --push --skip-nx-cache';

/** Every change of the tree, to compare before and after. */
const changes = (tree: Tree) => tree.listChanges().map((c) => ({ path: c.path, type: c.type, content: c.content?.toString() }));

/** Parses a YAML file of the tree; fails on any YAML error or warning. */
function readYaml(tree: Tree, file: string): Doc {
  const doc = parseDocument(tree.read(file, 'utf8')!);
  expect(doc.errors).toEqual([]);
  expect(doc.warnings).toEqual([]);
  return doc.toJS() as Doc;
}

async function generate(tree: Tree, schema: CiGeneratorSchema): Promise<Doc> {
  await ciGenerator(tree, { skipFormat: true, ...schema });
  return readYaml(tree, CI_FILES[schema.provider ?? 'github']);
}

const stepsOf = (doc: Doc): Step[] => doc.jobs.affected.steps;
const stepUsing = (doc: Doc, action: string) => stepsOf(doc).filter((s) => typeof s.uses === 'string' && s.uses.startsWith(`${action}@`));
const stepIndex = (doc: Doc, predicate: (s: Step) => boolean) => stepsOf(doc).findIndex(predicate);
const lines = (value: string) => value.split('\n').map((l) => l.trim()).filter(Boolean);

/** Every string in a parsed document, with the path it sits at. */
function strings(value: unknown, path = ''): Array<[string, string]> {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, `${path}.${k}`));
  return [];
}

/** Checks that a login command reads the password from stdin only, and never prints it. */
function expectSafeLogin(run: string, passwordVar: string, registry: string): void {
  expect(run).toContain(`docker login ${registry} `);
  expect(run).toContain('--password-stdin');
  expect(run).toMatch(new RegExp(`^printf '%s' "\\$${passwordVar}" \\| docker login `));
  expect(run).not.toMatch(/\becho\b/);
  expect(run).not.toMatch(/set -x|--password[ =]|-p /);
  expect(run).not.toContain('${{');
}

let warn: jest.SpyInstance;
beforeEach(() => {
  warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
});
afterEach(() => warn.mockRestore());

describe('ci generator: GitHub Actions (default)', () => {
  let tree: Tree;
  beforeEach(() => (tree = createTreeWithEmptyWorkspace()));

  it('writes .github/workflows/ci.yml and nothing else', async () => {
    const before = changes(tree);
    await ciGenerator(tree, { skipFormat: true });
    const added = changes(tree).filter((c) => !before.some((b) => b.path === c.path && b.content === c.content));
    expect(added.map((c) => c.path)).toEqual(['.github/workflows/ci.yml']);
    expect(CI_FILES.github).toBe('.github/workflows/ci.yml');
  });

  it('runs on pushes to the default branch and on pull requests', async () => {
    const doc = await generate(tree, {});
    expect(Object.keys(doc.on).sort()).toEqual(['pull_request', 'push']);
    expect(doc.on.push).toEqual({ branches: ['main'] });
    expect(doc.on.pull_request ?? {}).toEqual({});
  });

  it('cancels superseded runs of the same ref and lets nx-set-shas read workflow runs', async () => {
    const doc = await generate(tree, {});
    expect(doc.concurrency['cancel-in-progress']).toBe(true);
    expect(doc.concurrency.group).toContain('${{ github.ref }}');
    expect(doc.concurrency.group).toContain('${{ github.workflow }}');
    expect(doc.permissions).toEqual({ contents: 'read', actions: 'read' });
  });

  it('checks out the full history, sets up Node and runs npm ci, installs Rust with clippy and rustfmt', async () => {
    const doc = await generate(tree, {});
    const [checkout] = stepUsing(doc, 'actions/checkout');
    expect(checkout.with['fetch-depth']).toBe(0);
    const [node] = stepUsing(doc, 'actions/setup-node');
    expect(String(node.with['node-version'])).toBe('20');
    const [rust] = stepUsing(doc, 'dtolnay/rust-toolchain');
    expect(rust.uses).toBe('dtolnay/rust-toolchain@stable');
    expect(rust.with.components.split(',').map((c: string) => c.trim()).sort()).toEqual(['clippy', 'rustfmt']);
    const npmCi = stepIndex(doc, (s) => s.run === 'npm ci');
    expect(npmCi).toBeGreaterThan(stepsOf(doc).indexOf(node));
    expect(stepsOf(doc).indexOf(checkout)).toBe(0);
  });

  it('takes the Node version from --nodeVersion', async () => {
    const doc = await generate(tree, { nodeVersion: '22.11.0' });
    expect(stepUsing(doc, 'actions/setup-node')[0].with['node-version']).toBe('22.11.0');
  });

  it('restores the Nx cache and the cargo caches, keyed on Cargo.lock and package-lock.json', async () => {
    const doc = await generate(tree, {});
    const caches = stepUsing(doc, 'actions/cache');
    expect(caches).toHaveLength(2);
    const nx = caches.find((c) => lines(c.with.path).includes('.nx/cache'))!;
    expect(nx.with.key).toContain("hashFiles('Cargo.lock', 'package-lock.json')");
    expect(nx.with.key).toContain('${{ github.sha }}');
    // Restores from the newest entry of the same lockfiles, then of any.
    expect(lines(nx.with['restore-keys'])).toEqual([
      "nx-${{ runner.os }}-${{ hashFiles('Cargo.lock', 'package-lock.json') }}-",
      'nx-${{ runner.os }}-',
    ]);
    const cargo = caches.find((c) => c !== nx)!;
    expect(lines(cargo.with.path)).toEqual(['~/.cargo/registry', '~/.cargo/git', 'target/']);
    expect(cargo.with.key).toContain("hashFiles('Cargo.lock')");
    // The toolchain's cache key comes from the step that installs it.
    const rust = stepUsing(doc, 'dtolnay/rust-toolchain')[0];
    expect(cargo.with.key).toContain(`steps.${rust.id}.outputs.cachekey`);
    expect(stepsOf(doc).indexOf(rust)).toBeLessThan(stepsOf(doc).indexOf(cargo));
  });

  it('computes base and head with nx-set-shas, then runs nx affected with them', async () => {
    const doc = await generate(tree, {});
    const shas = stepUsing(doc, 'nrwl/nx-set-shas');
    expect(shas).toHaveLength(1);
    expect(shas[0].uses).toBe('nrwl/nx-set-shas@v4');
    expect(shas[0].with['main-branch-name']).toBe('main');
    const affected = stepIndex(doc, (s) => s.run === MAIN);
    expect(affected).toBeGreaterThan(stepsOf(doc).indexOf(shas[0]));
    for (const cache of stepUsing(doc, 'actions/cache')) expect(stepsOf(doc).indexOf(cache)).toBeLessThan(affected);
    expect(affectedCommand(['lint', 'test', 'build', 'docker-build'])).toBe(MAIN);
  });

  it('runs the checks with a few tasks in parallel, and the push (one target) as it is', () => {
    expect(DEFAULT_PARALLEL).toBe(3);
    expect(affectedCommand(['lint'], 8)).toBe('npx nx affected -t lint --base=$NX_BASE --head=$NX_HEAD --parallel=8');
    expect(pushCommand('docker-build')).toBe(PUSH);
  });

  it('points Nx at a self-hosted remote cache through a repository variable and secret, when the repository has them', async () => {
    const doc = await generate(tree, {});
    expect(doc.env).toEqual({ CARGO_TERM_COLOR: 'always' });
    const affected = stepsOf(doc).find((s) => s.run === MAIN)!;
    expect(affected.env).toEqual({
      NX_SELF_HOSTED_REMOTE_CACHE_SERVER: '${{ vars.NX_SELF_HOSTED_REMOTE_CACHE_SERVER }}',
      NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: '${{ secrets.NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN }}',
    });
    // No script prints it.
    for (const [, value] of strings(doc)) expect(value).not.toMatch(/\becho\b.*(TOKEN|secrets)/);
  });

  // Like REGISTRY_PASSWORD (login step only): third-party actions and `npm ci` never see it.
  it('gives the remote cache token to the steps that run nx only', async () => {
    const doc = await generate(tree, { push: true, registry: 'ghcr.io' });
    const token = '${{ secrets.NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN }}';
    const holders = strings(doc).filter(([, v]) => v === token).map(([path]) => path);
    const nxSteps = stepsOf(doc).flatMap((s, i) => (typeof s.run === 'string' && s.run.includes('nx affected') ? [i] : []));
    expect(holders.sort()).toEqual(nxSteps.map((i) => `.jobs.affected.steps[${i}].env.NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN`).sort());
  });

  it('has no login or push without --push', async () => {
    const doc = await generate(tree, {});
    for (const [path, value] of strings(doc)) {
      expect(value).not.toContain('docker login');
      expect(value).not.toContain('--push');
      // The only secret is the optional remote cache token.
      if (!path.endsWith('.env.NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN')) expect([path, value]).toEqual([path, expect.not.stringContaining('secrets.')]);
    }
  });

  it('with --push, logs in and pushes after the checks, on the default branch only', async () => {
    const doc = await generate(tree, { push: true, registry: 'registry.example.com:5000' });
    const steps = stepsOf(doc);
    const login = stepIndex(doc, (s) => typeof s.run === 'string' && s.run.includes('docker login'));
    const push = stepIndex(doc, (s) => s.run === PUSH);
    const affected = stepIndex(doc, (s) => s.run === MAIN);
    expect(affected).toBeGreaterThan(-1);
    expect(login).toBe(affected + 1);
    expect(push).toBe(login + 1);
    expect(push).toBe(steps.length - 1);
    // Only these two steps are conditional, both on a push to the default branch.
    const onMain = "github.event_name == 'push' && github.ref == 'refs/heads/main'";
    expect(steps.filter((s) => s.if !== undefined).map((s) => s.if)).toEqual([onMain, onMain]);
    expect(steps[login].if).toBe(onMain);
    expect(steps[push].if).toBe(onMain);
  });

  it('with --push, takes the credentials from secrets through the environment and never prints the password', async () => {
    const doc = await generate(tree, { push: true, registry: 'ghcr.io' });
    const login = stepsOf(doc).find((s) => typeof s.run === 'string' && s.run.includes('docker login'))!;
    expect(login.env).toEqual({ REGISTRY_USERNAME: '${{ secrets.REGISTRY_USERNAME }}', REGISTRY_PASSWORD: '${{ secrets.REGISTRY_PASSWORD }}' });
    expectSafeLogin(login.run, 'REGISTRY_PASSWORD', 'ghcr.io');
    expect(login.run).toContain('--username "$REGISTRY_USERNAME"');
    // The secret appears nowhere else: no other step gets it, no script mentions it.
    const mentions = strings(doc).filter(([, v]) => /REGISTRY_PASSWORD/.test(v));
    expect(mentions.map(([path]) => path).sort()).toEqual(['.jobs.affected.steps[8].env.REGISTRY_PASSWORD', '.jobs.affected.steps[8].run']);
    for (const [, value] of strings(doc)) expect(value).not.toMatch(/\becho\b.*(PASSWORD|secrets)/);
  });

  it('follows --defaultBranch in the triggers, nx-set-shas and the push condition', async () => {
    const doc = await generate(tree, { push: true, registry: 'ghcr.io', defaultBranch: 'trunk' });
    expect(doc.on.push.branches).toEqual(['trunk']);
    expect(stepUsing(doc, 'nrwl/nx-set-shas')[0].with['main-branch-name']).toBe('trunk');
    for (const step of stepsOf(doc).filter((s) => s.if)) expect(step.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/trunk'");
  });

  it('runs the targets of --targets, trimmed and once each', async () => {
    const doc = await generate(tree, { targets: ' lint, test ,lint,build ' });
    expect(affectedCommands(tree.read(CI_FILES.github, 'utf8')!, 'github')).toEqual(['npx nx affected -t lint test build --base=$NX_BASE --head=$NX_HEAD --parallel=3']);
    expect(stepIndex(doc, (s) => s.run === 'npx nx affected -t lint test build --base=$NX_BASE --head=$NX_HEAD --parallel=3')).toBeGreaterThan(-1);
    expect(normalizeOptions(createTreeWithEmptyWorkspace(), { targets: ['lint', 'docker-build,e2e:ci'] }).targets).toEqual(['lint', 'docker-build', 'e2e:ci']);
  });

  it("defaults the targets (and the push target) to the plugin's target names in nx.json", async () => {
    const nxJson = readNxJson(tree)!;
    updateNxJson(tree, { ...nxJson, plugins: [{ plugin: PLUGIN_NAME, options: { lintTargetName: 'clippy', dockerBuildTargetName: 'image' } }] });
    await generate(tree, { push: true, registry: 'ghcr.io' });
    expect(affectedCommands(tree.read(CI_FILES.github, 'utf8')!, 'github')).toEqual([
      'npx nx affected -t clippy test build image --base=$NX_BASE --head=$NX_HEAD --parallel=3',
      'npx nx affected -t image --base=$NX_BASE --head=$NX_HEAD --push --skip-nx-cache',
    ]);
  });

  it('formats the files unless skipFormat, and the result still parses', async () => {
    // Without prettier or oxfmt in the workspace, formatFiles only says so.
    const consoleWarn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    await ciGenerator(tree, {}).finally(() => consoleWarn.mockRestore());
    const doc = readYaml(tree, CI_FILES.github);
    expect(stepsOf(doc).some((s) => s.run === MAIN)).toBe(true);
  });
});

describe('ci generator: GitLab CI', () => {
  let tree: Tree;
  beforeEach(() => (tree = createTreeWithEmptyWorkspace()));

  const jobsOf = (doc: Doc) => Object.keys(doc).filter((k) => !k.startsWith('.') && !['workflow', 'variables', 'stages', 'default'].includes(k));
  const template = (doc: Doc) => doc['.nx-rust'];

  it('writes .gitlab-ci.yml, and keeps the cargo home out of git (and so out of the Nx project graph)', async () => {
    const before = changes(tree);
    await ciGenerator(tree, { provider: 'gitlab', skipFormat: true });
    const added = changes(tree).filter((c) => !before.some((b) => b.path === c.path && b.content === c.content));
    expect(added.map((c) => c.path).sort()).toEqual(['.gitignore', '.gitlab-ci.yml']);
    expect(tree.read('.gitignore', 'utf8')!.split('\n')).toContain('.cargo-home/');
    expect(tree.exists(CI_FILES.github)).toBe(false);
  });

  it('runs for merge requests and pushes to the default branch, with the full history', async () => {
    const doc = await generate(tree, { provider: 'gitlab', defaultBranch: 'develop' });
    expect(doc.workflow.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }, { if: '$CI_COMMIT_BRANCH == "develop"' }]);
    expect(doc.workflow.auto_cancel).toEqual({ on_new_commit: 'interruptible' });
    expect(doc.variables.GIT_DEPTH).toBe('0');
    expect(jobsOf(doc)).toEqual(['affected']);
    expect(doc.affected.rules).toEqual(doc.workflow.rules);
    expect(doc.affected.extends).toBe('.nx-rust');
    expect(doc.affected.script).toEqual([MAIN]);
  });

  it('uses a Rust image, adds Node (from --nodeVersion), clippy and rustfmt, runs npm ci, and has a Docker engine', async () => {
    const doc = await generate(tree, { provider: 'gitlab', nodeVersion: '22' });
    const t = template(doc);
    expect(t.image).toBe(GITLAB_RUST_IMAGE);
    expect(GITLAB_RUST_IMAGE).toMatch(/^rust:\d+\.\d+-bookworm$/);
    expect(doc.variables.NODE_VERSION).toBe('22');
    const scripts: string[] = t.before_script;
    expect(scripts.find((s) => s.includes('nodejs.org/dist'))).toContain('$NODE_VERSION');
    expect(scripts.find((s) => s.includes('nodejs.org/dist'))).toContain('sha256sum -c');
    expect(scripts).toContain('rustup component add clippy rustfmt');
    expect(scripts).toContain('npm ci');
    expect(t.services).toEqual([expect.stringMatching(/^docker:[\d.]+-dind$/)]);
    expect(doc.variables.DOCKER_HOST).toBe('tcp://docker:2375');
    expect(scripts.some((s) => s.includes('docker.io'))).toBe(true);
  });

  it('caches .nx/cache and the cargo registry, git and target folders, keyed on Cargo.lock and package-lock.json', async () => {
    const doc = await generate(tree, { provider: 'gitlab' });
    const caches: Doc[] = template(doc).cache;
    const nx = caches.find((c) => c.paths.includes('.nx/cache/'))!;
    expect(nx.key.files).toEqual(['Cargo.lock', 'package-lock.json']);
    const cargo = caches.find((c) => c !== nx)!;
    expect(cargo.paths).toEqual(['.cargo-home/registry/', '.cargo-home/git/', 'target/']);
    expect(cargo.key.files).toEqual(['Cargo.lock']);
    expect(cargo.key.prefix).not.toMatch(/[/:]/);
    // Cargo's home is the cached folder inside the checkout.
    expect(doc.variables.CARGO_HOME).toBe('$CI_PROJECT_DIR/.cargo-home');
  });

  describe('base and head', () => {
    let repo: string;
    let commits: string[];
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
    beforeAll(() => {
      repo = mkdtempSync(join(tmpdir(), 'rust-docker-ci-'));
      git('init', '-q');
      for (const n of [1, 2, 3]) git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', `c${n}`);
      commits = git('rev-list', '--reverse', 'HEAD').split('\n');
    });
    afterAll(() => rmSync(repo, { recursive: true, force: true }));

    /** Runs the pipeline's base/head script in a real repository with GitLab's variables. */
    async function baseAndHead(env: Record<string, string>): Promise<{ base: string; head: string }> {
      const t = createTreeWithEmptyWorkspace();
      const doc = await generate(t, { provider: 'gitlab' });
      const script = (template(doc).before_script as string[]).find((s) => s.includes('NX_BASE'))!;
      const out = execFileSync('sh', ['-c', `set -e\n${script}\nprintf '\\n%s %s' "$NX_BASE" "$NX_HEAD"`], {
        cwd: repo,
        env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? repo, CI_COMMIT_SHA: commits[2], ...env },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const [base, head] = out.split('\n').pop()!.split(' ');
      return { base, head };
    }

    it('uses the merge base of a merge request', async () => {
      await expect(baseAndHead({ CI_MERGE_REQUEST_DIFF_BASE_SHA: commits[0], CI_COMMIT_BEFORE_SHA: commits[1] })).resolves.toEqual({ base: commits[0], head: commits[2] });
    });

    it('uses the commit before the push on the default branch', async () => {
      await expect(baseAndHead({ CI_COMMIT_BEFORE_SHA: commits[0] })).resolves.toEqual({ base: commits[0], head: commits[2] });
    });

    it('falls back to HEAD~1 when the commit before is zeros or unknown', async () => {
      await expect(baseAndHead({ CI_COMMIT_BEFORE_SHA: '0'.repeat(40) })).resolves.toEqual({ base: commits[1], head: commits[2] });
      await expect(baseAndHead({ CI_COMMIT_BEFORE_SHA: '1'.repeat(40) })).resolves.toEqual({ base: commits[1], head: commits[2] });
      await expect(baseAndHead({})).resolves.toEqual({ base: commits[1], head: commits[2] });
    });
  });

  it('has no login or push without --push', async () => {
    const doc = await generate(tree, { provider: 'gitlab' });
    for (const [, value] of strings(doc)) {
      expect(value).not.toContain('docker login');
      expect(value).not.toContain('--push');
      expect(value).not.toContain('CI_REGISTRY_PASSWORD');
    }
  });

  it('with --push, checks merge requests, and on the default branch only checks, logs in and pushes', async () => {
    const doc = await generate(tree, { provider: 'gitlab', push: true, registry: 'registry.gitlab.com' });
    expect(jobsOf(doc)).toEqual(['affected', 'affected-push']);
    expect(doc.affected.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }]);
    expect(doc.affected.script).toEqual([MAIN]);
    const job = doc['affected-push'];
    expect(job.rules).toEqual([{ if: '$CI_COMMIT_BRANCH == "main"' }]);
    expect(job.extends).toBe('.nx-rust');
    expect(job.interruptible).toBe(false);
    expect(job.script).toHaveLength(3);
    expect(job.script[0]).toBe(MAIN);
    expectSafeLogin(job.script[1], 'CI_REGISTRY_PASSWORD', 'registry.gitlab.com');
    expect(job.script[1]).toContain('--username "$CI_REGISTRY_USER"');
    expect(job.script[2]).toBe(PUSH);
    // The password is used in the login line only.
    expect(strings(doc).filter(([, v]) => v.includes('CI_REGISTRY_PASSWORD')).map(([p]) => p)).toEqual(['.affected-push.script[1]']);
  });
});

describe('ci generator: existing files and --force', () => {
  it.each(['github', 'gitlab'] as const)('refuses to replace an existing %s pipeline, and writes nothing', async (provider) => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write(CI_FILES[provider], 'ours: true\n');
    const before = changes(tree);
    await expect(ciGenerator(tree, { provider, skipFormat: true })).rejects.toThrow(
      `${CI_FILES[provider]} already exists; pass --force to replace it (its current content is lost), or merge the generated pipeline into it by hand.`,
    );
    expect(changes(tree)).toEqual(before);
  });

  it.each(['github', 'gitlab'] as const)('replaces an existing %s pipeline with --force', async (provider) => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write(CI_FILES[provider], 'ours: true\n');
    const doc = await generate(tree, { provider, force: true });
    expect(doc.ours).toBeUndefined();
    expect(affectedCommands(tree.read(CI_FILES[provider], 'utf8')!, provider)).toEqual([MAIN]);
  });

  it('does not mind the other provider\'s file', async () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write(CI_FILES.gitlab, 'ours: true\n');
    await generate(tree, { provider: 'github' });
    expect(tree.read(CI_FILES.gitlab, 'utf8')).toBe('ours: true\n');
  });

  it('adds .cargo-home/ to .gitignore once, keeping its lines', async () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('.gitignore', 'target/\n');
    await generate(tree, { provider: 'gitlab' });
    await generate(tree, { provider: 'gitlab', force: true });
    const gitignore = tree.read('.gitignore', 'utf8')!.split('\n');
    expect(gitignore[0]).toBe('target/');
    expect(gitignore.filter((l) => l === '.cargo-home/')).toHaveLength(1);
  });
});

describe('ci generator: invalid options leave the tree unchanged', () => {
  it.each<[CiGeneratorSchema, string | RegExp]>([
    [{ provider: 'circleci' as CiProvider }, '--provider "circleci" is not one of github, gitlab (e.g. --provider gitlab).'],
    [{ targets: 'lint,Test' }, /^--targets entry "Test" is not a target name: use lowercase letters, digits, ":" and "-", starting with a letter/],
    [{ targets: 'lint,1build' }, /--targets entry "1build" is not a target name/],
    [{ targets: 'lint;rm -rf /' }, /--targets entry "lint;rm -rf \/" is not a target name/],
    [{ targets: 'lint test' }, /--targets entry "lint test" is not a target name/],
    [{ targets: ' , ' }, '--targets is empty: give the targets to run, e.g. --targets lint,test,build,docker-build.'],
    [{ push: true }, '--push needs --registry, the registry to log in to (e.g. --registry ghcr.io or --registry registry.example.com:5000).'],
    [{ push: true, registry: 'ghcr.io/acme' }, /--registry "ghcr.io\/acme" is not a registry host/],
    [{ push: true, registry: 'ghcr.io; curl evil' }, /is not a registry host/],
    [{ push: true, registry: 'https://bot:s3cret@ghcr.io' }, /^--registry "https:\/\/ghcr\.io" is not a registry host/],
    [{ nodeVersion: 'lts' }, /--nodeVersion "lts" is not a Node.js version/],
    [{ nodeVersion: '20.19' }, /is not a Node.js version: use a major version \(20\) or an exact one \(20.19.0\)/],
    [{ defaultBranch: "main' || true" }, /--defaultBranch "main' \|\| true" is not a branch name/],
    [{ defaultBranch: 'a..b' }, /is not a branch name/],
  ])('%j', async (schema, message) => {
    for (const provider of ['github', 'gitlab'] as const) {
      if (schema.provider && provider === 'gitlab') continue;
      const tree = createTreeWithEmptyWorkspace();
      const before = changes(tree);
      await expect(ciGenerator(tree, { provider, skipFormat: true, ...schema })).rejects.toThrow(message);
      expect(changes(tree)).toEqual(before);
    }
  });

  it('accepts the provider in any case and v-prefixed Node versions', () => {
    const options = normalizeOptions(createTreeWithEmptyWorkspace(), { provider: ' GitLab ' as CiProvider, nodeVersion: 'v22.1.0' });
    expect(options.provider).toBe('gitlab');
    expect(options.nodeVersion).toBe('22.1.0');
    expect(options.file).toBe('.gitlab-ci.yml');
  });
});

describe('ci generator: warnings', () => {
  it('warns with --push when the docker-build image is not in the registry, and not when it is', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await generate(tree, { push: true, registry: 'ghcr.io' });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('"targetDefaults": { "docker-build": { "options": { "image": "ghcr.io/<team>/{projectName}" } } }'));
    warn.mockClear();
    const nxJson = readNxJson(tree)!;
    updateNxJson(tree, { ...nxJson, targetDefaults: { 'docker-build': { options: { image: 'ghcr.io/acme/{projectName}' } } } });
    await generate(tree, { push: true, registry: 'ghcr.io', force: true });
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('affectedCommands', () => {
  it.each(['github', 'gitlab'] as const)('returns the nx affected lines of a generated %s pipeline, in order', async (provider) => {
    const plain = createTreeWithEmptyWorkspace();
    await ciGenerator(plain, { provider, skipFormat: true });
    expect(affectedCommands(plain.read(CI_FILES[provider], 'utf8')!, provider)).toEqual([MAIN]);

    const pushing = createTreeWithEmptyWorkspace();
    await ciGenerator(pushing, { provider, push: true, registry: 'ghcr.io', skipFormat: true });
    expect(affectedCommands(pushing.read(CI_FILES[provider], 'utf8')!, provider)).toEqual([MAIN, PUSH]);
    expect(pushCommand('docker-build')).toBe(PUSH);
  });

  it('reads multi-line and continued scripts, and ignores other lines', () => {
    const github = [
      'jobs:',
      '  a:',
      '    steps:',
      '      - run: |',
      '          echo start',
      '          npx nx affected -t lint \\',
      '            --base=$NX_BASE --head=$NX_HEAD',
      '          nx affected -t test',
      '          npx nx run-many -t build',
      '  b:',
      '    steps:',
      '      - uses: actions/checkout@v5',
      '      - run: npx nx affected -t lint --base=$NX_BASE --head=$NX_HEAD',
    ].join('\n');
    expect(affectedCommands(github, 'github')).toEqual(['npx nx affected -t lint --base=$NX_BASE --head=$NX_HEAD', 'nx affected -t test']);

    const gitlab = [
      'variables: { GIT_DEPTH: "0" }',
      '.t: { before_script: [npm ci] }',
      'job:',
      '  script:',
      '    - npx nx affected -t build',
      '    - [npx nx affected -t e2e]',
    ].join('\n');
    expect(affectedCommands(gitlab, 'gitlab')).toEqual(['npx nx affected -t build', 'npx nx affected -t e2e']);
    expect(affectedCommands('', 'github')).toEqual([]);
  });

  it('rejects invalid YAML and unknown providers', () => {
    expect(() => affectedCommands('jobs: [\n', 'github')).toThrow(/^the pipeline is not valid YAML: /);
    expect(() => affectedCommands('a: 1\n', 'jenkins' as CiProvider)).toThrow('provider "jenkins" is not one of github, gitlab.');
  });
});
