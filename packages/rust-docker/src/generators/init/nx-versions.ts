import { NX_VERSION } from '@nx/devkit';

const major = (version: string) => Number(version.split('.')[0]);

/**
 * npm gives the plugin the newest `@nx/devkit` its range allows unless the workspace already
 * has one (every first-party Nx plugin brings the one of its Nx); it does not choose by
 * devkit's own `nx` peer. A devkit newer than nx fails in its tree walk and formatting,
 * with a message that points at `nx migrate`. This says what to run instead.
 */
export function devkitMismatch(devkitVersion: string, nxVersion: string): string | undefined {
  if (!(major(devkitVersion) > major(nxVersion))) return undefined;
  return (
    `@org/rust-docker got @nx/devkit ${devkitVersion}, which needs nx ${major(devkitVersion)} or newer, and this workspace has nx ${nxVersion}: ` +
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
