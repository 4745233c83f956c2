import { NX_VERSION } from '@nx/devkit';

const major = (version: string) => Number(version.split('.')[0]);

/**
 * npm gives the plugin the newest `@nx/devkit` its range allows unless the workspace already
 * has one (every first-party Nx plugin brings the one of its Nx); it does not choose by
 * devkit's own `nx` peer. Devkit 23 and 24 walk the tree with ignore checkers that nx has
 * since 23, so on nx 22 they fail (with a message that points at `nx migrate`); devkit's
 * peer range allows nx one major back from 23 on. This says what to run instead.
 */
export function devkitMismatch(devkitVersion: string, nxVersion: string): string | undefined {
  const [devkit, nx] = [major(devkitVersion), major(nxVersion)];
  if (devkit <= nx || (nx >= 23 && devkit === nx + 1)) return undefined;
  return (
    `@org/rust-docker got @nx/devkit ${devkitVersion}, which does not work with this workspace's nx ${nxVersion}: ` +
    `install the @nx/devkit of your Nx, which the plugin then shares (npm install -D @nx/devkit@${nxVersion}), and run the command again.`
  );
}

export function assertDevkitMatchesNx(): void {
  let devkitVersion: string;
  try {
    devkitVersion = require('@nx/devkit/package.json').version;
  } catch {
    return; // a layout without the package.json export: nothing to compare
  }
  const problem = devkitMismatch(devkitVersion, NX_VERSION);
  if (problem) throw new Error(problem);
}
