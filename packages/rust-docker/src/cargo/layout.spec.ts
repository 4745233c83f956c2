import { makeTempDir, removeDir, writeFiles } from '../testing/fixtures';
import { FolderListings } from './layout';

describe('FolderListings', () => {
  let root: string;
  beforeEach(() => {
    root = makeTempDir();
    writeFiles(root, {
      'Cargo.toml': '[workspace]\n',
      '.dockerignore': 'target\n',
      'services/api/Cargo.toml': '',
      'services/api/Dockerfile': 'FROM scratch\n',
      'services/api/src/main.rs': '',
      'services/api/src/bin/tool.rs': '',
      'services/api/src/bin/admin/main.rs': '',
    });
  });
  afterEach(() => removeDir(root));

  describe('has', () => {
    it('tells whether a path exists under a workspace-relative folder', () => {
      const listings = new FolderListings(root);
      expect(listings.has('services/api', 'src/main.rs')).toBe(true);
      expect(listings.has('services/api', 'Dockerfile')).toBe(true);
      expect(listings.has('services/api', 'src/lib.rs')).toBe(false);
      expect(listings.has('services/worker', 'Dockerfile')).toBe(false);
    });

    it('takes "." for the workspace root, and "." for the folder itself', () => {
      const listings = new FolderListings(root);
      expect(listings.has('.', '.dockerignore')).toBe(true);
      expect(listings.has('.', 'Cargo.lock')).toBe(false);
      expect(listings.has('.', '.')).toBe(true);
      expect(listings.has('services/api', '.')).toBe(true);
      expect(listings.has('services/none', '.')).toBe(false);
    });

    it('sees folders as well as files', () => {
      expect(new FolderListings(root).has('services/api', 'src/bin/admin')).toBe(true);
    });

    it('asks the disk once per path: later changes are not seen by the same instance, only by a new one', () => {
      const listings = new FolderListings(root);
      expect(listings.has('services/api', 'src/lib.rs')).toBe(false);
      expect(listings.has('services/api', 'Dockerfile')).toBe(true);
      writeFiles(root, { 'services/api/src/lib.rs': '' });
      removeDir(`${root}/services/api/Dockerfile`);
      expect(listings.has('services/api', 'src/lib.rs')).toBe(false);
      expect(listings.has('services/api', 'Dockerfile')).toBe(true);
      const fresh = new FolderListings(root);
      expect(fresh.has('services/api', 'src/lib.rs')).toBe(true);
      expect(fresh.has('services/api', 'Dockerfile')).toBe(false);
    });

    it('answers the same for one path however the folder and relative part split it', () => {
      const listings = new FolderListings(root);
      expect(listings.has('services/api', 'src/lib.rs')).toBe(false);
      writeFiles(root, { 'services/api/src/lib.rs': '' });
      // services + api/src/lib.rs is the same key, so the same (memoized) answer.
      expect(listings.has('services', 'api/src/lib.rs')).toBe(false);
      expect(listings.has('.', 'services/api/src/lib.rs')).toBe(false);
    });
  });

  describe('list', () => {
    it('lists the names in a folder, files and folders alike', () => {
      const listings = new FolderListings(root);
      expect(listings.list('services/api/src/bin').sort()).toEqual(['admin', 'tool.rs']);
      expect(listings.list('services/api').sort()).toEqual(['Cargo.toml', 'Dockerfile', 'src']);
    });

    it('lists the workspace root as "."', () => {
      expect(new FolderListings(root).list('.').sort()).toEqual(['.dockerignore', 'Cargo.toml', 'services']);
    });

    it('is empty for a folder that does not exist', () => {
      expect(new FolderListings(root).list('services/worker/src/bin')).toEqual([]);
    });

    it('lists a folder once', () => {
      const listings = new FolderListings(root);
      const first = listings.list('services/api/src/bin');
      writeFiles(root, { 'services/api/src/bin/late.rs': '' });
      expect(listings.list('services/api/src/bin')).toBe(first);
      expect(new FolderListings(root).list('services/api/src/bin').sort()).toEqual(['admin', 'late.rs', 'tool.rs']);
    });

    it('remembers a missing folder as empty, even once it is created', () => {
      const listings = new FolderListings(root);
      expect(listings.list('services/worker')).toEqual([]);
      writeFiles(root, { 'services/worker/Cargo.toml': '' });
      expect(listings.list('services/worker')).toEqual([]);
    });
  });
});
