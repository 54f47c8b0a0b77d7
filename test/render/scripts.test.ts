/** compare and tags output for scripts (src/render/scripts.ts): CSV with exact bytes, and --quiet. */
import assert from 'node:assert/strict';
import { renderCompareCsv, renderCompareQuiet, renderTagsCsv } from '../../src/render/scripts.js';
import type { CompareResult } from '../../src/sizing/compare.js';
import { SHA } from './report-fixture.js';

const SIZES = [7_340_032, 123];

function compare(): CompareResult {
  return {
    images: [
      ...SIZES.map((compressedSize, i) => ({
        reference: `app:${i}`,
        name: `docker.io/library/app:${i}`,
        digest: SHA(String(i)),
        platform: 'linux/amd64',
        manifestDigest: SHA('m'),
        compressedSize,
        layers: [{ digest: SHA('l'), size: compressedSize, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }],
      })),
      { reference: 'gone:1', error: { code: 'NAME_UNKNOWN', message: 'no such repository' } },
    ],
  };
}

describe('script output', function () {
  it('--quiet: one line of bytes per sized image, none for a failed one', function () {
    assert.equal(renderCompareQuiet(compare()), SIZES.map((n) => `${n}\n`).join(''));
  });

  it('compare CSV: exact bytes, and the error in its own row', function () {
    const rows = renderCompareCsv(compare()).trimEnd().split('\r\n').map((l) => l.split(','));
    const header = rows[0] ?? [];
    assert.deepEqual(rows.slice(1).map((r) => r[header.indexOf('compressed_size')]), [...SIZES.map(String), '']);
    assert.deepEqual(rows[3]?.slice(-2), ['NAME_UNKNOWN', 'no such repository']);
  });

  it('tags CSV: one row per tag, the repository in each', function () {
    const csv = renderTagsCsv({ repository: 'docker.io/library/app', tags: [{ tag: '1', digest: SHA('1'), platform: 'linux/amd64', compressedSize: 42 }, { tag: '=cmd', error: { code: 'DENIED', message: 'denied' } }] });
    const rows = csv.trimEnd().split('\r\n');
    assert.equal(rows.length, 3);
    assert.equal(rows[1], `docker.io/library/app,1,${SHA('1')},linux/amd64,42,,`);
    assert.ok(!rows[2]?.startsWith('docker.io/library/app,=cmd'), 'a tag that looks like a formula is guarded');
  });
});
