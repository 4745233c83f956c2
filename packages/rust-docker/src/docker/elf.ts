import { closeSync, openSync, readSync } from 'node:fs';

/**
 * The program interpreter an ELF executable asks for (e.g. /lib64/ld-linux-x86-64.so.2),
 * or undefined for a static binary. A dynamic binary cannot start in a scratch image.
 */
export function elfInterpreter(file: string): string | undefined {
  const fd = openSync(file, 'r');
  try {
    const header = Buffer.alloc(64);
    readSync(fd, header, 0, 64, 0);
    if (header.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${file} is not an ELF executable`);
    const is64 = header[4] === 2;
    const little = header[5] === 1;
    const u16 = (b: Buffer, o: number) => (little ? b.readUInt16LE(o) : b.readUInt16BE(o));
    const u32 = (b: Buffer, o: number) => (little ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const addr = (b: Buffer, o: number) => (is64 ? Number(little ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o)) : u32(b, o));
    const phoff = addr(header, is64 ? 32 : 28);
    const phentsize = u16(header, is64 ? 54 : 42);
    const phnum = u16(header, is64 ? 56 : 44);
    const entry = Buffer.alloc(phentsize);
    for (let i = 0; i < phnum; i++) {
      readSync(fd, entry, 0, phentsize, phoff + i * phentsize);
      if (u32(entry, 0) !== 3) continue; // PT_INTERP
      const offset = addr(entry, is64 ? 8 : 4);
      const size = addr(entry, is64 ? 32 : 16);
      const path = Buffer.alloc(size);
      readSync(fd, path, 0, size, offset);
      return path.toString('utf8').replace(/\0+$/, '');
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}
