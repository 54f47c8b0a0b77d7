/** The compare table (src/render/compare.ts): sizes, download times, and the change from the first image. */
import assert from 'node:assert/strict';
import { renderCompare } from '../../src/render/compare.js';
import type { CompareResult } from '../../src/sizing/compare.js';
import { formatBytes } from '../../src/units.js';
import { SHA } from './report-fixture.js';

const SIZES = [50_000_000, 30_000_000];

function result(): CompareResult {
  return {
    images: SIZES.map((compressedSize, i) => ({
      reference: `app:${i}`,
      name: `docker.io/library/app:${i}`,
      digest: SHA(String(i)),
      platform: 'linux/amd64',
      manifestDigest: SHA('m'),
      compressedSize,
      layers: [{ digest: SHA('l'), size: compressedSize, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }],
    })),
  };
}

describe('compare table', function () {
  it('a row per image with its size, its download time, and the change from the first', function () {
    const out = renderCompare(result(), { units: 'si', bandwidths: [{ label: '100Mbps', bitsPerSecond: 100e6 }], style: 'plain' });
    const lines = out.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^IMAGE +PLATFORM +SIZE +LAYERS +@100Mbps +VS FIRST$/);
    const second = lines.find((l) => l.startsWith('app:1 ')) ?? '';
    assert.ok(second.includes(formatBytes(SIZES[1] as number, 'si')), out);
    // 30 MB at 100 Mbit/s: 30e6 * 8 / 100e6 = 2.4 s.
    assert.match(second, /2\.4 ?s/);
    assert.ok(second.includes(`-${formatBytes(20_000_000, 'si')}`), out);
  });

  it('a markdown table when asked', function () {
    const out = renderCompare(result(), { units: 'si', bandwidths: [], style: 'markdown' });
    assert.match(out, /^\| IMAGE \| PLATFORM \| SIZE \|/);
  });
});
