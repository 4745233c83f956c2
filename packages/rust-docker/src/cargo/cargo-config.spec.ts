import * as TOML from '@iarna/toml';
import { isSecretEnvName, sanitizeCargoConfig, sanitizedConfigMessage } from './cargo-config';

const CONFIG = `# registry token: s3cret-in-a-comment
[registry]
default = "private"
token = "s3cret-crates-io"
credential-provider = ["cargo:token-from-stdout", "vault-get", "s3cret-arg"]
global-credential-providers = ["cargo:token"]

[registries.private]
index = "sparse+https://ci:s3cret-index@cargo.example.com/index/"
token = "Bearer s3cret-private"
secret-key = "k3.secret.s3cret-paseto"
secret-key-subject = "s3cret-subject"

[registries.public]
index = "https://github.com/rust-lang/crates.io-index"

[credential-alias]
vault = ["vault-get", "--token", "s3cret-alias"]

[source.auth-mirror]
registry = "https://mirror:s3cret-mirror@mirror.example.com/index"

[source.crates-io]
replace-with = "auth-mirror"

[http]
proxy = "me:s3cret-proxy@proxy.example.com:3128"
timeout = 30

[net]
git-fetch-with-cli = true

[env]
GITHUB_TOKEN = "s3cret-env"
DB_PASSWORD = { value = "s3cret-db", force = true }
AWS_SECRET_ACCESS_KEY = "s3cret-aws"
SIGNING_KEY = "s3cret-signing"
DATABASE_URL = "postgres://app:s3cret-url@db:5432/app"
OPENSSL_DIR = "/usr/local/ssl"
RUST_LOG = "info"

[alias]
pub = "publish --token s3cret-publish"
b = "build --release"

[target.x86_64-unknown-linux-gnu]
rustflags = ["-C", "target-cpu=native"]
`;

describe('sanitizeCargoConfig', () => {
  const { text, removed } = sanitizeCargoConfig(CONFIG);
  const config = TOML.parse(text) as Record<string, any>;

  it('leaves no secret in the text, not even in a comment', () => {
    expect(text).not.toContain('s3cret');
  });

  it("drops Cargo's tokens and credential providers, from [registry] and every [registries.<name>]", () => {
    expect(config.registry).toEqual({ default: 'private' });
    expect(config.registries.private).toEqual({ index: 'sparse+https://cargo.example.com/index/' });
    expect(config.registries.public).toEqual({ index: 'https://github.com/rust-lang/crates.io-index' });
    expect(config['credential-alias']).toBeUndefined();
    // A table that was empty already stays.
    expect(TOML.parse(sanitizeCargoConfig('[registry]\ndefault = "x"\n\n[unstable]\n').text)).toEqual({ registry: { default: 'x' }, unstable: {} });
  });

  it('keeps what a build needs: sources (whatever their names), settings, targets, plain environment', () => {
    expect(config.source['auth-mirror']).toEqual({ registry: 'https://mirror.example.com/index' });
    expect(config.source['crates-io']).toEqual({ 'replace-with': 'auth-mirror' });
    expect(config.http).toEqual({ proxy: 'proxy.example.com:3128', timeout: 30 });
    expect(config.net).toEqual({ 'git-fetch-with-cli': true });
    expect(config.env).toEqual({ DATABASE_URL: 'postgres://db:5432/app', OPENSSL_DIR: '/usr/local/ssl', RUST_LOG: 'info' });
    expect(config.alias).toEqual({ b: 'build --release' });
    expect(config.target['x86_64-unknown-linux-gnu']).toEqual({ rustflags: ['-C', 'target-cpu=native'] });
  });

  it('lists what it removed, for the message the user sees', () => {
    expect(removed).toEqual([
      'registry.token',
      'registry.credential-provider',
      'registry.global-credential-providers',
      'registries.private.index (user information)',
      'registries.private.token',
      'registries.private.secret-key',
      'registries.private.secret-key-subject',
      'credential-alias',
      'source.auth-mirror.registry (user information)',
      'http.proxy (user information)',
      'env.GITHUB_TOKEN',
      'env.DB_PASSWORD',
      'env.AWS_SECRET_ACCESS_KEY',
      'env.SIGNING_KEY',
      'env.DATABASE_URL (user information)',
      'alias.pub',
    ]);
    expect(sanitizedConfigMessage('api', '.cargo/config.toml', ['registries.private.token', 'registry.token'])).toBe(
      "api: .cargo/config.toml enters the build context without registries.private.token, registry.token. Cargo on this machine still reads them; a secret in a committed file is in git's history: keep tokens in $CARGO_HOME/credentials.toml or CARGO_REGISTRIES_<NAME>_TOKEN.",
    );
  });

  it('changes nothing but comments and layout in a config without secrets, and says nothing', () => {
    const plain = '[build]\n# a comment\ntarget-dir = "out"\n\n[source.crates-io]\nreplace-with = "vendored-sources"\n\n[source.vendored-sources]\ndirectory = "vendor"\n';
    const result = sanitizeCargoConfig(plain);
    expect(TOML.parse(result.text)).toEqual(TOML.parse(plain));
    expect(result.text).not.toContain('# a comment');
    expect(result.removed).toEqual([]);
    expect(sanitizedConfigMessage('api', '.cargo/config.toml', [])).toBeUndefined();
  });

  it('gives an empty file for a config made only of secrets', () => {
    const onlySecrets = sanitizeCargoConfig('[registry]\ntoken = "x"\n');
    expect(onlySecrets.text).toBe('');
    expect(onlySecrets.removed).toEqual(['registry.token']);
    expect(sanitizeCargoConfig('# nothing\n')).toEqual({ text: '', removed: [] });
  });

  it('refuses a config it cannot parse, naming the file and the place', () => {
    expect(() => sanitizeCargoConfig('[registries.x\ntoken = "s3cret"\n', '.cargo/config')).toThrow(
      /^\.cargo\/config is not valid TOML \(Unexpected character.* at row 1, col \d+, pos \d+:\), so it cannot enter a build context without its secrets: fix it \(cargo cannot read it either\)\.$/,
    );
  });
});

describe('isSecretEnvName', () => {
  it.each(['GITHUB_TOKEN', 'NPM_TOKENS', 'DB_PASSWORD', 'PGPASSWORD', 'MYSQL_PWD', 'AWS_SECRET_ACCESS_KEY', 'API_KEY', 'STRIPE_APIKEY', 'SIGNING_KEY', 'SSH_PRIVATE_KEY', 'BASIC_AUTH', 'GOOGLE_CREDENTIALS', 'client_secret'])(
    '%s is a secret',
    (name) => expect(isSecretEnvName(name)).toBe(true),
  );
  it.each(['RUST_LOG', 'OPENSSL_DIR', 'AUTHOR', 'KEYBOARD', 'MONKEY', 'PKG_CONFIG_PATH', 'CC', 'TOKENIZER_PATH'])('%s is not', (name) =>
    expect(isSecretEnvName(name)).toBe(false),
  );
});
