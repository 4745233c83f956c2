import { checkImageReference, imageReferenceProblem } from './image-reference';

describe('image references (Docker reference grammar)', () => {
  it.each([
    'api',
    'api:latest',
    'team/api:1.2.3',
    'registry.example.com/team/api',
    'registry.example.com:5000/team/api:v1',
    '127.0.0.1:5000/rust:1.95-bookworm',
    'localhost/api',
    'gcr.io/distroless/static-debian12:nonroot',
    'a__b/c--d.e_f',
    `rust:1.95-bookworm@sha256:${'ab'.repeat(32)}`,
    `api@sha256:${'0'.repeat(64)}`,
    '[::1]:5000/api:x',
  ])('accepts %s', (ref) => {
    expect(imageReferenceProblem(ref)).toBeUndefined();
  });

  it.each([
    ['', 'it is empty'],
    ['-v', 'it starts with "-", so the engine would read it as a flag'],
    ['--privileged', 'it starts with "-", so the engine would read it as a flag'],
    ['Api', 'repository names must be lowercase'],
    ['api:', 'the tag is empty'],
    ['api:-x', 'the tag "-x" is not valid'],
    ['api:.x', 'the tag ".x" is not valid'],
    [`api:${'x'.repeat(129)}`, 'the tag is 129 characters long (at most 128)'],
    ['api@sha256:xyz', '"sha256:xyz" is not a digest'],
    ['a b', 'it contains whitespace'],
    ['api/', 'a repository name is lowercase letters'],
    ['../../etc', 'a repository name is lowercase letters'],
    [`${'a'.repeat(256)}`, 'the repository name is 256 characters long (at most 255)'],
  ])('refuses %j: %s', (ref, problem) => {
    expect(imageReferenceProblem(ref)).toContain(problem);
  });

  it('splits a valid reference and throws one line naming the option otherwise', () => {
    expect(checkImageReference('registry.example.com:5000/team/api:v1', 'image')).toEqual({ name: 'registry.example.com:5000/team/api', tag: 'v1', digest: undefined });
    expect(() => checkImageReference('-api', 'tag')).toThrow('tag "-api" is not a valid image reference: it starts with "-", so the engine would read it as a flag (e.g. registry.example.com/team/api:1.2.3).');
  });
});
