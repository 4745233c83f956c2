// The plugin's createNodes + createDependencies called directly in one Node process, the
// secondary table of bench/nx-cli.ts. In process means no Nx around it: no plugin worker,
// no merge of the configuration, no graph cache; what a user waits for is what
// bench/nx-cli.ts measures through the nx CLI. Prints one line of JSON: milliseconds of
// each call, in order.
//   node bench/run.js bench/graph-probe.ts <workspace> <calls>
import { readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
// The compiled plugin, as Nx loads it (bench/nx-cli.ts builds it first).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createDependencies, createNodes } = require('../packages/rust-docker/dist/index.js');

const root = process.argv[2];
const calls = Number(process.argv[3] ?? 1);

function files(dir = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!['target', 'node_modules', '.nx', '.git'].includes(entry.name)) out.push(...files(rel));
    } else out.push(rel);
  }
  return out;
}

async function main() {
  const all = files();
  const manifests = all.filter((f) => f === 'Cargo.toml' || f.endsWith('/Cargo.toml'));
  const timings: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = process.hrtime.bigint();
    const results = await createNodes[1](manifests, undefined, { workspaceRoot: root, nxJsonConfiguration: {} });
    const t1 = process.hrtime.bigint();
    // What Nx hands createDependencies, built outside the clock: it is Nx's work.
    const projects: Record<string, { root: string }> = {};
    const externalNodes: Record<string, unknown> = {};
    for (const [, result] of results) {
      for (const p of Object.values(result.projects ?? {}) as Array<{ root: string; name: string }>) projects[p.name] = p;
      Object.assign(externalNodes, result.externalNodes ?? {});
    }
    const byRoot = new Map(Object.entries(projects).map(([name, p]) => [p.root, name]));
    const projectFileMap: Record<string, Array<{ file: string; hash: string }>> = {};
    const nonProjectFiles: Array<{ file: string; hash: string }> = [];
    for (const file of all) {
      let dir = posix.dirname(file);
      while (!byRoot.has(dir) && dir !== '.') dir = posix.dirname(dir);
      if (byRoot.has(dir)) (projectFileMap[byRoot.get(dir)!] ??= []).push({ file, hash: '' });
      else nonProjectFiles.push({ file, hash: '' });
    }
    const t2 = process.hrtime.bigint();
    await createDependencies(undefined, {
      externalNodes,
      projects,
      nxJsonConfiguration: {},
      fileMap: { projectFileMap, nonProjectFiles },
      filesToProcess: { projectFileMap, nonProjectFiles },
      workspaceRoot: root,
    });
    timings.push(Number(t1 - t0 + (process.hrtime.bigint() - t2)) / 1e6);
  }
  console.log(JSON.stringify({ timings }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
