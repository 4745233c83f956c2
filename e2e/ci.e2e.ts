import { parse } from 'yaml';
import { affectedCommands } from '../packages/rust-docker/src/generators/ci/generator';
import { buildKitPath, removeImages, STAND_IN_RUST_IMAGE } from './helpers/docker';
import { createWorkspace, useBaseImages, type Workspace } from './helpers/workspace';

/**
 * The CI pipeline the `ci` generator writes, performed on a real git history: the exact
 * `nx affected` command from the workflow file, between a base and a head commit, runs the
 * tasks the change reaches and nothing else. Then `nx sync:check`, as CI runs it.
 */
describe('ci: the generated workflow, run on a real history', () => {
  let ws: Workspace;
  const env = { PATH: buildKitPath() };

  beforeAll(() => {
    ws = createWorkspace('ci', env, { quickRelease: true });
    ws.nx(['g', '@org/rust-docker:init']);
    ws.nx(['g', '@org/rust-docker:service', 'api']);
    ws.nx(['g', '@org/rust-docker:service', 'worker']);
    ws.nx(['g', '@org/rust-docker:library', 'shared', '--service=api']);
    useBaseImages(ws, { RUST_IMAGE: STAND_IN_RUST_IMAGE });
  });

  afterAll(() => {
    removeImages('api');
    removeImages('worker');
    ws?.remove();
  });

  it('writes workflows for GitHub and GitLab that parse, with the affected command', () => {
    ws.nx(['g', '@org/rust-docker:ci']);
    ws.nx(['g', '@org/rust-docker:ci', '--provider=gitlab']);
    const github = ws.read('.github/workflows/ci.yml');
    const gitlab = ws.read('.gitlab-ci.yml');
    expect(parse(github).jobs).toBeDefined();
    expect(Object.keys(parse(gitlab)).length).toBeGreaterThan(0);
    for (const [text, provider] of [[github, 'github'], [gitlab, 'gitlab']] as const) {
      expect(affectedCommands(text, provider)).toContainEqual(expect.stringMatching(/^npx nx affected -t lint test build docker-build --base=\$\{?NX_BASE\}? --head=\$\{?NX_HEAD\}? --parallel=\d+$/));
    }
    ws.git(['add', '-A']);
    ws.git(['commit', '-qm', 'services and CI']);
  });

  it('runs exactly the tasks a library change reaches, between the base and head commits', () => {
    const base = ws.git(['rev-parse', 'HEAD']).stdout.trim();
    // Before the test module, where clippy (-D warnings) wants items.
    ws.write('shared/src/lib.rs', ws.read('shared/src/lib.rs').replace('#[cfg(test)]', `/// Added by the change under test.\npub fn revision() -> u64 {\n    ${Date.now()}\n}\n\n#[cfg(test)]`));
    ws.git(['commit', '-qam', 'change the shared library']);
    const head = ws.git(['rev-parse', 'HEAD']).stdout.trim();

    const command = affectedCommands(ws.read('.github/workflows/ci.yml'), 'github').find((c) => !c.includes('--push'))!;
    const args = command
      .replace(/\$\{?NX_BASE\}?/, base)
      .replace(/\$\{?NX_HEAD\}?/, head)
      .split(' ')
      .slice(2); // drop `npx nx`
    const result = ws.nx([...args, '--output-style=static']);
    const ran = [...result.output.matchAll(/^> nx run (\S+)/gm)].map((m) => m[1]).sort();
    expect(ran).toEqual([
      'api:build:production', // build's default configuration
      'api:docker-build',
      'api:lint',
      'api:test',
      'shared:build:production',
      'shared:lint',
      'shared:test',
    ]);
    expect(ran.some((t) => t.startsWith('worker:'))).toBe(false);
  });

  it('nx sync:check passes in step, fails with what would change, and nx sync mends it', () => {
    expect(ws.nx(['sync:check']).code).toBe(0);
    ws.write('api/src/main.rs', ws.read('api/src/main.rs').replace('const DEFAULT_PORT: u16 = 8080;', 'const DEFAULT_PORT: u16 = 9090;'));
    const check = ws.nx(['sync:check'], { allowFailure: true });
    expect(check.code).not.toBe(0);
    expect(check.output).toContain('api/Dockerfile: port 8080 → 9090');
    expect(check.output).toContain('compose.yaml: api ports 127.0.0.1:8080:8080 → 127.0.0.1:9090:9090');
    ws.nx(['sync']);
    expect(ws.read('api/Dockerfile')).toMatch(/^EXPOSE 9090$/m);
    expect(ws.nx(['sync:check']).code).toBe(0);
  });
});
