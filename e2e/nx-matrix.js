#!/usr/bin/env node
// The Nx matrix: the full suite runs on the newest Nx (package.json devDependencies, by
// `jest`); this runs the walking skeleton and affected suites again on each older major
// the plugin supports (its peer range), in workspaces that install that Nx.
//   node e2e/nx-matrix.js            every older major
//   node e2e/nx-matrix.js 22.7.12    one version
// The plugin must be built first (npm run build); the suites pack it themselves.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

/** The newest release of each supported major before the newest. */
const OLDER_NX_VERSIONS = ['23.3.2', '22.7.12'];
const SUITES = ['e2e/walking-skeleton.e2e.ts', 'e2e/affected.e2e.ts'];

const repo = join(__dirname, '..');
const versions = process.argv.slice(2).length ? process.argv.slice(2) : OLDER_NX_VERSIONS;
const jest = require.resolve('jest/bin/jest', { paths: [repo] });
const times = [];
for (const version of versions) {
  console.log(`\n=== Nx ${version}: ${SUITES.join(', ')}`);
  const started = Date.now();
  const result = spawnSync(process.execPath, [jest, '--selectProjects', 'e2e', '--runInBand', ...SUITES], {
    cwd: repo,
    // The shipped release profile is the newest Nx's walking skeleton's to prove; here, Nx is the subject.
    env: { ...process.env, E2E_NX_VERSION: version, E2E_QUICK_RELEASE: '1' },
    stdio: 'inherit',
  });
  times.push([version, ((Date.now() - started) / 1000).toFixed(0)]);
  if (result.status !== 0) {
    console.error(`\nThe e2e suites failed on Nx ${version}.`);
    process.exit(result.status ?? 1);
  }
}
console.log(`\nNx matrix passed:\n${times.map(([v, s]) => `  Nx ${v.padEnd(8)} ${s} s`).join('\n')}`);
