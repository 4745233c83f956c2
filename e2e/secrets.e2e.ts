import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { buildKitPath, docker, removeImages, STAND_IN_RUST_IMAGE, waitForAsync } from './helpers/docker';
import { run, seconds, type RunResult } from './helpers/run';
import { createWorkspace, useBaseImages, type Workspace } from './helpers/workspace';

/**
 * A canary run: a unique string is planted in every kind of credential a real repository
 * holds beside a service (committed, untracked, git-ignored), in a Cargo registry token,
 * in the git remote's URL and in a container's environment. Then the whole life of an
 * image: docker-build with BuildKit and with the legacy builder, a push to a registry, a
 * remote-cache round trip, health-check, docker-run, compose up and down. Then every place
 * a secret could leak to is searched for the canary, and it is found nowhere: build
 * contexts and state under target/, every image and builder stage, the pushed manifest,
 * config and layers, dist/, .nx/, the remote cache's store, every log, and the argv of
 * every process that ran (strace for the nx process tree, /proc sampling for the rest).
 * Each search is first shown to find the canary where it was planted, so a broken search
 * cannot pass.
 */
const REGISTRY = '127.0.0.1:5000';
const INFRA = '/tmp/rust-docker-e2e';
const CACHE_STORE = `${INFRA}/nx-cache/data`;
const CANARY = `rdcanary${randomBytes(8).toString('hex')}`;
const PROJECT = 'keeper';
const IMAGE = `${REGISTRY}/rd-secrets-${PROJECT}`;
const STAGES = ['skeleton', 'builder', 'assets', 'runtime-base', 'runtime'];

/** A std-only HTTP service (one small dependency, so there is something to vendor). */
const MAIN_RS = `use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

extern "C" fn stop(_: libc::c_int) {
    unsafe { libc::_exit(0) }
}

fn port() -> u16 {
    std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(8080)
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("healthcheck") {
        let ok = TcpStream::connect(("127.0.0.1", port()))
            .and_then(|mut s| {
                s.write_all(b"GET /health HTTP/1.0\\r\\n\\r\\n")?;
                let mut answer = String::new();
                s.read_to_string(&mut answer)?;
                Ok(answer.starts_with("HTTP/1.1 200"))
            })
            .unwrap_or(false);
        std::process::exit(if ok { 0 } else { 1 });
    }
    unsafe {
        libc::signal(libc::SIGTERM, stop as *const () as libc::sighandler_t);
        libc::signal(libc::SIGINT, stop as *const () as libc::sighandler_t);
    }
    // What the container was given is proved by its length only: the value is never printed.
    let secret_len = std::env::var("APP_SECRET").map(|s| s.len()).unwrap_or(0);
    let listener = TcpListener::bind(("0.0.0.0", port())).expect("bind");
    println!("keeper listening on {}", port());
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let mut line = String::new();
        let _ = BufReader::new(&stream).read_line(&mut line);
        let body = if line.starts_with("GET /health ") {
            format!("{{\\"status\\":\\"ok\\",\\"secret_len\\":{secret_len}}}")
        } else {
            "{\\"service\\":\\"keeper\\"}".to_string()
        };
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nContent-Length: {}\\r\\nConnection: close\\r\\n\\r\\n{}",
            body.len(),
            body
        );
    }
}
`;

/** Credential files beside the service, committed. */
const COMMITTED = [
  'id_rsa',
  'id_dsa',
  'id_ecdsa',
  'id_ed25519',
  '.ssh/id_rsa',
  '.ssh/config',
  '.gnupg/private-keys-v1.d/0A1B2C.key',
  '.aws/credentials',
  '.azure/msal_token_cache.json',
  '.config/gcloud/application_default_credentials.json',
  '.kube/config',
  '.docker/config.json',
  '.netrc',
  '_netrc',
  '.npmrc',
  '.pypirc',
  '.git-credentials',
  '.env',
  '.env.production',
  'secrets.env',
  '.envrc',
  'server.pem',
  'tls.key',
  'cert.p12',
  'cert.pfx',
  'release.jks',
  'app.keystore',
  'passwords.kdbx',
  'service-account.json',
  'gcp-credentials.json',
  '.vault-token',
  '.cargo/credentials',
  '.cargo/credentials.toml',
];
/** Credential files beside the service that git would commit, not committed yet. */
const UNTRACKED = ['deploy.key', '.env.local', 'ci-credentials.json', '.kube/staging.yaml'];
/** Files git ignores: credential-like or not, none may enter a context. */
const IGNORED = ['local/notes.txt', 'dump.secret', 'src/local_overrides.rs', '.env.ignored'];

