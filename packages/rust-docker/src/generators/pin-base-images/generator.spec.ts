import { logger, readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { serviceGenerator } from '../service/generator';
import { pinBaseImages, type DigestResolver } from './generator';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('pin-base-images generator (digests from a stand-in resolver; the e2e asks a real engine)', () => {
  let tree: Tree;
  let asked: string[];
  let info: jest.SpyInstance;
  const known: Record<string, string> = {
    'rust:1.95-bookworm': `rust:1.95-bookworm@${DIGEST}`,
    'debian:bookworm-slim': `debian:bookworm-slim@${DIGEST}`,
    'mirror.example.com/rust:1.95': `mirror.example.com/rust:1.95@${DIGEST}`,
  };
  const resolver: DigestResolver = async (ref) => {
    asked.push(ref);
    return known[ref] ? { pinned: known[ref] } : { problem: 'it is not in this engine: pull it first' };
  };
  const changes = () => tree.listChanges().map((c) => [c.path, c.content?.toString()]);

  beforeEach(async () => {
    tree = createTreeWithEmptyWorkspace();
    await serviceGenerator(tree, { name: 'api', skipFormat: true });
    await serviceGenerator(tree, { name: 'web', runtime: 'debian', skipFormat: true });
    asked = [];
    info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  });
  afterEach(() => info.mockRestore());

  it("pins every service Dockerfile's ARG defaults, asking once per image, and says what it pinned", async () => {
    await pinBaseImages(tree, { skipFormat: true }, resolver);
    expect(tree.read('api/Dockerfile', 'utf8')).toContain(`ARG RUST_IMAGE=rust:1.95-bookworm@${DIGEST}\n`);
    expect(tree.read('web/Dockerfile', 'utf8')).toContain(`ARG DEBIAN_IMAGE=debian:bookworm-slim@${DIGEST}\n`);
    expect(asked.sort()).toEqual(['debian:bookworm-slim', 'rust:1.95-bookworm']);
    expect(info).toHaveBeenCalledWith(`api/Dockerfile:5 ARG RUST_IMAGE: rust:1.95-bookworm → rust:1.95-bookworm@${DIGEST}`);
    // Again: nothing left to pin, nothing asked.
    asked = [];
    await pinBaseImages(tree, { skipFormat: true }, resolver);
    expect(asked).toEqual([]);
    expect(info).toHaveBeenLastCalledWith('@org/rust-docker: every base image is already pinned by digest.');
  });

  it("pins nx.json's build arguments where they replace a default, leaving that default for plain docker build", async () => {
    const nxJson = readNxJson(tree)!;
    nxJson.targetDefaults = { 'docker-build': { options: { buildArgs: { RUST_IMAGE: 'mirror.example.com/rust:1.95', OTHER: 'x' } } } };
    updateNxJson(tree, nxJson);
    await pinBaseImages(tree, { project: 'api', skipFormat: true }, resolver);
    expect(readNxJson(tree)!.targetDefaults!['docker-build']).toEqual({ options: { buildArgs: { RUST_IMAGE: `mirror.example.com/rust:1.95@${DIGEST}`, OTHER: 'x' } } });
    expect(tree.read('api/Dockerfile', 'utf8')).toContain('ARG RUST_IMAGE=rust:1.95-bookworm\n');
    expect(asked).toEqual(['mirror.example.com/rust:1.95']);
  });

  it('writes nothing unless every image can be pinned, naming each that cannot and where it is', async () => {
    delete known['debian:bookworm-slim'];
    const before = changes();
    await expect(pinBaseImages(tree, { skipFormat: true }, resolver)).rejects.toThrow(
      'cannot pin a base image, so nothing was written: debian:bookworm-slim (web/Dockerfile:6 ARG DEBIAN_IMAGE): it is not in this engine: pull it first.',
    );
    expect(changes()).toEqual(before);
  });

  it('refuses a project without a Dockerfile, or that does not exist', async () => {
    await expect(pinBaseImages(tree, { project: 'nope' }, resolver)).rejects.toThrow('no crate or project named "nope" in this workspace (crates: api, web).');
    tree.delete('api/Dockerfile');
    await expect(pinBaseImages(tree, { project: 'api' }, resolver)).rejects.toThrow('api has no Dockerfile: add one with `nx g @org/rust-docker:docker <project>`.');
  });
});
