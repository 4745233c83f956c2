import { formatFiles, logger, readNxJson, type Tree } from '@nx/devkit';
import { Document, isMap, isSeq, parseDocument, type Node } from 'yaml';
import { DEFAULT_PLUGIN_OPTIONS, ensureLines, PLUGIN_NAME } from '../init/generator';
import { checkLineFile, checkNxJson, transactional } from '../../safety/tree';
import type { CiGeneratorSchema } from './schema';
import { redactUrls } from '../../secrets/urls';

/**
 * `nx g @org/rust-docker:ci`: a CI pipeline (GitHub Actions or GitLab CI) that checks out
 * the full history, restores the Nx and cargo caches, and runs only what a change can
 * reach with `nx affected`; optionally pushes the affected images from the default branch.
 */

export const CI_PROVIDERS = ['github', 'gitlab'] as const;
export type CiProvider = (typeof CI_PROVIDERS)[number];

/** Where each provider reads its pipeline from. */
export const CI_FILES: Record<CiProvider, string> = {
  github: '.github/workflows/ci.yml',
  gitlab: '.gitlab-ci.yml',
};

export const DEFAULT_PROVIDER: CiProvider = 'github';
export const DEFAULT_NODE_VERSION = '20';
export const DEFAULT_BRANCH = 'main';

/** What a target name in `--targets` may look like. */
export const TARGET_NAME = /^[a-z][a-z0-9:-]*$/;

/** The base and head every `nx affected` line compares (shell variables on both providers). */
export const BASE_HEAD_ARGS = '--base=$NX_BASE --head=$NX_HEAD';

/** Actions and images the pipelines use; bump them here. */
export const GITHUB_ACTIONS = {
  checkout: 'actions/checkout@v5',
  setupNode: 'actions/setup-node@v5',
  rustToolchain: 'dtolnay/rust-toolchain@stable',
  cache: 'actions/cache@v4',
  nxSetShas: 'nrwl/nx-set-shas@v4',
};
export const GITLAB_RUST_IMAGE = 'rust:1.95-bookworm';
export const GITLAB_DIND_IMAGE = 'docker:27-dind';
/** GitLab caches only folders inside the checkout, so cargo's home moves there (and into .gitignore). */
export const GITLAB_CARGO_HOME = '.cargo-home';

export interface NormalizedCiOptions {
  provider: CiProvider;
  /** Workspace-relative path of the pipeline file. */
  file: string;
  targets: string[];
  /** The plugin's docker-build target name (what the push step runs). */
  dockerBuildTarget: string;
  nodeVersion: string;
  push: boolean;
  registry?: string;
  defaultBranch: string;
  force: boolean;
  skipFormat: boolean;
}

/** The plugin's target names as registered in nx.json (defaults when not registered). */
function pluginTargetNames(tree: Tree): typeof DEFAULT_PLUGIN_OPTIONS {
  const entry = (readNxJson(tree)?.plugins ?? []).find((p) => typeof p !== 'string' && p.plugin === PLUGIN_NAME);
  const options = (entry && typeof entry !== 'string' ? entry.options : undefined) as Partial<typeof DEFAULT_PLUGIN_OPTIONS> | undefined;
  return { ...DEFAULT_PLUGIN_OPTIONS, ...options };
}

function normalizeProvider(value: unknown): CiProvider {
  if (value === undefined || value === null || value === '') return DEFAULT_PROVIDER;
  const provider = String(value).trim().toLowerCase();
  if (!(CI_PROVIDERS as readonly string[]).includes(provider)) {
    throw new Error(`--provider "${String(value)}" is not one of ${CI_PROVIDERS.join(', ')} (e.g. --provider gitlab).`);
  }
  return provider as CiProvider;
}

function normalizeTargets(value: unknown, defaults: string[]): string[] {
  if (value === undefined || value === null) return defaults;
  const entries = (Array.isArray(value) ? value : [value])
    .flatMap((v) => String(v).split(','))
    .map((t) => t.trim())
    .filter(Boolean);
  if (entries.length === 0) {
    throw new Error(`--targets is empty: give the targets to run, e.g. --targets ${defaults.join(',')}.`);
  }
  for (const target of entries) {
    if (!TARGET_NAME.test(target)) {
      throw new Error(
        `--targets entry "${target}" is not a target name: use lowercase letters, digits, ":" and "-", starting with a letter (e.g. --targets ${defaults.join(',')}).`,
      );
    }
  }
  return [...new Set(entries)];
}

