/** Cache entry formats: a manifest entry keeps its media type and must hash to its digest; a repository's tag entry must be filed under its own name and hold only well-formed answers; freshness by TTL. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decodeManifest, decodeTags, encodeManifest, encodeTags, isFresh, MAX_REPO_TAGS } from '../../src/cache/entry.js';

const MT = 'application/vnd.oci.image.manifest.v1+json';
const bytes = Buffer.from('{"schemaVersion":2}');
const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('cache entry formats', () => {
  it('a manifest entry round-trips, and reads as absent when its bytes or header are wrong', () => {
    const raw = encodeManifest({ bytes, mediaType: MT }) as Buffer;
    assert.equal(raw.toString('latin1'), `${MT}\n${bytes.toString('latin1')}`);
    assert.deepEqual(Buffer.from(decodeManifest(raw, digest)?.bytes ?? []), bytes);
    assert.equal(decodeManifest(Buffer.concat([raw, Buffer.from(' ')]), digest), undefined);
    assert.equal(decodeManifest(Buffer.from(`bad type!\n${bytes}`), digest), undefined);
    assert.equal(encodeManifest({ bytes, mediaType: 'a\nb' }), undefined);
  });

  it("a repository's tag entry round-trips, and reads as absent when any part of it is wrong", () => {
    const other = `sha256:${'b'.repeat(64)}`;
    const answers = new Map([
      ['1.0', { digest, storedAt: 42 }],
      ['latest', { digest, storedAt: 43 }],
      ['__proto__', { digest: other, storedAt: 44 }],
    ]);
    const raw = encodeTags('r/x', answers);
    assert.deepEqual(decodeTags(raw, 'r/x'), answers);
    assert.equal(JSON.parse(raw.toString()).digests.length, 2, 'each digest written once');
    assert.equal(decodeTags(raw, 'r/y'), undefined, 'filed under another repository');
    const doc = () => JSON.parse(raw.toString());
    const broken = [
      { ...doc(), digests: ['sha256:zz', other] },
      { ...doc(), tags: { ...doc().tags, '../x': [0, 1] } },
      { ...doc(), tags: { '1.0': [5, 1] } },
      { ...doc(), tags: { '1.0': [0, 'yesterday'] } },
      { ...doc(), tags: [] },
    ];
    for (const b of broken) assert.equal(decodeTags(Buffer.from(JSON.stringify(b)), 'r/x'), undefined, JSON.stringify(b));
    assert.equal(decodeTags(Buffer.from('{"repo"'), 'r/x'), undefined);
    assert.deepEqual(decodeTags(encodeTags('r/x', new Map([['1', { digest: 'sha256:nope', storedAt: 1 }]])), 'r/x'), new Map(), 'a digest that may not be cached is left out');
  });

  it(`a repository's tag entry keeps the ${MAX_REPO_TAGS} answers learned last`, () => {
    const answers = new Map(Array.from({ length: MAX_REPO_TAGS + 2 }, (_, i) => [`t${i}`, { digest, storedAt: i }]));
    const kept = decodeTags(encodeTags('r/x', answers), 'r/x');
    assert.equal(kept?.size, MAX_REPO_TAGS);
    assert.equal(kept?.has('t0'), false);
    assert.equal(kept?.has('t1'), false);
    assert.equal(kept?.get(`t${MAX_REPO_TAGS + 1}`)?.storedAt, MAX_REPO_TAGS + 1);
  });

  it('a tag is fresh within the TTL only, never from the future', () => {
    assert.equal(isFresh(1000, 1000 + 299, 300), true);
    assert.equal(isFresh(1000, 1000 + 300, 300), false);
    assert.equal(isFresh(1000, 999, 300), false);
    assert.equal(isFresh(1000, 1000, 0), false);
  });
});
