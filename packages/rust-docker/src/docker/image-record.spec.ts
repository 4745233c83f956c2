import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeDir } from '../testing/fixtures';
import { imageRecordPath, readImageRecord, writeImageRecord, type ImageRecord } from './image-record';

describe('image record', () => {
  let dir: string;
  beforeEach(() => (dir = makeTempDir()));
  afterEach(() => removeDir(dir));

  const record: ImageRecord = {
    project: 'api',
    image: 'api',
    id: 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    tags: ['api:latest', 'api:0123456789ab'],
    size: 12_345_678,
    engine: 'buildx',
    cacheMounts: true,
    vendored: true,
    strategy: 'compile',
    reused: false,
    builtAt: '2025-01-01T00:00:00.000Z',
    durationMs: 4321,
  };

  it('writes a record that reads back equal, creating folders, as pretty JSON with a final newline', () => {
    const file = join(dir, 'dist/services/api/docker/image.json');
    writeImageRecord(file, record);
    expect(readImageRecord(file)).toEqual(record);
    const text = readFileSync(file, 'utf8');
    expect(JSON.parse(text)).toEqual(record);
    expect(text).toBe(`${JSON.stringify(record, null, 2)}\n`);
  });

  it('keeps the registry digest of a pushed image and the reuse of an earlier build', () => {
    const file = join(dir, 'image.json');
    const pushed: ImageRecord = { ...record, strategy: 'prebuilt', reused: true, digest: `sha256:${'cd'.repeat(32)}` };
    writeImageRecord(file, pushed);
    expect(readImageRecord(file)).toEqual(pushed);
  });

  it('leaves no temporary file behind and replaces an earlier record', () => {
    const file = join(dir, 'image.json');
    writeImageRecord(file, record);
    writeImageRecord(file, { ...record, size: 1 });
    expect(readImageRecord(file)!.size).toBe(1);
    expect(readdirSync(dir)).toEqual(['image.json']);
  });

  it('reads undefined for a missing record, and discards an unreadable one with a warning', () => {
    expect(readImageRecord(join(dir, 'none.json'))).toBeUndefined();
    writeFileSync(join(dir, 'broken.json'), '{ "project": ');
    const warnings: string[] = [];
    expect(readImageRecord(join(dir, 'broken.json'), (m) => warnings.push(m))).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/^image record .*broken\.json is unreadable \(.*\); discarded, it will be rebuilt\.$/)]);
    expect(existsSync(join(dir, 'broken.json'))).toBe(false);
  });

  it('discards a record whose fields could reach the engine as something else', () => {
    const cases: Array<Partial<Record<keyof ImageRecord, unknown>>> = [
      { image: '--privileged' },
      { id: 'sha256:../../etc' },
      { tags: ['api:latest', '-v'] },
      { archive: '../../../etc/passwd' },
      { digest: 'md5:abc' },
      { tags: 'api:latest' },
    ];
    for (const change of cases) {
      const file = join(dir, 'odd.json');
      writeFileSync(file, JSON.stringify({ ...record, ...change }));
      const warnings: string[] = [];
      expect(readImageRecord(file, (m) => warnings.push(m))).toBeUndefined();
      expect(warnings[0]).toContain('not the shape this version writes');
    }
  });
});

describe('imageRecordPath', () => {
  it("lies in the docker-build target's output under dist/<project root>/docker", () => {
    expect(imageRecordPath('/ws', 'services/api')).toBe('/ws/dist/services/api/docker/image.json');
  });

  it('has no empty path segment for a project at the workspace root', () => {
    expect(imageRecordPath('/ws', '.')).toBe('/ws/dist/docker/image.json');
  });
});
