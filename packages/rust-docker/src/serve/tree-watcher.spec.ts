import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeDir, writeFiles } from '../testing/fixtures';
import { isEditorNoise, TreeWatcher } from './tree-watcher';

/** Real inotify watches on a temp folder: each test waits for the debounced report. */
describe('TreeWatcher', () => {
  let root: string;
  let reports: string[][];
  let watcher: TreeWatcher;
  /** Waits for the next report (a loaded machine can be slow to deliver events). */
  const nextReport = async (timeoutMs = 5000) => {
    const count = reports.length;
    for (let waited = 0; reports.length === count && waited < timeoutMs; waited += 20) await new Promise((r) => setTimeout(r, 20));
    // Let events of the same burst that arrived late land in a report of their own first.
    return reports.at(-1);
  };
  /** For changes that must not be reported: a pause well beyond the debounce. */
  const quiet = () => new Promise((r) => setTimeout(r, 400));
  const rel = (files: string[]) => files.map((f) => f.slice(root.length + 1)).sort();

  beforeEach(() => {
    root = makeTempDir();
    writeFiles(root, {
      'Cargo.toml': '[workspace]\n',
      'package.json': '{}',
      'api/Cargo.toml': '',
      'api/src/main.rs': 'fn main() {}',
      'api/src/routes/mod.rs': '',
      'api/target/debug/api': 'binary',
      'api/node_modules/x/index.js': '',
      'api/.git/HEAD': '',
      'core/src/lib.rs': '',
      'other/src/lib.rs': '',
      'api/tools/Cargo.toml': '',
    });
    reports = [];
    watcher = new TreeWatcher(root, (files) => reports.push(rel(files)), 50);
    watcher.update({ dirs: ['api', 'core'], excluded: ['api/tools'], files: ['Cargo.toml', 'Cargo.lock', '.cargo/config.toml'] });
  });
  afterEach(() => {
    watcher.close();
    removeDir(root);
  });

  it('watches the crate folders and the Cargo root, never target/, node_modules/, .git/ or an excluded crate', () => {
    expect(watcher.watchedFolders().map((d) => d.slice(root.length) || '/')).toEqual(['/', '/api', '/api/src', '/api/src/routes', '/core', '/core/src']);
  });

  it('reports source edits in the crates it is built from, together once they settle', async () => {
    writeFileSync(join(root, 'core/src/lib.rs'), 'pub fn x() {}');
    writeFileSync(join(root, 'api/src/routes/mod.rs'), 'pub mod a;');
    await nextReport();
    await quiet();
    expect(reports.flat().sort()).toEqual(['api/src/routes/mod.rs', 'core/src/lib.rs']);
  });

  it('reports the root Cargo.toml and a new Cargo.lock, but no other root file', async () => {
    writeFileSync(join(root, 'package.json'), '{"x":1}');
    await quiet();
    expect(reports).toEqual([]);
    writeFileSync(join(root, 'Cargo.lock'), 'version = 4');
    writeFileSync(join(root, 'Cargo.toml'), '[workspace]\nresolver = "2"\n');
    await nextReport();
    await quiet();
    expect(reports.flat().sort()).toEqual(['Cargo.lock', 'Cargo.toml']);
  });

  it('ignores build output, other crates and editor swap files', async () => {
    writeFileSync(join(root, 'api/target/debug/api'), 'new binary');
    writeFileSync(join(root, 'other/src/lib.rs'), '// edited');
    writeFileSync(join(root, 'api/tools/Cargo.toml'), '[package]');
    writeFileSync(join(root, 'api/src/.main.rs.swp'), 'x');
    writeFileSync(join(root, 'api/src/main.rs~'), 'x');
    await quiet();
    expect(reports).toEqual([]);
  });

  it('follows a saved-by-rename file and a new folder', async () => {
    writeFileSync(join(root, 'api/src/main.rs.new'), 'fn main() { }');
    renameSync(join(root, 'api/src/main.rs.new'), join(root, 'api/src/main.rs'));
    expect(await nextReport()).toEqual(['api/src/main.rs', 'api/src/main.rs.new']);
    mkdirSync(join(root, 'api/src/handlers'));
    await nextReport();
    writeFileSync(join(root, 'api/src/handlers/mod.rs'), 'pub fn h() {}');
    expect(await nextReport()).toEqual(['api/src/handlers/mod.rs']);
  });

  it('stops watching what a new plan leaves out, and survives a removed folder', async () => {
    watcher.update({ dirs: ['api'], excluded: [], files: ['Cargo.toml'] });
    writeFileSync(join(root, 'core/src/lib.rs'), '// not watched now');
    await quiet();
    expect(reports).toEqual([]);
    rmSync(join(root, 'api/src/routes'), { recursive: true });
    await nextReport();
    await quiet();
    expect(reports.flat().sort()).toEqual(['api/src/routes', 'api/src/routes/mod.rs']);
    writeFileSync(join(root, 'api/src/main.rs'), 'fn main() { /* still watched */ }');
    expect(await nextReport()).toEqual(['api/src/main.rs']);
  });
});

describe('isEditorNoise', () => {
  it.each(['.main.rs.swp', '.main.rs.swx', 'main.rs~', '.#main.rs', '#main.rs#', '4913', 'x.tmp'])('%s is noise', (name) => {
    expect(isEditorNoise(name)).toBe(true);
  });
  it.each(['main.rs', 'Cargo.toml', 'Cargo.lock', 'swap.rs'])('%s is not', (name) => {
    expect(isEditorNoise(name)).toBe(false);
  });
});
