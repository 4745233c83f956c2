import { credentialKind, keptOutMessage } from './credential-files';

describe('credentialKind', () => {
  it.each([
    ['id_rsa', 'SSH private key'],
    ['services/api/id_dsa', 'SSH private key'],
    ['id_ecdsa', 'SSH private key'],
    ['deploy/id_ed25519', 'SSH private key'],
    ['id_ed25519_sk', 'SSH private key'],
    ['id_rsa.bak', 'SSH private key'],
    ['api/.ssh/config', 'SSH folder'],
    ['.ssh/known_hosts', 'SSH folder'],
    ['api/.gnupg/private-keys-v1.d/ABC.key', 'GnuPG keyring'],
    ['.aws/credentials', 'AWS credentials'],
    ['api/.aws/config', 'AWS credentials'],
    ['.azure/msal_token_cache.json', 'Azure credentials'],
    ['api/.config/gcloud/application_default_credentials.json', 'gcloud credentials'],
    ['.kube/config', 'Kubernetes credentials'],
    ['ops/prod.kubeconfig', 'kubeconfig'],
    ['api/.docker/config.json', 'Docker registry credentials'],
    ['.netrc', 'netrc'],
    ['_netrc', 'netrc'],
    ['api/.npmrc', 'npm config'],
    ['.pypirc', 'PyPI config'],
    ['.git-credentials', 'git credentials'],
    ['.pgpass', 'PostgreSQL password file'],
    ['.vault-token', 'Vault token'],
    ['.cargo/credentials', "Cargo's credentials"],
    ['api/.cargo/credentials.toml', "Cargo's credentials"],
    ['.env', 'dotenv file'],
    ['api/.env.local', 'dotenv file'],
    ['.env.production', 'dotenv file'],
    ['api/secrets.env', 'dotenv file'],
    ['.envrc', 'direnv file'],
    ['tls/server.pem', 'key or keystore'],
    ['tls.key', 'key or keystore'],
    ['cert.p12', 'key or keystore'],
    ['cert.PFX', 'key or keystore'],
    ['android/release.jks', 'key or keystore'],
    ['app.keystore', 'key or keystore'],
    ['passwords.kdbx', 'key or keystore'],
    ['putty.ppk', 'key or keystore'],
    ['service-account.json', 'service account key'],
    ['service_account-prod.json', 'service account key'],
    ['gcp-credentials.json', 'credentials file'],
    ['credentials.json', 'credentials file'],
    ['client_secret_123.apps.googleusercontent.com.json', 'OAuth client secret'],
    ['.boto', 'cloud storage credentials'],
  ])('%s is a credential (%s)', (path, what) => {
    expect(credentialKind(path)).toBe(what);
  });

  it.each([
    'src/keys.rs',
    'src/secrets.rs',
    'src/secrets/mod.rs',
    'src/credentials/mod.rs',
    'src/credentials.rs',
    'src/env.rs',
    'src/environment/mod.rs',
    'src/ssh.rs',
    'src/token.rs',
    'src/bin/keygen.rs',
    'id_rsa.pub',
    '.ssh.rs',
    'Cargo.toml',
    'Cargo.lock',
    '.cargo/config.toml',
    'config/environment.toml',
    'README.md',
    '.docker/Dockerfile',
    'docs/api-keys.md',
    'tests/fixtures/keys/README.md',
    'schema/credential_schema.json',
    'keys.json',
    '.envoy/config.yaml',
    'src/kube/config.rs',
  ])('%s is an ordinary file', (path) => {
    expect(credentialKind(path)).toBeUndefined();
  });

  it('tells credential folders from folders of sources of the same name', () => {
    expect(credentialKind('api/.ssh', true)).toBe('SSH folder');
    expect(credentialKind('api/.config/gcloud', true)).toBe('gcloud credentials');
    // A file rule never matches a folder: a module folder named like a credential file enters.
    expect(credentialKind('src/credentials', true)).toBeUndefined();
    expect(credentialKind('src/.env', true)).toBeUndefined();
  });
});

describe('keptOutMessage', () => {
  it('names each file kept out and what it is, and says what to do', () => {
    expect(
      keptOutMessage('api', [
        { path: 'services/api/.env', what: 'dotenv file' },
        { path: 'services/api/.ssh/id_rsa', what: 'SSH folder' },
      ]),
    ).toBe(
      "api: kept 2 credential files out of the build context, as every build does, even for committed files: services/api/.env (dotenv file), services/api/.ssh/id_rsa (SSH folder). Move them out of the crate's folder (and out of git, if committed).",
    );
    expect(keptOutMessage('api', [{ path: 'id_rsa', what: 'SSH private key' }])).toBe(
      "api: kept a credential file out of the build context, as every build does, even for committed files: id_rsa (SSH private key). Move it out of the crate's folder (and out of git, if committed).",
    );
  });

  it('says nothing when nothing was kept out', () => {
    expect(keptOutMessage('api', [])).toBeUndefined();
  });
});
