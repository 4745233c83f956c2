// The host dev loop against the host's own incremental build: for a one-line change in a
// generated axum service, and in a library it uses, how long the host's incremental
// `cargo build -p api` takes, against how long `nx run api:serve` takes from the saved
// edit to the first answer of the new build (build, SIGTERM to the old process, start).
//   node bench/run.js bench/serve.ts [rounds]
// Needs Rust and the registry (crates are fetched once); no Docker.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freeLoopbackPort } from '../e2e/helpers/docker';
import { run } from '../e2e/helpers/run';
import { createWorkspace } from '../e2e/helpers/workspace';
import { median } from './stats';

const ROUNDS = Number(process.argv[2] ?? 5);
const TARGET_OVERHEAD_S = 0.5;

const fmt = (s: number) => `${s.toFixed(2)} s`;

async function main(): Promise<void> {
  const ws = createWorkspace('bench-serve');
  try {
    ws.nx(['g', '@org/rust-docker:init']);
    ws.nx(['g', '@org/rust-docker:library', 'words']);
    ws.nx(['g', '@org/rust-docker:service', 'api', '--deps=words']);
    const mainRs = 'api/src/main.rs';
    const libRs = 'words/src/lib.rs';
    ws.write(mainRs, ws.read(mainRs).replace(`Json(json!({ "service": SERVICE,`, `Json(json!({ "greeting": words::greeting("bench"), "mark": "m0", "service": SERVICE,`));
    ws.write(libRs, ws.read(libRs).replace('format!("Hello, {name}!")', 'format!("Hello g0, {name}!")'));
    let mark = 0;
    let greet = 0;
    // One-line edits, each new, that change what the service answers.
    const edits = {
      service: () => {
        const from = `"mark": "m${mark}"`;
        mark++;
        ws.write(mainRs, ws.read(mainRs).replace(from, `"mark": "m${mark}"`));
        return (body: any) => body.mark === `m${mark}`;
      },
      library: () => {
        const from = `Hello g${greet},`;
        greet++;
        ws.write(libRs, ws.read(libRs).replace(from, `Hello g${greet},`));
        return (body: any) => body.greeting === `Hello g${greet}, bench!`;
      },
    };
    const cargoBuild = () => {
      const t0 = process.hrtime.bigint();
      run('cargo', ['build', '--package', 'api'], { cwd: join(ws.root, 'api'), quiet: true });
      return Number(process.hrtime.bigint() - t0) / 1e9;
    };
    console.error('cold debug build of api (not measured) ...');
    cargoBuild();

    const host: Record<string, number[]> = { service: [], library: [] };
    for (let i = 0; i < ROUNDS; i++) {
      for (const kind of ['service', 'library'] as const) {
        edits[kind]();
        host[kind].push(cargoBuild());
      }
    }

    const port = await freeLoopbackPort();
    const serve = spawn(process.execPath, [join(ws.root, 'node_modules/.bin/nx'), 'run', 'api:serve', `--port=${port}`], {
      cwd: ws.root,
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    serve.stdout!.on('data', (d) => (log += d));
    serve.stderr!.on('data', (d) => (log += d));
    const exited = new Promise((resolve) => serve.on('close', resolve));
    const answer = () => fetch(`http://127.0.0.1:${port}/`).then((r) => r.json(), () => undefined);
    const until = async (check: (body: any) => boolean, limitS: number) => {
      const t0 = process.hrtime.bigint();
      for (;;) {
        const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
        const body = await answer();
        if (body && check(body)) return elapsed;
        if (elapsed > limitS) throw new Error(`no new answer after ${limitS} s; serve printed:\n${log.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const served: Record<string, number[]> = { service: [], library: [] };
    try {
      await until((b) => b.mark === `m${mark}`, 300);
      // Let the watcher see nothing pending before the first measured edit.
      await new Promise((r) => setTimeout(r, 1000));
      for (let i = 0; i < ROUNDS; i++) {
        for (const kind of ['service', 'library'] as const) {
          const check = edits[kind]();
          served[kind].push(await until(check, 120));
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    } finally {
      process.kill(-serve.pid!, 'SIGINT');
      await exited;
    }
    const stops = [...log.matchAll(/stopped pid \d+ with SIGTERM \(exit (\d+) after (\d+) ms\)/g)];

    const rows = (['service', 'library'] as const).map((kind) => {
      const h = median(host[kind]);
      const s = median(served[kind]);
      return `| one-line edit in the ${kind === 'service' ? 'service (api/src/main.rs)' : 'library it uses (words/src/lib.rs)'} | ${fmt(h)} | ${fmt(s)} | ${s - h >= 0 ? '+' : ''}${fmt(s - h)} | ${s - h <= TARGET_OVERHEAD_S ? 'met' : 'MISSED'} |`;
    });
    console.log(`\nserve benchmark, ${ROUNDS} rounds each, medians (${new Date().toISOString()})\n`);
    console.log('| change | host incremental `cargo build -p api` (dev) | `nx run api:serve`: saved edit to new answer | serve minus host | target: at most +0.5 s |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const row of rows) console.log(row);
    console.log(`\nall rounds (s): host service ${host.service.map((x) => x.toFixed(2)).join(' ')}; serve service ${served.service.map((x) => x.toFixed(2)).join(' ')}`);
    console.log(`                host library ${host.library.map((x) => x.toFixed(2)).join(' ')}; serve library ${served.library.map((x) => x.toFixed(2)).join(' ')}`);
    console.log(`old processes stopped with SIGTERM: ${stops.length}, all exit 0: ${stops.every((m) => m[1] === '0')}, slowest stop ${Math.max(0, ...stops.map((m) => Number(m[2])))} ms`);
  } finally {
    ws.remove();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
