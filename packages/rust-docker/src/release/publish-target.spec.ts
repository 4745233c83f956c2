import { logger, type CreateNodesResult } from '@nx/devkit';
import { createNodes } from '../graph/create-nodes';
import { makeTempDir, pkg, removeDir, writeFiles } from '../testing/fixtures';
import { RELEASE_PUBLISH_TARGET } from './publish-target';

describe('nx-release-publish on inferred crate projects', () => {
  let root: string;
  beforeAll(() => {
    root = makeTempDir();
    writeFiles(root, {
      'Cargo.toml': '[workspace]\nresolver = "2"\nmembers = ["api", "domain"]\n',
      'api/Cargo.toml': pkg('api', '[dependencies]\ndomain = { path = "../domain" }'),
      'api/src/main.rs': 'fn main() {}\n',
      'api/Dockerfile': 'FROM scratch\nEXPOSE 8080\n',
      'domain/Cargo.toml': pkg('domain'),
      'domain/src/lib.rs': '\n',
    });
  });
  afterAll(() => removeDir(root));
  beforeEach(() => jest.spyOn(logger, 'warn').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  const targetsOf = async (nxJsonConfiguration: Record<string, unknown>) => {
    const results = await createNodes[1](['Cargo.toml', 'api/Cargo.toml', 'domain/Cargo.toml'], undefined, { workspaceRoot: root, nxJsonConfiguration });
    const byFile = new Map<string, CreateNodesResult>(results.map(([file, result]) => [file, result]));
    return (file: string, dir: string) => byFile.get(file)!.projects![dir].targets!;
  };

  it('is there for every crate once nx.json configures a release, never depending on docker-build', async () => {
    const targets = await targetsOf({ release: { projects: ['api', 'domain'] } });
    const api = targets('api/Cargo.toml', 'api')[RELEASE_PUBLISH_TARGET];
    expect(api).toEqual(expect.objectContaining({ executor: '@org/rust-docker:release-publish', cache: false, dependsOn: ['^nx-release-publish'] }));
    expect(api.metadata!.description).toMatch(/^nx release publish: tag the image docker-build recorded for api/);
    const domain = targets('domain/Cargo.toml', 'domain')[RELEASE_PUBLISH_TARGET];
    expect(domain.metadata!.description).toBe('nx release publish: cargo publish -p domain (nothing when Cargo.toml says publish = false)');
  });

  it('is not added to workspaces that do not release', async () => {
    const targets = await targetsOf({});
    expect(targets('api/Cargo.toml', 'api')).not.toHaveProperty(RELEASE_PUBLISH_TARGET);
  });
});
