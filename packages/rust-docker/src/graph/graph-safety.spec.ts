import type { CreateNodesResult } from '@nx/devkit';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, pkg, removeDir, writeFiles } from '../testing/fixtures';
import { workspaceDataDirectory } from './cargo-graph';
import type * as CreateNodesModule from './create-nodes';

/** The graph in a real repository: names that are not names, clashes, a broken cache. */
describe('the graph with odd names and a broken cache', () => {
  let root: string;
  let warnings: string[];
  let warn: jest.SpyInstance;
  beforeEach(() => {
    root = makeTempDir();
    warnings = [];
    warn = jest.spyOn(console, 'warn').mockImplementation((m) => void warnings.push(String(m)));
  });
  afterEach(() => {
    warn.mockRestore();
    removeDir(root);
  });

  const projects = async (files: string[]) => {
    // Required afresh after jest.resetModules(): a new plugin worker, which reads the cache from disk.
    const { createNodes } = require('./create-nodes') as typeof CreateNodesModule;
    const results = await createNodes[1](files, undefined, { workspaceRoot: root, nxJsonConfiguration: {} });
    await new Promise((resolve) => setImmediate(resolve)); // the graph cache is written once createNodes has returned
    return Object.fromEntries(
      results.flatMap(([, result]: readonly [string, CreateNodesResult]) => Object.values(result.projects ?? {}).map((p) => [p.root, (p as { name?: string }).name])),
    ) as Record<string, string>;
  };

  it('names a project after its crate when [package.metadata.nx] name is not a project name, saying so with the line', async () => {
    writeFiles(root, {
      'Cargo.toml': '[workspace]\nmembers = ["api", "web", "lib"]\n',
      'api/Cargo.toml': pkg('api', '[package.metadata.nx]\ntags = ["x"]\nname = "../../../evil"'),
      'web/Cargo.toml': pkg('web', '[package.metadata.nx]\nname = "web:debug"'),
      'lib/Cargo.toml': pkg('lib', '[package.metadata.nx]\nname = 5'),
    });
    expect(await projects(['Cargo.toml', 'api/Cargo.toml', 'web/Cargo.toml', 'lib/Cargo.toml'])).toEqual({ api: 'api', web: 'web', lib: 'lib' });
    expect(warnings).toEqual(
      expect.arrayContaining([
        '@org/rust-docker: api/Cargo.toml:8: [package.metadata.nx] name "../../../evil" is not a project name: use letters, digits, ".", "_" and "-", optionally after an npm-style "@scope/"; the project is named after the crate, "api"',
        expect.stringContaining('web/Cargo.toml:7: [package.metadata.nx] name "web:debug" is not a project name'),
        expect.stringContaining('lib/Cargo.toml:7: [package.metadata.nx] name 5 is not a string; the project is named after the crate, "lib"'),
      ]),
    );
  });

  it('keeps a valid name, scoped ones included', async () => {
    writeFiles(root, { 'api/Cargo.toml': pkg('api', '[package.metadata.nx]\nname = "@shop/api.v2"') });
    expect(await projects(['api/Cargo.toml'])).toEqual({ api: '@shop/api.v2' });
    expect(warnings).toEqual([]);
  });

  it('leaves out a crate whose package name Cargo would refuse, saying why', async () => {
    writeFiles(root, { 'x/Cargo.toml': '[package]\nname = "../../etc"\nversion = "0.1.0"\n', 'ok/Cargo.toml': pkg('ok') });
    expect(await projects(['x/Cargo.toml', 'ok/Cargo.toml'])).toEqual({ ok: 'ok' });
    expect(warnings).toEqual([
      '@org/rust-docker: x/Cargo.toml:2: package name "../../etc" is not one Cargo accepts (letters, digits, "-" and "_"); this crate is left out of the graph (the rest of the graph still loads)',
    ]);
  });

  it('gives crates that would share a project name (fuzz crates of two workspaces) distinct names, with a warning', async () => {
    writeFiles(root, {
      'a/Cargo.toml': '[workspace]\nmembers = ["fuzz"]\n',
      'a/fuzz/Cargo.toml': pkg('fuzz'),
      'b/Cargo.toml': '[workspace]\nmembers = ["fuzz"]\n',
      'b/fuzz/Cargo.toml': pkg('fuzz'),
    });
    expect(await projects(['a/Cargo.toml', 'a/fuzz/Cargo.toml', 'b/Cargo.toml', 'b/fuzz/Cargo.toml'])).toEqual({ 'a/fuzz': 'fuzz', 'b/fuzz': 'b-fuzz' });
    expect(warnings).toEqual([
      '@org/rust-docker: b/fuzz/Cargo.toml: project name "fuzz" is already the crate at a/fuzz\'s; this one is project "b-fuzz" (set [package.metadata.nx] name to choose another)',
    ]);
  });

  it('rebuilds an unreadable graph cache with a warning, and drops entries of an odd shape', async () => {
    writeFiles(root, { 'api/Cargo.toml': pkg('api') });
    const cache = join(workspaceDataDirectory(root), 'rust-docker-cargo.json');
    await projects(['api/Cargo.toml']);
    const good = JSON.parse(readFileSync(cache, 'utf8'));

    jest.resetModules();
    writeFileSync(cache, '{"format": 2, "plugin": "x", "manif');
    writeFiles(root, { 'api/Cargo.toml': pkg('api', '# touched') });
    expect(await projects(['api/Cargo.toml'])).toEqual({ api: 'api' });
    expect(warnings).toEqual([expect.stringMatching(/^@org\/rust-docker: the graph cache .*rust-docker-cargo\.json is unreadable \(.+\); discarded, it will be rebuilt\.$/)]);

    warnings = [];
    jest.resetModules();
    writeFileSync(cache, JSON.stringify({ ...good, manifests: { 'api/Cargo.toml': { size: 1, mtimeMs: 1, hash: 'x', manifest: { file: 5 } } }, locks: { 'Cargo.lock': null } }));
    writeFiles(root, { 'api/Cargo.toml': pkg('api', '# touched again') });
    expect(await projects(['api/Cargo.toml'])).toEqual({ api: 'api' });
    expect(warnings).toEqual([expect.stringMatching(/^@org\/rust-docker: 2 entries of the graph cache .* had an odd shape; discarded, they will be rebuilt\.$/)]);

    warnings = [];
    jest.resetModules();
    writeFileSync(cache, JSON.stringify({ ...good, manifests: null }));
    writeFiles(root, { 'api/Cargo.toml': pkg('api', '# and again') });
    expect(await projects(['api/Cargo.toml'])).toEqual({ api: 'api' });
    expect(warnings).toEqual([expect.stringContaining('is unreadable (not the shape this version writes)')]);
  });
});
