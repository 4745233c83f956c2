import { contextHas, contextSources } from './context-sources';

describe('contextSources', () => {
  it('lists what COPY and ADD take from the context, in every form, for the stages the build needs', () => {
    const dockerfile = [
      'FROM rust:1.95 AS build',
      'WORKDIR /src',
      'COPY Cargo.toml Cargo.lock ./',
      'COPY --chown=1000:1000 services/api \\',
      '     services/api',
      'COPY ["libs/core", "libs/core"]',
      'ADD https://example.com/tool.tar.gz /opt/',
      'ADD vendor.tar.gz /vendor/',
      'COPY --from=busybox /bin/sh /bin/sh',
      'COPY ${CONFIG} /etc/app',
      'RUN cargo build --release',
      '',
      'FROM scratch AS unused',
      'COPY docs /docs',
      '',
      'FROM debian:bookworm-slim',
      'COPY --from=build /src/target/release/api /usr/local/bin/api',
      '# COPY secrets /secrets',
      'COPY configuration /app/configuration',
    ].join('\n');
    expect(contextSources(dockerfile).map((s) => s.source)).toEqual([
      'Cargo.toml',
      'Cargo.lock',
      'services/api',
      'libs/core',
      'vendor.tar.gz',
      'configuration',
    ]);
    expect(contextSources(dockerfile, 'unused').map((s) => s.source)).toEqual(['docs']);
  });

  it('reads every stage when the target names none it has (docker build then says so itself)', () => {
    expect(contextSources('FROM scratch\nCOPY a /a\n', 'nope').map((s) => s.source)).toEqual(['a']);
  });
});

describe('contextHas', () => {
  const files = ['Cargo.toml', 'services/api/src/main.rs', 'services/api/Cargo.toml', 'libs/core/src/lib.rs', 'vendor/.'];

  it.each<[string, boolean]>([
    ['.', true],
    ['./', true],
    ['/', true],
    ['Cargo.toml', true],
    ['services/api', true],
    ['services/api/', true],
    ['./services/api/src', true],
    ['services/ap', false],
    ['services/worker', false],
    ['libs/c*', true],
    ['services/*/Cargo.toml', true],
    ['Cargo.*', true],
    ['*.md', false],
    ['vendor', true],
    // `[...]` is a character class in Docker's globs, not a literal bracket.
    ['vendo[r]', true],
    ['vendo[xyz]', false],
    ['services/[ab]pi', true],
    ['libs/[!c]ore', false],
  ])('%j: %s', (source, has) => {
    expect(contextHas(files, source)).toBe(has);
  });
});
