import { makeTempDir, pkg, removeDir, writeFiles } from '../testing/fixtures';
import { analyzeCargo } from './cargo-graph';
import { logWarnings } from './create-nodes';

/** What every nx command prints about the Cargo manifests it finds. */
describe('logWarnings', () => {
  let root: string;
  let warn: jest.SpyInstance;
  beforeEach(() => {
    root = makeTempDir();
    warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    removeDir(root);
  });

  const warnings = (files: Record<string, string>) => {
    writeFiles(root, files);
    const manifests = Object.keys(files).filter((f) => f.endsWith('Cargo.toml'));
    logWarnings(analyzeCargo(root, manifests), manifests.length);
    return warn.mock.calls.map((c) => String(c[0]));
  };

  it('says nothing about the virtual manifest init writes before any crate exists', () => {
    expect(warnings({ 'Cargo.toml': '[workspace]\nresolver = "2"\nmembers = []\n\n[profile.release]\nlto = true\n' })).toEqual([]);
  });

  it('still sums up when no manifest could be read, under the errors it explains', () => {
    const printed = warnings({ 'Cargo.toml': '[workspace\nmembers = [\n', 'api/Cargo.toml': '[package\n' });
    expect(printed.at(-1)).toBe('@org/rust-docker: 2 Cargo.toml file(s) found but no crate could be read; see the warnings above.');
    expect(printed.length).toBeGreaterThan(1);
  });

  it('is quiet for a readable workspace', () => {
    expect(warnings({ 'Cargo.toml': '[workspace]\nmembers = ["api"]\n', 'api/Cargo.toml': pkg('api'), 'api/src/main.rs': 'fn main() {}\n' })).toEqual([]);
  });
});
