import assert from 'node:assert/strict';
import { fromTar, totalUncompressed } from '../../src/sizing/uncompressed-layer.js';

describe('uncompressed layer results', () => {
  it('an image total is unknown as soon as one layer is, never a partial sum', () => {
    assert.equal(totalUncompressed([{ size: 3 }, { size: 4 }]), 7);
    assert.equal(totalUncompressed([{ size: 3 }, { size: null }, { size: 4 }]), null);
    assert.equal(totalUncompressed([{ size: null }, { size: 0 }]), null);
    assert.equal(totalUncompressed([]), 0);
  });

  it('a plain tar layer is its descriptor size', () => {
    assert.deepEqual(fromTar({ size: 10240 }), { size: 10240, method: 'tar' });
  });
});
