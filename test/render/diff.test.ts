/** The diff output (src/render/diff.ts): both images, then what IMAGE adds to BASE. */
import assert from 'node:assert/strict';
import { renderDiff } from '../../src/render/diff.js';
import type { ImageEntry } from '../../src/sizing/compare.js';
import type { DiffResult } from '../../src/sizing/diff.js';
import { formatBytes } from '../../src/units.js';
import { SHA } from './report-fixture.js';

const BASE = [3_600_000];
const ADDED = [12_000_000, 450_000];

const image = (reference: string, sizes: number[]): ImageEntry => ({
  reference,
  name: `docker.io/library/${reference}`,
  digest: SHA('a'),
  platform: 'linux/amd64',
  manifestDigest: SHA('b'),
  compressedSize: sizes.reduce((s, n) => s + n, 0),
  layers: sizes.map((size, i) => ({ digest: SHA(String(i)), size, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' })),
});

function result(): DiffResult {
  return {
    base: image('alpine:3.20', BASE),
    image: image('app:1', [...BASE, ...ADDED]),
    baseFrom: 'argument',
    sharedLayers: [],
    addedLayers: ADDED.map((size, i) => ({ digest: SHA(String(i + 5)), size, createdBy: `/bin/sh -c step-${i}` })),
    removedLayers: [],
    addedSize: ADDED.reduce((s, n) => s + n, 0),
    warnings: [],
  };
}

describe('diff output', function () {
  it('names both images with their sizes, and lists each added layer as its Dockerfile step', function () {
    const out = renderDiff(result(), { units: 'si', style: 'plain' });
    assert.ok(out.includes(formatBytes(BASE[0] as number, 'si')));
    assert.ok(out.includes(formatBytes(ADDED.reduce((s, n) => s + n, 0), 'si')), out);
    for (let i = 0; i < ADDED.length; i++) {
      const row = out.split('\n').find((l) => l.includes(`RUN step-${i}`));
      assert.ok(row?.includes(formatBytes(ADDED[i] as number, 'si')), out);
    }
  });
});
