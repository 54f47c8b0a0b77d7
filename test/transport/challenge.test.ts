/**
 * WWW-Authenticate as registries send it. Well-formed cases are those of containerd
 * (core/remotes/docker/auth/parse_test.go) and distribution (registry/client/auth/challenge/
 * authchallenge_test.go); the malformed ones are what a hostile or broken server sends, and
 * must yield no challenge at all, since a challenge decides where credentials go.
 */
import assert from 'node:assert/strict';
import { parseChallenges } from '../../src/transport/challenge.js';

describe('WWW-Authenticate: well-formed challenges', () => {
  it('reads a Bearer challenge with one scope (containerd SingleScope)', () => {
    assert.deepEqual(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:foo/bar:pull,push"'), [
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:foo/bar:pull,push' } },
    ]);
  });

  it('reads several scopes in one quoted value (containerd MultipleScopes)', () => {
    const scope = 'repository:foo/bar:pull,push repository:foo/baz:pull repository:foo/foo:push';
    assert.equal(parseChallenges(`Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="${scope}"`)[0]?.params.scope, scope);
  });

  it('keeps empty values (containerd TestParseAuthHeader)', () => {
    const [c] = parseChallenges('Bearer realm="https://auth.example.io/token",empty="",service="registry.example.io",scope="repository:library/hello-world:pull,push"');
    assert.equal(c?.params.empty, '');
    assert.equal(c?.params.service, 'registry.example.io');
  });

  it('reads token values and backslash escapes (distribution TestAuthChallengeParse)', () => {
    const [c, ...rest] = parseChallenges('Bearer realm="https://auth.example.com/token",service="registry.example.com",other=fun,slashed="he\\"\\l\\lo"');
    assert.equal(rest.length, 0);
    assert.deepEqual(c, { scheme: 'bearer', params: { realm: 'https://auth.example.com/token', service: 'registry.example.com', other: 'fun', slashed: 'he"llo' } });
  });

  it('reads several challenges in one header, as fetch joins repeated headers', () => {
    assert.deepEqual(parseChallenges('Bearer realm="https://a/token",service="a", Basic realm="Registry Realm"'), [
      { scheme: 'bearer', params: { realm: 'https://a/token', service: 'a' } },
      { scheme: 'basic', params: { realm: 'Registry Realm' } },
    ]);
    assert.deepEqual(parseChallenges('Basic'), [{ scheme: 'basic', params: {} }]);
    assert.deepEqual(parseChallenges('Negotiate abc==, Basic realm=x'), [{ scheme: 'negotiate', params: {} }, { scheme: 'basic', params: { realm: 'x' } }]);
  });

  it('takes whitespace around "=" and empty list elements, as RFC 7235 allows', () => {
    assert.deepEqual(parseChallenges('Bearer realm = "r" , , service="s"'), [{ scheme: 'bearer', params: { realm: 'r', service: 's' } }]);
  });
});

describe('WWW-Authenticate: malformed headers give no challenge', () => {
  const cases: [string, string][] = [
    ['a missing comma between parameters', 'Bearer realm="https://auth.example/token" service="registry"'],
    ['an unterminated quote', 'Bearer realm="https://auth.example/token,service=registry'],
    ['an unterminated quote at the end', 'Bearer realm="'],
    ['a backslash at the very end of a quoted value', 'Bearer realm="x\\'],
    ['stray characters after a value', 'Bearer realm="r"x,service="s"'],
    ['a parameter before any scheme', 'realm="r", Bearer service="s"'],
    ['no space after the scheme', 'Bearer"realm"'],
    ['junk', '""'],
    ['a comma-less second challenge', 'Bearer realm="r" Basic realm="b"'],
  ];
  for (const [what, header] of cases) {
    it(what, () => assert.deepEqual(parseChallenges(header), []));
  }
});
