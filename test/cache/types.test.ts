/** src/cache/types.ts: `noCache` (--no-cache) keeps nothing, so every read after a write is a miss. */
import assert from 'node:assert/strict';
import { noCache } from '../../src/cache/types.js';

describe('cache/types: noCache', () => {
  it('answers every read as absent, whatever was put before', async () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    await noCache.putManifest(digest, { bytes: new Uint8Array([1]), mediaType: 'application/vnd.oci.image.manifest.v1+json' });
    await noCache.putBlob(digest, new Uint8Array([2]));
    await noCache.putTags('r.example/app', new Map([['1', digest]]));
    assert.equal(await noCache.getManifest(digest), undefined);
    assert.equal(await noCache.getBlob(digest), undefined);
    assert.equal((await noCache.getTags('r.example/app')).size, 0);
  });
});
