import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { dockerGenerator } from '../generators/docker/generator';
it('probe', async () => {
  const tree = createTreeWithEmptyWorkspace();
  tree.write('svc/Cargo.toml', '[package]\nname = "svc"\nversion = "0.1.0"\n');
  tree.write('svc/src/main.rs', 'const DEFAULT_PORT: u16 = 3000;\nfn main() {}\n');
  tree.write('svc/Dockerfile', 'FROM rust\nCMD ["svc"]\n');
  await dockerGenerator(tree, { project: 'svc', force: true, skipFormat: true });
  process.stdout.write(String(/EXPOSE \d+/.exec(tree.read('svc/Dockerfile', 'utf8')!)) + '\n');
});
