import assert from 'node:assert/strict';
import { isRegsizeError } from '../../src/errors.js';
import { checkGrowth, growthMessage, increasesOverFirst, parseGrowthLimit } from '../../src/sizing/growth-gate.js';

describe('growth gate', () => {
  it('parses a percentage or a size, and refuses a bare number', () => {
    assert.deepEqual(parseGrowthLimit('5%'), { kind: 'percent', percent: 5, text: '5%' });
    assert.deepEqual(parseGrowthLimit(' 2.5 % '), { kind: 'percent', percent: 2.5, text: '2.5 %' });
    assert.deepEqual(parseGrowthLimit('20MB'), { kind: 'bytes', bytes: 20_000_000, text: '20MB' });
    assert.deepEqual(parseGrowthLimit('1 MiB'), { kind: 'bytes', bytes: 1_048_576, text: '1MiB' });
    for (const bad of ['5', '', 'ten%', '-5%', '5 parsecs']) {
      assert.throws(() => parseGrowthLimit(bad), (e: unknown) => isRegsizeError(e) && e.code === 'INVALID_INPUT' && /--max-increase/.test(e.message), bad);
    }
    assert.throws(() => parseGrowthLimit('5'), /bare number/);
  });

  it('passes growth up to the limit and fails strictly beyond it', () => {
    const ten = parseGrowthLimit('10%');
    assert.equal(checkGrowth(1000, 1100, ten).exceeded, false); // exactly 10%
    assert.equal(checkGrowth(1000, 1101, ten).exceeded, true);
    assert.equal(checkGrowth(1000, 900, ten).exceeded, false); // shrinking never fails
    const bytes = parseGrowthLimit('1kB');
    assert.equal(checkGrowth(5000, 6000, bytes).exceeded, false);
    assert.equal(checkGrowth(5000, 6001, bytes).exceeded, true);
    assert.deepEqual(checkGrowth(2000, 2500, ten), { limit: '10%', fromSize: 2000, toSize: 2500, bytes: 500, percent: 25, exceeded: true });
  });

  it('treats growth from nothing as beyond any percentage, but not beyond a size', () => {
    assert.deepEqual(checkGrowth(0, 10, parseGrowthLimit('50%')), { limit: '50%', fromSize: 0, toSize: 10, bytes: 10, percent: null, exceeded: true });
    assert.equal(checkGrowth(0, 10, parseGrowthLimit('1kB')).exceeded, false);
    assert.equal(checkGrowth(0, 0, parseGrowthLimit('0%')).exceeded, false);
  });

  it('says by how much in one line', () => {
    const c = checkGrowth(185_800_000, 208_900_000, parseGrowthLimit('10%'));
    assert.equal(growthMessage('app:pr', 'app:main', c, 'si'), 'app:pr is 23.1 MB (+12.4%) larger than app:main; --max-increase 10%');
    // One decimal would print the limit itself; two show that it is beyond.
    const edge = checkGrowth(100_000, 110_040, parseGrowthLimit('10%'));
    assert.match(growthMessage('b', 'a', edge, 'si'), /\(\+10\.04%\)/);
    assert.match(growthMessage('b', 'a', checkGrowth(0, 5, parseGrowthLimit('1%')), 'si'), /5 B \(from nothing\)/);
  });

  it('holds each image to the first one given, platform by platform', () => {
    const first = [
      { reference: 'a', platform: 'linux/amd64', compressedSize: 100 },
      { reference: 'a', platform: 'linux/arm64', compressedSize: 200 },
    ];
    const others = [
      { reference: 'b', platform: 'linux/arm64', compressedSize: 230 },
      { reference: 'b', platform: 'linux/riscv64', compressedSize: 101 },
    ];
    const checks = increasesOverFirst(first, others, parseGrowthLimit('10%'));
    assert.deepEqual(checks.map((c) => [c.platform, c.fromSize, c.exceeded]), [['linux/arm64', 200, true], ['linux/riscv64', 100, false]]);
    assert.deepEqual(increasesOverFirst([], others, parseGrowthLimit('10%')), []);
  });
});