function normalizeNodeVersion(value: unknown): string {
  if (value === undefined || value === null || value === '') return DEFAULT_NODE_VERSION;
  const version = String(value).trim().replace(/^v/, '');
  if (!/^\d+(\.\d+\.\d+)?$/.test(version)) {
    throw new Error(`--nodeVersion "${String(value)}" is not a Node.js version: use a major version (20) or an exact one (20.19.0).`);
  }
  return version;
}

function normalizeBranch(value: unknown): string {
  if (value === undefined || value === null || value === '') return DEFAULT_BRANCH;
  const branch = String(value).trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(branch) || /\.\.|\/\/|\/$|\.lock$|\.$/.test(branch)) {
    throw new Error(`--defaultBranch "${String(value)}" is not a branch name, e.g. --defaultBranch main.`);
  }
  return branch;
}

/** A registry host, with an optional port: what `docker login` takes. */
const REGISTRY_HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/i;

function normalizeRegistry(value: unknown, push: boolean): string | undefined {
  const registry = value === undefined || value === null ? '' : String(value).trim();
  if (!push) {
    if (registry) logger.warn(`--registry ${redactUrls(registry)} is not used without --push.`);
    return undefined;
  }
  if (!registry) {
    throw new Error('--push needs --registry, the registry to log in to (e.g. --registry ghcr.io or --registry registry.example.com:5000).');
  }
  if (!REGISTRY_HOST.test(registry)) {
    throw new Error(
      `--registry "${redactUrls(registry)}" is not a registry host: give the host (and port) that \`docker login\` takes, e.g. ghcr.io or registry.example.com:5000; the image names come from the docker-build "image" option.`,
    );
  }
  return registry;
}

export function normalizeOptions(tree: Tree, schema: CiGeneratorSchema = {}): NormalizedCiOptions {
  const provider = normalizeProvider(schema.provider);
  const names = pluginTargetNames(tree);
  const targets = normalizeTargets(schema.targets, [names.lintTargetName, names.testTargetName, names.buildTargetName, names.dockerBuildTargetName]);
  const nodeVersion = normalizeNodeVersion(schema.nodeVersion);
  const defaultBranch = normalizeBranch(schema.defaultBranch);
  const push = schema.push === true || String(schema.push) === 'true';
  const registry = normalizeRegistry(schema.registry, push);
  const file = CI_FILES[provider];
  const force = schema.force ?? false;
  if (tree.exists(file) && !force) {
    throw new Error(`${file} already exists; pass --force to replace it (its current content is lost), or merge the generated pipeline into it by hand.`);
  }
  return {
    provider,
    file,
    targets,
    dockerBuildTarget: names.dockerBuildTargetName,
    nodeVersion,
    push,
    registry,
    defaultBranch,
    force,
    skipFormat: schema.skipFormat ?? false,
  };
}

/**
 * `npx nx affected -t <targets> --base=$NX_BASE --head=$NX_HEAD --parallel=N`. Cargo builds
 * share one target/ lock, so more parallel tasks than cores mostly wait; images build in
 * parallel well.
 */
export function affectedCommand(targets: string[], parallel = DEFAULT_PARALLEL): string {
  return `npx nx affected -t ${targets.join(' ')} ${BASE_HEAD_ARGS} --parallel=${parallel}`;
}

export const DEFAULT_PARALLEL = 3;

/** The remote cache settings, given only to the steps that run nx. */
const REMOTE_CACHE_ENV = {
  NX_SELF_HOSTED_REMOTE_CACHE_SERVER: '${{ vars.NX_SELF_HOSTED_REMOTE_CACHE_SERVER }}',
  NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: '${{ secrets.NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN }}',
};

/**
 * The push command: docker-build again with `--push`. `--skip-nx-cache` because `--push`
 * is part of the task hash: a push restored from the Nx cache would push nothing.
 */
