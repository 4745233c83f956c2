import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';

/**
 * Nx loads the plugin's entry in a worker on every `nx` command without the daemon, so the
 * entry must load the graph code and nothing else: no generator, executor or template
 * code, no YAML or template engine, and not `@nx/devkit` (whose entry loads most of Nx).
 * Follows the static imports (type-only ones are erased by the compiler) from index.ts.
 */
describe('the plugin entry', () => {
  const src = join(__dirname, '..');
  const staticImports = (file: string): string[] => {
    const text = readFileSync(file, 'utf8');
    const specifiers: string[] = [];
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\b)(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm)) specifiers.push(m[1]);
    return specifiers;
  };
  const resolveLocal = (from: string, specifier: string) => join(dirname(from), `${specifier}.ts`);

  const reached = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (reached.has(file)) return;
    reached.add(file);
    for (const specifier of staticImports(file)) {
      if (specifier.startsWith('.')) visit(resolveLocal(file, specifier));
      else packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
    }
  };
  visit(join(src, 'index.ts'));
  const modules = [...reached].map((f) => relative(src, f).split('\\').join('/')).sort();

  it('reaches only the graph and the Cargo model', () => {
    // release/publish-target.ts: the nx-release-publish target's shape; safety/is-record.ts: one
    // predicate. Neither imports anything.
    const allowed = new Set(['index.ts', 'release/publish-target.ts', 'safety/is-record.ts']);
    expect(modules.filter((m) => !m.startsWith('graph/') && !m.startsWith('cargo/') && !allowed.has(m))).toEqual([]);
    expect(modules).toEqual(expect.arrayContaining(['index.ts', 'graph/create-nodes.ts', 'graph/create-dependencies.ts', 'cargo/manifest.ts']));
  });

  it('loads no package but a TOML parser and Node itself', () => {
    const node = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    expect([...packages].filter((p) => !node.has(p) && !/toml/.test(p))).toEqual([]);
  });
});
