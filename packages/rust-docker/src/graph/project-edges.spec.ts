import { modelOf, pkg } from '../testing/fixtures';
import { edgesBetweenProjects } from './project-edges';

describe('edgesBetweenProjects', () => {
  const model = modelOf({
    'Cargo.toml': '[workspace]\nmembers = ["*"]\n',
    'app/Cargo.toml': pkg('app', '[dependencies]\nmid = { path = "../mid" }\n[dev-dependencies]\ntestkit = { path = "../testkit" }'),
    'mid/Cargo.toml': pkg('mid', '[dependencies]\nleaf = { path = "../leaf" }\nhidden = { path = "../hidden" }\n[dev-dependencies]\nbench = { path = "../bench" }'),
    'hidden/Cargo.toml': pkg('hidden', '[build-dependencies]\ngen = { path = "../gen" }'),
    'testkit/Cargo.toml': pkg('testkit', '[dependencies]\nleaf = { path = "../leaf" }'),
    'leaf/Cargo.toml': pkg('leaf'),
    'gen/Cargo.toml': pkg('gen'),
    'bench/Cargo.toml': pkg('bench'),
  });
  const edges = (projects: string[]) =>
    edgesBetweenProjects(model, (dir) => projects.includes(dir))
      .map((d) => `${d.from} -${d.kind}-> ${d.to}`)
      .sort();

  it('is the crate graph itself when every crate is a project', () => {
    const all = ['app', 'mid', 'hidden', 'testkit', 'leaf', 'gen', 'bench'];
    expect(edges(all)).toEqual(model.dependencies.map((d) => `${d.from} -${d.kind}-> ${d.to}`).sort());
  });

  it('passes through crates that are no project, with the kind of the first edge, never through their dev-dependencies', () => {
    expect(edges(['app', 'leaf', 'gen', 'bench'])).toEqual(['app -dev-> leaf', 'app -normal-> gen', 'app -normal-> leaf']);
  });
});
