/** Dollar amounts (src/render/money.ts): to the cent, never "$0.00" for something that costs. */
import assert from 'node:assert/strict';
import { formatDollars } from '../../src/render/money.js';

describe('formatDollars', function () {
  it('shows cents always, with thousands separators, rounded to the nearest cent', function () {
    // 251 MB stored at $0.10 per GB-month of 2^30 bytes.
    assert.equal(formatDollars((251e6 / 2 ** 30) * 0.1), '$0.02');
    assert.equal(formatDollars(12.345), '$12.35');
    assert.equal(formatDollars(9.999), '$10.00');
    assert.equal(formatDollars(1234.5), '$1,234.50');
    assert.equal(formatDollars(1_000_000), '$1,000,000.00');
  });

  it('reads "<$0.01" for an amount that would round to nothing, and $0.00 only for nothing', function () {
    assert.equal(formatDollars(0.004), '<$0.01');
    assert.equal(formatDollars(1e-9), '<$0.01');
    assert.equal(formatDollars(0.005), '$0.01');
    assert.equal(formatDollars(0), '$0.00');
  });
});
