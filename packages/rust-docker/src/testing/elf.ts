/**
 * Test helper (used by *.spec.ts only): minimal ELF files, just enough for elfInterpreter —
 * the header, program headers right after it, then the contents of the segments that have
 * any (the PT_INTERP path).
 */
export const PT_LOAD = 1;
export const PT_INTERP = 3;
export const PT_PHDR = 6;

export interface ElfSegment {
  type: number;
  content?: string;
}

export function elfFile(options: { bits?: 32 | 64; little?: boolean; segments: ElfSegment[] }): Buffer {
  const { bits = 64, little = true, segments } = options;
  const ehsize = bits === 64 ? 64 : 52;
  const phentsize = bits === 64 ? 56 : 32;
  const dataStart = ehsize + phentsize * segments.length;
  const contents = segments.map((s) => Buffer.from(s.content ?? '', 'latin1'));
  const out = Buffer.alloc(dataStart + contents.reduce((n, c) => n + c.length, 0));
  const u16 = (v: number, o: number) => (little ? out.writeUInt16LE(v, o) : out.writeUInt16BE(v, o));
  const u32 = (v: number, o: number) => (little ? out.writeUInt32LE(v, o) : out.writeUInt32BE(v, o));
  const u64 = (v: number, o: number) => (little ? out.writeBigUInt64LE(BigInt(v), o) : out.writeBigUInt64BE(BigInt(v), o));
  const addr = (v: number, o: number) => (bits === 64 ? u64(v, o) : u32(v, o));
  out.writeUInt32BE(0x7f454c46, 0);
  out[4] = bits === 64 ? 2 : 1;
  out[5] = little ? 1 : 2;
  out[6] = 1;
  u16(2, 16); // ET_EXEC
  addr(ehsize, bits === 64 ? 32 : 28); // e_phoff
  u16(ehsize, bits === 64 ? 52 : 40);
  u16(phentsize, bits === 64 ? 54 : 42);
  u16(segments.length, bits === 64 ? 56 : 44);
  let data = dataStart;
  segments.forEach((segment, i) => {
    const ph = ehsize + i * phentsize;
    u32(segment.type, ph);
    addr(data, ph + (bits === 64 ? 8 : 4)); // p_offset
    addr(contents[i].length, ph + (bits === 64 ? 32 : 16)); // p_filesz
    contents[i].copy(out, data);
    data += contents[i].length;
  });
  return out;
}

/** A static executable (no PT_INTERP) and a dynamic one asking for `interpreter`. */
export const staticElf = () => elfFile({ segments: [{ type: PT_PHDR }, { type: PT_LOAD }] });
export const dynamicElf = (interpreter = '/lib64/ld-linux-x86-64.so.2') =>
  elfFile({ segments: [{ type: PT_PHDR }, { type: PT_INTERP, content: `${interpreter}\0` }, { type: PT_LOAD }] });
