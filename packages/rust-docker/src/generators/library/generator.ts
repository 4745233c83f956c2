import { formatFiles, generateFiles, type GeneratorCallback, type Tree } from '@nx/devkit';
import { join } from 'node:path';
import { addWorkspaceMember } from '../../cargo/root-manifest';
import { addPathDependency, nameList, newCrate, requireCrates } from '../../cargo/tree-crates';
import { initGenerator } from '../init/generator';
import { checkInitInputs, checkTomlFile, transactional } from '../../safety/tree';
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
  const { name, projectRoot, tags, crates } = newCrate(tree, schema, 'library', 'libs');
  const dependents = requireCrates(crates, nameList(schema.service), 'service');
  return { name, projectRoot, tags, dependents, skipFormat: schema.skipFormat ?? false };
}

async function generateLibrary(tree: Tree, schema: LibraryGeneratorSchema): Promise<GeneratorCallback> {
  checkInitInputs(tree);
  const options = normalizeOptions(tree, schema);
  for (const dependent of options.dependents) checkTomlFile(tree, `${dependent.dir === '.' ? '' : `${dependent.dir}/`}Cargo.toml`);
  await initGenerator(tree, { skipFormat: true });
  tree.write('Cargo.toml', addWorkspaceMember(tree.read('Cargo.toml', 'utf8')!, options.projectRoot));
  generateFiles(tree, join(__dirname, 'files'), options.projectRoot, { ...options, tmpl: '' });
  for (const dependent of options.dependents) addPathDependency(tree, dependent.dir, { name: options.name, dir: options.projectRoot });
  if (!options.skipFormat) await formatFiles(tree);
  return () => updateLockfile(tree.root);
}

export const libraryGenerator = transactional(generateLibrary);

export default libraryGenerator;
