/** Where cache entries live: names only from well-formed digests, tag names hashed, one folder per kind. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { digestPath, lastWalkPath, repoTagsPath } from '../../src/cache/layout.js';

describe('cache layout', () => {
  const hex = 'ab'.repeat(32);
  it('files each kind under v1/<kind>/<alg>/, listings as .json.gz', () => {
    assert.equal(digestPath('/c', 'manifests', `sha256:${hex}`), join('/c', 'v1', 'manifests', 'sha256', hex));
    assert.equal(digestPath('/c', 'blobs', `sha512:${'cd'.repeat(64)}`), join('/c', 'v1', 'blobs', 'sha512', 'cd'.repeat(64)));
    assert.equal(digestPath('/c', 'listings', `sha256:${hex}`), join('/c', 'v1', 'listings', 'sha256', `${hex}.json.gz`));
    assert.equal(lastWalkPath('/c'), join('/c', 'v1', 'last-walk'));
  });

  it('names no file after a malformed digest', () => {
    for (const bad of [`sha256:../../${hex.slice(6)}`, 'sha256:AB', `md5:${hex.slice(0, 32)}`, `sha256:${hex}/x`, '']) assert.equal(digestPath('/c', 'blobs', bad), undefined, bad);
  });

  it('hashes repository names into file names, in a folder the old per-tag entries never used', () => {
    const name = 'ghcr.io/org/app/../../x';
    assert.equal(repoTagsPath('/c', name), join('/c', 'v1', 'repo-tags', `${createHash('sha256').update(name).digest('hex')}.json`));
  });
});
