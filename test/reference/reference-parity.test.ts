/**
 * References as docker reads them. The tables are distribution/reference's own
 * (normalize_test.go: TestValidateReferenceName, TestValidateRemoteName, TestParseRepositoryInfo,
 * TestNormalizedSplitHostname, TestParseDockerRef, TestParseReferenceWithTagAndDigest;
 * reference_test.go: TestReferenceParse, read through ParseNormalizedNamed as docker does;
 * Apache-2.0), ported case by case so that a name docker pulls is a name regsize sizes, and a
 * name docker refuses is refused here before any network call.
 */
import assert from 'node:assert/strict';
import { parseReference } from '../../src/reference/reference.js';
import { RegsizeError } from '../../src/errors.js';
import { DOMAINS, dockerName, IDENTIFIERS, NAMES, REFERENCES } from './distribution-cases.js';

const ff = 'f'.repeat(64);
const refused = (input: string) =>
  assert.throws(() => parseReference(input), (e: unknown) => e instanceof RegsizeError && e.code === 'INVALID_REFERENCE' && !e.message.includes('\n'), `refuses ${JSON.stringify(input)}`);
/** What docker's ParseDockerRef prints: the digest alone when there is one, else the tag. */
const dockerRef = (input: string) => {
  const r = parseReference(input);
  return `${r.registry}/${r.repository}${r.digest ? `@${r.digest}` : `:${r.tag}`}`;
};

describe('distribution/reference TestValidateReferenceName', () => {
  const valid = [
    'docker/docker', 'library/debian', 'debian', 'localhost/library/debian', 'localhost/debian', 'LOCALDOMAIN/library/debian', 'LOCALDOMAIN/debian',
    'docker.io/docker/docker', 'docker.io/library/debian', 'docker.io/debian', 'index.docker.io/docker/docker', 'index.docker.io/library/debian',
    'index.docker.io/debian', '127.0.0.1:5000/docker/docker', '127.0.0.1:5000/library/debian', '127.0.0.1:5000/debian', '192.168.0.1', '192.168.0.1:80',
    '192.168.0.1:8/debian', '192.168.0.2:25000/debian', 'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev', '[fc00::1]:5000/docker',
    '[fc00::1]:5000/docker/docker', '[fc00:1:2:3:4:5:6:7]:5000/library/debian', 'docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
    'Docker/docker', 'DOCKER/docker',
  ];
  const invalid = [
    'https://github.com/docker/docker', 'docker/Docker', '-docker', '-docker/docker', '-docker.io/docker/docker', 'docker///docker', 'docker.io/docker/Docker',
    'docker.io/docker///docker', '[fc00::1]', '[fc00::1]:5000', 'fc00::1:5000/debian', '[fe80::1%eth0]:5000/debian', '[2001:db8:3:4::192.0.2.33]:5000/debian',
    '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
  ];
  for (const name of valid) it(`accepts ${name}`, () => assert.doesNotThrow(() => parseReference(name)));
  for (const name of invalid) it(`refuses ${name}`, () => refused(name));
});

describe('distribution/reference TestValidateRemoteName', () => {
  const valid = ['docker/docker', 'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev', 'docker-rules/docker', 'docker---rules/docker', 'doc/docker', 'd/docker', 'jess/t', 'dock__er/docker'];
  const invalid = [
    'docker/Docker', 'docker///docker', '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a', '-docker/docker', 'docker-/docker', '-docker-/docker',
    '____/____', '_docker/_docker', 'dock..er/docker', 'dock_.er/docker', 'dock-.er/docker', 'docker/',
    `${'this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_'.repeat(4).slice(0, -1)}/docker`,
  ];
  for (const name of valid) it(`accepts ${name}`, () => assert.doesNotThrow(() => parseReference(name)));
  for (const name of invalid) it(`refuses ${name.slice(0, 60)}`, () => refused(name));
});

