import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, pkg, removeDir, writeFiles } from '../testing/fixtures';
import {
  containerPort,
  DEFAULT_RUNTIME,
  dockerfileRuntime,
  exposedPort,
  parseStages,
  prebuiltStage,
  pruneStages,
  renderDockerfile,
  runtimeLayout,
  RUNTIME_VARIANTS,
  RUNTIMES,
  type DockerfileOptions,
  type RuntimeVariant,
} from './dockerfile';

// hadolint is not installed for unit tests (the e2e suite lints the rendered files), so
// these check the structure: stages, base images, users, health checks and shells.

const base: DockerfileOptions = {
  name: 'billing-api',
  bin: 'billing',
  project: 'billing-project',
  port: 8081,
  dockerfilePath: 'services/billing/Dockerfile',
};
const render = (options: Partial<DockerfileOptions> = {}) => renderDockerfile({ ...base, ...options });
const linesOf = (text: string) => text.split('\n');
const instructions = (text: string, keyword: string) => linesOf(text).filter((l) => l.startsWith(`${keyword} `));
/** The text of one stage, from its FROM line to the next FROM. */
const stage = (text: string, name: string) => {
  const lines = linesOf(text);
  const start = lines.findIndex((l) => new RegExp(`^FROM \\S+ AS ${name}$`).test(l));
  expect(start).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('FROM '));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
};

describe('RUNTIMES', () => {
  it('offers scratch, distroless, debian and alpine, scratch by default', () => {
    expect(RUNTIME_VARIANTS).toEqual(['scratch', 'distroless', 'debian', 'alpine']);
    expect(DEFAULT_RUNTIME).toBe('scratch');
  });

  it('gives each base image its own build argument, so one targetDefaults entry can point all of them at a mirror', () => {
    expect(Object.fromEntries(RUNTIME_VARIANTS.map((r) => [r, [RUNTIMES[r].builderArg, RUNTIMES[r].runtimeArg]]))).toEqual({
      scratch: ['RUST_IMAGE', undefined],
      distroless: ['RUST_IMAGE', 'DISTROLESS_IMAGE'],
      debian: ['RUST_IMAGE', 'DEBIAN_IMAGE'],
      alpine: ['RUST_ALPINE_IMAGE', 'ALPINE_IMAGE'],
    });
    // An argument name means one image: variants sharing a name share the image.
    const imageOf = new Map<string, string>();
    for (const spec of Object.values(RUNTIMES)) {
      for (const [arg, image] of [[spec.builderArg, spec.rustImage], [spec.runtimeArg, spec.runtimeImage]]) {
        if (!arg) continue;
        expect([arg, imageOf.get(arg) ?? image]).toEqual([arg, image]);
        imageOf.set(arg, image!);
      }
    }
  });

  it('pins every base image to a release line, never latest', () => {
    for (const spec of Object.values(RUNTIMES)) {
      for (const image of [spec.rustImage, spec.runtimeImage].filter(Boolean) as string[]) {
        expect(image).toMatch(/:[\w.-]+$/);
        expect(image).not.toMatch(/:latest$/);
      }
    }
    expect(RUNTIMES.scratch.rustImage).toMatch(/^rust:\d+\.\d+-bookworm$/);
    expect(RUNTIMES.alpine.rustImage).toMatch(/^rust:\d+\.\d+-alpine\d+\.\d+$/);
    expect(RUNTIMES.alpine.runtimeImage).toBe(`alpine:${RUNTIMES.alpine.rustImage.split('-alpine')[1]}`);
  });
});

