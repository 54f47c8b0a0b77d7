/**
 * src/transport/errors.ts: a registry's non-2xx answer as a RegistryError: the OCI code it sent
 * (or one from the status), the method that was really sent, a message that says what to do,
 * and no secret of ours in anything it echoes.
 */
import assert from 'node:assert/strict';
import { mock, useMockAgent } from '../helpers/mock-agent.js';
import { isRegistryError } from '../../src/errors.js';
import { RegistryClient } from '../../src/transport/client.js';
import { registryError, type ErrorContext } from '../../src/transport/errors.js';
import { defaultHttpSettings, HttpClient } from '../../src/transport/http.js';
import type { HttpResponse } from '../../src/transport/request.js';

const res = (status: number, body = '', headers: Record<string, string> = {}, method?: HttpResponse['method']): HttpResponse => ({
  status,
  headers: new Headers(headers),
  body: new TextEncoder().encode(body),
  url: 'https://ghcr.io/v2/team/app/manifests/1?sig=s3cr3t-sig',
  ...(method ? { method } : {}),
});
const ctx = (extra: Partial<ErrorContext> = {}): ErrorContext => ({ what: 'ghcr.io/team/app:1', registry: 'ghcr.io', kind: 'manifest', secrets: ['hunter2-password'], ...extra });
const oci = (code: string, message?: string) => JSON.stringify({ errors: [{ code, ...(message ? { message } : {}) }] });

describe('transport/errors', () => {
  useMockAgent();
  it('a HEAD that failed says HEAD, even when the caller wrote GET', () => {
    const e = registryError(res(500, '', {}, 'HEAD'), ctx({ method: 'GET' }));
    assert.equal(e.method, 'HEAD');
    assert.equal(e.message, 'ghcr.io/team/app:1: ghcr.io answered HTTP 500 to HEAD');
    const get = registryError(res(500, '', {}, 'GET'), ctx());
    assert.deepEqual([get.method, get.message], ['GET', 'ghcr.io/team/app:1: ghcr.io answered HTTP 500']);
  });

  it('through the registry client: a failed manifest HEAD is reported as a HEAD', async () => {
    const scope = mock('https://r.example').get('/v2/').reply(200, '{}').head('/v2/team/app/manifests/1').reply(500);
    const http = new HttpClient(defaultHttpSettings({ debug: () => {}, warn: () => {} }, { retries: 0 }));
    const client = new RegistryClient({ http, credentials: { get: async () => undefined }, scheme: { plainHttp: false } });
    await assert.rejects(client.manifestHead({ registry: 'r.example', repository: 'team/app' }, '1'), (e) => {
      assert.ok(isRegistryError(e));
      assert.deepEqual([e.method, e.status, e.message], ['HEAD', 500, 'r.example/team/app:1: r.example answered HTTP 500 to HEAD']);
      return true;
    });
    scope.done();
  });

  it('without the answer\'s method, the caller\'s stands', () => {
    assert.equal(registryError(res(500), ctx({ method: 'HEAD' })).method, 'HEAD');
  });

  it('passes the OCI codes through, and derives one from the status when the body has none', () => {
    const cases: [number, string, ErrorContext['kind'], string][] = [
      [404, oci('MANIFEST_UNKNOWN'), 'manifest', 'MANIFEST_UNKNOWN'],
      [404, oci('NAME_UNKNOWN'), 'manifest', 'NAME_UNKNOWN'],
      [404, '', 'blob', 'BLOB_UNKNOWN'],
      [404, '', 'tags', 'NAME_UNKNOWN'],
      [401, '', 'manifest', 'UNAUTHORIZED'],
      [403, '', 'manifest', 'DENIED'],
      [429, '', 'manifest', 'TOOMANYREQUESTS'],
      [400, oci('SOMETHING_ODD'), 'manifest', 'REGISTRY_ERROR'],
      [502, 'not json', 'manifest', 'REGISTRY_ERROR'],
    ];
    for (const [status, body, kind, code] of cases) assert.equal(registryError(res(status, body), ctx({ kind })).code, code, `${status} ${body} ${kind}`);
  });

  it('the messages say what to do next', () => {
    assert.match(registryError(res(404, oci('MANIFEST_UNKNOWN')), ctx()).message, /manifest unknown .*"regsize tags ghcr\.io\/team\/app"$/);
    assert.match(registryError(res(401), ctx()).message, /run docker login ghcr\.io$/);
    assert.match(registryError(res(403, oci('DENIED', 'no pull for you')), ctx()).message, /access denied \(no pull for you\); check that your account may pull it$/);
  });

  it('a 429 says when the limit lifts, from Retry-After, and keeps it in seconds', () => {
    const e = registryError(res(429, '', { 'retry-after': '7200' }), ctx());
    assert.match(e.message, /rate limit reached; it lifts at \d{4}-\d\d-\d\d \d\d:\d\d UTC \(in 2h 0m\)/);
    assert.equal(e.retryAfter, 7200);
  });

  it('keeps the data: status, the registry\'s errors, a redacted URL; scrubs our secrets from what it echoes', () => {
    const e = registryError(res(400, oci('BAD', 'password hunter2-password was wrong')), ctx());
    assert.equal(e.status, 400);
    assert.deepEqual(e.errors, [{ code: 'BAD', message: 'password hunter2-password was wrong' }]);
    assert.equal(e.url, 'https://ghcr.io/v2/team/app/manifests/1?sig=***');
    assert.doesNotMatch(e.message, /hunter2/);
    assert.match(e.message, /\(password \*\*\* was wrong\)/);
  });

  it('ignores entries of the errors array that are not objects with a string code', () => {
    const body = JSON.stringify({ errors: [null, 7, { code: 5 }, { code: 'DENIED', message: 3 }] });
    const e = registryError(res(403, body), ctx());
    assert.deepEqual(e.errors, [{ code: 'DENIED' }]);
  });
});
