// Compiles the plugin into packages/rust-docker/dist and copies what tsc does not
// emit (schemas, generator templates) next to the compiled code, so the root
// generators.json/executors.json resolve the same paths in a packed tarball.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const pkgRoot = path.resolve(__dirname, '..');
const src = path.join(pkgRoot, 'src');
const dist = path.join(pkgRoot, 'dist');

fs.rmSync(dist, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', path.join(pkgRoot, 'tsconfig.lib.json')],
  { stdio: 'inherit' },
);

function copyAssets(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const from = path.join(dir, entry.name);
    const to = path.join(dist, path.relative(src, from));
    if (entry.isDirectory() && entry.name === 'files') {
      fs.cpSync(from, to, { recursive: true });
    } else if (entry.isDirectory()) {
      copyAssets(from);
    } else if (entry.name.endsWith('.json')) {
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.copyFileSync(from, to);
    }
  }
}
copyAssets(src);
console.log(`built ${path.relative(process.cwd(), dist) || dist}`);