const CARGO_CONFIG = `# the token we used before: token = "${CANARY}-cargo-comment"
[registry]
token = "${CANARY}-cargo-registry-token"

[registries.private]
index = "sparse+https://ci:${CANARY}-cargo-index@cargo.invalid/index/"
token = "${CANARY}-cargo-private-token"

[env]
KEEPER_API_TOKEN = "${CANARY}-cargo-env"

[net]
retry = 2
`;

function filesUnder(paths: string[], since = 0): string[] {
  const out: string[] = [];
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else if (stat.isFile() && stat.mtimeMs >= since) out.push(path);
  };
  for (const path of paths) visit(path);
  return out;
}

/**
 * Every file under `paths` that holds `needle`, read as bytes, gzip streams (remote cache
 * artifacts) decompressed; `grep -a` reads the others, large image archives included.
 */
function hits(paths: string[], needle = CANARY, since = 0): string[] {
  const found: string[] = [];
  const plain: string[] = [];
  for (const file of filesUnder(paths, since)) {
    const head = Buffer.alloc(2);
    const fd = openSync(file, 'r');
    readSync(fd, head, 0, 2, 0);
    closeSync(fd);
    if (head[0] === 0x1f && head[1] === 0x8b) {
      if (gunzipSync(readFileSync(file)).includes(needle)) found.push(file);
    } else plain.push(file);
  }
  for (let i = 0; i < plain.length; i += 500) {
    const grep = run('grep', ['-l', '-a', '-F', '--', needle, ...plain.slice(i, i + 500)], { quiet: true, allowFailure: true });
    if (grep.code > 1) throw new Error(`grep failed: ${grep.stderr}`);
    found.push(...grep.stdout.split('\n').filter(Boolean));
  }
  return found;
}

