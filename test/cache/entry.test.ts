/** Cache entry formats: a manifest entry keeps its media type and must hash to its digest; a tag record must be filed under its own key; freshness by TTL. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decodeManifest, decodeTag, encodeManifest, encodeTag, isFresh } from '../../src/cache/entry.js';

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

  it('a tag record must carry its key and a digest', () => {
    const raw = encodeTag('r/x:1', digest, 42) as Buffer;
    assert.deepEqual(decodeTag(raw, 'r/x:1'), { key: 'r/x:1', digest, storedAt: 42 });
    assert.equal(decodeTag(raw, 'r/x:2'), undefined);
    assert.equal(decodeTag(Buffer.from('{"key":"r/x:1","digest":"sha256:zz","storedAt":1}'), 'r/x:1'), undefined);
    assert.equal(decodeTag(Buffer.from('{"key"'), 'r/x:1'), undefined);
    assert.equal(encodeTag('r/x:1', 'sha256:nope', 1), undefined);
  });

  it('a tag is fresh within the TTL only, never from the future', () => {
    assert.equal(isFresh(1000, 1000 + 299, 300), true);
    assert.equal(isFresh(1000, 1000 + 300, 300), false);
    assert.equal(isFresh(1000, 999, 300), false);
    assert.equal(isFresh(1000, 1000, 0), false);
  });
});