export function pushCommand(dockerBuildTarget: string): string {
  return `npx nx affected -t ${dockerBuildTarget} ${BASE_HEAD_ARGS} --push --skip-nx-cache`;
}

/** Wraps a comment at about 100 columns, each line starting with a space (after its `#`). */
function wrapComment(text: string, width = 100): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.trim().split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => ` ${l}`).join('\n');
}

/** Sets a comment above the node at `path` (a map key's value, or a sequence item). */
function commentOn(doc: Document, path: Array<string | number>, text: string): void {
  const comment = wrapComment(text);
  const parent = doc.getIn(path.slice(0, -1), true);
  const last = path[path.length - 1];
  if (isSeq(parent)) {
    (parent.items[last as number] as Node).commentBefore = comment;
  } else if (isMap(parent)) {
    const pair = parent.items.find((p) => (p.key as { value?: unknown })?.value === last);
    if (pair) (pair.key as Node).commentBefore = comment;
  }
}

/** Shared objects (the same rule twice) are written out in full, not as YAML aliases. */
const DOCUMENT_OPTIONS = { aliasDuplicateObjects: false };

function render(doc: Document): string {
  return doc.toString({ lineWidth: 0, nullStr: '' });
}

type Step = Record<string, unknown> & { comment?: string };

export function renderGithubWorkflow(o: NormalizedCiOptions): string {
  const lockHash = "${{ hashFiles('Cargo.lock', 'package-lock.json') }}";
  const onDefaultBranch = `github.event_name == 'push' && github.ref == 'refs/heads/${o.defaultBranch}'`;
  const steps: Step[] = [
    {
      comment: 'nx affected compares commits, so it needs the history, not a shallow clone.',
      name: 'Check out with full history',
      uses: GITHUB_ACTIONS.checkout,
      with: { 'fetch-depth': 0 },
    },
    { name: 'Set up Node.js', uses: GITHUB_ACTIONS.setupNode, with: { 'node-version': o.nodeVersion, cache: 'npm' } },
    { name: 'Install npm dependencies', run: 'npm ci' },
    { name: 'Install Rust', id: 'rust', uses: GITHUB_ACTIONS.rustToolchain, with: { components: 'clippy, rustfmt' } },
    {
      comment: 'A new Nx cache entry per commit, restored from the newest one, so the cache never freezes.',
      name: 'Restore the Nx cache',
      uses: GITHUB_ACTIONS.cache,
      with: {
        path: '.nx/cache',
        key: `nx-\${{ runner.os }}-${lockHash}-\${{ github.sha }}`,
        'restore-keys': `nx-\${{ runner.os }}-${lockHash}-\nnx-\${{ runner.os }}-\n`,
      },
    },
    {
      comment: 'Keyed on the Rust toolchain and Cargo.lock.',
      name: 'Restore the cargo caches',
      uses: GITHUB_ACTIONS.cache,
      with: {
        path: '~/.cargo/registry\n~/.cargo/git\ntarget/\n',
        key: `cargo-\${{ runner.os }}-\${{ steps.rust.outputs.cachekey }}-\${{ hashFiles('Cargo.lock') }}`,
        'restore-keys': 'cargo-${{ runner.os }}-${{ steps.rust.outputs.cachekey }}-\n',
      },
    },
    {
      comment: 'Pull requests: the merge base with the default branch. Pushes: the last commit whose run succeeded.',
      name: 'Base and head for nx affected',
      uses: GITHUB_ACTIONS.nxSetShas,
      with: { 'main-branch-name': o.defaultBranch },
    },
    {
      comment:
        "An Nx remote cache, when the repository configures one (Nx's self-hosted cache protocol: variable NX_SELF_HOSTED_REMOTE_CACHE_SERVER, secret NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN): every runner reuses every other runner's results, images included. The token reaches only the steps that run nx.",
      name: `nx affected: ${o.targets.join(', ')}`,
      env: REMOTE_CACHE_ENV,
      run: affectedCommand(o.targets),
    },
  ];
  if (o.push) {
    steps.push(
      {
        comment:
          'Default branch only. Secrets REGISTRY_USERNAME and REGISTRY_PASSWORD; the password goes through stdin, never the command line or the log.',
        name: `Log in to ${o.registry}`,
        if: onDefaultBranch,
        env: { REGISTRY_USERNAME: '${{ secrets.REGISTRY_USERNAME }}', REGISTRY_PASSWORD: '${{ secrets.REGISTRY_PASSWORD }}' },
        run: `printf '%s' "$REGISTRY_PASSWORD" | docker login ${o.registry} --username "$REGISTRY_USERNAME" --password-stdin`,
      },
      {
        comment: `Image names come from each project's ${o.dockerBuildTarget} "image" option (nx.json targetDefaults), e.g. ${o.registry}/<team>/{projectName}. --skip-nx-cache: a push restored from the Nx cache would push nothing.`,
        name: 'Push the affected images',
        if: onDefaultBranch,
        env: REMOTE_CACHE_ENV,
        run: pushCommand(o.dockerBuildTarget),
      },
    );
  }

  const doc = new Document(
    {
      name: 'CI',
      on: { push: { branches: [o.defaultBranch] }, pull_request: null },
      permissions: { contents: 'read', actions: 'read' },
      concurrency: { group: '${{ github.workflow }}-${{ github.ref }}', 'cancel-in-progress': true },
      env: {
        CARGO_TERM_COLOR: 'always',
      },
      jobs: { affected: { name: 'nx affected', 'runs-on': 'ubuntu-latest', steps: steps.map(({ comment: _, ...step }) => step) } },
    },
    DOCUMENT_OPTIONS,
  );
  doc.commentBefore = header(o);
  commentOn(doc, ['permissions'], 'actions: read lets nrwl/nx-set-shas find the last successful run on the default branch.');
  commentOn(doc, ['concurrency'], 'A new push to a branch or pull request cancels its older, superseded run.');
  steps.forEach((step, i) => step.comment && commentOn(doc, ['jobs', 'affected', 'steps', i], step.comment));
  return render(doc);
}

