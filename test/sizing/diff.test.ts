/**
 * matchLayers, the layer matching of `diff`: linear in the layer counts (a 100,000-layer diff
 * completes, with the right answer), with the semantics of the first version: digest first
 * everywhere, then diff_id among what is left, each base layer matched at most once, the
 * first free one in order. The expected answers are worked out here, by construction.
 */
import assert from 'node:assert/strict';
import { matchLayers, type Matchable } from '../../src/sizing/diff.js';

const d = (n: number | string) => `sha256:${String(n).padStart(64, '0')}`;

describe('diff layer matching', () => {
  it('matches 100,000 layers against 100,000 (linear, not a findIndex per layer)', function () {
    this.timeout(60_000);
    const N = 100_000;
    // BASE: N layers. IMAGE: BASE's layers in order, except every 10th, which is recompressed
    // (another digest, the same diff_id), then 1,000 layers of its own. BASE's last 500 layers
    // are missing from IMAGE.
    const base: Matchable[] = Array.from({ length: N }, (_, i) => ({ digest: d(`b${i}`), diffId: d(`t${i}`) }));
    const kept = N - 500;
    const image: Matchable[] = [
      ...Array.from({ length: kept }, (_, i) => (i % 10 === 0 ? { digest: d(`r${i}`), diffId: d(`t${i}`) } : { digest: d(`b${i}`), diffId: d(`t${i}`) })),
      ...Array.from({ length: 1000 }, (_, i) => ({ digest: d(`a${i}`), diffId: d(`u${i}`) })),
    ];
    const m = matchLayers(base, image);
    for (let i = 0; i < kept; i++) assert.deepEqual(m.image[i], { baseIndex: i, by: i % 10 === 0 ? 'diff_id' : 'digest' });
    for (let i = kept; i < image.length; i++) assert.equal(m.image[i], undefined);
    assert.deepEqual(m.removed, Array.from({ length: 500 }, (_, i) => kept + i));
  });

  it('prefers a digest match anywhere over an earlier diff_id match', () => {
    // Image layer 0 could take base 0 by diff_id, but image layer 1 holds base 0's very blob.
    const base = [{ digest: d(1), diffId: d('x') }];
    const image = [{ digest: d(2), diffId: d('x') }, { digest: d(1), diffId: d('x') }];
    assert.deepEqual(matchLayers(base, image), { image: [undefined, { baseIndex: 0, by: 'digest' }], removed: [] });
  });

  it('matches a repeated layer once per copy in BASE, first free copy first', () => {
    const base = [{ digest: d(1) }, { digest: d(2) }, { digest: d(1) }];
    const image = [{ digest: d(1) }, { digest: d(1) }, { digest: d(1) }];
    assert.deepEqual(matchLayers(base, image), { image: [{ baseIndex: 0, by: 'digest' }, { baseIndex: 2, by: 'digest' }, undefined], removed: [1] });
  });

  it('never matches layers whose diff_id is unknown by diff_id', () => {
    const base = [{ digest: d(1) }, { digest: d(3), diffId: d('y') }];
    const image = [{ digest: d(2) }, { digest: d(4), diffId: d('y') }];
    assert.deepEqual(matchLayers(base, image), { image: [undefined, { baseIndex: 1, by: 'diff_id' }], removed: [0] });
  });

  it('skips base layers taken by digest when matching by diff_id', () => {
    const base = [{ digest: d(1), diffId: d('x') }, { digest: d(2), diffId: d('x') }];
    const image = [{ digest: d(9), diffId: d('x') }, { digest: d(1), diffId: d('x') }];
    assert.deepEqual(matchLayers(base, image), { image: [{ baseIndex: 1, by: 'diff_id' }, { baseIndex: 0, by: 'digest' }], removed: [] });
  });
});

// Moved from the image config's test (issue #12: each test at its source's mirror path).
const D = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

describe('diff: matching layers', () => {
  it('matches by digest first, then by diff_id among what is left', () => {
    const base = [{ digest: D(1), diffId: D(5) }, { digest: D(2), diffId: D(6) }];
    const image = [{ digest: D(3), diffId: D(5) }, { digest: D(2), diffId: D(6) }, { digest: D(4), diffId: D(7) }];
    assert.deepEqual(matchLayers(base, image), {
      image: [{ baseIndex: 0, by: 'diff_id' }, { baseIndex: 1, by: 'digest' }, undefined],
      removed: [],
    });
  });

  it('a base layer matches one image layer only; unmatched base layers are removed', () => {
    const base = [{ digest: D(1) }, { digest: D(2) }];
    const image = [{ digest: D(1) }, { digest: D(1) }, { digest: D(3) }];
    assert.deepEqual(matchLayers(base, image), { image: [{ baseIndex: 0, by: 'digest' }, undefined, undefined], removed: [1] });
  });

  it('layers without a diff_id never match each other through it', () => {
    assert.deepEqual(matchLayers([{ digest: D(1) }], [{ digest: D(2) }]), { image: [undefined], removed: [0] });
  });
});
