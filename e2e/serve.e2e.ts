import * as TOML from '@iarna/toml';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freeLoopbackPort, waitForAsync } from './helpers/docker';
import { run, seconds } from './helpers/run';
import { createWorkspace, type Workspace } from './helpers/workspace';

/**
 * The host dev loop, for real: `nx run api:serve` builds a generated axum service with
 * cargo and runs it; edits in the service and in a library it uses swap in a new build
 * (the old process stopped with SIGTERM), a compile error leaves the old one serving.
 * Then the cargo executor's run, check and fmt, and the build configurations with
 * features, profile, target triple and toolchain, on a tiny crate with no dependencies.
 */
describe('serve and the cargo executor', () => {
  let ws: Workspace;
  const figures: Array<[string, string]> = [];
  const host = /^host: (\S+)/m.exec(run('rustc', ['-vV'], { quiet: true }).stdout)![1];

  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const edit = (file: string, from: string, to: string) => {
    const text = ws.read(file);
    if (!text.includes(from)) throw new Error(`${file} has no ${from}`);
    ws.write(file, text.replace(from, to));
  };

  beforeAll(() => {
    ws = createWorkspace('serve');
    ws.nx(['g', '@org/rust-docker:init']);
    ws.nx(['g', '@org/rust-docker:library', 'words']);
    ws.nx(['g', '@org/rust-docker:service', 'api', '--deps=words']);
    // The service answers with the library's greeting, so an edit there shows in its answer.
    edit('api/src/main.rs', `Json(json!({ "service": SERVICE,`, `Json(json!({ "greeting": words::greeting("serve"), "service": SERVICE,`);
    ws.write('api/project.json', JSON.stringify({ name: 'api', targets: { run: { executor: '@org/rust-docker:cargo', options: { command: 'run' } } } }, null, 2));
    // A crate without dependencies: cargo options with a visible effect, built in a second.
    ws.write(
      'hello/Cargo.toml',
      '[package]\nname = "hello"\nversion = "0.1.0"\nedition = "2021"\n\n[features]\ndefault = ["polite"]\npolite = []\nloud = []\n',
    );
    ws.write(
      'hello/src/main.rs',
      [
        'fn main() {',
        '    let profile = if cfg!(debug_assertions) {',
        '        "debug"',
        '    } else {',
        '        "release"',
        '    };',
        '    let mut line = format!("hello from {profile}");',
        '    if cfg!(feature = "polite") {',
        '        line.push_str(", please");',
        '    }',
        '    if cfg!(feature = "loud") {',
        '        line = line.to_uppercase();',
        '    }',
        '    println!("{line}");',
        '}',
        '',
      ].join('\n'),
    );
    const cargo = {
      check: { command: 'check' },
      fmt: { command: 'fmt', args: ['--check'] },
      run: { command: 'run' },
    };
    ws.write('hello/project.json', JSON.stringify({ name: 'hello', targets: Object.fromEntries(Object.entries(cargo).map(([k, o]) => [k, { executor: '@org/rust-docker:cargo', options: o }])) }, null, 2));
    edit('Cargo.toml', 'members = [', 'members = ["hello", ');
    ws.write('Cargo.toml', `${ws.read('Cargo.toml')}\n[profile.fast]\ninherits = "release"\nlto = false\n`);
    expect((TOML.parse(ws.read('Cargo.toml')) as any).workspace.members).toContain('hello');
    ws.git(['add', '-A']);
    ws.git(['commit', '-qm', 'api, words and hello']);
  });

  afterAll(() => {
    if (figures.length) console.log(`serve figures:\n${figures.map(([k, v]) => `  ${k.padEnd(40)} ${v}`).join('\n')}`);
    ws?.remove();
  });

  it('serve runs the service, swaps in each new build with SIGTERM, and keeps serving through a compile error', async () => {
    const port = await freeLoopbackPort();
    // Started as its own process group, so the test can Ctrl-C it as a terminal would.
    const child: ChildProcess = spawn(process.execPath, [join(ws.root, 'node_modules/.bin/nx'), 'run', 'api:serve', `--port=${port}`], {
      cwd: ws.root,
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
    const answer = () => fetch(`http://127.0.0.1:${port}/`).then((r) => r.json() as Promise<Record<string, unknown>>, () => undefined);
    const answers = (check: (body: Record<string, unknown>) => boolean, what: string, ms = 120_000) =>
      waitForAsync(what, ms, async () => {
        const body = await answer();
        return body && check(body) ? body : undefined;
      });
    const startedPids = () => [...output.matchAll(/api: started pid (\d+)/g)].map((m) => Number(m[1]));
    try {
      const cold = Date.now();
      expect(await answers((b) => b.greeting === 'Hello, serve!', 'the first build to answer', 600_000)).toEqual(expect.objectContaining({ service: 'api' }));
      figures.push(['serve: cold build to first answer', seconds(Date.now() - cold)]);
      expect(output).toContain(`serving on http://127.0.0.1:${port} (PORT=${port})`);
      expect(output).toMatch(/watching \S*words\S*, api and the Cargo root files|watching api, \S*words/);
      const [first] = startedPids();

      // `run` with arguments for the program: the service's own healthcheck subcommand
      // probes the served port, so it passes only while serve serves.
      const probe = ws.nx(['run', 'api:run', '--toolArgs=healthcheck'], { env: { PORT: String(port) } });
      expect(probe.output).toMatch(/cargo run api done in [\d.]+ s/);

      // An edit in the service: the new build answers; the old process got SIGTERM and shut down gracefully.
      let t0 = Date.now();
      edit('api/src/main.rs', '"service": SERVICE,', '"service": SERVICE, "edition": 2,');
      await answers((b) => b.edition === 2, 'the edited service to answer');
      figures.push(['serve: service edit to new answer', seconds(Date.now() - t0)]);
      expect(output).toMatch(new RegExp(`api: stopped pid ${first} with SIGTERM \\(exit 0 after \\d+ ms\\)`));
      expect(output).toContain('api shutting down');
      expect(alive(first)).toBe(false);
      const second = startedPids().at(-1)!;
      expect(second).not.toBe(first);
      expect(alive(second)).toBe(true);

      // An edit in the library the service is built from.
      t0 = Date.now();
      edit('words/src/lib.rs', 'format!("Hello, {name}!")', 'format!("Howdy, {name}!")');
      await answers((b) => b.greeting === 'Howdy, serve!', 'the library edit to answer');
      figures.push(['serve: library edit to new answer', seconds(Date.now() - t0)]);
      const third = startedPids().at(-1)!;
      expect(alive(second)).toBe(false);

      // A compile error: the compiler's message is printed, the running build keeps serving.
      const before = output.length;
      edit('api/src/main.rs', '"service": SERVICE,', '"service": SERVICE, "broken": undefined_name,');
      await waitForAsync('serve to report the failed build', 120_000, async () =>
        output.slice(before).includes(`keeps serving the previous build`) ? true : undefined,
      );
      const failure = output.slice(before);
      expect(failure).toMatch(/error\[E0425\]: cannot find value `undefined_name` in this scope/);
      expect(failure).toContain(`api: the build failed after`);
      expect(failure).toContain(`pid ${third} keeps serving the previous build`);
      expect(failure).not.toContain('api: started pid');
      expect(alive(third)).toBe(true);
      expect(await answer()).toEqual(expect.objectContaining({ greeting: 'Howdy, serve!', edition: 2 }));

      // The fix builds and swaps as usual.
      edit('api/src/main.rs', '"broken": undefined_name, "edition": 2,', '"edition": 3,');
      await answers((b) => b.edition === 3, 'the fixed service to answer');
      expect(alive(third)).toBe(false);
    } finally {
      process.kill(-child.pid!, 'SIGINT');
    }
    await exited;
    const last = startedPids().at(-1)!;
    await waitForAsync('the service to be gone', 15_000, async () => (alive(last) ? undefined : true));
    expect(await answer()).toBeUndefined();
    // The three swaps each shut a process down gracefully (the last stop's lines may be
    // cut off: Nx stops relaying task output once Ctrl-C reaches it).
    expect(output.match(/api shutting down/g)!.length).toBeGreaterThanOrEqual(3);
  });

  it('cargo executor: check, fmt and run, and build configurations with features, profile, target triple and toolchain', () => {
    expect(ws.nx(['run', 'hello:check']).output).toMatch(/cargo check hello done in [\d.]+ s/);
    expect(ws.nx(['run', 'hello:run']).output).toContain('hello from debug, please');
    expect(ws.nx(['run', 'hello:run', '--features=loud', '--no-default-features', '--release']).output).toContain('HELLO FROM RELEASE');

    ws.nx(['run', 'hello:fmt']);
    const main = ws.read('hello/src/main.rs');
    ws.write('hello/src/main.rs', main.replace('fn main() {', 'fn   main( )  {'));
    const unformatted = ws.nx(['run', 'hello:fmt'], { allowFailure: true });
    expect(unformatted.code).not.toBe(0);
    expect(unformatted.output).toMatch(/Diff in .*main\.rs/);
    ws.write('hello/src/main.rs', main);

    const bin = join(ws.root, 'dist/hello/bin/hello');
    const hello = () => run(bin, [], { quiet: true }).stdout.trim();
    // production is the default configuration: --release, as before.
    expect(ws.nx(['run', 'hello:build']).output).toMatch(/cargo build hello --release done in [\d.]+ s; hello copied to dist\/hello\/bin/);
    expect(hello()).toBe('hello from release, please');
    expect(ws.nx(['run', 'hello:build:development']).output).toMatch(/cargo build hello done in [\d.]+ s; hello copied to dist\/hello\/bin/);
    expect(hello()).toBe('hello from debug, please');
    ws.nx(['run', 'hello:build:development', '--features=loud']);
    expect(hello()).toBe('HELLO FROM DEBUG, PLEASE');
    ws.nx(['run', 'hello:build:development', '--no-default-features']);
    expect(hello()).toBe('hello from debug');
    // A custom profile for an explicit target: the binary is copied from target/<triple>/fast/.
    const fast = ws.nx(['run', 'hello:build', '--profile=fast', `--triple=${host}`, '--toolchain=1.95.0']);
    expect(fast.output).toMatch(new RegExp(`cargo build hello --profile fast --target ${host} \\(\\+1\\.95\\.0\\) done in [\\d.]+ s; hello copied to dist/hello/bin`));
    expect(existsSync(join(ws.root, 'target', host, 'fast', 'hello'))).toBe(true);
    expect(hello()).toBe('hello from release, please');

    // Bad input stops before cargo with one line that says what to give.
    const bad = ws.nx(['run', 'hello:build', '--features=-Zbuild-std'], { allowFailure: true });
    expect(bad.code).not.toBe(0);
    expect(bad.output).toContain('features "-Zbuild-std" is not a feature name: use names such as "metrics" or "serde/derive", separated by commas.');
    const missing = ws.nx(['run', 'hello:check', '--toolchain=nightly-2001-01-01'], { allowFailure: true });
    expect(missing.code).not.toBe(0);
    expect(missing.output).toMatch(/nightly-2001-01-01/);
  });
});
