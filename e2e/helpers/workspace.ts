import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { run, type RunResult } from './run';

const REPO = resolve(__dirname, '..', '..');

let tarball: string | undefined;

/** Packs the plugin once per test process, exactly as it would be published. */
export function packPlugin(): string {
  if (tarball) return tarball;
  const dir = mkdtempSync(join(tmpdir(), 'rust-docker-pack-'));
  const out = run('npm', ['pack', '--pack-destination', dir, '--ignore-scripts'], { cwd: REPO, quiet: true });
  tarball = join(dir, out.stdout.trim().split('\n').pop()!);
  return tarball;
}

/** The newest Nx, the one the plugin is developed against (package.json devDependencies). */
export function newestNxVersion(): string {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
  return pkg.devDependencies.nx.replace(/^[\^~]/, '');
}

/**
 * The Nx version e2e workspaces install: E2E_NX_VERSION when set (the CI matrix runs
 * suites on older majors this way, see e2e/nx-matrix.js), else the newest.
 */
export function nxVersion(): string {
  return process.env.E2E_NX_VERSION || newestNxVersion();
}

/**
 * nx, and on an older Nx its @nx/devkit too, as any first-party Nx plugin brings it: npm
 * would otherwise give the plugin the newest devkit, which needs the newest nx.
 */
export function nxPackages(): string[] {
  return process.env.E2E_NX_VERSION ? [`nx@${nxVersion()}`, `@nx/devkit@${nxVersion()}`] : [`nx@${nxVersion()}`];
}

export interface Workspace {
  root: string;
  nx(args: string[], options?: { env?: NodeJS.ProcessEnv; allowFailure?: boolean }): RunResult;
  read(file: string): string;
  write(file: string, content: string): void;
  json<T = any>(file: string): T;
  git(args: string[]): RunResult;
  remove(): void;
}

/** A workspace made some other way (create-nx-workspace), driven like the others. */
export function workspaceAt(root: string, env: NodeJS.ProcessEnv): Workspace {
  const baseEnv = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_SKIP_NX_CLOUD: 'true', FORCE_COLOR: '0', ...env };
  const git = (args: string[]) =>
    run('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.com', ...args], { cwd: root, quiet: true });
  return {
    root,
    nx: (args, options = {}) =>
      run(process.execPath, [join(root, 'node_modules', '.bin', 'nx'), ...args], {
        cwd: root,
        env: { ...baseEnv, ...options.env },
        allowFailure: options.allowFailure,
      }),
    read: (file) => readFileSync(join(root, file), 'utf8'),
    write: (file, content) => {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), content);
    },
    json: (file) => JSON.parse(readFileSync(join(root, file), 'utf8')),
    git,
    // E2E_KEEP=1 keeps the workspace for a look after a failure.
    remove: () => (process.env.E2E_KEEP ? console.log(`kept ${root}`) : rmSync(root, { recursive: true, force: true })),
  };
}

/** A second checkout of a workspace (another CI machine): git clone, then npm install. */
export function cloneWorkspace(origin: Workspace, name: string, env: NodeJS.ProcessEnv = {}): Workspace {
  const root = mkdtempSync(join(tmpdir(), `rust-docker-e2e-${name}-`));
  run('git', ['clone', '-q', origin.root, root], { quiet: true });
  run('npm', ['install', '--no-audit', '--no-fund'], { cwd: root, quiet: true });
  return workspaceAt(root, env);
}

/**
 * A new Nx workspace in a temp folder, with nx from the registry and the plugin from its
 * packed tarball (as a user installs it), committed to git so affected and status work.
 */
/**
 * A quicker release profile for suites whose subject is not the image itself: no LTO, no
 * optimization, parallel codegen. Cargo's config overrides the manifest's profile, so the
 * workspace's own Cargo.toml stays what the generators write. The walking-skeleton and
 * images suites build with the shipped profile (and so does the skeleton on older Nx
 * majors unless E2E_QUICK_RELEASE=1, which the Nx matrix sets).
 */
export const QUICK_RELEASE_CONFIG = [
  '# e2e only: a quicker release profile (see e2e/helpers/workspace.ts)',
  '[profile.release]',
  'lto = false',
  'opt-level = 0',
  'codegen-units = 16',
  '',
].join('\n');

export function createWorkspace(
  name: string,
  env: NodeJS.ProcessEnv = {},
  options: { nxJson?: boolean; packageJson?: object; quickRelease?: boolean } = {},
): Workspace {
  const root = mkdtempSync(join(tmpdir(), `rust-docker-e2e-${name}-`));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name, version: '0.0.0', private: true, ...options.packageJson }, null, 2));
  // Nx also runs on package.json alone.
  if (options.nxJson !== false) writeFileSync(join(root, 'nx.json'), JSON.stringify({ $schema: './node_modules/nx/schemas/nx-schema.json' }, null, 2));
  writeFileSync(join(root, '.gitignore'), 'node_modules/\n.nx/\n');
  run('npm', ['install', '--save-dev', '--no-audit', '--no-fund', ...nxPackages(), packPlugin()], { cwd: root, quiet: true });
  if (options.quickRelease) {
    mkdirSync(join(root, '.cargo'), { recursive: true });
    writeFileSync(join(root, '.cargo', 'config.toml'), QUICK_RELEASE_CONFIG);
  }
  const ws = workspaceAt(root, env);
  ws.git(['init', '-q', '-b', 'main']);
  ws.git(['add', '-A']);
  ws.git(['commit', '-qm', 'workspace']);
  return ws;
}

/** Passes base image stand-ins to every docker-build through nx.json, as a mirror would be. */
export function useBaseImages(ws: Workspace, buildArgs: Record<string, string>, options: Record<string, unknown> = {}): void {
  const nxJson = ws.json('nx.json');
  nxJson.targetDefaults = {
    ...nxJson.targetDefaults,
    'docker-build': { ...(nxJson.targetDefaults?.['docker-build'] ?? {}), options: { ...options, buildArgs } },
  };
  ws.write('nx.json', JSON.stringify(nxJson, null, 2));
}
