import assert from 'node:assert/strict';
import { formatReference, parseReference, parseRepository, apiHost } from '../../src/reference/reference.js';
import { RegsizeError } from '../../src/errors.js';

const digest = `sha256:${'a'.repeat(64)}`;

describe('reference: Docker normalisation', () => {
  const cases: [string, string, string, string | undefined, string | undefined][] = [
    ['python', 'docker.io', 'library/python', 'latest', undefined],
    ['python:3.11-slim', 'docker.io', 'library/python', '3.11-slim', undefined],
    ['user/app', 'docker.io', 'user/app', 'latest', undefined],
    ['docker.io/python', 'docker.io', 'library/python', 'latest', undefined],
    ['index.docker.io/library/python:3', 'docker.io', 'library/python', '3', undefined],
    ['ghcr.io/org/app:tag', 'ghcr.io', 'org/app', 'tag', undefined],
    ['host:5000/a/b@' + digest, 'host:5000', 'a/b', undefined, digest],
    ['name:tag@' + digest, 'docker.io', 'library/name', 'tag', digest],
    ['localhost/app', 'localhost', 'app', 'latest', undefined],
    ['localhost:5000/app:1', 'localhost:5000', 'app', '1', undefined],
    ['127.0.0.1:5000/a/b/c:v1.2_3', '127.0.0.1:5000', 'a/b/c', 'v1.2_3', undefined],
    ['[::1]:5000/app', '[::1]:5000', 'app', 'latest', undefined],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:prod', '123456789012.dkr.ecr.eu-west-1.amazonaws.com', 'app', 'prod', undefined],
    ['a__b/c-d--e/f.g', 'docker.io', 'a__b/c-d--e/f.g', 'latest', undefined],
  ];
  for (const [input, registry, repository, tag, dig] of cases) {
    it(`parses ${input}`, () => {
      const r = parseReference(input);
      assert.equal(r.registry, registry);
      assert.equal(r.repository, repository);
      assert.equal(r.tag, tag);
      assert.equal(r.digest, dig);
      assert.equal(r.input, input);
    });
  }

  it('formats the fully qualified name the JSON contract shows', () => {
    assert.equal(formatReference(parseReference('python:3.11-slim')), 'docker.io/library/python:3.11-slim');
    assert.equal(formatReference(parseReference('ghcr.io/o/a@' + digest)), `ghcr.io/o/a@${digest}`);
  });

  it('talks to registry-1.docker.io for Docker Hub', () => {
    assert.equal(apiHost('docker.io'), 'registry-1.docker.io');
    assert.equal(apiHost('ghcr.io'), 'ghcr.io');
  });

  const bad: [string, RegExp][] = [
    ['', /name is empty/],
    ['   ', /only spaces/],
    [' python', /remove the spaces/],
    ['python:3.12 ', /remove the spaces/],
    ['Python:3', /must be lowercase/],
    ['user/App', /must be lowercase/],
    ['python@sha256:abc', /sha256 needs 64/],
    ['python@md5:' + 'a'.repeat(32), /unsupported digest algorithm/],
    ['python@sha256:' + 'A'.repeat(64), /lowercase hex/],
    ['python:-bad', /invalid tag/],
    ['python:' + 'a'.repeat(129), /invalid tag/],
    ['https://ghcr.io/org/app', /leave out the scheme/],
    ['py thon', /spaces/],
    ['ghcr.io/', /repository name is empty|invalid repository/],
    [':tag', /name is empty/],
    ['a//b', /invalid repository name/],
    ['-a/b', /invalid (repository name|registry host)/],
  ];
  for (const [input, why] of bad) {
    it(`rejects ${JSON.stringify(input)} with INVALID_REFERENCE`, () => {
      assert.throws(
        () => parseReference(input),
        (e: unknown) => e instanceof RegsizeError && e.code === 'INVALID_REFERENCE' && why.test(e.message) && !e.message.includes('\n'),
      );
    });
  }

  it('takes a repository without tag for tags listings', () => {
    assert.deepEqual(parseRepository('python'), { input: 'python', registry: 'docker.io', repository: 'library/python' });
    assert.throws(() => parseRepository('python:3.12'), /give the repository alone/);
    assert.throws(() => parseRepository('python@' + digest), /give the repository alone/);
  });
});
