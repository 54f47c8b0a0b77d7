/**
 * src/transport/auth.ts: the handshake against a scripted transport, step by step: the ping
 * (once per registry), one batched token request, tokens cached until they expire (on an
 * injected clock), a narrower token after a 401, and credentials only where they may go.
 */
import assert from 'node:assert/strict';
import { RegsizeError } from '../../src/errors.js';
import { Authenticator } from '../../src/transport/auth.js';
import type { Credentials } from '../../src/transport/credential-kinds.js';
import type { HttpClient } from '../../src/transport/http.js';
import type { HttpRequest, HttpResponse } from '../../src/transport/request.js';

const REGISTRY = 'ghcr.io';
const BASES = ['https://ghcr.io'];
const BEARER = 'Bearer realm="https://auth.ghcr.io/token",service="ghcr.io"';

/** `url`: the URL that answered, when a redirect took the request elsewhere. */
type Answer = { status: number; headers?: Record<string, string>; body?: unknown; url?: string };

/** A transport answering by URL prefix; every request is recorded. Plus a clock the test moves. */
function setup(routes: (req: HttpRequest) => Answer, creds?: Credentials) {
  let now = 1_000_000;
  const sent: HttpRequest[] = [];
  const http = {
    settings: { timeoutMs: 30_000, logger: { debug: () => {}, warn: () => {} } },
    secrets: new Set<string>(),
    async send(req: HttpRequest): Promise<HttpResponse> {
      sent.push(req);
      const a = routes(req);
      const body = a.body === undefined ? new Uint8Array() : new TextEncoder().encode(typeof a.body === 'string' ? a.body : JSON.stringify(a.body));
      return { status: a.status, headers: new Headers(a.headers ?? {}), body, url: a.url ?? req.url, method: req.method };
    },
  } as unknown as HttpClient;
  const auth = new Authenticator(http, { get: async () => creds }, () => now);
  return { auth, sent, http, tick: (ms: number) => (now += ms) };
}

let tokens = 0;
const bearerRegistry = (expiresIn = 300) => (req: HttpRequest): Answer => {
  if (req.url === 'https://ghcr.io/v2/') return { status: 401, headers: { 'www-authenticate': BEARER } };
  if (req.url.startsWith('https://auth.ghcr.io/token')) return { status: 200, body: { token: `token-${++tokens}`, expires_in: expiresIn } };
  return { status: 404 };
};
const scopes = (req: HttpRequest | undefined) => new URL(req?.url ?? 'x:').searchParams.getAll('scope');