/** Shell that installs Node.js ${NODE_VERSION} from nodejs.org, checking its checksum. */
const GITLAB_INSTALL_NODE = [
  'case "$NODE_VERSION" in',
  '  *.*) node_dist="https://nodejs.org/dist/v$NODE_VERSION" ;;',
  '  *) node_dist="https://nodejs.org/dist/latest-v$NODE_VERSION.x" ;;',
  'esac',
  'node_arch="$(dpkg --print-architecture | sed -e \'s/amd64/x64/\')"',
  'curl -fsSL "$node_dist/SHASUMS256.txt" -o /tmp/node-SHASUMS256.txt',
  'node_tarball="$(grep -o "node-v[0-9.]*-linux-$node_arch\\.tar\\.gz" /tmp/node-SHASUMS256.txt | head -n 1)"',
  'curl -fsSL "$node_dist/$node_tarball" -o "/tmp/$node_tarball"',
  '(cd /tmp && grep " $node_tarball\\$" node-SHASUMS256.txt | sha256sum -c -)',
  'tar -xzf "/tmp/$node_tarball" -C /usr/local --strip-components=1',
  'node --version',
  '',
].join('\n');

/** Shell that sets NX_BASE and NX_HEAD for nx affected. */
const GITLAB_BASE_HEAD = [
  'if [ -n "${CI_MERGE_REQUEST_DIFF_BASE_SHA:-}" ]; then',
  '  NX_BASE="$CI_MERGE_REQUEST_DIFF_BASE_SHA"',
  'elif git cat-file -e "${CI_COMMIT_BEFORE_SHA:-none}^{commit}" 2>/dev/null; then',
  '  NX_BASE="$CI_COMMIT_BEFORE_SHA"',
  'else',
  '  NX_BASE="$(git rev-parse HEAD~1)"',
  'fi',
  'NX_HEAD="$CI_COMMIT_SHA"',
  'export NX_BASE NX_HEAD',
  'echo "nx affected: base $NX_BASE, head $NX_HEAD"',
  '',
].join('\n');