describe('distribution/reference TestParseRepositoryInfo and TestNormalizedSplitHostname', () => {
  // [spellings, full name, domain, path]
  const table: [string[], string, string, string][] = [
    [['localhost/fooo'], 'localhost/fooo', 'localhost', 'fooo'],
    [['localhost/fooo/bar'], 'localhost/fooo/bar', 'localhost', 'fooo/bar'],
    [['LOCALDOMAIN/fooo'], 'LOCALDOMAIN/fooo', 'LOCALDOMAIN', 'fooo'],
    [['LOCALDOMAIN/fooo/bar'], 'LOCALDOMAIN/fooo/bar', 'LOCALDOMAIN', 'fooo/bar'],
    [['fooo/bar', 'docker.io/fooo/bar', 'index.docker.io/fooo/bar'], 'docker.io/fooo/bar', 'docker.io', 'fooo/bar'],
    [['ubuntu', 'docker.io/library/ubuntu', 'library/ubuntu'], 'docker.io/library/ubuntu', 'docker.io', 'library/ubuntu'],
    [['nonlibrary/ubuntu', 'docker.io/nonlibrary/ubuntu'], 'docker.io/nonlibrary/ubuntu', 'docker.io', 'nonlibrary/ubuntu'],
    [['other/library', 'docker.io/other/library'], 'docker.io/other/library', 'docker.io', 'other/library'],
    [['127.0.0.1:8000/private/moonbase'], '127.0.0.1:8000/private/moonbase', '127.0.0.1:8000', 'private/moonbase'],
    [['127.0.0.1:8000/privatebase'], '127.0.0.1:8000/privatebase', '127.0.0.1:8000', 'privatebase'],
    [['example.com/private/moonbase'], 'example.com/private/moonbase', 'example.com', 'private/moonbase'],
    [['example.com/privatebase'], 'example.com/privatebase', 'example.com', 'privatebase'],
    [['example.com:8000/private/moonbase'], 'example.com:8000/private/moonbase', 'example.com:8000', 'private/moonbase'],
    [['example.com:8000/privatebasee'], 'example.com:8000/privatebasee', 'example.com:8000', 'privatebasee'],
    [['ubuntu-12.04-base', 'docker.io/library/ubuntu-12.04-base', 'index.docker.io/library/ubuntu-12.04-base'], 'docker.io/library/ubuntu-12.04-base', 'docker.io', 'library/ubuntu-12.04-base'],
    [['foo', 'docker.io/library/foo', 'docker.io/foo'], 'docker.io/library/foo', 'docker.io', 'library/foo'],
    [['library/foo/bar', 'docker.io/library/foo/bar'], 'docker.io/library/foo/bar', 'docker.io', 'library/foo/bar'],
    [['store/foo/bar', 'docker.io/store/foo/bar'], 'docker.io/store/foo/bar', 'docker.io', 'store/foo/bar'],
    [['Foo/bar'], 'Foo/bar', 'Foo', 'bar'],
    [['FOO/bar'], 'FOO/bar', 'FOO', 'bar'],
    // TestNormalizedSplitHostname
    [['test.com/foo'], 'test.com/foo', 'test.com', 'foo'],
    [['test_com/foo'], 'docker.io/test_com/foo', 'docker.io', 'test_com/foo'],
    [['docker/migrator'], 'docker.io/docker/migrator', 'docker.io', 'docker/migrator'],
    [['test.com:8080/foo'], 'test.com:8080/foo', 'test.com:8080', 'foo'],
    [['test-com:8080/foo'], 'test-com:8080/foo', 'test-com:8080', 'foo'],
    [['xn--n3h.com/foo'], 'xn--n3h.com/foo', 'xn--n3h.com', 'foo'],
    [['xn--n3h.com:18080/foo'], 'xn--n3h.com:18080/foo', 'xn--n3h.com:18080', 'foo'],
  ];
  for (const [spellings, full, domain, path] of table) {
    for (const s of spellings) {
      it(`${s} is ${full}`, () => {
        const r = parseReference(s);
        assert.equal(`${r.registry}/${r.repository}`, full);
        assert.equal(r.registry, domain);
        assert.equal(r.repository, path);
      });
    }
  }
});

