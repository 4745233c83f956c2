#!/usr/bin/env node
// The main job, end to end, printing each step and its time: a new Nx workspace in a temp
// folder, the plugin installed from its packed tarball, a service generated, its image
// built, run, probed and health-checked. `npm run demo` runs it.
//
// On a fresh machine the Docker engine and the Rust builder image (a local stand-in: no
// registry is reachable here) come first; e2e/infra/setup-demo.sh makes them in the
// background while the plugin is built and the workspace installed, so the two waits
// overlap. Steps that find their work done take no time.
const { spawn } = require('node:child_process');
const { existsSync, mkdtempSync, readFileSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { dirname, join, resolve } = require('node:path');

const repo = resolve(__dirname, '..');
const started = Date.now();
const steps = [];
const clock = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

function title(text) {
  const now = Date.now();
  if (steps.length) steps[steps.length - 1].ms = now - steps[steps.length - 1].at;
  steps.push({ text, at: now });
  console.log(`\n━━ ${steps.length}. ${text}  [${clock()}]`);
}

/** Runs a command; resolves with its output, or ends the demo with the command's output when it fails. */
function run(command, args, options = {}) {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let output = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      output += d;
      if (!options.capture) process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      output += d;
      if (!options.capture) process.stderr.write(d);
    });
    child.on('error', (error) => fail(`${command}: ${error.message}`));
    child.on('close', (code) => {
      if (code !== 0 && !options.allowFailure) {
        if (options.capture) process.stderr.write(output);
        fail(`${command} ${args.join(' ')} failed (exit ${code})`);
      }
      resolvePromise({ code, stdout });
    });
  });
}

function fail(message) {
  console.error(`\n✗ ${message}  [${clock()}]`);
  process.exit(1);
}

