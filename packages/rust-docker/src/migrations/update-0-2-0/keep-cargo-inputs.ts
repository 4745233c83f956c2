import { formatFiles, logger, type Tree } from '@nx/devkit';
import { DEFAULT_PLUGIN_OPTIONS } from '../../generators/init/generator';
import { generatedDockerfiles, guardCargoTargets, isRegistered, keepNxDockerOff, registeredOptions } from '../../generators/init/nx-json';

/**
 * 0.2.0: init now keeps name-keyed targetDefaults (create-nx-workspace writes `build`,
 * `test` and `lint` ones) from replacing the Cargo inputs of the cargo targets, and
 * `@nx/docker` off the Dockerfiles the plugin generates. Workspaces set up by 0.1 get both.
 */
export default async function keepCargoInputs(tree: Tree): Promise<void> {
  if (!isRegistered(tree)) return;
  const guard = guardCargoTargets(tree, registeredOptions(tree, DEFAULT_PLUGIN_OPTIONS));
  const changes = [...guard.changes, ...keepNxDockerOff(tree, generatedDockerfiles(tree))];
  for (const change of changes) logger.info(`${change.file}: ${change.what}`);
  for (const note of guard.notes) logger.info(note);
  await formatFiles(tree);
}