export function renderGitlabPipeline(o: NormalizedCiOptions): string {
  const onMergeRequest = { if: '$CI_PIPELINE_SOURCE == "merge_request_event"' };
  const onDefaultBranch = { if: `$CI_COMMIT_BRANCH == "${o.defaultBranch}"` };
  const jobs: Record<string, unknown> = o.push
    ? {
        affected: { extends: '.nx-rust', rules: [onMergeRequest], script: [affectedCommand(o.targets)] },
        'affected-push': {
          extends: '.nx-rust',
          rules: [onDefaultBranch],
          interruptible: false,
          script: [
            affectedCommand(o.targets),
            `printf '%s' "$CI_REGISTRY_PASSWORD" | docker login ${o.registry} --username "$CI_REGISTRY_USER" --password-stdin`,
            pushCommand(o.dockerBuildTarget),
          ],
        },
      }
    : { affected: { extends: '.nx-rust', rules: [onMergeRequest, onDefaultBranch], script: [affectedCommand(o.targets)] } };

  const doc = new Document(
    {
      workflow: { rules: [onMergeRequest, onDefaultBranch], auto_cancel: { on_new_commit: 'interruptible' } },
      variables: {
        GIT_DEPTH: '0',
        NODE_VERSION: o.nodeVersion,
        CARGO_HOME: `$CI_PROJECT_DIR/${GITLAB_CARGO_HOME}`,
        CARGO_TERM_COLOR: 'always',
        DOCKER_HOST: 'tcp://docker:2375',
        DOCKER_TLS_CERTDIR: '',
      },
      '.nx-rust': {
        image: GITLAB_RUST_IMAGE,
        services: [GITLAB_DIND_IMAGE],
        interruptible: true,
        cache: [
          { key: { prefix: 'nx', files: ['Cargo.lock', 'package-lock.json'] }, paths: ['.nx/cache/'] },
          {
            key: { prefix: `cargo-${GITLAB_RUST_IMAGE.replace(/[^A-Za-z0-9.-]/g, '-')}`, files: ['Cargo.lock'] },
            paths: [`${GITLAB_CARGO_HOME}/registry/`, `${GITLAB_CARGO_HOME}/git/`, 'target/'],
          },
        ],
        before_script: [
          GITLAB_INSTALL_NODE,
          'apt-get update -qq && apt-get install -y -qq --no-install-recommends docker.io > /dev/null',
          'rustup component add clippy rustfmt',
          'npm ci',
          GITLAB_BASE_HEAD,
        ],
      },
      ...jobs,
    },
    DOCUMENT_OPTIONS,
  );
  doc.commentBefore = header(o);
  commentOn(doc, ['workflow'], 'Pipelines for merge requests and for pushes to the default branch; a new commit cancels the older pipeline.');
  commentOn(
    doc,
    ['variables'],
    `GIT_DEPTH 0: full history for nx affected. CARGO_HOME inside the checkout, so that its registry and git folders can be cached. ` +
      `The ${o.dockerBuildTarget} target talks to the ${GITLAB_DIND_IMAGE} service (the runner must allow privileged containers).`,
  );
  commentOn(
    doc,
    ['.nx-rust', 'before_script'],
    'Node.js (official build, checksum verified), the Docker CLI, clippy and rustfmt, npm packages; then the base for nx affected: ' +
      'the merge base for a merge request, else the commit before the push (HEAD~1 when that is unknown).',
  );
  if (o.push) {
    commentOn(
      doc,
      ['affected-push'],
      `Default branch only: check, then log in with CI_REGISTRY_USER / CI_REGISTRY_PASSWORD (through stdin, never printed) and push the affected images. ` +
        `Image names come from each project's ${o.dockerBuildTarget} "image" option (nx.json targetDefaults), e.g. ${o.registry}/<group>/{projectName}. ` +
        `--skip-nx-cache: a push restored from the Nx cache would push nothing.`,
    );
    commentOn(doc, ['affected-push', 'interruptible'], "Never cancelled: the next pipeline's base is this commit, so a cancelled push would be lost.");
  }
  return render(doc);
}

function header(o: NormalizedCiOptions): string {
  return [
    ' Written by `nx g @org/rust-docker:ci`. Runs only what a change can reach:',
    `   ${affectedCommand(o.targets)}`,
    ' with the Nx cache (.nx/cache) and cargo caches restored.',
    o.push ? ` On the default branch (${o.defaultBranch}), the affected images are pushed to ${o.registry}.` : undefined,
    ' Regenerate with --force after changing options.',
  ]
    .filter((l): l is string => l !== undefined)
    .join('\n');
}

