/** An estimated size is marked (src/render/estimated.ts), a measured one is not. */
import assert from 'node:assert/strict';
import { ESTIMATE_NOTE, sizeCell } from '../../src/render/estimated.js';
import { formatBytes } from '../../src/units.js';

describe('estimated size cells', function () {
  it('puts ~ before an estimate only, and the note says what ~ means', function () {
    assert.equal(sizeCell(12_345_678, 'si', true), `~${formatBytes(12_345_678, 'si')}`);
    assert.equal(sizeCell(12_345_678, 'iec', false), formatBytes(12_345_678, 'iec'));
    assert.equal(sizeCell(1, 'si', undefined), formatBytes(1, 'si'));
    assert.ok(ESTIMATE_NOTE.startsWith('~ '));
  });
});
