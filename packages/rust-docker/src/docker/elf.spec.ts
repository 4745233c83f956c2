import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { elfFile as elf, PT_INTERP, PT_LOAD, PT_PHDR, staticElf } from '../testing/elf';
import { makeTempDir, removeDir } from '../testing/fixtures';
import { elfInterpreter } from './elf';

describe('elfInterpreter', () => {
  let dir: string;
  const write = (name: string, content: Buffer | string) => {
    const file = join(dir, name);
    writeFileSync(file, content);
    return file;
  };
  beforeAll(() => (dir = makeTempDir()));
  afterAll(() => removeDir(dir));

  it('names the program interpreter of a dynamically linked system binary', () => {
    const interpreter = elfInterpreter('/bin/ls');
    expect(interpreter).toMatch(/^\/.*\/ld[-.][\w.-]*\.so(\.\d+)*$/);
    expect(existsSync(interpreter!)).toBe(true);
    expect(interpreter).not.toContain('\0');
  });

  it('agrees on the Node binary running these tests, which is dynamically linked too', () => {
    expect(elfInterpreter(process.execPath)).toBe(elfInterpreter('/bin/ls'));
  });

  it.each([
    [64, true],
    [64, false],
    [32, true],
    [32, false],
  ] as const)('reads PT_INTERP of a %i-bit ELF (little-endian: %s), after other segments', (bits, little) => {
    const file = write(`dyn-${bits}-${little}`, elf({ bits, little, segments: [{ type: PT_PHDR }, { type: PT_LOAD }, { type: PT_INTERP, content: '/lib/ld-musl-x86_64.so.1\0' }] }));
    expect(elfInterpreter(file)).toBe('/lib/ld-musl-x86_64.so.1');
  });

  it.each([64, 32] as const)('is undefined for a static %i-bit ELF, which has no PT_INTERP', (bits) => {
    expect(elfInterpreter(write(`static-${bits}`, elf({ bits, little: true, segments: [{ type: PT_PHDR }, { type: PT_LOAD }, { type: PT_LOAD }] })))).toBeUndefined();
    expect(elfInterpreter(write(`bare-${bits}`, elf({ bits, little: true, segments: [] })))).toBeUndefined();
  });

  it('tells the helpers\' static and dynamic executables apart', () => {
    expect(elfInterpreter(write('static', staticElf()))).toBeUndefined();
  });

  it('keeps the path without its terminating NUL bytes', () => {
    const file = write('padded', elf({ bits: 64, little: true, segments: [{ type: PT_INTERP, content: '/lib64/ld-linux-x86-64.so.2\0\0\0' }] }));
    expect(elfInterpreter(file)).toBe('/lib64/ld-linux-x86-64.so.2');
  });

  it('throws for a file that is not ELF, naming it', () => {
    const script = write('script.sh', '#!/bin/sh\necho hello\n');
    expect(() => elfInterpreter(script)).toThrow(`${script} is not an ELF executable`);
    const empty = write('empty', '');
    expect(() => elfInterpreter(empty)).toThrow(`${empty} is not an ELF executable`);
    expect(() => elfInterpreter(write('pe.exe', Buffer.from('MZ\x90\x00', 'latin1')))).toThrow('is not an ELF executable');
  });

  it('throws for a file that does not exist', () => {
    expect(() => elfInterpreter(join(dir, 'missing'))).toThrow(/ENOENT/);
  });
});
