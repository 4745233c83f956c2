// One graph computation by the plugin, as Nx runs it in a fresh worker process:
// createNodes over every Cargo.toml, then createDependencies. Prints JSON timings.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
// The compiled plugin, as Nx loads it (bench/graph.ts builds it first).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createDependencies, createNodes } = require('../packages/rust-docker/dist/index.js');

const root = process.argv[2];
const repeat = Number(process.argv[3] ?? 1);

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

/**
 * Nx hands createDependencies a map of which project owns which file; that is Nx's work,
 * so it is built before the clock starts, from the folders holding a [package].
 */
function fileMap(all: string[], manifests: string[]) {
  const roots = manifests
    .filter((m) => readFileSync(join(root, m), 'utf8').includes('[package]'))
    .map((m) => (m.includes('/') ? m.slice(0, m.lastIndexOf('/')) : '.'));
  const names = new Map(roots.map((r) => [r, r]));
  const projectFileMap: Record<string, Array<{ file: string; hash: string }>> = {};
  const nonProjectFiles: Array<{ file: string; hash: string }> = [];
  for (const file of all) {
    let dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '.';
    while (!names.has(dir) && dir !== '.') dir = dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '.';
    if (names.has(dir)) (projectFileMap[dir] ??= []).push({ file, hash: '' });
    else nonProjectFiles.push({ file, hash: '' });
  }
  return { projectFileMap, nonProjectFiles };
}

async function main() {
  const all = files();
  const manifests = all.filter((f) => f.endsWith('Cargo.toml'));
  const map = fileMap(all, manifests);
  const timings: number[] = [];
  let projects = 0;
  let edges = 0;
  for (let i = 0; i < repeat; i++) {
    const t0 = process.hrtime.bigint();
    const results = await createNodes[1](manifests, undefined, { workspaceRoot: root, nxJsonConfiguration: {} });
    const projectConfigs: Record<string, any> = {};
    const externalNodes: Record<string, any> = {};
    for (const [, result] of results) {
      for (const p of Object.values(result.projects ?? {})) projectConfigs[(p as any).name] = p;
      Object.assign(externalNodes, result.externalNodes ?? {});
    }
    // Keyed by project name, as Nx does; the probe's names are the roots.
    const byRoot = Object.fromEntries(Object.values(projectConfigs).map((p: any) => [p.root, p.name]));
    const projectFileMap = Object.fromEntries(Object.entries(map.projectFileMap).map(([r, f]) => [byRoot[r] ?? r, f]));
    const nonProjectFiles = map.nonProjectFiles;
    const deps = await createDependencies(undefined, {
      externalNodes,
      projects: projectConfigs,
      nxJsonConfiguration: {},
      fileMap: { projectFileMap, nonProjectFiles },
      filesToProcess: { projectFileMap, nonProjectFiles },
      workspaceRoot: root,
    });
    timings.push(Number(process.hrtime.bigint() - t0) / 1e6);
    projects = Object.keys(projectConfigs).length;
    edges = deps.filter((d: { target: string }) => !d.target.startsWith('cargo:')).length;
  }
  console.log(JSON.stringify({ timings, projects, edges }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
