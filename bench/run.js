#!/usr/bin/env node
// Runs a TypeScript benchmark without a build step: `node bench/run.js bench/graph.ts`.
// Sources are transpiled on load (no type check; `npm run build` and the tests do that).
const fs = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: filename,
  });
  module._compile(outputText, filename);
};

const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error('usage: node bench/run.js <bench/file.ts> [args...]');
  process.exit(2);
}
process.argv = [process.argv[0], script, ...args];
require(require('node:path').resolve(script));
