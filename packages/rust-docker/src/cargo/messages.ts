/** A binary cargo reported building (`--message-format=json…`), with whether it was already fresh. */
export interface BinaryArtifact {
  name: string;
  executable: string;
  /** Cargo did not rebuild it: nothing it is built from changed. */
  fresh: boolean;
}

/** Binaries built from the manifest at `manifestPath`, read from cargo's JSON messages, in order. */
export function binaryArtifacts(stdout: string, manifestPath: string): BinaryArtifact[] {
  const out: BinaryArtifact[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const message = JSON.parse(line) as {
        reason?: string;
        executable?: string | null;
        manifest_path?: string;
        fresh?: boolean;
        target?: { kind: string[]; name?: string };
      };
      if (
        message.reason === 'compiler-artifact' &&
        message.executable &&
        message.manifest_path === manifestPath &&
        message.target?.kind.includes('bin')
      ) {
        out.push({ name: message.target.name ?? '', executable: message.executable, fresh: message.fresh === true });
      }
    } catch {
      // a line of build-script output, not a cargo message
    }
  }
  return out;
}
