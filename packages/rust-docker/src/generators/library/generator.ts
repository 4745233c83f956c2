import { formatFiles, generateFiles, normalizePath, type GeneratorCallback, type Tree } from '@nx/devkit';
import { join, posix } from 'node:path';
import { crateNameProblem } from '../../cargo/crate-name';
import { addWorkspaceMember } from '../../cargo/root-manifest';
import { addPathDependency, findCrates, nameList, requireCrates, requireFreeName } from '../../cargo/tree-crates';
import { initGenerator } from '../init/generator';
import { updateLockfile } from '../service/generator';
import type { LibraryGeneratorSchema } from './schema';

export interface NormalizedLibraryOptions {
  name: string;
  projectRoot: string;
  tags: string[];
  /** Crates that get a path dependency on the library. */
  dependents: Array<{ name: string; dir: string }>;
  skipFormat: boolean;
}

export function normalizeOptions(tree: Tree, schema: LibraryGeneratorSchema): NormalizedLibraryOptions {
  const name = (schema.name ?? '').trim();
  const problem = crateNameProblem(name, 'library name');
  if (problem) throw new Error(problem);
  const projectRoot = normalizePath(schema.directory?.trim() || name).replace(/^\.\/|\/$/g, '');
  if (!projectRoot || projectRoot.startsWith('..') || posix.isAbsolute(projectRoot)) {
    throw new Error(`--directory "${schema.directory}" must be a folder inside the workspace, e.g. "libs/${name}".`);
  }
  const crates = findCrates(tree);
  requireFreeName(tree, crates, name);
  if (tree.exists(projectRoot)) throw new Error(`folder "${projectRoot}" already exists; choose another --directory or name.`);
  const dependents = requireCrates(crates, nameList(schema.service), 'service');
  const tags = (schema.tags ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  return { name, projectRoot, tags, dependents, skipFormat: schema.skipFormat ?? false };
}

export async function libraryGenerator(tree: Tree, schema: LibraryGeneratorSchema): Promise<GeneratorCallback> {
  const options = normalizeOptions(tree, schema);
  await initGenerator(tree, { skipFormat: true });
  tree.write('Cargo.toml', addWorkspaceMember(tree.read('Cargo.toml', 'utf8')!, options.projectRoot));
  generateFiles(tree, join(__dirname, 'files'), options.projectRoot, { ...options, tmpl: '' });
  for (const dependent of options.dependents) addPathDependency(tree, dependent.dir, { name: options.name, dir: options.projectRoot });
  if (!options.skipFormat) await formatFiles(tree);
  return () => updateLockfile(tree.root);
}

export default libraryGenerator;
