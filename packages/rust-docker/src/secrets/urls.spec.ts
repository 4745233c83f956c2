import { redactProxy, redactUrls } from './urls';

describe('redactUrls', () => {
  it.each([
    ['https://user:s3cret@git.example.com/org/repo.git', 'https://git.example.com/org/repo.git'],
    ['https://ghp_token@github.com/org/repo', 'https://github.com/org/repo'],
    ['https://user:p@ss@host.example.com:8443/x?y#z', 'https://host.example.com:8443/x?y#z'],
    ['ssh://git@git.example.com/org/repo.git', 'ssh://git.example.com/org/repo.git'],
    ['sparse+https://u:t@cargo.example.com/index/', 'sparse+https://cargo.example.com/index/'],
    ['registry+https://u:t@cargo.example.com/index', 'registry+https://cargo.example.com/index'],
    ['git+https://x-access-token:abc@github.com/o/r', 'git+https://github.com/o/r'],
  ])('%s → %s', (url, redacted) => {
    expect(redactUrls(url)).toBe(redacted);
  });

  it.each([
    'https://git.example.com/org/repo.git',
    'git@github.com:org/repo.git',
    'https://example.com/users/@me',
    'https://example.com/a?mail=me@example.com',
    'file:///home/me/repo',
    '/home/me/repo',
    'me@example.com',
  ])('leaves %s as it is', (text) => {
    expect(redactUrls(text)).toBe(text);
  });

  it('redacts every URL of a log line and keeps the rest', () => {
    expect(redactUrls('failed to fetch `https://u:tok@a.example/x` (also http://v:w@b.example), giving up')).toBe(
      'failed to fetch `https://a.example/x` (also http://b.example), giving up',
    );
  });
});

describe('redactProxy', () => {
  it.each([
    ['user:pass@proxy.example.com:3128', 'proxy.example.com:3128'],
    ['http://user:pass@proxy.example.com:3128', 'http://proxy.example.com:3128'],
    ['proxy.example.com:3128', 'proxy.example.com:3128'],
    ['http://proxy.example.com:3128', 'http://proxy.example.com:3128'],
  ])('%s → %s', (value, redacted) => {
    expect(redactProxy(value)).toBe(redacted);
  });
});
