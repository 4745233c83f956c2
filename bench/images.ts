// Images side by side, in one run, on the same axum service: this plugin's docker-build
// (scratch by default, then distroless and debian) against three well-known hand-written
// recipes for the same code (debian-slim multi-stage with dummy-main caching, distroless
// cc, scratch), and the host's own incremental `cargo build --release`.
//   node bench/run.js bench/images.ts
// Needs the e2e infrastructure (bash e2e/infra/setup.sh): a Docker engine with BuildKit
// and local base image stand-ins (nothing can be pulled on these machines).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildKitPath, STAND_IN_RUST_IMAGE } from '../e2e/helpers/docker';
import { run } from '../e2e/helpers/run';
import { createWorkspace, useBaseImages } from '../e2e/helpers/workspace';
import { median, medianOf } from './stats';

const repo = resolve(__dirname, '..');
const PATH = buildKitPath();
const env = { ...process.env, PATH };
const STAND_INS = {
  RUST_IMAGE: STAND_IN_RUST_IMAGE,
  DISTROLESS_IMAGE: 'local/distroless-static:debian12',
  DEBIAN_IMAGE: 'local/debian:bookworm-slim',
};
const DISTROLESS_CC = 'local/distroless-cc:debian12';

function time(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function docker(args: string[], cwd?: string, extraEnv: NodeJS.ProcessEnv = {}) {
  return run('docker', args, { cwd, env: { ...env, ...extraEnv }, quiet: true });
}

function imageSize(image: string): number {
  return Number(docker(['image', 'inspect', '--format', '{{.Size}}', image]).stdout.trim());
}

/** `docker run`, then the first 200 on /health, then `docker stop`, in ms. */
async function runAndStop(image: string): Promise<{ firstOk: number; stop: number }> {
  const name = `bench-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
  const t0 = Date.now();
  docker(['run', '-d', '--name', name, '-p', '127.0.0.1::8080', image]);
  try {
    const port = docker(['port', name, '8080/tcp']).stdout.trim().split(':').pop();
    let firstOk = -1;
    while (Date.now() - t0 < 20_000) {
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false);
      if (ok) {
        firstOk = Date.now() - t0;
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    const s0 = Date.now();
    docker(['stop', name]);
    return { firstOk, stop: Date.now() - s0 };
  } finally {
    spawnSync('docker', ['rm', '-f', name], { env, stdio: 'ignore' });
  }
}

const edit = (file: string, from: string | RegExp, to: string) => writeFileSync(file, readFileSync(file, 'utf8').replace(from, to));

interface BuildTime {
  wall: number;
  /** What the executor reports for itself. */
  executor?: number;
  /** BuildKit's slowest step: the final RUN's cargo build. */
  slowestStep?: number;
}


/** The three recipes from the articles users copy, written for the same service. */
function recipes(standalone: string): Record<string, string> {
  const vendor = `COPY .cargo .cargo\nCOPY vendor vendor\n`;
  const dummy = `COPY Cargo.toml Cargo.lock ./\nRUN mkdir src && echo 'fn main() {}' > src/main.rs && cargo build --release --locked && rm -rf src\n`;
  const real = `COPY src src\n# The classic trick's pitfall: the stub's build is newer than the sources.\nRUN touch src/main.rs && cargo build --release --locked\n`;
  void standalone;
  return {
    'recipe: debian-slim, dummy main': `ARG RUST_IMAGE=rust:1.95-bookworm
ARG DEBIAN_IMAGE=debian:bookworm-slim
FROM \${RUST_IMAGE} AS builder
WORKDIR /app
${vendor}${dummy}${real}
FROM \${DEBIAN_IMAGE}
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=builder /app/target/release/api /usr/local/bin/api
EXPOSE 8080
CMD ["/usr/local/bin/api"]
`,
    'recipe: distroless cc, dummy main': `ARG RUST_IMAGE=rust:1.95-bookworm
ARG DISTROLESS_CC=gcr.io/distroless/cc-debian12
FROM \${RUST_IMAGE} AS builder
WORKDIR /app
${vendor}${dummy}${real}
FROM \${DISTROLESS_CC}
COPY --from=builder /app/target/release/api /usr/local/bin/api
EXPOSE 8080
CMD ["/usr/local/bin/api"]
`,
    'recipe: scratch, dummy main': `ARG RUST_IMAGE=rust:1.95-bookworm
FROM \${RUST_IMAGE} AS builder
WORKDIR /app
ENV RUSTFLAGS="-C target-feature=+crt-static"
${vendor}COPY Cargo.toml Cargo.lock ./
RUN mkdir src && echo 'fn main() {}' > src/main.rs && cargo build --release --locked --target x86_64-unknown-linux-gnu && rm -rf src
COPY src src
RUN touch src/main.rs && cargo build --release --locked --target x86_64-unknown-linux-gnu
FROM scratch
COPY --from=builder /app/target/x86_64-unknown-linux-gnu/release/api /api
EXPOSE 8080
CMD ["/api"]
`,
  };
}

async function main() {
  run('npm', ['run', 'build'], { cwd: repo, quiet: true });
  const rows: string[][] = [];
  const ws = createWorkspace('bench-images', { PATH });
  ws.nx(['g', '@org/rust-docker:init']);
  ws.nx(['g', '@org/rust-docker:service', 'api']);
  ws.nx(['g', '@org/rust-docker:library', 'shared', '--service=api']);
  ws.write('api/src/main.rs', ws.read('api/src/main.rs').replace('"version": env!("CARGO_PKG_VERSION")', '"version": env!("CARGO_PKG_VERSION"), "greeting": shared::greeting("bench")'));
  // A version unique to this run: BuildKit's layer cache and the engine's images outlive a
  // run, and every figure below must be a real build, never a leftover from the last one.
  ws.write('api/Cargo.toml', ws.read('api/Cargo.toml').replace('version = "0.1.0"', `version = "0.1.0-run${Date.now()}"`));
  run('cargo', ['update', '-p', 'itoa', '--precise', '1.0.14'], { cwd: ws.root, quiet: true });
  useBaseImages(ws, STAND_INS, { network: 'host' });
  ws.git(['add', '-A']);
  ws.git(['commit', '-qm', 'bench']);
  const main = join(ws.root, 'api/src/main.rs');
  const lib = join(ws.root, 'shared/src/lib.rs');
  // The same flags the Dockerfile gives cargo, so both link the same binary.
  const hostEnv = { ...env, RUSTFLAGS: '-C target-feature=+crt-static -C link-arg=-Wl,-z,pack-relative-relocs' };
  const host = () => time(() => run('cargo', ['build', '--release', '--locked', '-p', 'api', '--target', 'x86_64-unknown-linux-gnu'], { cwd: ws.root, env: hostEnv, quiet: true }));
  /**
   * `nx run api:docker-build`, with where its time went: the executor's own figure (its
   * "built ... in N s" line), and BuildKit's slowest step (the cargo build of the final RUN).
   */
  const buildTimed = (args: string[] = [], extraEnv?: NodeJS.ProcessEnv): BuildTime => {
    let output = '';
    const wall = time(() => {
      output = ws.nx(['run', 'api:docker-build', ...args], extraEnv ? { env: extraEnv } : undefined).output;
    });
    const executor = /: built .* in ([\d.]+) s/.exec(output);
    const steps = [...output.matchAll(/#\d+ DONE ([\d.]+)s/g)].map((m) => Number(m[1]));
    return { wall, executor: executor ? Number(executor[1]) : undefined, slowestStep: steps.length ? Math.max(...steps) : undefined };
  };
  const build = (args: string[] = []) => buildTimed(args).wall;
  /** Three one-line edits of the service, each a state no build has seen, rebuilt by `rebuild`. */
  const serviceEdits = <T>(rebuild: () => T): T[] =>
    [1, 2, 3].map((i) => {
      edit(main, /"status": "ok"(, "edit": "[^"]*")?/, `"status": "ok", "edit": "${Date.now()}-${i}"`);
      return rebuild();
    });

  // Host first: cold, then after one-line edits of the service (median of three) and of the library.
  const hostCold = host();
  const hostServiceEdit = median(serviceEdits(host));
  edit(lib, 'Hello, {name}!', 'Hello there, {name}!');
  const hostLibEdit = host();
  ws.git(['checkout', '--', '.']);
  host();

  // This plugin, scratch: cold (no layer reused, fresh target cache), edits, lock bump, no change.
  const cold = build(['--noCache', '--skip-nx-cache']);
  const scratchSize = imageSize('api:latest');
  const { firstOk, stop } = await runAndStop('api:latest');
  // A one-line edit of the service, three times with the Nx daemon off (CI), then three
  // times with it on (a developer's machine; the daemon is warmed by one `nx show projects`).
  const daemonOff = serviceEdits(() => buildTimed());
  const serviceEdit = median(daemonOff.map((t) => t.wall));
  const daemonEnv = { NX_DAEMON: 'true' };
  ws.nx(['show', 'projects'], { env: daemonEnv });
  const daemonOn = serviceEdits(() => buildTimed([], daemonEnv));
  // Nx turns the daemon off on its own in some environments (CI=true among them): a row
  // that claims the daemon must have had one.
  if (!existsSync(join(ws.root, '.nx/workspace-data/d/daemon.log'))) throw new Error('the Nx daemon did not start: the daemon-on rows would measure it off');
  const unchangedDaemon = time(() => ws.nx(['run', 'api:docker-build'], { env: daemonEnv }));
  ws.nx(['daemon', '--stop'], { env: daemonEnv });
  const serviceEditDaemon = median(daemonOn.map((t) => t.wall));
  edit(lib, 'Hello, {name}!', `Hello ${Date.now()}, {name}!`);
  const libEdit = build();
  const unchanged = build();
  ws.git(['checkout', '--', '.']);
  // One external crate bumped in Cargo.lock (itoa, under serde_json; locked at 1.0.14
  // above), nothing else: a state no earlier build has seen.
  build();
  run('cargo', ['update', '-p', 'itoa', '--precise', '1.0.15'], { cwd: ws.root, quiet: true });
  const lockBump = build();
  const hostLockBump = host();
  ws.git(['checkout', '--', '.']);

  rows.push(['this plugin: scratch (default)', mb(scratchSize), s(cold), s(serviceEdit), s(hostServiceEdit), ratio(serviceEdit, hostServiceEdit)]);
  rows.push(['this plugin: scratch, Nx daemon on', mb(scratchSize), '', s(serviceEditDaemon), s(hostServiceEdit), ratio(serviceEditDaemon, hostServiceEdit)]);
  const part = (v: number | undefined) => (v === undefined ? 'n/a' : s(v));
  const breakdown = (times: BuildTime[]) => {
    const wall = medianOf(times, 'wall')!;
    const executor = medianOf(times, 'executor');
    const step = medianOf(times, 'slowestStep');
    return [s(wall), part(executor === undefined ? undefined : wall - executor), part(executor === undefined || step === undefined ? undefined : executor - step), part(step)];
  };
  const where = [
    ['daemon off (CI)', ...breakdown(daemonOff), s(hostServiceEdit)],
    ['daemon on', ...breakdown(daemonOn), s(hostServiceEdit)],
  ];
  const extra = [
    ['nothing changed, daemon on (Nx cache hit)', s(unchangedDaemon), '', ''],
    ['library edit (service depends on it)', s(libEdit), s(hostLibEdit), ratio(libEdit, hostLibEdit)],
    ['Cargo.lock bump of one crate', s(lockBump), s(hostLockBump), ratio(lockBump, hostLockBump)],
    ['nothing changed (Nx cache hit)', s(unchanged), '', ''],
    ['docker run → first 200 on /health', `${firstOk} ms`, '', ''],
    ['docker stop', `${stop} ms`, '', ''],
  ];

  for (const runtime of ['distroless', 'debian'] as const) {
    ws.nx(['g', '@org/rust-docker:docker', 'api', `--runtime=${runtime}`]);
    const variantCold = build(['--noCache', '--skip-nx-cache']);
    const size = imageSize('api:latest');
    edit(main, '"status": "ok"', `"status": "ok", "edit": "${Date.now()}"`);
    const variantEdit = build();
    ws.git(['checkout', '--', '.']);
    rows.push([`this plugin: ${runtime}`, mb(size), s(variantCold), s(variantEdit), s(hostServiceEdit), ratio(variantEdit, hostServiceEdit)]);
  }

  // The recipes, on a standalone copy of the same service (they cannot build a crate that
  // depends on a workspace library, so the library's one function is inlined).
  const standalone = mkdtempSync(join(tmpdir(), 'rust-docker-bench-recipe-'));
  mkdirSync(join(standalone, 'src'), { recursive: true });
  cpSync(main, join(standalone, 'src/main.rs'));
  edit(join(standalone, 'src/main.rs'), 'shared::greeting("bench")', 'format!("Hello, {}!", "bench")');
  writeFileSync(
    join(standalone, 'Cargo.toml'),
    `[package]\nname = "api"\nversion = "0.1.0"\nedition = "2024"\n\n[dependencies]\naxum = "0.8"\nserde_json = "1"\ntokio = { version = "1", features = ["macros", "net", "rt-multi-thread", "signal"] }\n\n[profile.release]\nstrip = true\nlto = true\ncodegen-units = 1\npanic = "abort"\nopt-level = 3\n`,
  );
  cpSync(join(ws.root, 'Cargo.lock'), join(standalone, 'Cargo.lock'));
  run('cargo', ['metadata', '--format-version', '1'], { cwd: standalone, quiet: true });
  mkdirSync(join(standalone, '.cargo'));
  // Versioned folders: BuildKit's context transfer reuses a file whose path, size and mtime
  // match an earlier one, and files from crates.io all carry the same mtime; the same path
  // for two versions of a crate would hand the build stale content.
  writeFileSync(join(standalone, '.cargo/config.toml'), run('cargo', ['vendor', '--locked', '--versioned-dirs', 'vendor'], { cwd: standalone, quiet: true }).stdout);
  const buildArgs = ['--build-arg', `RUST_IMAGE=${STAND_IN_RUST_IMAGE}`, '--build-arg', `DEBIAN_IMAGE=${STAND_INS.DEBIAN_IMAGE}`, '--build-arg', `DISTROLESS_CC=${DISTROLESS_CC}`];
  for (const [label, dockerfile] of Object.entries(recipes(standalone))) {
    writeFileSync(join(standalone, 'Dockerfile'), dockerfile);
    const tag = `bench-recipe:${label.replace(/\W+/g, '-')}`;
    const dockerBuild = (extraArgs: string[]) =>
      time(() => docker(['build', '--network', 'host', '--progress=plain', ...buildArgs, ...extraArgs, '-t', tag, '.'], standalone, { DOCKER_BUILDKIT: '1' }));
    const recipeCold = dockerBuild(['--no-cache']);
    // Edits no earlier build has seen: the recipes share their builder stages, so a
    // repeated one would be a BuildKit layer cache hit, not a rebuild. Median of three.
    const recipeFile = join(standalone, 'src/main.rs');
    const original = readFileSync(recipeFile, 'utf8');
    const recipeEdit = median(
      [1, 2, 3].map((i) => {
        writeFileSync(recipeFile, original.replace('"status": "ok"', `"status": "ok", "edit": "${Date.now()}-${i}"`));
        return dockerBuild([]);
      }),
    );
    writeFileSync(recipeFile, original);
    rows.push([label, mb(imageSize(tag)), s(recipeCold), s(recipeEdit), s(hostServiceEdit), ratio(recipeEdit, hostServiceEdit)]);
    spawnSync('docker', ['rmi', '-f', tag], { env, stdio: 'ignore' });
  }
  rmSync(standalone, { recursive: true, force: true });
  ws.remove();

  const header = ['image', 'size', 'cold build', 'rebuild after a one-line source edit', 'host incremental cargo build --release', 'rebuild / host'];
  console.log(`\nImages of the same axum service, ${require('node:os').cpus().length} cores, host cold cargo build --release: ${s(hostCold)}\n`);
  console.log(`| ${header.join(' | ')} |\n| ${header.map(() => '---').join(' | ')} |`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log(`\nRebuilds after a one-line edit are medians of three edits (host, this plugin with the daemon off and on, each recipe).`);
  console.log(
    `\n| where a rebuild after a one-line edit goes | nx run api:docker-build | Nx around the executor | the executor outside its slowest BuildKit step | the slowest BuildKit step (cargo build) | host incremental cargo build --release |\n| --- | --- | --- | --- | --- | --- |`,
  );
  for (const row of where) console.log(`| ${row.join(' | ')} |`);
  console.log(`\n| this plugin, scratch | docker-build | host incremental | ratio |\n| --- | --- | --- | --- |`);
  for (const row of extra) console.log(`| ${row.join(' | ')} |`);
}

const s = (sec: number) => `${sec.toFixed(1)} s`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
