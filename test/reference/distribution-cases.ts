/**
 * Cases from distribution/reference's regexp_test.go (TestDomainRegexp, TestFullNameRegexp,
 * TestReferenceRegexp, TestIdentifierRegexp; Apache-2.0), ported as data: the independent
 * oracle the reference tests and the property tests (test/hardening/properties.test.ts) read,
 * instead of a copy of regsize's own grammar.
 */

/** TestDomainRegexp: [domain, matches]. */
export const DOMAINS: [string, boolean][] = [
  ['test.com', true], ['test.com:10304', true], ['test.com:http', false], ['localhost', true], ['localhost:8080', true], ['a', true], ['a.b', true],
  ['ab.cd.com', true], ['a-b.com', true], ['-ab.com', false], ['ab-.com', false], ['ab.c-om', true], ['ab.-com', false], ['ab.com-', false],
  ['0101.com', true], ['001a.com', true], ['b.gbc.io:443', true], ['b.gbc.io', true], ['xn--n3h.com', true], ['Asdf.com', true],
  ['192.168.1.1:75050', true], ['192.168.1.1:750050', true], ['[fd00:1:2::3]:75050', true], ['[fd00:1:2::3]75050', false], ['[fd00:1:2::3]::75050', false],
  ['[fd00:1:2::3%eth0]:75050', false], ['[fd00123123123]:75050', true], ['[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:75050', true],
  ['[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:750505', true], ['fd00:1:2::3:75050', false],
];

/** TestFullNameRegexp: [name, [domain, path]] when it matches, [name, undefined] when not. */
export const NAMES: [string, [string, string] | undefined][] = [
  ['', undefined], ['short', ['', 'short']], ['simple/name', ['simple', 'name']], ['library/ubuntu', ['library', 'ubuntu']],
  ['docker/stevvooe/app', ['docker', 'stevvooe/app']], ['aa/aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb', ['aa', 'aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb']],
  ['aa/aa/bb/bb/bb', ['aa', 'aa/bb/bb/bb']], ['a/a/a/a', ['a', 'a/a/a']], ['a/a/a/a/', undefined], ['a//a/a', undefined], ['a', ['', 'a']],
  ['a/aa', ['a', 'aa']], ['a/aa/a', ['a', 'aa/a']], ['foo.com', ['', 'foo.com']], ['foo.com/', undefined], ['foo.com:8080/bar', ['foo.com:8080', 'bar']],
  ['foo.com:http/bar', undefined], ['foo.com/bar', ['foo.com', 'bar']], ['foo.com/bar/baz', ['foo.com', 'bar/baz']], ['localhost:8080/bar', ['localhost:8080', 'bar']],
  ['sub-dom1.foo.com/bar/baz/quux', ['sub-dom1.foo.com', 'bar/baz/quux']], ['blog.foo.com/bar/baz', ['blog.foo.com', 'bar/baz']], ['a^a', undefined],
  ['aa/asdf$$^/aa', undefined], ['asdf$$^/aa', undefined], ['aa-a/a', ['aa-a', 'a']], [`${'a/'.repeat(128)}a`, ['a', `${'a/'.repeat(127)}a`]],
  ['a-/a/a/a', undefined], ['foo.com/a-/a/a', undefined], ['-foo/bar', undefined], ['foo/bar-', undefined], ['foo-/bar', undefined], ['foo/-bar', undefined],
  ['_foo/bar', undefined], ['foo_bar', ['', 'foo_bar']], ['foo_bar.com', ['', 'foo_bar.com']], ['foo_bar.com:8080', undefined], ['foo_bar.com:8080/app', undefined],
  ['foo.com/foo_bar', ['foo.com', 'foo_bar']], ['____/____', undefined], ['_docker/_docker', undefined], ['docker_/docker_', undefined],
  ['b.gcr.io/test.example.com/my-app', ['b.gcr.io', 'test.example.com/my-app']], ['xn--n3h.com/myimage', ['xn--n3h.com', 'myimage']],
  ['xn--7o8h.com/myimage', ['xn--7o8h.com', 'myimage']], ['example.com/xn--7o8h.com/myimage', ['example.com', 'xn--7o8h.com/myimage']],
  ['example.com/some_separator__underscore/myimage', ['example.com', 'some_separator__underscore/myimage']], ['example.com/__underscore/myimage', undefined],
  ['example.com/..dots/myimage', undefined], ['example.com/.dots/myimage', undefined], ['example.com/nodouble..dots/myimage', undefined], ['docker./docker', undefined],
  ['.docker/docker', undefined], ['docker-/docker', undefined], ['-docker/docker', undefined], ['do..cker/docker', undefined], ['do__cker:8080/docker', undefined],
  ['do__cker/docker', ['', 'do__cker/docker']], ['registry.io/foo/project--id.module--name.ver---sion--name', ['registry.io', 'foo/project--id.module--name.ver---sion--name']],
  ['Asdf.com/foo/bar', ['Asdf.com', 'foo/bar']], ['Foo/FarB', undefined],
];

const D = 'sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912';
/** TestReferenceRegexp: [reference, [name, tag, digest]] when it matches ('' for none), else undefined. */
export const REFERENCES: [string, [string, string, string] | undefined][] = [
  ['registry.com:8080/myapp:tag', ['registry.com:8080/myapp', 'tag', '']],
  [`registry.com:8080/myapp@${D}`, ['registry.com:8080/myapp', '', D]],
  [`registry.com:8080/myapp:tag2@${D}`, ['registry.com:8080/myapp', 'tag2', D]],
  ['registry.com:8080/myapp@sha256:badbadbadbad', undefined],
  ['registry.com:8080/myapp:invalid~tag', undefined],
  ['bad_hostname.com:8080/myapp:tag', undefined],
  [`localhost:8080@${D}`, ['localhost', '8080', D]],
  [`localhost:8080/name@${D}`, ['localhost:8080/name', '', D]],
  [`localhost:http/name@${D}`, undefined],
  [`localhost@${D}`, ['localhost', '', D]],
  ['registry.com:8080/myapp@bad', undefined],
  ['registry.com:8080/myapp@2bad', undefined],
];

/** TestIdentifierRegexp: [text, is an image ID]. */
export const IDENTIFIERS: [string, boolean][] = [
  ['da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf9821', true],
  ['7EC43B381E5AEFE6E04EFB0B3F0693FF2A4A50652D64AEC573905F2DB5889A1C', false],
  ['da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf', false],
  ['sha256:da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf9821', false],
  ['da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf98218482', false],
];

/**
 * The name docker pulls for a name the grammar matched: normalize.go's splitDockerDomain (the
 * first component is a host when it holds "." or ":", is "localhost", or has an uppercase
 * letter; else Docker Hub, with "library/" for one-component names), and ParseNamed's bound of
 * 255 characters on the path (ErrNameTooLong). Undefined when docker refuses the name.
 */
export function dockerName(name: string): { registry: string; path: string } | undefined {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  const host = slash !== -1 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase());
  let registry = host ? first : 'docker.io';
  let path = host ? name.slice(slash + 1) : name;
  if (registry === 'index.docker.io') registry = 'docker.io';
  if (registry === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  return path.length > 255 ? undefined : { registry, path };
}
