/** Budgets and growth alerts (src/report/budget.ts): arithmetic over bytes. */
import assert from 'node:assert/strict';
import { isRegsizeError } from '../../src/errors.js';
import { budgetFor, deltaFrom, isGrowthAlert, parseGrowthPercent } from '../../src/report/budget.js';

const point = (compressedSize: number) => ({ at: '2025-01-01T00:00:00.000Z', digest: 'sha256:a', manifestDigest: 'sha256:b', compressedSize });

describe('report budgets', function () {
  it('holds an image to its budget, over only when strictly above it', function () {
    assert.equal(budgetFor(100, undefined), null);
    assert.deepEqual(budgetFor(100, 100), { maxSize: 100, over: false, headroom: 0 });
    assert.deepEqual(budgetFor(101, 100), { maxSize: 100, over: true, headroom: -1 });
  });

  it('reads --alert-growth as a percentage, and refuses anything else with exit 2', function () {
    assert.equal(parseGrowthPercent('10%'), 10);
    assert.equal(parseGrowthPercent(' 2.5 '), 2.5);
    for (const bad of ['ten', '-5%', '10MB', '']) assert.throws(() => parseGrowthPercent(bad), (e: unknown) => isRegsizeError(e) && e.code === 'INVALID_INPUT');
  });

  it('counts a change in bytes and in percent of the earlier size, two decimals', function () {
    assert.deepEqual(deltaFrom(point(3_000_000), 3_100_000), { from: point(3_000_000), bytes: 100_000, percent: 3.33 });
    assert.equal(deltaFrom(point(0), 10).percent, null);
    assert.equal(deltaFrom(point(200), 150).bytes, -50);
  });

  it('alerts on growth strictly above the percentage, and on any growth from nothing', function () {
    assert.equal(isGrowthAlert(deltaFrom(point(1000), 1100), 10), false, 'exactly 10% is not more than 10%');
    assert.equal(isGrowthAlert(deltaFrom(point(1000), 1101), 10), true);
    assert.equal(isGrowthAlert(deltaFrom(point(1000), 900), 10), false);
    assert.equal(isGrowthAlert(deltaFrom(point(0), 1), 10), true);
    assert.equal(isGrowthAlert(null, 10), false);
  });
});
