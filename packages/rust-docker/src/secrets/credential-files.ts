/**
 * Files that hold credentials. None of them enters a build context, even when it is
 * committed: a build never needs them, and whatever enters a context can end up in a
 * layer, a build cache or a pushed image.
 *
 * Matched by exact file names and extensions, by folder names (everything inside), and by
 * a few path endings, never by words inside a name: `src/keys.rs`, a `secrets` module or
 * `src/credentials/mod.rs` are ordinary sources and still enter.
 */

interface CredentialRule {
  /** What the user is told the file is. */
  what: string;
  /** A file whose name matches. */
  file?: RegExp;
  /** A folder whose name matches: everything inside it. */
  folder?: RegExp;
  /** A file or folder whose path (with `/`) ends like this. */
  path?: RegExp;
}

const CREDENTIAL_RULES: CredentialRule[] = [
  // SSH and GPG keys; public keys (`.pub`) are not secret.
  { what: 'SSH private key', file: /^id_(rsa|dsa|ecdsa|ed25519)(_sk)?(?!\.pub$)(\.[^/]+)?$/ },
  { what: 'SSH folder', folder: /^\.ssh$/ },
  { what: 'GnuPG keyring', folder: /^\.gnupg$/ },
  { what: 'password store', folder: /^\.password-store$/ },
  // Cloud and cluster credentials.
  { what: 'AWS credentials', folder: /^\.aws$/ },
  { what: 'Azure credentials', folder: /^\.azure$/ },
  { what: 'gcloud credentials', path: /(^|\/)\.config\/gcloud$/ },
  { what: 'Kubernetes credentials', folder: /^\.kube$/ },
  { what: 'kubeconfig', file: /^kubeconfig$|\.kubeconfig$/ },
  { what: 'Docker registry credentials', path: /(^|\/)\.docker\/config\.json$/ },
  { what: 'cloud storage credentials', file: /^\.(boto|s3cfg)$/ },
  { what: 'service account key', file: /^service[-_]account.*\.json$/i },
  { what: 'credentials file', file: /(^|[-_.])credentials?\.json$/i },
  { what: 'OAuth client secret', file: /^client_secret.*\.json$/i },
  { what: 'Vault token', file: /^\.vault-token$/ },
  // Package registry and network logins.
  { what: 'netrc', file: /^[._]netrc$/ },
  { what: 'npm config', file: /^\.npmrc$/ },
  { what: 'PyPI config', file: /^\.pypirc$/ },
  { what: 'git credentials', file: /^\.git-credentials$/ },
  { what: 'PostgreSQL password file', file: /^\.pgpass$/ },
  { what: "Cargo's credentials", file: /^credentials(\.toml)?$/ },
  // Environment files.
  { what: 'dotenv file', file: /^\.env(\..+)?$|\.env$/ },
  { what: 'direnv file', file: /^\.envrc$/ },
  // Keys, certificates with keys, keystores and password databases.
  { what: 'key or keystore', file: /\.(pem|key|p12|pfx|jks|keystore|kdbx|ppk)$/i },
];

/**
 * What kind of credential `relPath` (a file, or a folder when `isFolder`) is, or undefined
 * for anything else. A file inside a credential folder is one too.
 */
export function credentialKind(relPath: string, isFolder = false): string | undefined {
  const parts = relPath.split('/').filter((p) => p && p !== '.');
  for (let i = 0; i < parts.length; i++) {
    const isLast = i === parts.length - 1;
    const name = parts[i];
    const path = parts.slice(0, i + 1).join('/');
    const folder = !isLast || isFolder;
    for (const rule of CREDENTIAL_RULES) {
      if (rule.path?.test(path)) return rule.what;
      if (folder ? rule.folder?.test(name) : rule.file?.test(name)) return rule.what;
    }
  }
  return undefined;
}

/** A file or folder kept out of a build context, and why. */
export interface KeptOut {
  path: string;
  what: string;
}

/** The warning that names every credential file a build kept out of its context. */
export function keptOutMessage(project: string, keptOut: KeptOut[]): string | undefined {
  if (!keptOut.length) return undefined;
  const list = keptOut.map((k) => `${k.path} (${k.what})`).join(', ');
  const count = keptOut.length === 1 ? 'a credential file' : `${keptOut.length} credential files`;
  return `${project}: kept ${count} out of the build context, as every build does, even for committed files: ${list}. Move ${keptOut.length === 1 ? 'it' : 'them'} out of the crate's folder (and out of git, if committed).`;
}
