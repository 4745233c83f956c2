import { crateNameProblem } from './crate-name';

describe('crateNameProblem', () => {
  it.each(['api', 'billing-api', 'user_service', 'a1', 'v2-gateway', 'a'.repeat(64), 'x', 'stdlib', 'console', 'com0', 'lpt10'])(
    'accepts %s',
    (name) => {
      expect(crateNameProblem(name)).toBeUndefined();
    },
  );

  it.each([
    ['empty', ''],
    ['blank', '   '],
  ])('rejects an %s name and shows how to pass one', (_, name) => {
    expect(crateNameProblem(name, 'service name')).toMatch(/the service name is empty: pass one, e\.g\. `nx g @org\/rust-docker:service api`/);
  });

  it('rejects a name longer than 64 characters, saying how long it is', () => {
    const name = 'a'.repeat(65);
    expect(crateNameProblem(name)).toBe(`"${name}" is 65 characters long; use at most 64`);
  });

  it.each([
    ['uppercase', 'Api'],
    ['camel case', 'billingApi'],
    ['a leading digit', '1api'],
    ['a leading dash', '-api'],
    ['a leading underscore', '_api'],
    ['a trailing dash', 'api-'],
    ['a trailing underscore', 'api_'],
    ['a double dash', 'billing--api'],
    ['mixed separators', 'billing-_api'],
    ['a dot', 'billing.api'],
    ['a slash', 'services/api'],
    ['a space', 'billing api'],
    ['non-ASCII letters', 'café'],
  ])('rejects a name with %s', (_, name) => {
    const problem = crateNameProblem(name, 'service name');
    expect(problem).toContain(`"${name}" is not a valid service name`);
    expect(problem).toContain('lowercase letters and digits');
  });

  it.each(['fn', 'self', 'async', 'type', 'gen', 'yield', 'crate'])('rejects the Rust keyword %s', (name) => {
    expect(crateNameProblem(name)).toBe(`"${name}" is a Rust keyword and cannot name a crate; choose another name`);
  });

  it.each(['std', 'core', 'alloc', 'proc_macro', 'proc-macro', 'test', 'build', 'deps', 'examples', 'incremental', 'target'])(
    'rejects the reserved name %s',
    (name) => {
      expect(crateNameProblem(name)).toMatch(/clashes with a built-in Rust crate or a Cargo folder/);
    },
  );

  it.each(['con', 'prn', 'aux', 'nul', 'com1', 'com9', 'lpt1', 'lpt9'])('rejects the Windows device name %s', (name) => {
    expect(crateNameProblem(name)).toMatch(/reserved file name on Windows/);
  });

  it('names what is being checked in the message', () => {
    expect(crateNameProblem('fn', 'service name')).toContain('choose another service name');
  });
});
