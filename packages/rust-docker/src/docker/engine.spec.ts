import { buildInvocation, chooseEngine, dockerfileForEngine, hasBuiltinBuildKit } from './engine';
import { parseStages, prebuiltStage, renderDockerfile } from './dockerfile';

describe('hasBuiltinBuildKit', () => {
  it.each([
    ['17.12.1', false],
    ['18.06.3', false],
    ['18.09.0', true],
    ['19.03.15', true],
    ['20.10.24', true],
    ['22.06.0', true],
    ['23.0.0', false],
    ['27.3.1', false],
    ['', false],
    ['dev', false],
  ])('client %s: %s', (version, expected) => {
    expect(hasBuiltinBuildKit(version)).toBe(expected);
  });
});

describe('chooseEngine', () => {
  const modern = { buildx: true, clientVersion: '27.3.1' };
  const modernWithoutBuildx = { buildx: false, clientVersion: '27.3.1' };
  const old = { buildx: false, clientVersion: '20.10.24' };

  it('prefers buildx, then built-in BuildKit, then the legacy builder', () => {
    expect(chooseEngine(modern, 'auto')).toEqual({ engine: 'buildx', reason: 'buildx plugin found' });
    expect(chooseEngine({ buildx: true, clientVersion: '20.10.24' }, 'auto').engine).toBe('buildx');
    expect(chooseEngine(old, 'auto')).toEqual({ engine: 'buildkit', reason: 'client 20.10.24 has built-in BuildKit' });
    const legacy = chooseEngine(modernWithoutBuildx, 'auto');
    expect(legacy.engine).toBe('legacy');
    expect(legacy.reason).toContain('install buildx');
  });

  it('uses a requested engine that is available', () => {
    expect(chooseEngine(modern, 'buildx')).toEqual({ engine: 'buildx', reason: 'requested' });
    expect(chooseEngine(old, 'buildkit')).toEqual({ engine: 'buildkit', reason: 'requested' });
    expect(chooseEngine(modern, 'legacy')).toEqual({ engine: 'legacy', reason: 'requested' });
  });

  it('throws with an install hint when buildx is requested but missing', () => {
    expect(() => chooseEngine(old, 'buildx')).toThrow(
      'engine "buildx" is not available here: install the buildx plugin (https://github.com/docker/buildx#installing), or use "engine": "auto".',
    );
  });

  it('throws naming the client version when built-in BuildKit is requested on a client without it', () => {
    expect(() => chooseEngine(modern, 'buildkit')).toThrow(
      /engine "buildkit" is not available here: Docker client 27\.3\.1 has no built-in BuildKit; install buildx and use "engine": "buildx"/,
    );
  });
});

describe('buildInvocation', () => {
  const args = ['-f', 'Dockerfile', '.'];

  it('runs buildx build --load for buildx', () => {
    expect(buildInvocation('buildx', args)).toEqual({ args: ['buildx', 'build', '--load', '-f', 'Dockerfile', '.'], env: {} });
  });

  it('turns BuildKit on for the built-in BuildKit and off for the legacy builder', () => {
    expect(buildInvocation('buildkit', args)).toEqual({ args: ['build', '-f', 'Dockerfile', '.'], env: { DOCKER_BUILDKIT: '1' } });
    expect(buildInvocation('legacy', args)).toEqual({ args: ['build', '-f', 'Dockerfile', '.'], env: { DOCKER_BUILDKIT: '0' } });
  });
});

