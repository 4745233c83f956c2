import { logger, type CreateDependenciesContext, type CreateNodesResult, type ProjectConfiguration, type TargetConfiguration } from '@nx/devkit';
import { makeTempDir, pkg, removeDir, writeFiles } from '../testing/fixtures';
import { analyzeCargo } from './cargo-graph';
import { createDependencies } from './create-dependencies';
import { createNodes } from './create-nodes';

const REGISTRY = 'registry+https://github.com/rust-lang/crates.io-index';

/**
 * Cargo's view and Nx's: a `[patch]` whose crate is reached directly and through an
 * external crate (read from Cargo.lock), and plugin include/exclude, which narrows the
 * projects but never Cargo membership or what a crate is built from.
 */
describe('the Cargo graph under [patch] and plugin include/exclude', () => {
  let root: string;
  let warn: jest.SpyInstance;
  const ALL = ['Cargo.toml', 'services/api/Cargo.toml', 'services/worker/Cargo.toml', 'libs/core/Cargo.toml', 'libs/util/Cargo.toml', 'forks/itoa/Cargo.toml'];
  // nx.json `{ "plugin": "@org/rust-docker", "include": ["services/**"] }`: what Nx passes.
  const SERVICES_ONLY = ['services/api/Cargo.toml', 'services/worker/Cargo.toml'];

  beforeAll(() => {
    root = makeTempDir();
    writeFiles(root, {
      'Cargo.toml': '[workspace]\nresolver = "2"\nmembers = ["services/*", "libs/*"]\n\n[patch.crates-io]\nitoa = { path = "forks/itoa" }\n',
      'Cargo.lock': [
        'version = 4',
        '',
        '[[package]]\nname = "api"\nversion = "0.1.0"\ndependencies = [\n "core",\n "serde_json",\n]',
        '',
        '[[package]]\nname = "core"\nversion = "0.1.0"\ndependencies = [\n "util",\n]',
        '',
        '[[package]]\nname = "itoa"\nversion = "1.0.99"',
        '',
        `[[package]]\nname = "serde_json"\nversion = "1.0.154"\nsource = "${REGISTRY}"\nchecksum = "${'a'.repeat(64)}"\ndependencies = [\n "itoa",\n]`,
        '',
        '[[package]]\nname = "util"\nversion = "0.1.0"',
        '',
        '[[package]]\nname = "worker"\nversion = "0.1.0"\ndependencies = [\n "itoa",\n]',
        '',
      ].join('\n'),
      'services/api/Cargo.toml': pkg('api', '[dependencies]\ncore = { path = "../../libs/core" }\nserde_json = "1"'),
      'services/api/src/main.rs': 'fn main() {}\n',
      'services/worker/Cargo.toml': pkg('worker', '[dependencies]\nitoa = "1"'),
      'services/worker/src/main.rs': 'fn main() {}\n',
      'libs/core/Cargo.toml': pkg('core', '[dependencies]\nutil = { path = "../util" }'),
      'libs/core/src/lib.rs': '',
      'libs/util/Cargo.toml': pkg('util'),
      'libs/util/src/lib.rs': '',
      'forks/itoa/Cargo.toml': '[package]\nname = "itoa"\nversion = "1.0.99"\nedition = "2021"\n',
      'forks/itoa/src/lib.rs': '',
    });
  });
  afterAll(() => removeDir(root));
  beforeEach(() => (warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined)));
  afterEach(() => warn.mockRestore());

  const nodes = async (files: string[]) => {
    const results = await createNodes[1](files, undefined, { workspaceRoot: root, nxJsonConfiguration: {} });
    const projects: Record<string, ProjectConfiguration> = {};
    for (const [, result] of results as Array<[string, CreateNodesResult]>) {
      for (const project of Object.values(result.projects ?? {})) projects[project.name!] = project as ProjectConfiguration;
    }
    return projects;
  };
  const edges = async (projects: Record<string, ProjectConfiguration>) => {
    const file = (f: string) => ({ file: f, hash: '0' });
    const context: CreateDependenciesContext = {
      workspaceRoot: root,
      projects,
      externalNodes: {},
      nxJsonConfiguration: {},
      // Nx's file map holds every file, whatever the plugin's include/exclude.
      fileMap: { nonProjectFiles: [...ALL, 'Cargo.lock'].map(file), projectFileMap: {} },
      filesToProcess: { nonProjectFiles: [], projectFileMap: {} },
    };
    return (await createDependencies(undefined, context)).map((e) => `${e.source} -> ${e.target} (${e.type})`).sort();
  };
  const buildInputs = (project: ProjectConfiguration) => (project.targets!.build as TargetConfiguration).inputs!;

  it('makes a patched crate an edge of its direct users and of users through an external crate', async () => {
    expect(await edges(await nodes(ALL))).toEqual(['api -> core (static)', 'api -> itoa (static)', 'core -> util (static)', 'worker -> itoa (static)']);
  });

  it('hashes the patched crate into its users’ builds', async () => {
    const projects = await nodes(ALL);
    // Its direct users name it; Nx walks on from there (core -> util) through the edges above.
    expect(buildInputs(projects.api)).toContainEqual({ input: 'production', projects: ['core', 'itoa'] });
    expect(buildInputs(projects.api)).toContainEqual({ input: 'production', projects: ['core', 'itoa'], dependencies: true });
    expect(buildInputs(projects.worker)).toContainEqual({ input: 'production', projects: ['itoa'] });
  });

  it('keeps Cargo membership and edges when Nx passes only some manifests', () => {
    const full = analyzeCargo(root, ALL).model;
    const narrowed = analyzeCargo(root, SERVICES_ONLY).model;
    const membership = (m: typeof full) => Object.fromEntries([...m.crates.values()].map((c) => [c.dir, c.workspaceDir ?? null]));
    const crateEdges = (m: typeof full) => m.dependencies.map((d) => `${d.from} -> ${d.to}`).sort();
    expect(membership(narrowed)).toEqual(membership(full));
    expect(membership(narrowed)['services/api']).toBe('.');
    expect(crateEdges(narrowed)).toEqual(crateEdges(full));
  });

  it('creates projects only for the manifests Nx passed, each still in its Cargo workspace', async () => {
    const projects = await nodes(SERVICES_ONLY);
    expect(Object.keys(projects).sort()).toEqual(['api', 'worker']);
    // Cargo root files of the workspace root, which Nx did not pass, are still inputs.
    expect(buildInputs(projects.api)).toContain('cargoRoot');
    expect(projects.api.namedInputs!.cargoRoot).toContain('{workspaceRoot}/Cargo.lock');
    expect(projects.api.targets!.deps).toBeDefined();
  });

  it('makes the files of crates that are no project inputs of the crates built from them', async () => {
    const projects = await nodes(SERVICES_ONLY);
    expect(buildInputs(projects.api)).toEqual(
      expect.arrayContaining(['{workspaceRoot}/forks/itoa/**/*', '{workspaceRoot}/libs/core/**/*', '{workspaceRoot}/libs/util/**/*']),
    );
    expect(buildInputs(projects.api).some((i) => typeof i === 'object' && 'projects' in i)).toBe(false);
    expect(buildInputs(projects.worker)).toContain('{workspaceRoot}/forks/itoa/**/*');
    expect(buildInputs(projects.worker)).not.toContain('{workspaceRoot}/libs/core/**/*');
  });

  it('passes edges through crates that are no project', async () => {
    const projects = await nodes(['services/api/Cargo.toml', 'libs/util/Cargo.toml']);
    expect(await edges(projects)).toEqual(['api -> util (static)']);
    expect(buildInputs(projects.api)).toContainEqual({ input: 'production', projects: ['util'] });
    expect(buildInputs(projects.api)).toContain('{workspaceRoot}/libs/core/**/*');
  });
});
