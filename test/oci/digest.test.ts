/**
 * Content digests. The grammar's cases are the OCI image spec's own (schema/descriptor_test.go,
 * TestDescriptor) and go-digest's (digest_test.go, TestParseDigest), Apache-2.0, ported as
 * data; the hashes are checked against coreutils' sha256sum, sha384sum and sha512sum.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { computeDigest, DIGEST_HEX_LENGTHS, DIGEST_RE, sha256Digest, verifiableAlgorithm, verifyDigest } from '../../src/oci/digest.js';
import { RegsizeError } from '../../src/errors.js';
import { seededBytes } from '../helpers/images.js';
import { createHash } from 'node:crypto';
import { mock, useMockAgent } from '../helpers/mock-agent.js';
import { isDigestMismatchError } from '../../src/errors.js';
import { RegistryClient } from '../../src/transport/client.js';
import { defaultHttpSettings, HttpClient } from '../../src/transport/http.js';
import { rejectionOf } from '../helpers/rejection.js';

const hex5b = '5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270';
const hexc8 = 'c86f7763873b6c0aae22d963bab59b4f5debbed6685761b5951584f6efb0633b';
const hexd3 = 'd3fc7881460b7e22e3d172954463dddd7866d17597e7248453c48b3e9d26d9596bf9c4a9cf8072c9d5bad76e19af801d';

/** coreutils' answer: `sha256sum` and friends on stdin. */
function coreutils(algorithm: string, bytes: Buffer): string {
  const r = spawnSync(`${algorithm}sum`, [], { input: bytes, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return `${algorithm}:${r.stdout.split(' ')[0]}`;
}

describe('digest grammar (OCI image spec descriptor tests, go-digest TestParseDigest)', () => {
  const valid = [
    `sha256:${hex5b}`,
    'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    `sha256+b64:${hexc8}`,
    `sha256+foo-bar:${hexc8}`,
    `sha256.foo-bar:${hexc8}`,
    'multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8',
    'sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564',
    'sha256+b64u.unknownlength:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564=',
    `sha384:${hexd3}`,
    `sha384.foo+bar:${hexd3}`,
    `sha384_foo+bar:${hexd3}`,
    'blake3:af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262',
  ];
  const invalid = [
    `:${hex5b}`, // no algorithm
    'sha256', // no hash
    `SHA256:${hex5b}`, // algorithm characters
    `sha256+foo+-b:${hexc8}`, // repeated separators
    `sha384__foo+bar:${hexd3}`, // repeated separators
    '',
    '     ',
    'sha256:',
    `sha256:${' '.repeat(64)}`,
    ':',
    'd41d8cd98f00b204e9800998ecf8427e', // just hex
  ];
  for (const d of valid) it(`accepts ${d.slice(0, 40)}`, () => assert.match(d, DIGEST_RE));
  for (const d of invalid) it(`refuses ${JSON.stringify(d.slice(0, 40))}`, () => assert.doesNotMatch(d, DIGEST_RE));
});

describe('computing and verifying digests', () => {
  const bytes = seededBytes(100_000, 'digest');

  it('computes what coreutils computes, for every algorithm it verifies', () => {
    for (const algorithm of Object.keys(DIGEST_HEX_LENGTHS)) {
      const expected = coreutils(algorithm, bytes);
      assert.equal(computeDigest(algorithm, bytes), expected, algorithm);
      assert.equal(expected.length - algorithm.length - 1, DIGEST_HEX_LENGTHS[algorithm], `${algorithm} hex length`);
    }
    assert.equal(sha256Digest(bytes), coreutils('sha256', bytes));
    assert.equal(sha256Digest(new Uint8Array(0)), 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'the empty blob of the spec');
  });

  it('verifies the bytes a digest names, and refuses one altered byte', () => {
    const d = coreutils('sha512', bytes);
    assert.doesNotThrow(() => verifyDigest(bytes, d, 'layer x'));
    const altered = Buffer.from(bytes);
    altered[500] = (altered[500] ?? 0) ^ 1;
    assert.throws(() => verifyDigest(altered, d, 'layer x'), {
      code: 'DIGEST_MISMATCH',
      message: `layer x: content digest ${coreutils('sha512', altered)} does not match ${d}; the registry or a proxy altered it, do not trust this image`,
    });
  });

  it('never verifies a sha256 digest spelled in uppercase (the image spec requires lowercase hex)', () => {
    const upper = `sha256:${coreutils('sha256', bytes).slice(7).toUpperCase()}`;
    assert.throws(() => verifyDigest(bytes, upper, 'x'), { code: 'DIGEST_MISMATCH' });
  });

  it('refuses to vouch for an algorithm it cannot compute, naming it', () => {
    for (const algorithm of ['blake3', 'md5', 'sha256+b64', '']) {
      assert.throws(
        () => verifyDigest(bytes, `${algorithm}:abc`, 'x'),
        (e: unknown) => e instanceof RegsizeError && e.message.includes(`cannot verify digest algorithm "${algorithm}"`),
        algorithm,
      );
    }
  });
});

describe('oci/digest: verifying what a registry sent', () => {
  useMockAgent();
  const bytes = new TextEncoder().encode('{"architecture":"amd64"}');
  const hex = (alg: string) => createHash(alg).update(bytes).digest('hex');
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
    const scope = mock('https://r.example').get('/v2/').reply(200, '{}').get(`/v2/team/app/blobs/${digest}`).reply(200, Buffer.from(bytes));
    const http = new HttpClient(defaultHttpSettings({ debug: () => {}, warn: () => {} }, { retries: 0 }));
    const client = new RegistryClient({ http, credentials: { get: async () => undefined }, scheme: { plainHttp: false } });
    const e = await rejectionOf(client.blobGet({ registry: 'r.example', repository: 'team/app' }, digest));
    assert.equal(e.code, 'UNSUPPORTED');
    scope.done();
  });
});
