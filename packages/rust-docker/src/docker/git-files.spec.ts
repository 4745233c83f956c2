import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { KeptOut } from '../secrets/credential-files';
import { makeTempDir, pkg, removeDir, writeFiles } from '../testing/fixtures';
import { collectCrateFiles } from './build-context';
import { listGitFiles, type GitFiles } from './git-files';

// A real git repository in a temp folder: what git ignores is decided by git itself.
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'protocol.file.allow=always', ...args], { cwd, stdio: 'pipe' });

describe('listGitFiles and the build context, in a real git repository', () => {
  let repo: string;
  let outside: string;

  beforeEach(() => {
    repo = makeTempDir();
    outside = makeTempDir();
    writeFiles(repo, {
      '.gitignore': 'target/\n*.log\n/rust/api/local/\n.env\n',
      'rust/Cargo.toml': '[workspace]\nmembers = ["api"]\n',
      'rust/Cargo.lock': 'version = 4\n',
      'rust/api/Cargo.toml': pkg('api'),
      'rust/api/src/main.rs': 'fn main() {}\n',
      'rust/api/src/keys.rs': '\n',
      'rust/api/id_rsa': 'committed key\n',
      'rust/api/debug.log': 'ignored\n',
      'rust/api/.env': 'ignored\n',
      'rust/api/local/scratch.txt': 'ignored\n',
      'rust/api/target/release/api': 'ignored\n',
    });
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '-A');
    // Committed although ignored: tracked, so a fresh clone has it.
    writeFiles(repo, { 'rust/api/forced.log': 'tracked\n' });
    git(repo, 'add', '-f', 'rust/api/forced.log');
    git(repo, 'commit', '-qm', 'init');
    writeFiles(repo, { 'rust/api/src/new.rs': 'untracked, not ignored\n', 'rust/api/.npmrc': 'untracked token\n' });
  });

  afterEach(() => {
    removeDir(repo);
    removeDir(outside);
  });

  const listing = (root: string, pathspecs: string[]): GitFiles => {
    const result = listGitFiles(root, pathspecs);
    if (result.kind !== 'git') throw new Error(`expected a git listing, got ${JSON.stringify(result)}`);
    return result.files;
  };

  it('lists tracked files and untracked ones git would commit, relative to the folder asked about, and nothing git ignores', () => {
    const files = listing(join(repo, 'rust'), ['api', 'Cargo.toml', 'Cargo.lock', '.cargo/config.toml']);
    expect([...files.files].sort()).toEqual([
      'Cargo.lock',
      'Cargo.toml',
      'api/.npmrc',
      'api/Cargo.toml',
      'api/forced.log',
      'api/id_rsa',
      'api/src/keys.rs',
      'api/src/main.rs',
      'api/src/new.rs',
    ]);
    expect([...files.folders].sort()).toEqual(['.', 'api', 'api/src']);
  });

  it('builds the context from what git lists: ignored files never enter, credential files are kept out and named', () => {
    const keptOut: KeptOut[] = [];
    const workspace = join(repo, 'rust');
    const files = collectCrateFiles(workspace, ['api'], [], new Set(), { git: listing(workspace, ['api']), keptOut });
    expect([...files.keys()].sort()).toEqual(['api/Cargo.toml', 'api/forced.log', 'api/src/keys.rs', 'api/src/main.rs', 'api/src/new.rs']);
    expect(keptOut).toEqual([
      { path: 'api/.npmrc', what: 'npm config' },
      { path: 'api/id_rsa', what: 'SSH private key' },
    ]);
  });

  it('takes the files of a submodule, and none of an untracked repository inside the work tree', () => {
    const origin = join(outside, 'vendored');
    writeFiles(origin, { 'Cargo.toml': pkg('vendored'), 'src/lib.rs': '\n', '.gitignore': 'secret.txt\n' });
    git(origin, 'init', '-q', '-b', 'main');
    git(origin, 'add', '-A');
    git(origin, 'commit', '-qm', 'init');
    git(join(repo, 'rust'), 'submodule', 'add', '-q', origin, 'vendored');
    writeFiles(repo, { 'rust/vendored/secret.txt': 'ignored in the submodule\n' });
    const nested = join(repo, 'rust/api/nested-repo');
    writeFiles(nested, { 'file.txt': 'not part of this repository\n' });
    git(nested, 'init', '-q');

    const workspace = join(repo, 'rust');
    const files = collectCrateFiles(workspace, ['api', 'vendored'], [], new Set(), { git: listing(workspace, ['api', 'vendored']) });
    expect([...files.keys()].filter((f) => f.startsWith('vendored/')).sort()).toEqual(['vendored/.gitignore', 'vendored/Cargo.toml', 'vendored/src/lib.rs']);
    expect([...files.keys()].filter((f) => f.includes('nested-repo'))).toEqual([]);
  });

  it('says there is no git outside a work tree, so the context falls back to .dockerignore and the built-in rules', () => {
    writeFiles(outside, { 'Cargo.toml': pkg('solo'), 'src/main.rs': '\n', 'notes.log': 'kept\n', '.env': 'kept out\n' });
    expect(listGitFiles(outside, ['.'])).toEqual({ kind: 'none' });
    const keptOut: KeptOut[] = [];
    expect([...collectCrateFiles(outside, ['.'], [], new Set(), { keptOut }).keys()].sort()).toEqual(['Cargo.toml', 'notes.log', 'src/main.rs']);
    expect(keptOut).toEqual([{ path: '.env', what: 'dotenv file' }]);
  });

  it('reports what git said when it cannot list a repository', () => {
    expect(listGitFiles(join(repo, 'rust'), [':(nonsense)api'])).toEqual({ kind: 'failed', reason: expect.stringMatching(/^fatal: .*nonsense/) });
  });
});
