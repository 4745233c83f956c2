import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeDir, writeFiles } from '../testing/fixtures';
import { containerEnvNames, containerEnvValues, interpolate } from './container-env';

describe('containerEnvNames', () => {
  it('names PORT and every variable of the option, once each', () => {
    expect(containerEnvNames(8080, { RUST_LOG: 'info', PORT: 9000, DB_PASSWORD: 'x' })).toEqual(['PORT', 'RUST_LOG', 'DB_PASSWORD']);
    expect(containerEnvNames(8080, undefined)).toEqual(['PORT']);
  });

  it('refuses a name that would put a value in the argv, or is no name at all', () => {
    expect(() => containerEnvNames(1, { 'A=s3cret': 'x' })).toThrow('env "A=s3cret" is not a variable name: use letters, digits and _ (e.g. "RUST_LOG").');
    expect(() => containerEnvNames(1, { '': 'x' })).toThrow('env "" is not a variable name');
    expect(() => containerEnvNames(1, { 'A B': 'x' })).toThrow('env "A B" is not a variable name');
  });

  it.each(['DOCKER_HOST', 'docker_config', 'CONTAINER_HOST', 'PODMAN_USERNS', 'PATH', 'HOME', 'HTTPS_PROXY', 'no_proxy', 'LD_PRELOAD', 'XDG_RUNTIME_DIR', 'BUILDKIT_PROGRESS'])(
    'refuses %s, which the CLI reads itself',
    (name) => {
      expect(() => containerEnvNames(1, { [name]: 'x' }, 'podman')).toThrow(
        `env ${name}: the podman CLI reads ${name} itself, so it cannot pass it to the container without also obeying it; set it in the image (ENV in the Dockerfile) or use another name.`,
      );
    },
  );

  it.each(['RUST_LOG', 'DATABASE_URL', 'APP_HOME', 'MY_PATH', 'DOCKERISH', 'GOOGLE_APPLICATION_CREDENTIALS', 'LDAP_URL'])('accepts %s', (name) => {
    expect(containerEnvNames(1, { [name]: 'x' })).toContain(name);
  });
});

describe('containerEnvValues', () => {
  const host = { APP_SECRET: 's3cret', EMPTY: '' };

  it('takes ${NAME} from this process environment, anywhere in a value, and numbers and booleans as text', () => {
    expect(containerEnvValues(8080, { SECRET: '${APP_SECRET}', URL: 'postgres://app:${APP_SECRET}@db/app', N: 3, B: false, E: '${EMPTY}' }, host)).toEqual({
      PORT: '8080',
      SECRET: 's3cret',
      URL: 'postgres://app:s3cret@db/app',
      N: '3',
      B: 'false',
      E: '',
    });
  });

  it('keeps $${ as a literal ${, and a lone $ as it is', () => {
    expect(interpolate('X', 'cost $5, literal $${HOME}', host)).toBe('cost $5, literal ${HOME}');
  });

  it('says what to do when a referenced variable is not set, or the reference is not one', () => {
    expect(() => containerEnvValues(1, { DB_PASSWORD: '${DB_PASSWORD}' }, host)).toThrow(
      'env DB_PASSWORD: ${DB_PASSWORD} is not set in this environment: export it (or put it in a git-ignored .env file, which Nx loads), then retry.',
    );
    expect(() => containerEnvValues(1, { X: '${not valid}' }, host)).toThrow('env X: "${not valid}" is not a variable reference; write ${NAME}, or $${ for a literal "${".');
  });

  it('refuses a value with a NUL character', () => {
    expect(() => containerEnvValues(1, { X: 'a\0b' }, host)).toThrow('env X: a value cannot hold a NUL character.');
  });
});

describe('-e NAME with the value in the CLI environment', () => {
  let dir: string;
  beforeEach(() => (dir = makeTempDir()));
  afterEach(() => removeDir(dir));

  // A stand-in CLI that prints its argv and the value of each `-e NAME` it was given, as
  // docker and podman resolve a bare `-e NAME` (the e2e suite proves it with the real engine).
  it('hands every value over with none in the argv', () => {
    writeFiles(dir, {
      cli: '#!/bin/sh\necho "argv: $*"\nwhile [ $# -gt 0 ]; do if [ "$1" = -e ]; then shift; eval "echo \\"$1=\\${$1}\\""; fi; shift; done\n',
    });
    chmodSync(join(dir, 'cli'), 0o755);
    const env = { DB_PASSWORD: 's3cret value with spaces', MULTI: 'line one\nline two' };
    const names = containerEnvNames(8080, env);
    const values = containerEnvValues(8080, env, {});
    const args = ['run', ...names.flatMap((n) => ['-e', n]), 'image'];
    const out = spawnSync(join(dir, 'cli'), args, { env: { ...process.env, ...values }, encoding: 'utf8' }).stdout;
    expect(out.split('\n')[0]).toBe('argv: run -e PORT -e DB_PASSWORD -e MULTI image');
    expect(out).toContain('PORT=8080\nDB_PASSWORD=s3cret value with spaces\nMULTI=line one\nline two\n');
  });
});
