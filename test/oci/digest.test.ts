/**
 * src/oci/digest.ts: digests computed from the bytes, checked against what was asked for. An
 * algorithm regsize cannot verify is UNSUPPORTED (nothing was found altered), never DIGEST_MISMATCH.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import nock from 'nock';
import { isDigestMismatchError } from '../../src/errors.js';
import { computeDigest, verifiableAlgorithm, verifyDigest } from '../../src/oci/digest.js';
import { RegistryClient } from '../../src/transport/client.js';
import { defaultHttpSettings, HttpClient } from '../../src/transport/http.js';
import { rejectionOf } from '../helpers/rejection.js';

const bytes = new TextEncoder().encode('{"architecture":"amd64"}');
const hex = (alg: string) => createHash(alg).update(bytes).digest('hex');

describe('oci/digest', () => {
  it('computes sha256, sha384 and sha512 digests as openssl would', () => {
    for (const alg of ['sha256', 'sha384', 'sha512']) assert.equal(computeDigest(alg, bytes), `${alg}:${hex(alg)}`);
  });

  it('verifies matching bytes, and refuses altered ones with DIGEST_MISMATCH', () => {
    assert.doesNotThrow(() => verifyDigest(bytes, `sha256:${hex('sha256')}`, 'config'));
    const altered = new TextEncoder().encode('{"architecture":"arm64"}');
    assert.throws(() => verifyDigest(altered, `sha256:${hex('sha256')}`, 'config app:1'), (e) => isDigestMismatchError(e) && /^config app:1: content digest sha256:[a-f0-9]{64} does not match/.test(e.message));
  });

  it('an algorithm it cannot verify (sha1, blake3, md5) is UNSUPPORTED with a clear message, not DIGEST_MISMATCH', () => {
    for (const digest of [`sha1:${hex('sha1')}`, `blake3:${'a'.repeat(64)}`, `md5:${hex('md5')}`]) {
      assert.throws(() => verifyDigest(bytes, digest, 'config app:1'), (e: { code: string; message: string }) => {
        assert.equal(e.code, 'UNSUPPORTED', digest);
        assert.equal(e.message, `config app:1: cannot verify digest algorithm "${digest.split(':')[0]}"; regsize verifies sha256, sha384, sha512 only`);
        return true;
      });
    }
    assert.equal(verifiableAlgorithm(`sha512:${hex('sha512')}`, 'x'), 'sha512');
  });

  it('the algorithm is the registry\'s text: quoted, escapes shown, cut short', () => {
    assert.throws(() => verifiableAlgorithm(`\u001b[2J${'x'.repeat(100)}:abc`, 'blob'), (e: Error) => !e.message.includes('\u001b') && e.message.includes('\\u001b') && e.message.length < 150);
  });

  it('an image config under sha1 at a registry: UNSUPPORTED from the client too', async () => {
    const digest = `sha1:${hex('sha1')}`;
    const scope = nock('https://r.example').get('/v2/').reply(200, '{}').get(`/v2/team/app/blobs/${digest}`).reply(200, Buffer.from(bytes));
    const http = new HttpClient(defaultHttpSettings({ debug: () => {}, warn: () => {} }, { retries: 0 }));
    const client = new RegistryClient({ http, credentials: { get: async () => undefined }, scheme: { plainHttp: false } });
    try {
      const e = await rejectionOf(client.blobGet({ registry: 'r.example', repository: 'team/app' }, digest));
      assert.equal(e.code, 'UNSUPPORTED');
      scope.done();
    } finally {
      nock.cleanAll();
    }
  });
});
