/**
 * src/retryable.ts: the one table of what is worth another try. The HTTP retry wrapper, the
 * error classifier and RegistryError's `retryable` all read it, so they cannot disagree.
 */
import assert from 'node:assert/strict';
import { toRegsizeError } from '../src/errors.js';
import { isRetryableErrorCode, isRetryableStatus } from '../src/retryable.js';
import { registryError } from '../src/transport/errors.js';

describe('retryable', () => {
  it('429 and the gateway statuses are retried; 500 and 4xx are answers and are not', () => {
    const retried = Array.from({ length: 500 }, (_, i) => 100 + i).filter(isRetryableStatus);
    assert.deepEqual(retried, [429, 502, 503, 504]);
  });

  it('a broken connection is retried; a refused one, an unknown host and a timeout are not', () => {
    for (const code of ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH']) assert.ok(isRetryableErrorCode(code), code);
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'EACCES']) assert.equal(isRetryableErrorCode(code), false, code);
  });

  it('the classifier says what the table says, for every network code', () => {
    for (const code of ['ECONNRESET', 'ECONNREFUSED', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', 'ETIMEDOUT', 'ENOTFOUND']) {
      const err = toRegsizeError(new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) }));
      assert.equal(err.retryable, isRetryableErrorCode(code), code);
    }
  });

  it("a RegistryError is retryable exactly when the wrapper would have retried its status (a 500 is not)", () => {
    for (const status of [400, 404, 429, 500, 502, 503, 504]) {
      const res = { status, headers: new Headers(), body: new Uint8Array(), url: 'https://r.example/v2/a/manifests/1' };
      const err = registryError(res, { what: 'a:1', registry: 'r.example', kind: 'manifest', secrets: [] });
      assert.equal(err.retryable, isRetryableStatus(status), String(status));
    }
  });
});
