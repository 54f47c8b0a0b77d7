/** The table of `regsize report history IMAGE` (src/render/report-history.ts). */
import assert from 'node:assert/strict';
import { renderImageHistory } from '../../src/render/report-history.js';
import type { ImageHistory } from '../../src/report/timeline.js';
import { formatBytes } from '../../src/units.js';
import { SHA } from './report-fixture.js';

const SIZES = [40_000_000, 40_000_000, 46_000_000];

function history(): ImageHistory {
  return {
    image: 'docker.io/library/python:3.12-slim',
    history: '/tmp/h.db',
    points: SIZES.map((compressedSize, i) => {
      const prev = SIZES[i - 1];
      return {
        at: `2025-06-0${i + 1}T06:00:00.000Z`,
        platform: 'linux/amd64',
        digest: SHA(String(i)),
        manifestDigest: SHA(i === 2 ? 'c' : 'a'),
        compressedSize,
        maxSize: 45_000_000,
        change: prev === undefined ? null : { bytes: compressedSize - prev, percent: null },
        rebuilt: i === 2,
      };
    }),
  };
}

describe('report history table', function () {
  it('one row per run with its size, change, budget and notes', function () {
    const lines = renderImageHistory(history(), { units: 'si', style: 'plain' }).trimEnd().split('\n');
    assert.equal(lines[0], 'docker.io/library/python:3.12-slim (linux/amd64): 3 recorded runs');
    const rows = lines.slice(2);
    assert.equal(rows.length, SIZES.length);
    assert.ok(rows[0]?.includes(formatBytes(SIZES[0] as number, 'si')) && rows[0]?.includes('first run'));
    assert.match(rows[1] ?? '', / 0 B /);
    assert.ok(rows[2]?.includes(`+${formatBytes(6_000_000, 'si')}`));
    assert.match(rows[2] ?? '', /over budget, rebuilt$/);
    assert.ok(rows[2]?.includes('c'.repeat(12)), 'the manifest digest, short');
  });
});
