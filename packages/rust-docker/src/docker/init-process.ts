import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerCli } from './docker-cli';

/**
 * Containers the plugin starts (docker-run, health-check; compose entries say `init: true`)
 * get an init process as PID 1 (`--init`: Docker's tini, Podman's catatonit). The kernel
 * gives PID 1 no default signal actions, so a binary that installs no SIGTERM handler
 * ignores `docker stop` as PID 1 and is killed 10 s later; under an init it is the init's
 * child, SIGTERM is forwarded and ends it at once, and a binary that does handle SIGTERM
 * (generated services) still shuts down gracefully. It is always on: the init comes from the
 * engine (nothing is added to the image) and whether a binary handles SIGTERM cannot be
 * read reliably from its sources (a framework may install the handler).
 */

/** Podman's own default, when no containers.conf names another. */
const PODMAN_DEFAULT_INIT = '/usr/libexec/podman/catatonit';
const PODMAN_CONF = ['/usr/share/containers/containers.conf', '/etc/containers/containers.conf', '/etc/containers/containers.conf.d'];

/** The init binary Podman would mount: the last `init_path` its configuration files set. */
export function podmanInitPath(files: string[] = PODMAN_CONF): string {
  let path = PODMAN_DEFAULT_INIT;
  const read = (file: string) => {
    const match = [...readFileSync(file, 'utf8').matchAll(/^\s*init_path\s*=\s*"([^"]+)"/gm)].pop();
    if (match) path = match[1];
  };
  for (const file of files) {
    try {
      if (file.endsWith('.d')) {
        if (existsSync(file)) for (const entry of readdirSync(file).filter((f) => f.endsWith('.conf')).sort()) read(join(file, entry));
      } else if (existsSync(file)) read(file);
    } catch {
      // an unreadable file sets nothing
    }
  }
  return path;
}

/**
 * Whether `--init` can be passed: Docker ships its init with the engine; Podman needs
 * catatonit installed. When it cannot, the reason, for a warning.
 */
export function initSupport(cli: ContainerCli, exists: (path: string) => boolean = existsSync): { init: boolean; warning?: string } {
  if (cli !== 'podman') return { init: true };
  const path = podmanInitPath();
  if (exists(path)) return { init: true };
  return {
    init: false,
    warning: `podman has no init binary (${path} is missing; install catatonit): the service runs as PID 1, so if it does not handle SIGTERM itself it takes 10 s to stop.`,
  };
}