describe('distribution/reference TestParseDockerRef and TestParseReferenceWithTagAndDigest', () => {
  const d = 'sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582';
  const table: [string, string][] = [
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:latest', 'docker.io/library/busybox:latest'],
    [`busybox@${d}`, `docker.io/library/busybox@${d}`],
    ['library/busybox', 'docker.io/library/busybox:latest'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest'],
    ['docker.io/library/busybox', 'docker.io/library/busybox:latest'],
    ['docker.io/busybox:latest', 'docker.io/library/busybox:latest'],
    ['library/busybox:latest', 'docker.io/library/busybox:latest'],
    ['docker.io/library/busybox:latest', 'docker.io/library/busybox:latest'],
    ['gcr.io/library/busybox', 'gcr.io/library/busybox:latest'],
    [`gcr.io/library/busybox:latest@${d}`, `gcr.io/library/busybox@${d}`],
  ];
  for (const [input, expected] of table) it(`${input} pulls ${expected}`, () => assert.equal(dockerRef(input), expected));

  it('keeps both tag and digest of busybox:latest@sha256:...', () => {
    const r = parseReference('busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa');
    assert.equal(r.tag, 'latest');
    assert.equal(r.digest, 'sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa');
  });
});

describe('distribution/reference TestReferenceParse, normalised as docker reads it', () => {
  const ok: [string, string, string | undefined, string | undefined][] = [
    ['test_com', 'docker.io/library/test_com', 'latest', undefined],
    ['test.com:tag', 'docker.io/library/test.com', 'tag', undefined],
    ['test.com:5000', 'docker.io/library/test.com', '5000', undefined],
    ['test.com/repo:tag', 'test.com/repo', 'tag', undefined],
    ['test:5000/repo', 'test:5000/repo', 'latest', undefined],
    ['test:5000/repo:tag', 'test:5000/repo', 'tag', undefined],
    [`test:5000/repo@sha256:${ff}`, 'test:5000/repo', undefined, `sha256:${ff}`],
    [`test:5000/repo:tag@sha256:${ff}`, 'test:5000/repo', 'tag', `sha256:${ff}`],
    ['lowercase:Uppercase', 'docker.io/library/lowercase', 'Uppercase', undefined],
    [`${'a/'.repeat(127)}a:tag-puts-this-over-max`, `docker.io/${'a/'.repeat(127)}a`, 'tag-puts-this-over-max', undefined],
    ['sub-dom1.foo.com/bar/baz/quux', 'sub-dom1.foo.com/bar/baz/quux', 'latest', undefined],
    ['sub-dom1.foo.com/bar/baz/quux:some-long-tag', 'sub-dom1.foo.com/bar/baz/quux', 'some-long-tag', undefined],
    ['b.gcr.io/test.example.com/my-app:test.example.com', 'b.gcr.io/test.example.com/my-app', 'test.example.com', undefined],
    ['xn--n3h.com/myimage:xn--n3h.com', 'xn--n3h.com/myimage', 'xn--n3h.com', undefined],
    [`xn--7o8h.com/myimage:xn--7o8h.com@sha256:${ff}`, 'xn--7o8h.com/myimage', 'xn--7o8h.com', `sha256:${ff}`],
    ['foo_bar.com:8080', 'docker.io/library/foo_bar.com', '8080', undefined],
    ['foo/foo_bar.com:8080', 'docker.io/foo/foo_bar.com', '8080', undefined],
    ['192.168.1.1', 'docker.io/library/192.168.1.1', 'latest', undefined],
    ['192.168.1.1:tag', 'docker.io/library/192.168.1.1', 'tag', undefined],
    ['192.168.1.1:5000', 'docker.io/library/192.168.1.1', '5000', undefined],
    ['192.168.1.1/repo', '192.168.1.1/repo', 'latest', undefined],
    ['192.168.1.1:5000/repo', '192.168.1.1:5000/repo', 'latest', undefined],
    ['192.168.1.1:5000/repo:5050', '192.168.1.1:5000/repo', '5050', undefined],
    ['[2001:db8::1]/repo', '[2001:db8::1]/repo', 'latest', undefined],
    ['[2001:db8:1:2:3:4:5:6]/repo:tag', '[2001:db8:1:2:3:4:5:6]/repo', 'tag', undefined],
    ['[2001:db8::1]:5000/repo', '[2001:db8::1]:5000/repo', 'latest', undefined],
    ['[2001:db8::1]:5000/repo:tag', '[2001:db8::1]:5000/repo', 'tag', undefined],
    [`[2001:db8::1]:5000/repo@sha256:${ff}`, '[2001:db8::1]:5000/repo', undefined, `sha256:${ff}`],
    [`[2001:db8::1]:5000/repo:tag@sha256:${ff}`, '[2001:db8::1]:5000/repo', 'tag', `sha256:${ff}`],
    ['[2001:db8::]:5000/repo', '[2001:db8::]:5000/repo', 'latest', undefined],
    ['[::1]:5000/repo', '[::1]:5000/repo', 'latest', undefined],
    [`example.com/${'a'.repeat(255)}:tag`, `example.com/${'a'.repeat(255)}`, 'tag', undefined],
    // docker registers sha384 and sha512 too (crypto/sha512); distribution's test leaves them out.
    [`validname@sha512:${'f'.repeat(128)}`, 'docker.io/library/validname', undefined, `sha512:${'f'.repeat(128)}`],
    [`validname@sha384:${'f'.repeat(96)}`, 'docker.io/library/validname', undefined, `sha384:${'f'.repeat(96)}`],
  ];
  for (const [input, name, tag, digest] of ok) {
    it(`parses ${input.slice(0, 70)}`, () => {
      const r = parseReference(input);
      assert.equal(`${r.registry}/${r.repository}`, name);
      assert.equal(r.tag, tag);
      assert.equal(r.digest, digest);
    });
  }
  const bad = [
    '', ':justtag', `@sha256:${ff}`, 'repo@sha256:ffffffffffffffffffffffffffffffffff', `validname@invaliddigest:${ff}`, 'Uppercase:tag',
    'test:5000/Uppercase/lowercase:tag', `domain/${'a'.repeat(256)}:tag`, 'aa/asdf$$^/aa', '[2001:db8::1]', '[2001:db8::1]:5000', '[2001:db8::1]:tag',
    '[fe80::1%eth0]:5000/repo', '[fe80::1%@invalidzone]:5000/repo',
  ];
  for (const input of bad) it(`refuses ${JSON.stringify(input.slice(0, 70))}`, () => refused(input));
});

describe('what docker refuses that regsize used to accept', () => {
  it('bounds the repository path at 255 characters, not registry plus path', () => {
    assert.doesNotThrow(() => parseReference(`a-very-long-registry-name.example.com:5000/${'a'.repeat(255)}`));
    refused(`example.com/${'a'.repeat(256)}`);
  });
  it('refuses leading and trailing spaces instead of trimming them', () => {
    refused(' python');
    refused('python ');
    refused('\tpython:3.12');
  });
});

describe('distribution/reference TestDomainRegexp, as the registry of <domain>/foo', () => {
  for (const [domain, matches] of DOMAINS) {
    const input = `${domain}/foo`;
    if (!matches) {
      it(`refuses ${input}`, () => refused(input));
      continue;
    }
    it(`reads ${input}`, () => {
      const want = dockerName(input);
      const r = parseReference(input);
      assert.deepEqual([r.registry, r.repository], [want?.registry, want?.path]);
    });
  }
});

describe('distribution/reference TestFullNameRegexp, normalised as docker reads it', () => {
  // "foo_bar.com:8080" is no name, but it is the name foo_bar.com with tag 8080 (TestReferenceParse).
  for (const [name, subs] of NAMES.filter(([n]) => n !== 'foo_bar.com:8080')) {
    const want = subs ? dockerName(name) : undefined;
    if (!want) {
      it(`refuses ${JSON.stringify(name.slice(0, 60))}`, () => refused(name));
      continue;
    }
    it(`reads ${name.slice(0, 60)} as ${want.registry}/${want.path.slice(0, 40)}`, () => {
      const r = parseReference(name);
      assert.deepEqual([r.registry, r.repository, r.tag, r.digest], [want.registry, want.path, 'latest', undefined]);
    });
  }
});

describe('distribution/reference TestReferenceRegexp', () => {
  for (const [input, subs] of REFERENCES) {
    if (!subs) {
      it(`refuses ${input.slice(0, 60)}`, () => refused(input));
      continue;
    }
    const [name, tag, digest] = subs;
    it(`reads ${input.slice(0, 60)}`, () => {
      const want = dockerName(name);
      const r = parseReference(input);
      assert.deepEqual([r.registry, r.repository, r.tag, r.digest], [want?.registry, want?.path, tag || undefined, digest || undefined]);
    });
  }
});

describe('distribution/reference TestIdentifierRegexp: a bare 64-hex word is an image ID, nothing else is', () => {
  for (const [input, isId] of IDENTIFIERS) {
    it(`${input.slice(0, 24)}... (${input.length}) ${isId ? 'is' : 'is not'} an image ID`, () => {
      let message = '';
      try {
        parseReference(input);
      } catch (e) {
        assert.ok(e instanceof RegsizeError && e.code === 'INVALID_REFERENCE');
        message = e.message;
      }
      assert.equal(/is an image ID/.test(message), isId, message);
    });
  }
});
