/**
 * A container's environment, handed over so that no value appears in any argv. Every user
 * of a machine can read every process's arguments (`ps`, /proc/<pid>/cmdline); a
 * process's environment only its owner can. So the engine CLI gets `-e NAME` alone and
 * finds the value in its own environment, which docker and podman both read for a bare
 * `-e NAME`. Nothing is written to disk, so nothing is left behind if the run is killed.
 */

export type EnvOption = Record<string, string | number | boolean>;

/**
 * Variables the engine CLI reads for itself (where the daemon is, its config and
 * credentials, proxies, the dynamic loader, the Go runtime): set for the container this way,
 * they would change what the CLI does, so they are refused.
 */
const CLI_OWN_VARIABLE =
  /^(PATH|HOME|TMPDIR|REGISTRY_AUTH_FILE|STORAGE_DRIVER|STORAGE_OPTS|SSL_CERT_FILE|SSL_CERT_DIR|GODEBUG|GOGC|GOMAXPROCS|GOMEMLIMIT|GOTRACEBACK|(HTTPS?|ALL|NO|FTP)_PROXY)$|^(DOCKER|BUILDKIT|BUILDX|COMPOSE|CONTAINER|CONTAINERS|PODMAN|BUILDAH|XDG|LD|DYLD)_/i;

/** A valid variable name for `-e NAME`: a `=` would make the rest a value in the argv. */
function checkName(name: string, cli: string): void {
  if (!name || /[=\0\s]/.test(name)) {
    throw new Error(`env "${name}" is not a variable name: use letters, digits and _ (e.g. "RUST_LOG").`);
  }
  if (CLI_OWN_VARIABLE.test(name)) {
    throw new Error(
      `env ${name}: the ${cli} CLI reads ${name} itself, so it cannot pass it to the container without also obeying it; set it in the image (ENV in the Dockerfile) or use another name.`,
    );
  }
}

/**
 * `${NAME}` in a value is NAME from this process's environment (a secret kept in the
 * CI's variables or a git-ignored .env file, which Nx loads); `$${` is a literal `${`.
 */
export function interpolate(name: string, value: string, hostEnv: NodeJS.ProcessEnv): string {
  return value.replace(/\$(\$)?\{([^}]*)\}/g, (whole, escaped: string | undefined, ref: string) => {
    if (escaped) return whole.slice(1);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(ref)) {
      throw new Error(`env ${name}: "\${${ref}}" is not a variable reference; write \${NAME}, or $\${ for a literal "\${".`);
    }
    const found = hostEnv[ref];
    if (found === undefined) {
      throw new Error(`env ${name}: \${${ref}} is not set in this environment: export it (or put it in a git-ignored .env file, which Nx loads), then retry.`);
    }
    return found;
  });
}

/** The names for `-e NAME`, checked: PORT first, then the option's. */
export function containerEnvNames(port: number, env: EnvOption | undefined, cli = 'docker'): string[] {
  const names = ['PORT', ...Object.keys(env ?? {}).filter((name) => name !== 'PORT')];
  for (const name of names) checkName(name, cli);
  return names;
}

/** The values, for the CLI's environment: PORT (the option may override it) and the option's, interpolated. */
export function containerEnvValues(port: number, env: EnvOption | undefined, hostEnv: NodeJS.ProcessEnv = process.env, cli = 'docker'): Record<string, string> {
  containerEnvNames(port, env, cli);
  const values: Record<string, string> = { PORT: String(port) };
  for (const [name, value] of Object.entries(env ?? {})) {
    const text = typeof value === 'string' ? interpolate(name, value, hostEnv) : String(value);
    if (text.includes('\0')) throw new Error(`env ${name}: a value cannot hold a NUL character.`);
    values[name] = text;
  }
  return values;
}
