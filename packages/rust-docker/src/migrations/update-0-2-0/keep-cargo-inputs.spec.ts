import { logger, readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderDockerfile } from '../../docker/dockerfile';
import { DEFAULT_PLUGIN_OPTIONS, PLUGIN_NAME } from '../../generators/init/generator';
import { CARGO_EXECUTOR } from '../../generators/init/nx-json';
import keepCargoInputs from './keep-cargo-inputs';

const REPO = join(__dirname, '..', '..', '..', '..', '..');

describe('migration 0.2.0: keep the Cargo inputs', () => {
  let tree: Tree;
  const targetDefaults = { build: { cache: true, dependsOn: ['^build'], inputs: ['production', '^production'] } };
  beforeEach(() => {
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    tree = createTreeWithEmptyWorkspace();
    tree.write('api/Cargo.toml', '[package]\nname = "api"\nversion = "0.1.0"\nedition = "2021"\n');
    tree.write('api/Dockerfile', renderDockerfile({ name: 'api', bin: 'api', project: 'api', port: 8080, dockerfilePath: 'api/Dockerfile', runtime: 'scratch' }));
  });
  afterEach(() => jest.restoreAllMocks());

  it('adds the executor-keyed entry and the @nx/docker exclusion to a workspace set up by 0.1', async () => {
    updateNxJson(tree, { ...readNxJson(tree)!, targetDefaults, plugins: ['@nx/docker', { plugin: PLUGIN_NAME, options: DEFAULT_PLUGIN_OPTIONS }] });
    await keepCargoInputs(tree);
    const nxJson = readNxJson(tree)!;
    expect(nxJson.targetDefaults).toEqual({ ...targetDefaults, [CARGO_EXECUTOR]: {} });
    expect(nxJson.plugins![0]).toEqual({ plugin: '@nx/docker', exclude: ['api/Dockerfile'] });
    // A second run changes nothing.
    const before = JSON.stringify(readNxJson(tree));
    await keepCargoInputs(tree);
    expect(JSON.stringify(readNxJson(tree))).toBe(before);
  });

  it('leaves a workspace without the plugin alone', async () => {
    updateNxJson(tree, { ...readNxJson(tree)!, targetDefaults, plugins: ['@nx/docker'] });
    await keepCargoInputs(tree);
    expect(readNxJson(tree)!.targetDefaults).toEqual(targetDefaults);
    expect(readNxJson(tree)!.plugins).toEqual(['@nx/docker']);
  });

  it('is listed in migrations.json, which package.json names for nx migrate', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    expect(pkg['nx-migrations']).toEqual({ migrations: './migrations.json' });
    expect(pkg.files).toContain('migrations.json');
    const migrations = JSON.parse(readFileSync(join(REPO, pkg['nx-migrations'].migrations), 'utf8'));
    const entry = migrations.generators['update-0-2-0-keep-cargo-inputs'];
    expect(entry.version).toBe('0.2.0');
    expect(entry.implementation).toBe('./packages/rust-docker/dist/migrations/update-0-2-0/keep-cargo-inputs');
    // Every migration is for a version this package has reached.
    const numbers = (v: string) => v.split('.').map(Number);
    const notAfter = (a: string, b: string) => {
      const [x, y] = [numbers(a), numbers(b)];
      const i = x.findIndex((n, k) => n !== y[k]);
      return i === -1 || x[i] < y[i];
    };
    for (const m of Object.values<{ version: string }>(migrations.generators)) expect(notAfter(m.version, pkg.version)).toBe(true);
  });
});
