import { makeTempDir, modelOf, pkg, removeDir, writeFiles } from '../testing/fixtures';
import { planWatch, watchPlanOnDisk } from './watch-plan';

describe('planWatch', () => {
  const manifests = {
    'Cargo.toml': '[workspace]\nmembers = ["services/*", "libs/*"]\n',
    'services/api/Cargo.toml': pkg('api', '[dependencies]\ncore = { path = "../../libs/core" }\n[build-dependencies]\ncodegen = { path = "../../libs/codegen" }\n[dev-dependencies]\nfixtures = { path = "../../libs/fixtures" }'),
    'services/worker/Cargo.toml': pkg('worker', '[dependencies]\ncore = { path = "../../libs/core" }'),
    'libs/core/Cargo.toml': pkg('core', '[dependencies]\nutil = { path = "../util" }'),
    'libs/util/Cargo.toml': pkg('util'),
    'libs/codegen/Cargo.toml': pkg('codegen'),
    'libs/fixtures/Cargo.toml': pkg('fixtures'),
  };

  it('watches the crate and every crate it is built from, never dev-dependencies or other services', () => {
    const plan = planWatch(modelOf(manifests), 'services/api');
    expect(plan.dirs).toEqual(['libs/codegen', 'libs/core', 'libs/util', 'services/api']);
    expect(plan.excluded).toEqual([]);
  });

  it('watches the Cargo root files that decide every build', () => {
    expect(planWatch(modelOf(manifests), 'libs/util').files).toEqual([
      'Cargo.toml',
      'Cargo.lock',
      'rust-toolchain.toml',
      'rust-toolchain',
      '.cargo/config.toml',
      '.cargo/config',
    ]);
  });

  it('leaves out crates nested in a watched folder that the build does not use', () => {
    const nested = {
      'Cargo.toml': `${pkg('app')}\n[workspace]\nmembers = ["tools/gen", "libs/core"]\n[dependencies]\ncore = { path = "libs/core" }\n`,
      'libs/core/Cargo.toml': pkg('core'),
      'tools/gen/Cargo.toml': pkg('gen'),
    };
    const plan = planWatch(modelOf(nested), '.');
    expect(plan.dirs).toEqual(['.', 'libs/core']);
    expect(plan.excluded).toEqual(['tools/gen']);
  });

  it('uses the Cargo root of a nested workspace', () => {
    const plan = planWatch(modelOf({ 'rust/Cargo.toml': '[workspace]\nmembers = ["api"]\n', 'rust/api/Cargo.toml': pkg('api') }), 'rust/api');
    expect(plan.files.slice(0, 2)).toEqual(['rust/Cargo.toml', 'rust/Cargo.lock']);
  });

  it('says what serve needs when the folder holds no crate', () => {
    expect(() => planWatch(modelOf(manifests), 'services/nothing')).toThrow('no crate in services/nothing: serve needs the folder of a Cargo package');
  });

  it('reads the manifests on disk', () => {
    const root = makeTempDir();
    try {
      writeFiles(root, { ...manifests, 'libs/core/src/lib.rs': '', 'libs/util/src/lib.rs': '', 'services/worker/src/main.rs': 'fn main() {}' });
      expect(watchPlanOnDisk(root, 'services/worker').dirs).toEqual(['libs/core', 'libs/util', 'services/worker']);
    } finally {
      removeDir(root);
    }
  });
});