describe('renderDockerfile', () => {
  const dockerfile = render();

  it('renders the default runtime, scratch, when none is given', () => {
    expect(dockerfile).toBe(render({ runtime: 'scratch' }));
    expect(dockerfileRuntime(dockerfile)).toBe('scratch');
  });

  it('builds the dependencies of the given package and binary, then the binary, with --locked, for the host target, and copies it out', () => {
    const target = '--target "$(rustc --print host-tuple)"';
    expect(dockerfile).toContain(`cargo rustc --release --locked ${target} --package billing-api --bin billing -- --emit=metadata`);
    expect(dockerfile).toContain(`cargo clean --release ${target} --workspace`);
    expect(dockerfile.match(/cargo build --release --locked .*/g)).toEqual([`cargo build --release --locked ${target} --package billing-api --bin billing \\`]);
    expect(dockerfile).toContain('cp "target/$(rustc --print host-tuple)/release/billing" /out/billing');
    expect(stage(dockerfile, 'runtime')).toContain('COPY --from=builder /out/billing /usr/local/bin/billing');
  });

  it('compiles the dependencies from the skeleton and the vendored crates, then the service from the sources mounted over them', () => {
    const builder = stage(dockerfile, 'builder');
    const order = ['COPY --from=skeleton /skeleton/ ./', 'COPY vendo[r] vendor/', 'cargo rustc ', 'RUN --mount=type=bind,target=/app,rw', 'cargo build '].map((s) => builder.indexOf(s));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // The context is read through bind mounts: only the skeleton and vendor/ land in layers.
    expect(instructions(stage(dockerfile, 'skeleton'), 'COPY')).toEqual([]);
    expect(stage(dockerfile, 'skeleton')).toContain('RUN --mount=type=bind,target=/src');
    expect(instructions(builder, 'COPY')).toEqual(['COPY --from=skeleton /skeleton/ ./', 'COPY vendo[r] vendor/']);
  });

  it('makes a skeleton of manifests, lockfile, Cargo config and toolchain file, every Rust source a stub, nothing else', () => {
    // The skeleton step's own shell command, run on a folder here with /skeleton and /stub.rs moved into it.
    const dir = makeTempDir();
    try {
      const ws = join(dir, 'ws');
      const files = {
        'Cargo.toml': '[workspace]\nmembers = ["api", "libs/domain"]\n',
        'Cargo.lock': '# lock\n',
        '.cargo/config.toml': '[source.crates-io]\nreplace-with = "vendored-sources"\n',
        'rust-toolchain.toml': '[toolchain]\nchannel = "1.95"\n',
        'api/Cargo.toml': pkg('api'),
        'api/Dockerfile': 'FROM scratch\n',
        'api/src/main.rs': 'fn main() { serve() }\n',
        'api/src/routes/mod.rs': 'pub fn routes() {}\n',
        'api/build.rs': 'fn main() { println!("cargo::rerun-if-changed=build.rs"); }\n',
        'api/README.md': '# api\n',
        'libs/domain/Cargo.toml': pkg('domain', '[lib]\npath = "lib.rs"'),
        'libs/domain/lib.rs': 'pub fn rule() -> u32 { 42 }\n',
        'libs/domain/tests/it.rs': '#[test]\nfn it() {}\n',
        'vendor/serde/Cargo.toml': pkg('serde'),
        'vendor/serde/src/lib.rs': 'pub trait Serialize {}\n',
        'api/target/release/build/x/out/gen.rs': 'generated\n',
        'node_modules/pkg/Cargo.toml': pkg('pkg'),
      };
      writeFiles(ws, files);
      const run = stage(dockerfile, 'skeleton').split('\nRUN ')[1];
      const command = run
        .replace(/^--mount=\S+ \\\n/, '')
        .replace(/\\\n/g, ' ')
        .replaceAll('/skeleton', join(dir, 'skeleton'))
        .replaceAll('/stub.rs', join(dir, 'stub.rs'));
      execFileSync('sh', ['-ec', command], { cwd: ws });
      const skeleton = join(dir, 'skeleton');
      const stub = '#[allow(dead_code)] fn main() {}\n';
      const listed = (execFileSync('find', ['.', '-type', 'f'], { cwd: skeleton, encoding: 'utf8' }) as string).split('\n').filter(Boolean).sort();
      expect(listed).toEqual(
        ['./.cargo/config.toml', './Cargo.lock', './Cargo.toml', './api/Cargo.toml', './api/build.rs', './api/src/main.rs', './api/src/routes/mod.rs', './libs/domain/Cargo.toml', './libs/domain/lib.rs', './libs/domain/tests/it.rs', './rust-toolchain.toml'].sort(),
      );
      for (const file of listed) {
        const content = readFileSync(join(skeleton, file), 'utf8');
        expect([file, content]).toEqual([file, file.endsWith('.rs') ? stub : files[file.slice(2) as keyof typeof files]]);
      }
    } finally {
      removeDir(dir);
    }
  });

  it('names the project, the Dockerfile path and the runtime in the header', () => {
    expect(linesOf(dockerfile)[0]).toBe('# billing-api: a Rust service image built by @org/rust-docker (runtime: scratch).');
    expect(dockerfile).toContain('nx run billing-project:docker-build');
    expect(dockerfile).toContain('docker build -f services/billing/Dockerfile .');
  });

  it('exposes the port and passes it as PORT', () => {
    expect(instructions(dockerfile, 'EXPOSE')).toEqual(['EXPOSE 8081']);
    expect(instructions(dockerfile, 'ENV')).toContain('ENV PORT=8081');
    expect(exposedPort(dockerfile)).toBe(8081);
  });

  it('throws on an unknown runtime, naming the known ones', () => {
    expect(() => render({ runtime: 'windows' as RuntimeVariant })).toThrow('unknown runtime "windows": use one of scratch, distroless, debian, alpine.');
  });

  describe.each(RUNTIME_VARIANTS)('the %s variant', (runtime) => {
    const text = render({ runtime });
    const spec = RUNTIMES[runtime];

    it('leaves no template tag unrendered and no undefined value', () => {
      expect(text).not.toMatch(/<%|%>|undefined|\$\{\s*\}/);
    });

    it('says its runtime in the header, and reads back as that runtime', () => {
      expect(linesOf(text)[0]).toContain(`(runtime: ${runtime})`);
      expect(dockerfileRuntime(text)).toBe(runtime);
    });

    it('declares its base images as build arguments before the first FROM, with the pinned defaults', () => {
      const { prelude } = parseStages(text);
      const args = instructions(prelude, 'ARG');
      expect(args).toEqual([`ARG ${spec.builderArg}=${spec.rustImage}`, ...(spec.runtimeArg ? [`ARG ${spec.runtimeArg}=${spec.runtimeImage}`] : [])]);
      // Every `${X}` a FROM uses is one of them.
      for (const from of instructions(text, 'FROM')) {
        for (const ref of from.matchAll(/\$\{(\w+)\}/g)) expect(args.map((a) => a.slice(4, a.indexOf('=')))).toContain(ref[1]);
      }
    });

    it('has the skeleton, builder, runtime-base and runtime stages, from the right images', () => {
      const runtimeFrom = runtime === 'scratch' ? 'scratch' : `\${${spec.runtimeArg}}`;
      expect(instructions(text, 'FROM')).toEqual([
        `FROM \${${spec.builderArg}} AS skeleton`,
        `FROM \${${spec.builderArg}} AS builder`,
        ...(runtime === 'scratch' ? [`FROM \${${spec.builderArg}} AS assets`] : []),
        `FROM ${runtimeFrom} AS runtime-base`,
        'FROM runtime-base AS runtime',
      ]);
      expect(parseStages(text).stages.at(-1)!.name).toBe('runtime');
    });

    it('runs as its non-root user, set once in runtime-base', () => {
      const uid = { scratch: 10001, distroless: 65532, debian: 10001, alpine: 10001 }[runtime];
      expect(spec.uid).toBe(uid);
      expect(instructions(text, 'USER')).toEqual([`USER ${uid}:${uid}`]);
      expect(stage(text, 'runtime-base')).toContain(`USER ${uid}:${uid}`);
      expect(text).not.toMatch(/^USER (0|root)\b/m);
    });

    it('creates that user where the image has none: passwd files for scratch, useradd on debian, adduser on alpine', () => {
      const runtimeBase = stage(text, 'runtime-base');
      if (runtime === 'scratch') {
        expect(stage(text, 'assets')).toContain("printf 'app:x:10001:10001::/nonexistent:/sbin/nologin\\n' > /out/passwd");
        expect(runtimeBase).toContain('COPY --from=assets /out/passwd /etc/passwd');
        expect(runtimeBase).toContain('COPY --from=assets /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt');
      } else if (runtime === 'distroless') {
        expect(instructions(runtimeBase, 'RUN')).toEqual([]); // no shell to run anything with
      } else if (runtime === 'debian') {
        expect(runtimeBase).toContain('apt-get install -y --no-install-recommends ca-certificates tzdata');
        expect(runtimeBase).toContain('useradd --system --uid 10001 --gid app');
        expect(runtimeBase).toContain('rm -rf /var/lib/apt/lists/*');
      } else {
        expect(runtimeBase).toContain('apk add --no-cache ca-certificates tzdata');
        expect(runtimeBase).toContain('adduser -S -D -H -u 10001 -G app');
      }
    });

    it("links glibc statically only for the runtimes without a libc (scratch, distroless)", () => {
      const crtStatic = 'ENV RUSTFLAGS="-C target-feature=+crt-static -C link-arg=-Wl,-z,pack-relative-relocs"';
      if (runtime === 'scratch' || runtime === 'distroless') {
        expect(spec.staticGlibc).toBe(true);
        expect(stage(text, 'builder')).toContain(crtStatic);
      } else {
        expect(spec.staticGlibc).toBe(false);
        expect(text).not.toContain('crt-static');
      }
    });

    it('pipes nothing, so the builder image\'s own shell runs every step (ash on alpine, bash elsewhere)', () => {
      expect(instructions(text, 'SHELL')).toEqual([]);
      const runs = text.split(/\n(?=[A-Z]+ )/).filter((block) => block.startsWith('RUN '));
      for (const run of runs) expect(run.replace(/'[^']*'|"[^"]*"/g, '')).not.toContain('|');
    });

    it('checks health through the binary itself by default, and without a HEALTHCHECK when the binary has no such subcommand', () => {
      const check = 'HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["/usr/local/bin/billing", "healthcheck"]';
      expect(instructions(text, 'HEALTHCHECK')).toEqual([check]);
      expect(instructions(render({ runtime, healthcheck: true }), 'HEALTHCHECK')).toEqual([check]);
      const without = render({ runtime, healthcheck: false });
      expect(instructions(without, 'HEALTHCHECK')).toEqual([]);
      expect(instructions(without, 'ENTRYPOINT')).toEqual(['ENTRYPOINT ["/usr/local/bin/billing"]']);
      expect(without.replace(`# The binary probes itself, so the image needs no curl and no shell for its health check.\n${check}\n`, '')).toBe(without);
      expect(text.replace(`${check}\n`, '').replace('# The binary probes itself, so the image needs no curl and no shell for its health check.\n', '')).toBe(without);
    });

    it('starts the binary by its exec-form ENTRYPOINT and exposes the port in every variant', () => {
      expect(instructions(text, 'ENTRYPOINT')).toEqual(['ENTRYPOINT ["/usr/local/bin/billing"]']);
      expect(exposedPort(text)).toBe(8081);
      expect(instructions(text, 'ENV')).toContain('ENV PORT=8081');
    });

    it('copies runtime files read-only into the working directory, in runtime-base before USER, so the prebuilt strategy has them too', () => {
      const withFiles = render({ runtime, runtimeFiles: ['configuration', 'templates', 'settings.toml'], crateDir: 'services/billing' });
      const base = stage(withFiles, 'runtime-base');
      const lines = linesOf(base);
      const from = lines.indexOf('WORKDIR /app');
      expect(lines.slice(from, from + 5)).toEqual([
        'WORKDIR /app',
        'COPY services/billing/configuration /app/configuration',
        'COPY services/billing/templates /app/templates',
        'COPY services/billing/settings.toml /app/settings.toml',
        `USER ${spec.uid}:${spec.uid}`,
      ]);
      // No --chown: root owns them, and the service's user cannot change them.
      const runtimeStages = `${stage(withFiles, 'runtime-base')}\n${stage(withFiles, 'runtime')}`;
      expect(instructions(runtimeStages, 'COPY').filter((c) => !c.includes('--from'))).toEqual([
        'COPY services/billing/configuration /app/configuration',
        'COPY services/billing/templates /app/templates',
        'COPY services/billing/settings.toml /app/settings.toml',
      ]);
      expect(withFiles).not.toMatch(/<%|%>|undefined/);
      expect(pruneStages(withFiles + prebuiltStage('billing', 'billing'), 'prebuilt')).toContain('COPY services/billing/templates /app/templates');
      // Without runtime files, nothing changes: no WORKDIR in the runtime image.
      expect(stage(text, 'runtime-base')).not.toContain('WORKDIR');
    });

    it('takes another working directory, and a crate at the root of its context', () => {
      const withFiles = render({ runtime, runtimeFiles: ['static'], crateDir: '.', workdir: '/srv/billing' });
      expect(stage(withFiles, 'runtime-base')).toContain('WORKDIR /srv/billing\nCOPY static /srv/billing/static\n');
      expect(stage(render({ runtime, workdir: '/srv' }), 'runtime-base')).toContain('WORKDIR /srv\nUSER');
    });

    it('has a runtime-base stage the prebuilt strategy can build on, which needs nothing from the builder', () => {
      const pruned = pruneStages(text + prebuiltStage('billing', 'billing'), 'prebuilt');
      expect(pruned).not.toMatch(/AS (builder|skeleton)$/m);
      expect(pruned).not.toContain('cargo build');
      expect(pruned).toContain('FROM runtime-base AS prebuilt\nCOPY billing /usr/local/bin/billing\n');
    });
  });
});

describe('runtimeLayout', () => {
  it('reads back the working directory and runtime files a rendered Dockerfile copies', () => {
    for (const runtime of RUNTIME_VARIANTS) {
      const text = render({ runtime, runtimeFiles: ['configuration', 'a.toml'], crateDir: 'svc/x', workdir: '/srv' });
      expect(runtimeLayout(text)).toEqual({ workdir: '/srv', sources: ['svc/x/configuration', 'svc/x/a.toml'] });
      expect(runtimeLayout(render({ runtime }))).toEqual({ workdir: undefined, sources: [] });
    }
  });

  it('has nothing to read in a Dockerfile without a runtime-base stage', () => {
    expect(runtimeLayout('FROM scratch\nWORKDIR /x\nCOPY a /b\n')).toEqual({ sources: [] });
  });
});

describe('dockerfileRuntime', () => {
  it('is undefined for a Dockerfile this plugin did not write', () => {
    expect(dockerfileRuntime('FROM rust:1.95 AS build\nRUN cargo build\n')).toBeUndefined();
    expect(dockerfileRuntime('')).toBeUndefined();
  });

  it('is undefined for a header naming a runtime it does not know', () => {
    expect(dockerfileRuntime('# api: a Rust service image built by @org/rust-docker (runtime: windows).\nFROM x\n')).toBeUndefined();
  });

  it('reads the header wherever it is in the file, but only as a comment line', () => {
    expect(dockerfileRuntime('# syntax=docker/dockerfile:1\n# api: a Rust service image built by @org/rust-docker (runtime: alpine).\n')).toBe('alpine');
    expect(dockerfileRuntime('RUN echo "built by @org/rust-docker (runtime: debian)"\n')).toBeUndefined();
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

  it('without EXPOSE, takes the port the sources listen on', () => {
    writeFiles(root, { 'services/bare/src/main.rs': 'fn main() { warp::serve(routes).run(([0, 0, 0, 0], 8000)); }\n' });
    expect(containerPort(root, 'services/bare')).toBe(8000);
  });

  it('never guesses one: without EXPOSE or a port in the sources, it says what to set', () => {
    expect(() => containerPort(root, 'services/none')).toThrow(
      'cannot tell which port the service listens on: services/none/Dockerfile has no EXPOSE and its sources bind no literal port; set "port" in the target\'s options (or add EXPOSE <port> to the Dockerfile).',
    );
  });
});

describe('prebuiltStage', () => {
  it('is a stage named prebuilt on runtime-base, copying the binary from the context', () => {
    expect(prebuiltStage('api', 'bin/api')).toBe(
      '\n# Appended by docker-build (strategy prebuilt): the binary from the Nx build target.\nFROM runtime-base AS prebuilt\nCOPY bin/api /usr/local/bin/api\n',
    );
  });

  it('becomes the last stage of a generated Dockerfile, after runtime-base and runtime, using runtime-base', () => {
    const text = render() + prebuiltStage('billing', 'billing');
    const { stages } = parseStages(text);
    expect(stages.map((s) => s.name)).toEqual(['skeleton', 'builder', 'assets', 'runtime-base', 'runtime', 'prebuilt']);
    expect(stages.at(-1)!.uses).toEqual(['runtime-base']);
    expect(text).toContain('COPY --from=builder /out/billing /usr/local/bin/billing\n\n# Appended by docker-build');
  });
});

describe('parseStages', () => {
  it('splits the lines before the first FROM from the stages, keeping every line', () => {
    const text = '# syntax=docker/dockerfile:1\nARG BASE=alpine:3.22\n\nFROM ${BASE} AS base\nRUN true\n\nFROM base\nCOPY --from=base /a /b\n';
    const { prelude, stages } = parseStages(text);
    expect(prelude).toBe('# syntax=docker/dockerfile:1\nARG BASE=alpine:3.22\n');
    expect(stages).toEqual([
      { name: 'base', text: 'FROM ${BASE} AS base\nRUN true\n\n', uses: ['${base}'] },
      { name: undefined, text: 'FROM base\nCOPY --from=base /a /b\n\n', uses: ['base', 'base'] },
    ]);
  });

  it('reads --platform, lower-cases names and references, and finds --from in any instruction', () => {
    const { stages } = parseStages('FROM --platform=$BUILDPLATFORM Rust:1.95 as Build\nFROM scratch AS Final\nCOPY --from=BUILD /out /out\nRUN --mount=type=cache,target=/x --from=tools true\n');
    expect(stages.map((s) => [s.name, s.uses])).toEqual([
      ['build', ['rust:1.95']],
      ['final', ['scratch', 'build', 'tools']],
    ]);
  });

  it('has no stages and the whole text as prelude without FROM', () => {
    expect(parseStages('# nothing\nARG A=1')).toEqual({ prelude: '# nothing\nARG A=1', stages: [] });
  });

  it('does not take a commented-out FROM for a stage', () => {
    expect(parseStages('FROM a AS one\n# FROM b AS two\n').stages.map((s) => s.name)).toEqual(['one']);
  });
});

describe('pruneStages', () => {
  const multi = [
    'ARG BASE=alpine:3.22',
    'FROM ${BASE} AS base',
    'RUN apk add --no-cache ca-certificates',
    '',
    'FROM base AS deps',
    'RUN echo deps',
    '',
    'FROM rust:1.95 AS unused',
    'RUN echo unused',
    '',
    'FROM alpine:3.22 AS tools',
    'RUN echo tools',
    '',
    'FROM deps AS build',
    'COPY --from=tools /usr/bin/tool /usr/bin/tool',
    'RUN echo build',
    '',
    'FROM scratch AS final',
    'COPY --from=build /out /out',
    '',
    'FROM base AS test',
    'RUN echo test',
    '',
  ].join('\n');
  const names = (text: string) => parseStages(text).stages.map((s) => s.name);

  it('keeps only the stages the target reaches through FROM <stage> and COPY --from, in file order, with the prelude', () => {
    const pruned = pruneStages(multi, 'final');
    expect(names(pruned)).toEqual(['base', 'deps', 'tools', 'build', 'final']);
    expect(pruned.startsWith('ARG BASE=alpine:3.22\nFROM ${BASE} AS base\n')).toBe(true);
    expect(pruned).not.toContain('unused');
    expect(pruned).not.toContain('echo test');
    // The kept stages are the original text, untouched.
    for (const name of ['base', 'deps', 'tools', 'build']) expect(multi).toContain(stage(pruned, name));
  });

  it('keeps just a stage and its base stage for another target', () => {
    expect(names(pruneStages(multi, 'test'))).toEqual(['base', 'test']);
    expect(names(pruneStages(multi, 'tools'))).toEqual(['tools']);
    expect(names(pruneStages(multi, 'deps'))).toEqual(['base', 'deps']);
  });

  it('builds the last stage without a target', () => {
    expect(pruneStages(multi)).toBe(pruneStages(multi, 'test'));
  });

  it('matches the target and the references without regard to case', () => {
    const text = 'FROM rust AS Build\nRUN make\n\nFROM scratch AS Final\nCOPY --from=BUILD /out /out\n';
    expect(pruneStages(text, 'FINAL')).toBe(text);
    expect(names(pruneStages(text, 'build'))).toEqual(['build']);
  });

  it('follows COPY --from=<index> to a stage by its position', () => {
    const text = 'FROM rust\nRUN make\n\nFROM alpine AS skipped\nRUN true\n\nFROM scratch\nCOPY --from=0 /out /out\n';
    expect(pruneStages(text)).toBe('FROM rust\nRUN make\n\nFROM scratch\nCOPY --from=0 /out /out\n');
  });

  it('treats an image that is not a stage as external', () => {
    expect(pruneStages('FROM a AS one\nRUN 1\nFROM b AS two\nCOPY --from=nginx:1.27 /etc/nginx /etc/nginx\n')).toBe('FROM b AS two\nCOPY --from=nginx:1.27 /etc/nginx /etc/nginx\n');
  });

  it('round-trips a whole file when the target is the last stage and needs every other stage', () => {
    for (const runtime of RUNTIME_VARIANTS) {
      const text = render({ runtime });
      expect(pruneStages(text)).toBe(text);
      expect(pruneStages(text, 'runtime')).toBe(text);
    }
    const chain = 'ARG X=1\n\nFROM a AS one\nRUN 1\n\nFROM one AS two\nRUN 2';
    expect(pruneStages(chain)).toBe(chain); // no trailing newline stays without one
    expect(pruneStages(`${chain}\n`)).toBe(`${chain}\n`);
    expect(pruneStages('FROM a\n')).toBe('FROM a\n');
  });

  it('drops the builder stages for the runtime base of a generated Dockerfile', () => {
    expect(names(pruneStages(render(), 'runtime-base'))).toEqual(['assets', 'runtime-base']);
    expect(names(pruneStages(render({ runtime: 'debian' }), 'runtime-base'))).toEqual(['runtime-base']);
    expect(names(pruneStages(render({ runtime: 'alpine' }), 'builder'))).toEqual(['skeleton', 'builder']);
  });

  it('returns a Dockerfile without stages as it is', () => {
    expect(pruneStages('# empty\n')).toBe('# empty\n');
  });

  it('throws for a target that is not a stage', () => {
    expect(() => pruneStages(multi, 'nope')).toThrow('the Dockerfile has no stage named "nope".');
  });
});
