import { baseImageArgs, canonicalRepository, effectiveBaseImages, isPinned, pinnedReference, unpinnedBaseImages } from './base-images';
import { renderDockerfile } from './dockerfile';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('base images', () => {
  const debian = renderDockerfile({ name: 'api', bin: 'api', project: 'api', port: 8080, dockerfilePath: 'api/Dockerfile', runtime: 'debian' });
  const scratch = renderDockerfile({ name: 'api', bin: 'api', project: 'api', port: 8080, dockerfilePath: 'api/Dockerfile' });

  it('finds the ARG defaults the FROM lines use, with their lines', () => {
    expect(baseImageArgs(debian).map(({ arg, value }) => [arg, value])).toEqual([
      ['RUST_IMAGE', 'rust:1.95-bookworm'],
      ['DEBIAN_IMAGE', 'debian:bookworm-slim'],
    ]);
    for (const { line, arg } of baseImageArgs(debian)) expect(debian.split('\n')[line - 1]).toMatch(new RegExp(`^ARG ${arg}=`));
    expect(baseImageArgs(scratch).map((a) => a.arg)).toEqual(['RUST_IMAGE']);
  });

  it('says which images a build uses: build arguments win over defaults; scratch and stages are no images', () => {
    expect(effectiveBaseImages(debian, { RUST_IMAGE: 'mirror/rust:1.95' })).toEqual([
      { ref: 'mirror/rust:1.95', source: 'build argument RUST_IMAGE' },
      { ref: 'debian:bookworm-slim', source: 'ARG DEBIAN_IMAGE default' },
    ]);
    expect(effectiveBaseImages('FROM node:20 AS web\nFROM web\nFROM scratch\n')).toEqual([{ ref: 'node:20', source: 'FROM' }]);
  });

  it('tells tags from digests', () => {
    expect(isPinned(`rust:1.95-bookworm@${DIGEST}`)).toBe(true);
    expect(isPinned('rust:1.95-bookworm')).toBe(false);
    expect(unpinnedBaseImages(debian, { RUST_IMAGE: `rust:1.95-bookworm@${DIGEST}`, DEBIAN_IMAGE: `debian:bookworm-slim@${DIGEST}` })).toEqual([]);
    expect(unpinnedBaseImages(scratch).map((i) => i.ref)).toEqual(['rust:1.95-bookworm']);
  });

  it("pins a reference with the engine's digest of the same repository, however the name is spelled", () => {
    expect(canonicalRepository('rust')).toBe('docker.io/library/rust');
    expect(canonicalRepository('team/api')).toBe('docker.io/team/api');
    expect(canonicalRepository('127.0.0.1:5000/rust')).toBe('127.0.0.1:5000/rust');
    expect(pinnedReference('rust:1.95-bookworm', [`rust@${DIGEST}`])).toBe(`rust:1.95-bookworm@${DIGEST}`);
    expect(pinnedReference('docker.io/library/rust:1.95', [`rust@${DIGEST}`])).toBe(`docker.io/library/rust:1.95@${DIGEST}`);
    expect(pinnedReference('127.0.0.1:5000/rust:x', ['mirror.example.com/rust@sha256:' + 'cd'.repeat(32), `127.0.0.1:5000/rust@${DIGEST}`])).toBe(`127.0.0.1:5000/rust:x@${DIGEST}`);
    expect(pinnedReference('local/rust:1.95', [])).toBeUndefined();
    expect(pinnedReference('local/rust:1.95', [`other/rust@${DIGEST}`])).toBeUndefined();
  });
});