export function renderPipeline(o: NormalizedCiOptions): string {
  return o.provider === 'github' ? renderGithubWorkflow(o) : renderGitlabPipeline(o);
}

const AFFECTED_LINE = /^(?:npx\s+)?nx\s+affected(?:\s|$)/;

/** Shell lines of a script, with backslash-continued lines joined. */
function shellLines(script: string): string[] {
  return script
    .replace(/[ \t]*\\\r?\n\s*/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim());
}

function scriptsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(scriptsOf);
  return [];
}

/**
 * The `nx affected` command lines a generated pipeline runs, in file order, each once,
 * exactly as written (with `$NX_BASE` and `$NX_HEAD` for a shell to expand).
 */
export function affectedCommands(yamlText: string, provider: CiProvider): string[] {
  if (!(CI_PROVIDERS as readonly string[]).includes(provider)) {
    throw new Error(`provider "${String(provider)}" is not one of ${CI_PROVIDERS.join(', ')}.`);
  }
  const doc = parseDocument(yamlText);
  if (doc.errors.length > 0) throw new Error(`the pipeline is not valid YAML: ${doc.errors[0].message}`);
  const root = doc.toJS() as Record<string, any> | null;
  if (!root || typeof root !== 'object') return [];
  const scripts: string[] = [];
  if (provider === 'github') {
    for (const job of Object.values(root.jobs ?? {}) as any[]) {
      for (const step of job?.steps ?? []) if (typeof step?.run === 'string') scripts.push(step.run);
    }
  } else {
    for (const job of Object.values(root) as any[]) {
      if (!job || typeof job !== 'object' || Array.isArray(job)) continue;
      for (const key of ['before_script', 'script', 'after_script']) scripts.push(...scriptsOf(job[key]));
    }
  }
  const commands = scripts.flatMap(shellLines).filter((l) => AFFECTED_LINE.test(l));
  return [...new Set(commands)];
}

/** Warns when pushed images would not land in the registry the pipeline logs in to. */
function warnAboutImageNames(tree: Tree, o: NormalizedCiOptions): void {
  const targetDefaults = readNxJson(tree)?.targetDefaults ?? {};
  const entries = [o.dockerBuildTarget, `${PLUGIN_NAME}:docker-build`].flatMap((key) => {
    const value = targetDefaults[key];
    return Array.isArray(value) ? value : value ? [value] : [];
  });
  const images = entries.map((e) => e.options?.image).filter((i): i is string => typeof i === 'string');
  if (images.some((image) => image.startsWith(`${o.registry}/`))) return;
  logger.warn(
    `${o.dockerBuildTarget} pushes to the repository in its "image" option, which defaults to the project name (Docker Hub). ` +
      `Point it at ${o.registry} for every service in nx.json: "targetDefaults": { "${o.dockerBuildTarget}": { "options": { "image": "${o.registry}/<team>/{projectName}" } } }`,
  );
}

async function generateCi(tree: Tree, schema: CiGeneratorSchema = {}): Promise<void> {
  checkNxJson(tree);
  const options = normalizeOptions(tree, schema);
  if (options.provider === 'gitlab') checkLineFile(tree, '.gitignore');
  const text = renderPipeline(options);
  tree.write(options.file, text);
  if (options.provider === 'gitlab') {
    // Nx must not see cargo's registry (full of Cargo.toml files) as workspace projects.
    ensureLines(tree, '.gitignore', [`${GITLAB_CARGO_HOME}/`], '# Cargo home of the GitLab CI jobs (@org/rust-docker)');
  }
  if (options.push) warnAboutImageNames(tree, options);
  if (!tree.exists('package-lock.json') && ['pnpm-lock.yaml', 'yarn.lock', 'bun.lockb', 'bun.lock'].some((f) => tree.exists(f))) {
    logger.warn(`${options.file} installs packages with \`npm ci\`, which needs package-lock.json; change that step for your package manager.`);
  }
  if (!options.skipFormat) await formatFiles(tree);
}

export const ciGenerator = transactional(generateCi);

export default ciGenerator;
