/**
 * The CI gates of compare and diff (src/cli/gates.ts): which images fail --max-size and
 * --max-increase, the warning each failure prints, and the `gates` object of the JSON. Sizes
 * are chosen so the expected verdicts and figures can be worked out by hand.
 */
import assert from 'node:assert/strict';
import { compareGates, diffGate, gatesFailed } from '../../src/cli/gates.js';
import type { Logger } from '../../src/log.js';
import type { CompareResult, ImageEntry } from '../../src/sizing/compare.js';
import type { DiffResult } from '../../src/sizing/diff.js';
import { parseGrowthLimit } from '../../src/sizing/growth-gate.js';

function image(reference: string, compressedSize: number, platform = 'linux/amd64'): ImageEntry {
  return { reference, name: reference, digest: `sha256:${'a'.repeat(64)}`, platform, manifestDigest: `sha256:${'b'.repeat(64)}`, compressedSize, layers: [] };
}

function recorder(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug: () => {}, warn: (line) => warnings.push(line) };
}

const result: CompareResult = {
  images: [image('app:main', 1000), image('app:pr', 1500), { reference: 'app:gone', error: { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' } }, image('app:small', 900)],
};

describe('CI gates (src/cli/gates.ts)', () => {
  it('no gate flag: no report, no warning', () => {
    const log = recorder();
    assert.equal(compareGates(result, 'app:main', { units: 'si' }, log), undefined);
    assert.equal(gatesFailed(undefined), false);
    assert.deepEqual(log.warnings, []);
  });

  it('--max-size: every sized image over the limit fails it, answered in the units the limit was written in', () => {
    const log = recorder();
    const gates = compareGates(result, 'app:main', { 'max-size': { bytes: 1024, label: '1KiB' }, units: 'si' }, log);
    assert.deepEqual(gates, { failed: ['max-size'] });
    assert.ok(gatesFailed(gates));
    // 1500 bytes = 1.46 KiB; app:main (1000) and app:small (900) are under 1024.
    assert.deepEqual(log.warnings, ['app:pr (linux/amd64) is 1.46 KiB, over --max-size 1KiB']);
  });

  it('--max-increase: each image against the first given; a shrink or a failed image never fails it', () => {
    const log = recorder();
    const gates = compareGates(result, 'app:main', { 'max-increase': parseGrowthLimit('10%'), units: 'si' }, log);
    assert.deepEqual(gates?.failed, ['max-increase']);
    assert.deepEqual(
      gates?.increases?.map((c) => [c.image, c.base, c.bytes, c.percent, c.exceeded]),
      [
        ['app:pr', 'app:main', 500, 50, true],
        ['app:small', 'app:main', -100, -10, false],
      ],
    );
    assert.deepEqual(log.warnings, ['app:pr is 500 B (+50.0%) larger than app:main; --max-increase 10%']);
  });

  it('both gates passing: a report with nothing failed', () => {
    const log = recorder();
    const gates = compareGates(result, 'app:main', { 'max-size': { bytes: 2000, label: '2kB' }, 'max-increase': parseGrowthLimit('1kB'), units: 'si' }, log);
    assert.deepEqual(gates?.failed, []);
    assert.equal(gatesFailed(gates), false);
    assert.deepEqual(log.warnings, []);
  });

  describe('diff', () => {
    const diff = (baseSize: number, imageSize: number) => ({ base: image('python:3.12-slim', baseSize), image: image('app:1', imageSize) }) as DiffResult;

    it('holds IMAGE to BASE: 20 MB over a 50 MB base is 40%', () => {
      const log = recorder();
      const gates = diffGate(diff(50e6, 70e6), parseGrowthLimit('20%'), 'si', log);
      assert.deepEqual(gates?.failed, ['max-increase']);
      assert.deepEqual(gates?.increases?.map((c) => [c.image, c.base, c.platform, c.bytes, c.percent]), [['app:1', 'python:3.12-slim', 'linux/amd64', 20e6, 40]]);
      assert.deepEqual(log.warnings, ['app:1 is 20 MB (+40.0%) larger than python:3.12-slim; --max-increase 20%']);
    });
    it('exactly at the limit passes; no flag, no report', () => {
      const log = recorder();
      assert.deepEqual(diffGate(diff(1000, 1100), parseGrowthLimit('10%'), 'si', log)?.failed, []);
      assert.equal(diffGate(diff(1000, 5000), undefined, 'si', log), undefined);
      assert.deepEqual(log.warnings, []);
    });
  });
});
