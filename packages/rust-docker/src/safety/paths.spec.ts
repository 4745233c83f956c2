import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeDir, writeFiles } from '../testing/fixtures';
import { copyFileNoFollow, ensureOwnDir, projectFolderName, resolveInside, writeFileAtomic } from './paths';

describe('paths stay inside the workspace', () => {
  let ws: string;
  let outside: string;
  beforeEach(() => {
    ws = makeTempDir();
    outside = makeTempDir();
  });
  afterEach(() => {
    removeDir(ws);
    removeDir(outside);
  });

  it('resolves a path inside, and refuses one that climbs out or is absolute elsewhere', () => {
    expect(resolveInside(ws, 'dist/api/image.json', 'outputFile')).toBe(join(ws, 'dist/api/image.json'));
    expect(resolveInside(ws, 'a/../b', 'outputFile')).toBe(join(ws, 'b'));
    expect(() => resolveInside(ws, 'foo/../../x', 'outputFile')).toThrow(`outputFile "foo/../../x" resolves to ${join(ws, '..', 'x')}, outside the workspace ${ws}: use a path inside the workspace.`);
    expect(() => resolveInside(ws, '/etc/passwd', 'dockerfile')).toThrow('dockerfile "/etc/passwd" resolves to /etc/passwd, outside the workspace');
  });

  it('refuses a path that leaves through a symlink already on disk, even below it', () => {
    symlinkSync(outside, join(ws, 'dist'));
    expect(() => resolveInside(ws, 'dist/api/docker/image.json', 'outputFile')).toThrow(
      `outputFile dist/api/docker/image.json leads outside the workspace through a symlink (dist → ${outside}): remove the symlink, or choose another path.`,
    );
    mkdirSync(join(ws, 'in'));
    symlinkSync(join(ws, 'in'), join(ws, 'alias'));
    expect(resolveInside(ws, 'alias/x', 'outputFile')).toBe(join(ws, 'alias/x')); // a symlink that stays inside is fine
  });

  it('makes one folder name of any project name, never . or ..', () => {
    expect(projectFolderName('api')).toBe('api');
    expect(projectFolderName('@org/api')).toBe('@org+api');
    expect(projectFolderName('../../../evil')).toBe('..+..+..+evil');
    expect(() => projectFolderName('..')).toThrow('project name ".." cannot name a folder: rename the project.');
  });

  it('replaces a symlink or a file standing where its own folder goes, without following it', () => {
    writeFiles(outside, { 'keep.txt': 'precious' });
    mkdirSync(join(ws, 'own'));
    symlinkSync(outside, join(ws, 'own', 'sub'));
    writeFiles(ws, { 'own/file-in-the-way': 'x' });
    ensureOwnDir(join(ws, 'own'), 'sub/deeper');
    ensureOwnDir(join(ws, 'own'), 'file-in-the-way/x');
    expect(lstatSync(join(ws, 'own/sub')).isDirectory()).toBe(true);
    expect(existsSync(join(ws, 'own/sub/deeper'))).toBe(true);
    expect(lstatSync(join(ws, 'own/file-in-the-way')).isDirectory()).toBe(true);
    expect(readdirSync(outside)).toEqual(['keep.txt']);
  });

  it('writes atomically and copies without writing through a symlink at the destination', () => {
    writeFiles(outside, { 'target.txt': 'precious' });
    symlinkSync(join(outside, 'target.txt'), join(ws, 'state.json'));
    writeFileAtomic(join(ws, 'state.json'), '{}');
    expect(lstatSync(join(ws, 'state.json')).isFile()).toBe(true);
    expect(readFileSync(join(outside, 'target.txt'), 'utf8')).toBe('precious');
    expect(readdirSync(ws)).toEqual(['state.json']); // no temp file left

    writeFiles(ws, { 'src.bin': 'binary' });
    symlinkSync(join(outside, 'target.txt'), join(ws, 'copy.bin'));
    copyFileNoFollow(join(ws, 'src.bin'), join(ws, 'copy.bin'));
    expect(readFileSync(join(ws, 'copy.bin'), 'utf8')).toBe('binary');
    expect(readFileSync(join(outside, 'target.txt'), 'utf8')).toBe('precious');
    writeFileSync(join(ws, 'plain'), 'old');
    copyFileNoFollow(join(ws, 'src.bin'), join(ws, 'plain'));
    expect(readFileSync(join(ws, 'plain'), 'utf8')).toBe('binary');
  });
});