async function registryGet(path: string, accept?: string): Promise<Buffer> {
  const response = await fetch(`http://${REGISTRY}/v2/${path}`, { headers: accept ? { Accept: accept } : {} });
  if (!response.ok) throw new Error(`GET /v2/${path}: ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** Samples the argv of every process on the machine (containers are not children of nx). */
function startSampler(out: string): ChildProcess {
  const script = `
    const fs = require('fs'); const seen = new Set();
    const scan = () => { for (const pid of fs.readdirSync('/proc')) { if (!/^\\d+$/.test(pid)) continue;
      try { const c = fs.readFileSync('/proc/' + pid + '/cmdline', 'utf8').replace(/\\0/g, ' ').trim(); if (c) seen.add(c); } catch {} } };
    const timer = setInterval(scan, 20);
    process.on('SIGTERM', () => { clearInterval(timer); fs.writeFileSync(${JSON.stringify(out)}, [...seen].join('\\n')); process.exit(0); });`;
  return spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
}

describe('secrets: a canary planted everywhere is found nowhere', () => {
  const PATH = buildKitPath();
  const started = Date.now();
  const work = mkdtempSync(join(tmpdir(), 'rust-docker-e2e-secrets-'));
  const outputs: string[] = [];
  const traces: string[] = [];
  const stageTags: string[] = [];
  /** The runtime images docker-build made: BuildKit's, then the legacy builder's. */
  const imageIds: string[] = [];
  let ws: Workspace;
  let sampler: ChildProcess | undefined;
  let sampled = '';
  const envSecret = `${CANARY}-env-secret`;

  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    ...process.env,
    PATH,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    NX_SKIP_NX_CLOUD: 'true',
    FORCE_COLOR: '0',
    NX_SELF_HOSTED_REMOTE_CACHE_SERVER: 'http://127.0.0.1:3456',
    NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: readFileSync(`${INFRA}/nx-cache/token`, 'utf8').trim(),
    NX_CACHE_DIRECTORY: join(ws.root, '.nx', 'cache'),
    ...extra,
  });
  /** An nx command under strace: the argv of every process it starts goes to a trace file. */
  const traced = (args: string[], extra: NodeJS.ProcessEnv = {}): { command: string; args: string[]; trace: string } => {
    const trace = join(work, `trace-${traces.length}.log`);
    traces.push(trace);
    return {
      command: 'strace',
      args: ['-f', '--seccomp-bpf', '-qq', '-e', 'trace=execve', '-e', 'signal=none', '-s', '65535', '-o', trace, process.execPath, join(ws.root, 'node_modules/.bin/nx'), ...args],
      trace,
    };
  };
  const nx = (args: string[], extra: NodeJS.ProcessEnv = {}): RunResult => {
    const { command, args: full } = traced(args, extra);
    const result = run(command, full, { cwd: ws.root, env: env(extra), quiet: true });
    outputs.push(result.output);
    return result;
  };
  const figures: Array<[string, string]> = [];

  beforeAll(() => {
    ws = createWorkspace('secrets', { PATH });
    ws.write('Cargo.toml', `[workspace]\nresolver = "2"\nmembers = ["${PROJECT}"]\n`);
    ws.write(`${PROJECT}/Cargo.toml`, `[package]\nname = "${PROJECT}"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nlibc = "0.2"\n`);
    ws.write(`${PROJECT}/src/main.rs`, MAIN_RS);
    ws.write(`${PROJECT}/src/keys.rs`, '// an ordinary source whose name sounds secret: it enters\n');
    ws.nx(['g', '@org/rust-docker:init']);
    ws.nx(['g', '@org/rust-docker:docker', PROJECT]);
    run('cargo', ['metadata', '--format-version', '1'], { cwd: ws.root, quiet: true });

    // The clutter, each file with the canary and its own name.
    const plant = (files: string[]) => files.forEach((file) => ws.write(`${PROJECT}/${file}`, `${CANARY} ${file}\n`));
    plant([...COMMITTED, ...IGNORED]);
    ws.write(`${PROJECT}/.gitignore`, 'local/\n*.secret\nsrc/local_overrides.rs\n.env.ignored\n');
    ws.write('.cargo/config.toml', CARGO_CONFIG);
    // Nx loads a root .env into every task's environment: where a developer keeps secrets.
    ws.write('.env', `APP_SECRET=${envSecret}\n`);
    ws.write('.gitignore', `${ws.read('.gitignore')}/.env\n`);
    useBaseImages(ws, { RUST_IMAGE: STAND_IN_RUST_IMAGE }, { image: `${REGISTRY}/rd-secrets-{projectName}`, push: true });
    const nxJson = ws.json('nx.json');
    const expectBody = `"secret_len":${envSecret.length}\\b`;
    for (const target of ['health-check', 'docker-run']) {
      nxJson.targetDefaults[target] = { options: { env: { APP_SECRET: '${APP_SECRET}', RUST_LOG: 'info' }, ...(target === 'health-check' ? { expectBody } : {}) } };
    }
    ws.write('nx.json', JSON.stringify(nxJson, null, 2));
    // Compose runs the pushed image, and passes the secret by reference as well.
    const compose = ws.read('compose.yaml');
    expect(compose).toContain(`image: ${PROJECT}:latest`);
    ws.write('compose.yaml', compose.replace(`image: ${PROJECT}:latest`, `image: ${IMAGE}:latest`).replace('      RUST_LOG: info\n', '      RUST_LOG: info\n      APP_SECRET: ${APP_SECRET}\n'));
    ws.git(['add', '-A']);
    ws.git(['commit', '-qm', 'a service and its clutter']);
    plant(UNTRACKED);
    for (const file of UNTRACKED) expect(ws.git(['status', '--porcelain', '--', `${PROJECT}/${file}`]).stdout).toMatch(/^\?\? /);
    for (const file of IGNORED) expect(ws.git(['check-ignore', `${PROJECT}/${file}`]).code).toBe(0);
    ws.git(['remote', 'add', 'origin', `https://ci-bot:${CANARY}-remote@git.invalid/org/repo.git`]);
    sampler = startSampler(join(work, 'sampled.txt'));
  });

  afterAll(async () => {
    if (figures.length) console.log(`secrets figures:\n${figures.map(([k, v]) => `  ${k.padEnd(40)} ${v}`).join('\n')}`);
    sampler?.kill('SIGTERM');
    docker(['rm', '-f', PROJECT], true);
    if (ws) run(process.execPath, [join(ws.root, 'node_modules/.bin/nx'), 'run', 'compose:compose-down'], { cwd: ws.root, env: env(), quiet: true, allowFailure: true });
    if (stageTags.length) docker(['rmi', '-f', ...stageTags], true);
    removeImages(IMAGE);
    ws?.remove();
    rmSync(work, { recursive: true, force: true });
  });

  it('builds with BuildKit, naming every credential file it kept out, and pushes', () => {
    const build = nx(['run', `${PROJECT}:docker-build`, '--output-style=static']);
    figures.push(['docker-build (BuildKit, cold)', seconds(build.ms)]);
    expect(build.output).toContain(`${PROJECT}: building with buildkit`);
    expect(build.output).toMatch(/pushed sha256:[0-9a-f]{12}/);
    const warning = build.output.split('\n').find((line) => line.includes('credential files out of the build context'));
    expect(warning).toBeDefined();
    for (const file of [...COMMITTED, ...UNTRACKED]) expect(warning).toContain(`${PROJECT}/${file} (`);
    // Git-ignored files were never candidates: git decides first, nothing to warn about.
    for (const file of IGNORED) expect(warning).not.toContain(`${PROJECT}/${file}`);
    expect(build.output).toContain(
      `${PROJECT}: .cargo/config.toml enters the build context without registry.token, registries.private.index (user information), registries.private.token, env.KEEPER_API_TOKEN.`,
    );
    const source = docker(['image', 'inspect', '--format', '{{index .Config.Labels "org.opencontainers.image.source"}}', `${IMAGE}:latest`]).stdout.trim();
    expect(source).toBe('https://git.invalid/org/repo.git');
    imageIds.push(ws.json(`dist/${PROJECT}/docker/image.json`).id);
  });

  it('builds the same context with the legacy builder', () => {
    // --noCache: the same context was built already, which would be reused, not rebuilt.
    const build = nx(['run', `${PROJECT}:docker-build`, '--engine=legacy', '--noCache', '--push=false', '--skip-nx-cache', '--output-style=static']);
    figures.push(['docker-build (legacy, no cache)', seconds(build.ms)]);
    expect(build.output).toContain(`${PROJECT}: building with legacy`);
    expect(build.output).toContain(`kept ${COMMITTED.length + UNTRACKED.length} credential files out of the build context`);
    imageIds.push(ws.json(`dist/${PROJECT}/docker/image.json`).id);
    expect(imageIds[1]).not.toBe(imageIds[0]);
  });

  it('builds every stage of both rendered Dockerfiles as its own image, for the search', () => {
    const workDir = join(ws.root, 'target/rust-docker', PROJECT);
    const cacheId = createHash('sha256').update(ws.root).digest('hex').slice(0, 12);
    for (const engine of ['buildkit', 'legacy']) {
      for (const stage of STAGES) {
        const tag = `rd-secrets-stage:${engine}-${stage}`;
        run('docker', ['build', '-q', '-f', join(workDir, `Dockerfile.${engine}`), '--target', stage, '--build-arg', `RUST_IMAGE=${STAND_IN_RUST_IMAGE}`, '--build-arg', `CARGO_CACHE_ID=${cacheId}`, '-t', tag, join(workDir, 'context')], {
          env: { ...process.env, PATH, DOCKER_BUILDKIT: engine === 'buildkit' ? '1' : '0' },
          quiet: true,
        });
        stageTags.push(tag);
      }
    }
  });

  it('round-trips docker-build through the remote cache', () => {
    const emptyCache = join(work, 'empty-local-cache');
    const hit = nx(['run', `${PROJECT}:docker-build`, '--output-style=static'], { NX_CACHE_DIRECTORY: emptyCache });
    expect(hit.output).toMatch(new RegExp(`nx run ${PROJECT}:docker-build +\\[remote cache\\]`));
    expect(filesUnder([CACHE_STORE], started).length).toBeGreaterThan(0);
  });

  it('health-checks the image, whose container got the secret by reference', () => {
    const check = nx(['run', `${PROJECT}:health-check`, '--output-style=static']);
    expect(check.output).toMatch(new RegExp(`${PROJECT}: healthy in \\d+ ms \\(GET /health → 200 \\{"status":"ok","secret_len":${envSecret.length}\\}`));
  });

  it('runs the image with docker-run: the value is in the container, in no argv', async () => {
    const { command, args } = traced(['run', `${PROJECT}:docker-run`, '--output-style=static']);
    const child = spawn(command, args, { cwd: ws.root, env: env() });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const exited = new Promise<number>((done) => child.on('close', (code) => done(code ?? 1)));
    try {
      await waitForAsync('docker-run to answer', 120_000, async () => {
        const answer = await fetch('http://127.0.0.1:8080/health').then((r) => r.text(), () => undefined);
        return answer?.includes(`"secret_len":${envSecret.length}`) ? true : undefined;
      });
      const containerEnv = docker(['inspect', '--format', '{{range .Config.Env}}{{println .}}{{end}}', PROJECT]).stdout;
      expect(containerEnv.split('\n')).toContain(`APP_SECRET=${envSecret}`);
    } finally {
      docker(['stop', PROJECT], true);
      outputs.push(output);
    }
    expect(await exited).toBe(0);
    expect(output).toContain(`${PROJECT}: container ${PROJECT} exited with code 0`);
  });

  it('brings the system up and down with compose', () => {
    const up = nx(['run', 'compose:compose-up', '--output-style=static']);
    expect(up.output).toMatch(/1 service\(s\) up and healthy/);
    const down = nx(['run', 'compose:compose-down', '--output-style=static']);
    expect(down.output).toContain('compose.yaml: down');
  });

  describe('then searches everywhere', () => {
    beforeAll(async () => {
      // Stopped first: the searches below name the canary in their own arguments.
      await new Promise<void>((done) => {
        sampler!.once('exit', () => done());
        sampler!.kill('SIGTERM');
      });
      sampled = readFileSync(join(work, 'sampled.txt'), 'utf8');
      sampler = undefined;
    });

    it('the search finds the canary where it was planted (the positive control)', () => {
      const planted = hits([join(ws.root, PROJECT)]).map((f) => f.slice(ws.root.length + 1));
      for (const file of [...COMMITTED, ...UNTRACKED, ...IGNORED]) expect(planted).toContain(`${PROJECT}/${file}`);
      expect(hits([join(ws.root, '.cargo')])).toHaveLength(1);
      expect(ws.git(['config', '--get', 'remote.origin.url']).stdout).toContain(CANARY);
      const gz = join(work, 'control.gz');
      writeFileSync(gz, gzipSync(`x ${CANARY} y`));
      expect(hits([gz])).toEqual([gz]);
    });

    it('not in the build contexts, stamps and rendered Dockerfiles under target/', () => {
      const target = join(ws.root, 'target/rust-docker');
      expect(filesUnder([target]).some((f) => f.endsWith('context/keeper/src/keys.rs'))).toBe(true);
      expect(filesUnder([target]).some((f) => /context\/vendor\/libc-/.test(f))).toBe(true);
      expect(hits([target])).toEqual([]);
    });

    it('not in any image: the runtime images of both builders and every builder stage', () => {
      const archive = join(work, 'images.tar');
      expect(imageIds).toHaveLength(2); // BuildKit's and the legacy builder's
      docker(['save', '-o', archive, ...stageTags, ...imageIds]);
      expect(hits([archive], 'usr/local/bin/keeper')).toEqual([archive]); // the layers are searched
      expect(hits([archive])).toEqual([]);
      rmSync(archive);
    });

    it('not in the pushed manifest, config or layers', async () => {
      const manifest = await registryGet(`rd-secrets-${PROJECT}/manifests/latest`, 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json');
      const { config, layers } = JSON.parse(manifest.toString()) as { config: { digest: string }; layers: Array<{ digest: string }> };
      const blobs = [await registryGet(`rd-secrets-${PROJECT}/blobs/${config.digest}`)];
      for (const layer of layers) blobs.push(gunzipSync(await registryGet(`rd-secrets-${PROJECT}/blobs/${layer.digest}`)));
      expect(blobs[0].toString()).toContain('"org.opencontainers.image.source":"https://git.invalid/org/repo.git"');
      expect(blobs.some((b) => b.includes('usr/local/bin/keeper'))).toBe(true);
      for (const blob of [manifest, ...blobs]) expect(blob.includes(CANARY)).toBe(false);
    });

    it('not in dist/ (record and image archive), .nx/ (local cache, graph, logs) or the remote cache store', () => {
      expect(existsSync(join(ws.root, 'dist', PROJECT, 'docker', 'image.tar'))).toBe(true);
      expect(hits([join(ws.root, 'dist'), join(ws.root, '.nx')])).toEqual([]);
      const stored = filesUnder([CACHE_STORE], started);
      expect(stored.length).toBeGreaterThan(0);
      expect(stored.filter((f) => hits([f], 'image.json').length)).not.toEqual([]); // artifacts are unpacked
      expect(hits(stored)).toEqual([]);
    });

    it('not in any log the run printed', () => {
      expect(outputs.length).toBeGreaterThanOrEqual(7);
      for (const output of outputs) expect(output).not.toContain(CANARY);
    });

    it('not in the argv of any process the run started, nor of any process seen on the machine', () => {
      const execs = traces.map((t) => readFileSync(t, 'utf8')).join('\n');
      // The traces hold the engine CLI calls, names of the container's variables included.
      expect(execs).toMatch(/execve\("[^"]*docker", \["docker", "build"/);
      expect(execs).toMatch(/\["docker", "run", "-d", .*"-e", "APP_SECRET", .*\]/);
      expect(execs).toMatch(/\["docker-compose", /);
      expect(execs).not.toContain(CANARY);
      expect(sampled).toContain('/usr/local/bin/keeper'); // it saw the containers' processes
      expect(sampled).not.toContain(CANARY);
    });
  });
});
