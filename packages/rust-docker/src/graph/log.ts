/**
 * Warnings from graph inference. Straight to stderr (Nx forwards a plugin worker's output):
 * `@nx/devkit`'s logger would load most of Nx into the worker (0.2 s measured there) on
 * every `nx` command of a workspace with something to warn about.
 */
export function warn(message: string): void {
  console.warn(message);
}
