import { makeTempDir, removeDir, writeFiles } from '../testing/fixtures';
import { initSupport, podmanInitPath } from './init-process';

describe('initSupport', () => {
  it('always has an init with Docker: the engine ships it', () => {
    expect(initSupport('docker', () => false)).toEqual({ init: true });
  });

  it('has one with Podman only when its init binary is installed, and says what to install otherwise', () => {
    expect(initSupport('podman', () => true)).toEqual({ init: true });
    const without = initSupport('podman', () => false);
    expect(without.init).toBe(false);
    expect(without.warning).toMatch(/^podman has no init binary \(\S+ is missing; install catatonit\): the service runs as PID 1, so if it does not handle SIGTERM itself it takes 10 s to stop\.$/);
  });
});

describe('podmanInitPath', () => {
  it("is Podman's default, or the last init_path its configuration sets (drop-ins last, in order)", () => {
    const root = makeTempDir();
    try {
      writeFiles(root, {
        'share.conf': '[containers]\n#init_path = "/commented/out"\n',
        'etc.conf': '[containers]\ninit_path = "/usr/bin/catatonit"\n',
        'etc.conf.d/10-a.conf': '[containers]\ninit = true\n',
        'etc.conf.d/20-b.conf': '[containers]\n  init_path = "/opt/init/catatonit"\n',
      });
      expect(podmanInitPath([`${root}/share.conf`])).toBe('/usr/libexec/podman/catatonit');
      expect(podmanInitPath([`${root}/share.conf`, `${root}/etc.conf`])).toBe('/usr/bin/catatonit');
      expect(podmanInitPath([`${root}/share.conf`, `${root}/etc.conf`, `${root}/etc.conf.d`, `${root}/missing.conf`])).toBe('/opt/init/catatonit');
    } finally {
      removeDir(root);
    }
  });
});
