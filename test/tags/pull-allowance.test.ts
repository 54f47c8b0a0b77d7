/**
 * tags/pull-allowance.ts: manifest GETs a run needs, counted as Docker Hub counts pulls (an
 * index and its platform image are one), and the stop when fewer remain.
 */
import assert from 'node:assert/strict';
import { isRegsizeError } from '../../src/errors.js';
import { decodeManifest } from '../../src/oci/manifest.js';
import { checkAllowance, estimateManifestGets, type ManifestLookup } from '../../src/tags/pull-allowance.js';
import { imageManifest, OCI_INDEX, OCI_MANIFEST, ociIndexWithAttestations, type Served } from '../fixtures/dockerhub.js';

const repo = { registry: 'docker.io', repository: 'library/python' };
const amd64 = { os: 'linux', architecture: 'amd64' };

function lookup(cached: Served[]): ManifestLookup {
  const byDigest = new Map(cached.map((s) => [s.digest, s]));
  return {
    manifestCached: async (_r, d) => byDigest.has(d),
    manifestGet: async (_r, d) => {
      const s = byDigest.get(d);
      if (!s) throw new Error('not cached');
      const manifest = decodeManifest(s.bytes, s.mediaType, d);
      return { digest: d, bytes: s.bytes, manifest, mediaType: manifest.mediaType };
    },
  };
}

describe('pull allowance', () => {
  const a = imageManifest(OCI_MANIFEST, [10], 'pa-a').served;
  const b = imageManifest(OCI_MANIFEST, [20], 'pa-b').served;
  const index = ociIndexWithAttestations([{ served: a, platform: amd64 }]);

  it('an index not fetched costs 2 GETs and 1 pull; a single image 1 and 1; a cached index only its missing child', async () => {
    const cold = await estimateManifestGets(lookup([]), repo, new Map([[index.digest, OCI_INDEX], [b.digest, OCI_MANIFEST]]), amd64);
    assert.deepEqual(cold, { gets: 3, pulls: 2, atLeast: false });
    const warmIndex = await estimateManifestGets(lookup([index]), repo, new Map([[index.digest, OCI_INDEX]]), amd64);
    assert.deepEqual(warmIndex, { gets: 1, pulls: 1, atLeast: false });
    const warm = await estimateManifestGets(lookup([index, a]), repo, new Map([[index.digest, OCI_INDEX]]), amd64);
    assert.deepEqual(warm, { gets: 0, pulls: 0, atLeast: false });
    const unknownKind = await estimateManifestGets(lookup([]), repo, new Map([[b.digest, undefined]]), 'all');
    assert.equal(unknownKind.atLeast, true);
  });

  it('stops with RATE_LIMITED when more pulls are needed than remain, and not otherwise', () => {
    const needed = { gets: 6, pulls: 3, atLeast: false };
    assert.doesNotThrow(() => checkAllowance('python', 'docker.io', needed, { remaining: 3 }));
    assert.doesNotThrow(() => checkAllowance('python', 'docker.io', needed, undefined));
    assert.throws(
      () => checkAllowance('python', 'docker.io', needed, { limit: 100, remaining: 2 }),
      (e) => isRegsizeError(e) && e.code === 'RATE_LIMITED' && /needs 3 pulls \(6 manifest GETs\).*only 2 more.*of 100/.test(e.message),
    );
  });
});
