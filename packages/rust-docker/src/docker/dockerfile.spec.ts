import { makeTempDir, removeDir, writeFiles } from '../testing/fixtures';
import { containerPort, DEFAULT_RUST_IMAGE, exposedPort, renderDockerfile, SERVICE_UID } from './dockerfile';

describe('renderDockerfile', () => {
  const dockerfile = renderDockerfile({
    name: 'billing-api',
    bin: 'billing',
    project: 'billing-project',
    port: 8081,
    dockerfilePath: 'services/billing/Dockerfile',
  });
  const lines = dockerfile.split('\n');
  const instructions = (keyword: string) => lines.filter((l) => l.startsWith(`${keyword} `));

  it('builds the given package and binary with --locked', () => {
    expect(dockerfile).toContain('cargo build --release --locked --target "$target" --package billing-api --bin billing');
    expect(dockerfile).toContain('install -D -m 0755 "target/$target/release/billing" /out/billing');
  });

  it('names the project and the Dockerfile path in the usage comment', () => {
    expect(dockerfile).toContain('nx run billing-project:docker-build');
    expect(dockerfile).toContain('docker build -f services/billing/Dockerfile .');
  });

  it('takes the Rust image as a build argument with a pinned default tag, never :latest', () => {
    expect(lines[lines.findIndex((l) => l.startsWith('ARG RUST_IMAGE='))]).toBe(`ARG RUST_IMAGE=${DEFAULT_RUST_IMAGE}`);
    expect(DEFAULT_RUST_IMAGE).toMatch(/^rust:\d+\.\d+(\.\d+)?-[a-z]+$/);
    expect(dockerfile).not.toMatch(/:latest\b/);
    for (const from of instructions('FROM')) expect(from).toMatch(/^FROM (\$\{RUST_IMAGE\}|scratch) AS \w+$/);
  });

  it('ships the binary in a scratch image, run as a non-root user', () => {
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime.split('\n')[1]).toBe('FROM scratch AS runtime');
    expect(runtime).toContain('COPY --from=builder /out/billing /usr/local/bin/billing');
    expect(instructions('USER')).toEqual([`USER ${SERVICE_UID}:${SERVICE_UID}`]);
    expect(SERVICE_UID).toBe(10001);
    expect(dockerfile).toContain("printf 'app:x:10001:10001::/nonexistent:/sbin/nologin\\n' > /out/passwd");
  });

  it('exposes the port and passes it as PORT', () => {
    expect(instructions('EXPOSE')).toEqual(['EXPOSE 8081']);
    expect(instructions('ENV')).toContain('ENV PORT=8081');
    expect(exposedPort(dockerfile)).toBe(8081);
  });

  it('checks health through the binary itself, with no shell in the image', () => {
    expect(instructions('HEALTHCHECK')).toEqual([
      'HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["/usr/local/bin/billing", "healthcheck"]',
    ]);
    expect(instructions('ENTRYPOINT')).toEqual(['ENTRYPOINT ["/usr/local/bin/billing"]']);
  });

  it('uses another Rust image when asked', () => {
    const custom = renderDockerfile({ name: 'a', bin: 'a', project: 'a', port: 1, dockerfilePath: 'a/Dockerfile', rustImage: 'mirror.example.com/rust:1.95-slim' });
    expect(custom).toContain('ARG RUST_IMAGE=mirror.example.com/rust:1.95-slim\n');
  });

  it('leaves no template tag unrendered', () => {
    expect(dockerfile).not.toMatch(/<%|%>|undefined/);
  });
});

describe('exposedPort', () => {
  it.each([
    ['EXPOSE 8080', 8080],
    ['FROM scratch\n  expose 3000/tcp\nEXPOSE 9000', 3000],
    ['EXPOSE 8080 8443', 8080],
    ['# EXPOSE 9000\nEXPOSE 7000', 7000],
    ['FROM scratch', undefined],
    ['EXPOSE ${PORT}', undefined],
    ['RUN echo EXPOSE 5000', undefined],
  ])('reads %j as %s', (text, port) => {
    expect(exposedPort(text)).toBe(port);
  });
});

describe('containerPort', () => {
  let root: string;
  beforeAll(() => {
    root = makeTempDir();
    writeFiles(root, { 'services/api/Dockerfile': 'FROM scratch\nEXPOSE 9090\n', 'services/bare/Dockerfile': 'FROM scratch\n' });
  });
  afterAll(() => removeDir(root));

  it('prefers the option', () => {
    expect(containerPort(root, 'services/api', 3000)).toBe(3000);
  });

  it("falls back to the project Dockerfile's EXPOSE", () => {
    expect(containerPort(root, 'services/api')).toBe(9090);
  });

  it('falls back to 8080 without EXPOSE or without a Dockerfile', () => {
    expect(containerPort(root, 'services/bare')).toBe(8080);
    expect(containerPort(root, 'services/none')).toBe(8080);
  });
});