describe('transport/auth', () => {
  it('a 200 ping means anonymous: no header, and the ping is made once per registry', async () => {
    const { auth, sent } = setup(() => ({ status: 200 }));
    assert.equal(await auth.header(REGISTRY, BASES, 'team/app'), undefined);
    assert.equal(await auth.header(REGISTRY, BASES, 'team/other'), undefined);
    assert.equal(sent.length, 1);
  });

  it('one token request covers every repository announced, with a scope each', async () => {
    const { auth, sent } = setup(bearerRegistry());
    auth.expect(REGISTRY, 'team/app');
    auth.expect(REGISTRY, 'team/db');
    const first = await auth.header(REGISTRY, BASES, 'team/app');
    const second = await auth.header(REGISTRY, BASES, 'team/db');
    assert.equal(first, second);
    assert.match(first ?? '', /^Bearer token-\d+$/);
    const tokenRequests = sent.filter((r) => r.url.startsWith('https://auth.ghcr.io/'));
    assert.equal(tokenRequests.length, 1);
    assert.deepEqual(scopes(tokenRequests[0]).sort(), ['repository:team/app:pull', 'repository:team/db:pull']);
    assert.equal(new URL(tokenRequests[0]?.url ?? 'x:').searchParams.get('service'), 'ghcr.io');
  });

  it('a token is reused until just before it expires (on the injected clock), then fetched again', async () => {
    const { auth, sent, tick } = setup(bearerRegistry(300));
    const count = () => sent.filter((r) => r.url.startsWith('https://auth.ghcr.io/')).length;
    const first = await auth.header(REGISTRY, BASES, 'team/app');
    tick(290_000); // inside 300 s less the 5 s margin
    assert.equal(await auth.header(REGISTRY, BASES, 'team/app'), first);
    assert.equal(count(), 1);
    tick(6_000); // 296 s: within the margin, so renewed
    assert.notEqual(await auth.header(REGISTRY, BASES, 'team/app'), first);
    assert.equal(count(), 2);
  });

  it('a lifetime under 60 s counts as 60 s (as Docker does), so it is not fetched per request', async () => {
    const { auth, sent, tick } = setup(bearerRegistry(1));
    await auth.header(REGISTRY, BASES, 'team/app');
    tick(50_000);
    await auth.header(REGISTRY, BASES, 'team/app');
    assert.equal(sent.filter((r) => r.url.startsWith('https://auth.ghcr.io/')).length, 1);
  });

  it('after a 401 with a batch token: a token for exactly that repository', async () => {
    const { auth, sent } = setup(bearerRegistry());
    auth.expect(REGISTRY, 'team/app');
    auth.expect(REGISTRY, 'team/db');
    await auth.header(REGISTRY, BASES, 'team/app');
    const narrower = await auth.retryHeader(REGISTRY, BASES, 'team/db', 'Bearer realm="https://auth.ghcr.io/token",service="ghcr.io",scope="repository:team/db:pull"');
    assert.match(narrower ?? '', /^Bearer token-/);
    assert.deepEqual(scopes(sent.at(-1)), ['repository:team/db:pull']);
  });

  it('Basic credentials go to the token realm over https, and are remembered as secrets', async () => {
    const { auth, sent, http } = setup(bearerRegistry(), { kind: 'basic', username: 'octo', password: 'p4ssw0rd-secret' });
    await auth.header(REGISTRY, BASES, 'team/app');
    const tokenRequest = sent.find((r) => r.url.startsWith('https://auth.ghcr.io/'));
    assert.equal(tokenRequest?.headers?.authorization, `Basic ${Buffer.from('octo:p4ssw0rd-secret').toString('base64')}`);
    assert.ok(http.secrets.has('p4ssw0rd-secret'));
    assert.ok([...http.secrets].some((s) => s.startsWith('token-')), 'the token is a secret too');
  });

  it('an identity token is exchanged by an OAuth2 refresh-token POST', async () => {
    const { auth, sent } = setup(bearerRegistry(), { kind: 'identity', identityToken: 'refresh-me' });
    await auth.header(REGISTRY, BASES, 'team/app');
    const post = sent.find((r) => r.method === 'POST');
    const form = new URLSearchParams(post?.body ?? '');
    assert.deepEqual([form.get('grant_type'), form.get('refresh_token'), form.get('scope'), form.get('service')], ['refresh_token', 'refresh-me', 'repository:team/app:pull', 'ghcr.io']);
  });

  it('refuses to send credentials to a realm in clear, off this machine', async () => {
    const routes = (req: HttpRequest): Answer => (req.url.endsWith('/v2/') ? { status: 401, headers: { 'www-authenticate': 'Bearer realm="http://auth.example/token"' } } : { status: 200, body: { token: 't' } });
    const { auth, sent } = setup(routes, { kind: 'basic', username: 'u', password: 'secret-pw' });
    await assert.rejects(auth.header(REGISTRY, BASES, 'team/app'), (e: RegsizeError) => e.code === 'INSECURE');
    assert.equal(sent.filter((r) => r.url.startsWith('http://auth.example')).length, 0);
  });

  it('rejected credentials are DENIED; no credentials at all UNAUTHORIZED, saying docker login', async () => {
    const rejecting = (req: HttpRequest): Answer => (req.url.endsWith('/v2/') ? { status: 401, headers: { 'www-authenticate': BEARER } } : { status: 401 });
    const withCreds = setup(rejecting, { kind: 'basic', username: 'u', password: 'wrong-password' });
    await assert.rejects(withCreds.auth.header(REGISTRY, BASES, 'team/app'), (e: RegsizeError) => e.code === 'DENIED' && /rejected your credentials .*docker login ghcr\.io$/.test(e.message));
    const anonymous = setup(rejecting);
    await assert.rejects(anonymous.auth.header(REGISTRY, BASES, 'team/app'), (e: RegsizeError) => e.code === 'UNAUTHORIZED' && /docker login ghcr\.io$/.test(e.message));
  });

  it('a challenge from another origin the ping was redirected to is not followed', async () => {
    const { auth } = setup(() => ({ status: 401, headers: { 'www-authenticate': BEARER }, url: 'https://evil.example/v2/' }));
    await assert.rejects(auth.ping(REGISTRY, BASES), (e: RegsizeError) => e.code === 'UNAUTHORIZED' && /redirected to https:\/\/evil\.example, which asked for credentials/.test(e.message));
  });

  it('a 401 without a challenge regsize understands says what it got', async () => {
    const { auth } = setup(() => ({ status: 401, headers: { 'www-authenticate': 'Negotiate abc' } }));
    await assert.rejects(auth.header(REGISTRY, BASES, 'team/app'), (e: RegsizeError) => e.code === 'UNAUTHORIZED' && /without a challenge regsize understands \(negotiate\)/.test(e.message));
  });
});