/** The infrastructure script in the background, its lines prefixed so they read apart from the steps. */
function startInfrastructure() {
  const at = Date.now();
  const child = spawn('bash', [join(repo, 'e2e/infra/setup-demo.sh')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const relay = (stream, out) => {
    let rest = '';
    stream.on('data', (d) => {
      const lines = (rest + d).split('\n');
      rest = lines.pop();
      for (const line of lines) out.write(`   │ infra ${line}\n`);
    });
  };
  relay(child.stdout, process.stdout);
  relay(child.stderr, process.stderr);
  return new Promise((resolvePromise) => {
    child.on('close', (code) => {
      if (code !== 0) fail(`e2e/infra/setup-demo.sh failed (exit ${code}); its log is /tmp/rust-docker-e2e-infra.log`);
      resolvePromise(Date.now() - at);
    });
  });
}

/** A docker client that builds with BuildKit (buildx, or a pre-23 client), once the engine is there. */
async function dockerPath() {
  const path = process.env.PATH;
  if ((await run('docker', ['buildx', 'version'], { capture: true, allowFailure: true })).code === 0) return path;
  for (const candidate of ['/usr/bin/docker', '/usr/local/bin/docker']) {
    if (!existsSync(candidate)) continue;
    const v = (await run(candidate, ['version', '--format', '{{.Client.Version}}'], { capture: true, allowFailure: true })).stdout;
    if (parseInt(v, 10) < 23) return `${dirname(candidate)}:${path}`;
  }
  return path;
}

async function main() {
  const nxEnv = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };

  title('Start the Docker engine and the Rust builder image in the background (e2e/infra/setup-demo.sh)');
  const infrastructure = startInfrastructure();

  title('Build the plugin and pack it as it would be published');
  await run('npm', ['run', 'build'], { cwd: repo, capture: true });
  const packDir = mkdtempSync(join(tmpdir(), 'rust-docker-demo-pack-'));
  const packed = await run('npm', ['pack', '--pack-destination', packDir, '--ignore-scripts'], { cwd: repo, capture: true });
  const tarball = join(packDir, packed.stdout.trim().split('\n').pop());
  console.log(tarball);

  title('Create an Nx workspace and install nx and the plugin');
  const ws = mkdtempSync(join(tmpdir(), 'rust-docker-demo-'));
  const nxVersion = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).devDependencies.nx.replace(/^[\^~]/, '');
  writeFileSync(join(ws, 'package.json'), JSON.stringify({ name: 'demo', version: '0.0.0', private: true }, null, 2));
  writeFileSync(join(ws, 'nx.json'), JSON.stringify({ $schema: './node_modules/nx/schemas/nx-schema.json' }, null, 2));
  await run('npm', ['install', '--save-dev', '--no-audit', '--no-fund', `nx@${nxVersion}`, tarball], { cwd: ws });
  console.log(ws);
  const nx = (args, env = nxEnv) => run(process.execPath, [join(ws, 'node_modules/.bin/nx'), ...args], { cwd: ws, env });

  title('nx g @org/rust-docker:init');
  await nx(['g', '@org/rust-docker:init']);

  title('nx g @org/rust-docker:service api');
  await nx(['g', '@org/rust-docker:service', 'api']);

  // docker-build vendors them into the build context; fetched now, while the builder
  // image is being made, vendoring copies them from cargo's cache.
  title("Fetch the service's crates (cargo fetch)");
  await run('cargo', ['fetch', '--locked'], { cwd: ws });

  title('Wait for the Docker engine and the builder image');
  const infraMs = await infrastructure;
  console.log(`the infrastructure took ${(infraMs / 1000).toFixed(1)} s in all, alongside the steps above`);
  const env = { ...nxEnv, PATH: await dockerPath() };
  const docker = (args, options = {}) => run('docker', args, { env, ...options });

  // No registry can be reached from these machines; e2e/infra/base-images.sh makes local
  // stand-ins. Elsewhere the official images in the Dockerfile are used as they are.
  const standIn = 'local/rust:bookworm';
  if ((await docker(['image', 'inspect', standIn], { capture: true, allowFailure: true })).code === 0) {
    console.log(`using the local base image ${standIn} (a build argument, as for a private mirror)`);
    const nxJson = JSON.parse(readFileSync(join(ws, 'nx.json'), 'utf8'));
    nxJson.targetDefaults = { 'docker-build': { options: { buildArgs: { RUST_IMAGE: standIn } } } };
    writeFileSync(join(ws, 'nx.json'), JSON.stringify(nxJson, null, 2));
  }

  title('nx run api:docker-build');
  await nx(['run', 'api:docker-build'], env);
  const record = JSON.parse(readFileSync(join(ws, 'dist/api/docker/image.json'), 'utf8'));
  console.log(`image ${record.tags.join(', ')}: ${(record.size / 1e6).toFixed(2)} MB, built with ${record.engine}`);

  title('nx run api:docker-build again (an Nx cache hit, no Docker call)');
  await nx(['run', 'api:docker-build'], env);

  title('docker run api:latest, then GET / and /health');
  const name = `rust-docker-demo-${process.pid}`;
  await docker(['run', '-d', '--name', name, '-p', '127.0.0.1::8080', 'api:latest'], { capture: true });
  try {
    const port = (await docker(['port', name, '8080/tcp'], { capture: true })).stdout.trim().split(':').pop();
    const t0 = Date.now();
    let health;
    while (!health && Date.now() - t0 < 15000) {
      health = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.text(), () => undefined);
      if (!health) await new Promise((r) => setTimeout(r, 20));
    }
    if (!health) fail('api:latest did not answer on /health within 15 s');
    console.log(`GET /health → ${health}   (first answer ${Date.now() - t0} ms after start)`);
    console.log(`GET /       → ${await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text())}`);
    const s0 = Date.now();
    await docker(['stop', name], { capture: true });
    console.log(`docker stop: ${Date.now() - s0} ms (graceful shutdown on SIGTERM)`);
    console.log((await docker(['logs', name], { capture: true })).stdout.trim());
  } finally {
    await docker(['rm', '-f', name], { capture: true, allowFailure: true });
  }

  title('nx run api:health-check');
  await nx(['run', 'api:health-check'], env);
  steps[steps.length - 1].ms = Date.now() - steps[steps.length - 1].at;

  console.log(`\n✓ Done in ${clock()}. Image api:latest is ${(record.size / 1e6).toFixed(2)} MB.`);
  console.log('\nStep times (the infrastructure ran alongside steps 2 to 6):');
  for (const [i, step] of steps.entries()) console.log(`  ${String(i + 1).padStart(2)}. ${(step.ms / 1000).toFixed(1).padStart(6)} s  ${step.text}`);
  console.log(`\nThe workspace is at ${ws}: try \`npx nx show project api\` there.`);
}

main().catch((error) => fail(error.stack ?? String(error)));
