/**
 * src/transport/redirects.ts: the redirect policy against a scripted transport: where each hop
 * went, with which method, body and headers (#11: credentials never leave the registry's origin).
 */
import assert from 'node:assert/strict';
import { NetworkError, RegsizeError } from '../../src/errors.js';
import { followRedirects, MAX_REDIRECTS } from '../../src/transport/redirects.js';
import type { HttpRequest, HttpResponse } from '../../src/transport/request.js';

type Hop = { method: string; url: string; body: string | undefined; authorization: string | undefined };

/** Answers each URL from `routes` (status and Location), recording every request sent. */
function scripted(routes: Record<string, [number, string?]>) {
  const hops: Hop[] = [];
  const send = async (req: HttpRequest): Promise<HttpResponse> => {
    hops.push({ method: req.method, url: req.url, body: req.body, authorization: req.headers?.authorization });
    const [status, location] = routes[req.url] ?? [200];
    return { status, headers: new Headers(location ? { location } : {}), body: new Uint8Array(), url: req.url };
  };
  return { send, hops };
}

const redact = (url: string) => url.replace(/sig=[^&]*/, 'sig=***');
const get = (url: string): HttpRequest => ({ method: 'GET', url, headers: { authorization: 'Bearer registry-token', accept: 'x' }, maxBytes: 100 });
const tokenPost = (url: string): HttpRequest => ({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'refresh_token=identity-secret', maxBytes: 100 });

describe('transport/redirects', () => {
  it('keeps Authorization on the same origin and drops it for another host (a CDN)', async () => {
    const { send, hops } = scripted({
      'https://r.example/v2/a/blobs/d': [307, '/v2/a/blobs/d2'],
      'https://r.example/v2/a/blobs/d2': [302, 'https://cdn.example/blob?sig=s3cret'],
    });
    const res = await followRedirects(send, get('https://r.example/v2/a/blobs/d'), redact);
    assert.equal(res.status, 200);
    assert.equal(res.url, 'https://cdn.example/blob?sig=s3cret');
    assert.deepEqual(hops.map((h) => [h.url, h.authorization]), [
      ['https://r.example/v2/a/blobs/d', 'Bearer registry-token'],
      ['https://r.example/v2/a/blobs/d2', 'Bearer registry-token'],
      ['https://cdn.example/blob?sig=s3cret', undefined],
    ]);
  });

  it('drops Authorization on a downgrade to http on the same host (another origin)', async () => {
    const { send, hops } = scripted({ 'https://r.example/v2/': [301, 'http://r.example/v2/'] });
    await followRedirects(send, get('https://r.example/v2/'), redact);
    assert.equal(hops[1]?.authorization, undefined);
  });

  it('303 (and 301/302) turn a token POST into a GET without its body; the answer says GET', async () => {
    for (const status of [301, 302, 303]) {
      const { send, hops } = scripted({ 'https://auth.example/token': [status, '/token2'] });
      const res = await followRedirects(send, tokenPost('https://auth.example/token'), redact);
      assert.deepEqual(hops.map((h) => [h.method, h.body]), [['POST', 'refresh_token=identity-secret'], ['GET', undefined]], String(status));
      assert.equal(res.method, 'GET');
    }
  });

  it('307/308 resend a token POST with its body on the same https origin', async () => {
    const { send, hops } = scripted({ 'https://auth.example/token': [308, '/v2/token'] });
    const res = await followRedirects(send, tokenPost('https://auth.example/token'), redact);
    assert.deepEqual(hops[1], { method: 'POST', url: 'https://auth.example/v2/token', body: 'refresh_token=identity-secret', authorization: undefined });
    assert.equal(res.method, 'POST');
  });

  it('refuses to replay a body (a secret) by 307/308 to another origin, or in clear to another machine', async () => {
    for (const location of ['https://elsewhere.example/token', 'http://auth.example/token']) {
      const { send, hops } = scripted({ 'https://auth.example/token': [307, location] });
      await assert.rejects(followRedirects(send, tokenPost('https://auth.example/token'), redact), (e: RegsizeError) => {
        assert.equal(e.code, 'UNAUTHORIZED');
        assert.match(e.message, /refusing to resend the request, which carries a secret, to another origin/);
        assert.doesNotMatch(e.message, /identity-secret/);
        return true;
      });
      assert.equal(hops.length, 1, location);
    }
  });

  it(`follows at most ${MAX_REDIRECTS} redirects, then fails NETWORK naming the start (redacted)`, async () => {
    const routes: Record<string, [number, string?]> = {};
    for (let i = 0; i < 10; i++) routes[`https://r.example/${i}?sig=abc`] = [302, `/${i + 1}?sig=abc`];
    const { send, hops } = scripted(routes);
    await assert.rejects(followRedirects(send, get('https://r.example/0?sig=abc'), redact), (e) => {
      assert.ok(e instanceof NetworkError);
      assert.equal(e.message, `too many redirects (more than ${MAX_REDIRECTS}) starting at https://r.example/0?sig=***`);
      return true;
    });
    assert.equal(hops.length, MAX_REDIRECTS + 1);
  });

  it('refuses a redirect to anything but http(s)', async () => {
    const { send } = scripted({ 'https://r.example/v2/': [302, 'file:///etc/passwd'] });
    await assert.rejects(followRedirects(send, get('https://r.example/v2/'), redact), (e) => e instanceof NetworkError && /refusing redirect to file: URL/.test(e.message));
  });

  it('followRedirects: false gives the 3xx itself; a 3xx without Location is an answer too', async () => {
    const { send, hops } = scripted({ 'https://r.example/a': [302, '/b'], 'https://r.example/c': [302] });
    assert.equal((await followRedirects(send, { ...get('https://r.example/a'), followRedirects: false }, redact)).status, 302);
    assert.equal((await followRedirects(send, get('https://r.example/c'), redact)).status, 302);
    assert.equal(hops.length, 2);
  });
});