describe('dockerfileForEngine', () => {
  const dockerfile = [
    'FROM rust AS builder',
    'RUN --mount=type=cache,target=/usr/local/cargo/registry \\',
    '    --mount=type=cache,id=x,target=/app/target,sharing=locked \\',
    '    cargo build --release \\',
    '    && cp target/release/app /out/app',
    'RUN --mount=type=secret,id=token cat /run/secrets/token',
    'COPY --from=builder /out/app /app',
  ].join('\n');

  it.each(['buildx', 'buildkit'] as const)('leaves the Dockerfile untouched for %s', (engine) => {
    expect(dockerfileForEngine(dockerfile, engine)).toBe(dockerfile);
  });

  it('strips every --mount flag for the legacy builder and leaves no dangling continuation line', () => {
    expect(dockerfileForEngine(dockerfile, 'legacy')).toBe(
      [
        'FROM rust AS builder',
        'RUN \\',
        '    cargo build --release \\',
        '    && cp target/release/app /out/app',
        'RUN cat /run/secrets/token',
        'COPY --from=builder /out/app /app',
      ].join('\n'),
    );
  });

  it('turns the generated Dockerfile into one the legacy builder accepts', () => {
    const rendered = renderDockerfile({ name: 'api', bin: 'api', project: 'api', port: 8080, dockerfilePath: 'api/Dockerfile' });
    const legacy = dockerfileForEngine(rendered, 'legacy');
    expect(rendered).toContain('--mount=');
    expect(legacy).not.toContain('--mount');
    const lines = legacy.split('\n');
    lines.forEach((line, i) => {
      // A continuation line is never empty, and never only a backslash.
      if (/\\\s*$/.test(line)) expect([i, lines[i + 1]?.trim()]).not.toEqual([i, expect.stringMatching(/^\\?$/)]);
    });
    // Every RUN still has a command after it.
    const runs = legacy.split(/\n(?=[A-Z]+ )/).filter((block) => block.startsWith('RUN '));
    expect(runs.length).toBe(rendered.split(/\n(?=[A-Z]+ )/).filter((block) => block.startsWith('RUN ')).length);
    for (const run of runs) expect(run.replace(/\\\n/g, ' ').replace(/^RUN\s+/, '')).toMatch(/^\S/);
    expect(legacy).toContain('cargo build --release --locked --target "$(rustc --print host-tuple)" --package api --bin api');
    // The skeleton step reads the context it can no longer mount from a copy at the same place.
    expect(legacy).toContain('WORKDIR /src\nCOPY . /src\nRUN \\\n    mkdir /skeleton \\\n');
    // And the service's step, its sources.
    expect(legacy).toContain('COPY . /app\nRUN \\\n    cargo build --release');
  });

  it('gives the legacy builder only the stages the target needs, since it would run every stage up to it', () => {
    const rendered = renderDockerfile({ name: 'api', bin: 'api', project: 'api', port: 8080, dockerfilePath: 'api/Dockerfile' }) + prebuiltStage('api', 'api');
    const stages = (text: string) => parseStages(text).stages.map((s) => s.name);
    expect(stages(dockerfileForEngine(rendered, 'legacy', 'prebuilt'))).toEqual(['assets', 'runtime-base', 'prebuilt']);
    expect(stages(dockerfileForEngine(rendered, 'legacy', 'runtime'))).toEqual(['skeleton', 'builder', 'assets', 'runtime-base', 'runtime']);
    // Without a target, the last stage: here the appended prebuilt one.
    expect(stages(dockerfileForEngine(rendered, 'legacy'))).toEqual(['assets', 'runtime-base', 'prebuilt']);
    expect(dockerfileForEngine(rendered, 'legacy', 'prebuilt')).not.toMatch(/cargo (rustc|build)/);
  });

  it.each(['buildx', 'buildkit'] as const)('leaves every stage to %s, which skips unused stages itself, even with a target', (engine) => {
    const rendered = renderDockerfile({ name: 'api', bin: 'api', project: 'api', port: 8080, dockerfilePath: 'api/Dockerfile' }) + prebuiltStage('api', 'api');
    expect(dockerfileForEngine(rendered, engine, 'prebuilt')).toBe(rendered);
  });

  it('copies what a RUN bind-mounts (the context, a folder of it, or a stage) to where it was mounted, for the legacy builder', () => {
    const text = [
      'FROM rust AS tools',
      'FROM rust',
      'RUN --mount=type=bind,target=/src make -C /src',
      'RUN --mount=type=cache,target=/cache \\',
      '    --mount=type=bind,source=vendor,target=/app/vendor,rw \\',
      '    --mount=type=bind,from=tools,source=/usr/bin,target=/tools \\',
      '    cargo build',
      'RUN --mount=type=secret,id=token true',
    ].join('\n');
    expect(dockerfileForEngine(text, 'legacy').split('\n').slice(1)).toEqual([
      'FROM rust',
      'COPY . /src',
      'RUN make -C /src',
      'COPY vendor /app/vendor',
      'COPY --from=tools /usr/bin /tools',
      'RUN \\',
      '    cargo build',
      'RUN true',
    ]);
  });

  it('drops a wildcard COPY that matches nothing in the context for the legacy builder, which would fail on it', () => {
    const text = 'FROM rust\nCOPY vendo[r] vendor/\nCOPY Cargo.* ./\nCOPY --from=x /a* /b/\nCOPY src src\n';
    expect(dockerfileForEngine(text, 'legacy', undefined, ['Cargo.toml', 'src'])).toBe('FROM rust\nCOPY Cargo.* ./\nCOPY --from=x /a* /b/\nCOPY src src\n');
    expect(dockerfileForEngine(text, 'legacy', undefined, ['vendor', 'src'])).toBe('FROM rust\nCOPY vendo[r] vendor/\nCOPY --from=x /a* /b/\nCOPY src src\n');
    // `[...]` is a class: `vendo[xy]` matches no `vendor`, `[a-c]onfig` matches `config`.
    expect(dockerfileForEngine('FROM rust\nCOPY vendo[xy] vendor/\nCOPY [a-c]onfig config/\n', 'legacy', undefined, ['vendor', 'config'])).toBe('FROM rust\nCOPY [a-c]onfig config/\n');
    // Without a list of the context, and for BuildKit, every line stays.
    expect(dockerfileForEngine(text, 'legacy')).toBe(text);
    expect(dockerfileForEngine(text, 'buildkit', undefined, [])).toBe(text);
  });

  it('fails for the legacy builder when the target is not a stage', () => {
    expect(() => dockerfileForEngine('FROM a AS one\n', 'legacy', 'two')).toThrow('the Dockerfile has no stage named "two".');
  });
});
