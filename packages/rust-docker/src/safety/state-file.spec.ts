import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeDir } from '../testing/fixtures';
import { hasFields, isString, readStateFile, writeStateFile } from './state-file';

describe('state files', () => {
  let dir: string;
  beforeEach(() => (dir = makeTempDir()));
  afterEach(() => removeDir(dir));
  const isStamp = hasFields<{ key: string }>({ key: isString });

  it('reads back what was written, leaving no temp file', () => {
    writeStateFile(join(dir, 'a', 'stamp.json'), { key: 'k' });
    expect(readStateFile(join(dir, 'a', 'stamp.json'), isStamp, 'stamp')).toEqual({ key: 'k' });
    expect(readdirSync(join(dir, 'a'))).toEqual(['stamp.json']);
  });

  it('discards a truncated or odd-shaped file with a warning naming it, so it is rebuilt', () => {
    const file = join(dir, 'lockfile.json');
    for (const [text, why] of [
      ['{"key": "abc", "lockf', 'Unterminated string in JSON'],
      ['', 'Unexpected end of JSON input'],
      ['{"key": 5}', 'not the shape this version writes'],
      ['null', 'not the shape this version writes'],
    ]) {
      writeFileSync(file, text);
      const warnings: string[] = [];
      expect(readStateFile(file, isStamp, 'lockfile stamp', (m) => warnings.push(m))).toBeUndefined();
      expect(warnings).toEqual([expect.stringContaining(`lockfile stamp ${file} is unreadable (`)]);
      expect(warnings[0]).toContain(why);
      expect(warnings[0]).toMatch(/; discarded, it will be rebuilt\.$/);
      expect(existsSync(file)).toBe(false);
    }
  });

  it('reads nothing, and says nothing, for a missing file', () => {
    const warnings: string[] = [];
    expect(readStateFile(join(dir, 'none.json'), isStamp, 'stamp', (m) => warnings.push(m))).toBeUndefined();
    expect(warnings).toEqual([]);
  });
});
