#!/usr/bin/env node
// The main job, end to end, printing each step: a new Nx workspace in a temp folder,
// the plugin installed from its packed tarball, a service generated, its image built,
// run, probed and health-checked. `npm run demo` builds the plugin and the Docker
// engine first.
const { spawnSync } = require('node:child_process');
const { existsSync, mkdtempSync, readFileSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { dirname, join, resolve } = require('node:path');

const repo = resolve(__dirname, '..');
const started = Date.now();
let step = 0;

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: options.capture ? 'pipe' : 'inherit', encoding: 'utf8', ...options });
  if (result.status !== 0 && !options.allowFailure) {
    if (options.capture) process.stderr.write(`${result.stdout}${result.stderr}`);
    console.error(`\n✗ ${command} ${args.join(' ')} failed (exit ${result.status})`);
    process.exit(1);
  }
  return result;
}

function title(text) {
  step += 1;
  console.log(`\n━━ ${step}. ${text}  [${((Date.now() - started) / 1000).toFixed(1)} s]`);
}

/** Prefer a docker client that builds with BuildKit (buildx, or a pre-23 client). */
function dockerPath() {
  const path = process.env.PATH;
  if (spawnSync('docker', ['buildx', 'version'], { stdio: 'ignore' }).status === 0) return path;
  for (const candidate of ['/usr/bin/docker', '/usr/local/bin/docker']) {
    if (!existsSync(candidate)) continue;
    const v = spawnSync(candidate, ['version', '--format', '{{.Client.Version}}'], { encoding: 'utf8' }).stdout;
    if (parseInt(v, 10) < 23) return `${dirname(candidate)}:${path}`;
  }
  return path;
}

const env = { ...process.env, PATH: dockerPath(), NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' };
const docker = (args, options = {}) => run('docker', args, { env, ...options });

title('Pack the plugin as it would be published');
const packDir = mkdtempSync(join(tmpdir(), 'rust-docker-demo-pack-'));
const packed = run('npm', ['pack', '--pack-destination', packDir, '--ignore-scripts'], { cwd: repo, capture: true });
const tarball = join(packDir, packed.stdout.trim().split('\n').pop());
console.log(tarball);

title('Create an Nx workspace and install nx and the plugin');
const ws = mkdtempSync(join(tmpdir(), 'rust-docker-demo-'));
const nxVersion = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).devDependencies.nx.replace(/^[\^~]/, '');
writeFileSync(join(ws, 'package.json'), JSON.stringify({ name: 'demo', version: '0.0.0', private: true }, null, 2));
writeFileSync(join(ws, 'nx.json'), JSON.stringify({ $schema: './node_modules/nx/schemas/nx-schema.json' }, null, 2));
run('npm', ['install', '--save-dev', '--no-audit', '--no-fund', `nx@${nxVersion}`, tarball], { cwd: ws, env });
console.log(ws);
const nx = (args) => run(process.execPath, [join(ws, 'node_modules/.bin/nx'), ...args], { cwd: ws, env });

title('nx g @org/rust-docker:init');
nx(['g', '@org/rust-docker:init']);

title('nx g @org/rust-docker:service api');
nx(['g', '@org/rust-docker:service', 'api']);

// No registry can be reached from these machines; e2e/infra/base-images.sh makes local
// stand-ins. Elsewhere the official images in the Dockerfile are used as they are.
const standIn = 'local/rust:bookworm';
if (docker(['image', 'inspect', standIn], { capture: true, allowFailure: true }).status === 0) {
  title(`Use the local base image ${standIn} (a build argument, as for a private mirror)`);
  const nxJson = JSON.parse(readFileSync(join(ws, 'nx.json'), 'utf8'));
  nxJson.targetDefaults = { 'docker-build': { options: { buildArgs: { RUST_IMAGE: standIn } } } };
  writeFileSync(join(ws, 'nx.json'), JSON.stringify(nxJson, null, 2));
}

title('nx run api:docker-build');
nx(['run', 'api:docker-build']);
const record = JSON.parse(readFileSync(join(ws, 'dist/api/docker/image.json'), 'utf8'));
console.log(`image ${record.tags.join(', ')}: ${(record.size / 1e6).toFixed(2)} MB, built with ${record.engine}`);

title('nx run api:docker-build again (an Nx cache hit, no Docker call)');
nx(['run', 'api:docker-build']);

title('docker run api:latest, then GET / and /health');
const name = `rust-docker-demo-${process.pid}`;
docker(['run', '-d', '--name', name, '-p', '127.0.0.1::8080', 'api:latest'], { capture: true });
const port = docker(['port', name, '8080/tcp'], { capture: true }).stdout.trim().split(':').pop();
(async () => {
  try {
    const t0 = Date.now();
    let health;
    while (!health && Date.now() - t0 < 15000) {
      health = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.text(), () => undefined);
      if (!health) await new Promise((r) => setTimeout(r, 20));
    }
    console.log(`GET /health → ${health}   (first answer ${Date.now() - t0} ms after start)`);
    console.log(`GET /       → ${await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text())}`);
    const s0 = Date.now();
    docker(['stop', name], { capture: true });
    console.log(`docker stop: ${Date.now() - s0} ms (graceful shutdown on SIGTERM)`);
    console.log(docker(['logs', name], { capture: true }).stdout.trim());
  } finally {
    docker(['rm', '-f', name], { capture: true, allowFailure: true });
  }

  title('nx run api:health-check');
  nx(['run', 'api:health-check']);

  console.log(`\n✓ Done in ${((Date.now() - started) / 1000).toFixed(1)} s. Image api:latest is ${(record.size / 1e6).toFixed(2)} MB.`);
  console.log(`  The workspace is at ${ws}: try \`npx nx show project api\` there.`);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
