/**
 * zstd layers: a header never stands for the layer's size, and a small blob read whole is
 * counted exactly. Blobs are written by zstd(1); the expected sizes are the tars built here.
 */
import assert from 'node:assert/strict';
import { countSmallZstd, interpretZstdHeader, isZstdChunked } from '../../src/sizing/zstd-layer.js';
import { parseZstdFrameHeader } from '../../src/sizing/zstd-frame.js';
import { makeTar, seededBytes } from '../helpers/images.js';
import { sha256 } from '../helpers/push.js';
import { skippableFrame, zstd, zstdFromFile } from './zstd-cli.js';

const tarOf = (size: number, seed: string) => makeTar([{ name: 'data.bin', content: seededBytes(size, seed) }]);
const note = (r: { size: number | null }) => (r as { note?: string }).note ?? '';

describe('zstd layers', () => {
  it('never takes a zstd frame header for the size of a blob too large to read whole', () => {
    const tar = tarOf(200_000, 'frames');
    const one = zstd(tar, [`--stream-size=${tar.length}`]);
    const single = interpretZstdHeader(parseZstdFrameHeader(one), {});
    assert.equal(single.size, null, 'one frame, but nothing short of reading the blob proves it');
    assert.equal(note(single), `the first zstd frame records ${tar.length} bytes, but a frame speaks only for itself and the blob may hold more (--exact counts it)`);
    // Two frames back to back: the first header speaks for half the blob.
    const two = Buffer.concat([one, zstd(tarOf(200_000, 'second'), [`--stream-size=${tar.length}`])]);
    assert.equal(interpretZstdHeader(parseZstdFrameHeader(two), {}).size, null);
    assert.match(note(interpretZstdHeader(parseZstdFrameHeader(zstd(tar)), {})), /does not record its content size/);
    assert.match(note(interpretZstdHeader(parseZstdFrameHeader(skippableFrame(4)), {})), /starts with a skippable zstd frame/);
    const invalid = interpretZstdHeader(parseZstdFrameHeader(Buffer.from('not zstd')), {});
    assert.deepEqual(invalid, { size: null, note: 'not a zstd frame (no zstd magic number)', streamable: false }, '--exact would not help');
  });

  it('knows zstd:chunked layers by either annotation family', () => {
    const one = zstdFromFile(tarOf(1000, 'c'));
    for (const key of ['io.github.containers.zstd-chunked.manifest-position', 'io.containers.zstd-chunked.manifest-position']) {
      assert.ok(isZstdChunked({ annotations: { [key]: '1:2:3:1' } }), key);
      assert.match(note(interpretZstdHeader(parseZstdFrameHeader(one), { annotations: { [key]: '1:2:3:1' } })), /zstd:chunked layer is many frames/, key);
    }
    assert.equal(isZstdChunked({ annotations: { 'io.containers.estargz.uncompressed-size': '1' } }), false);
    assert.equal(isZstdChunked({}), false);
  });

  it('counts a small blob read whole: three frames and two skippable ones, not the first frame\'s size', async () => {
    const tar = tarOf(1500, 'chunked');
    const blob = Buffer.concat([zstdFromFile(tar.subarray(0, 1024)), skippableFrame(3), zstdFromFile(tar.subarray(1024, 2048)), skippableFrame(5, 7), zstdFromFile(tar.subarray(2048))]);
    assert.equal((parseZstdFrameHeader(blob) as { contentSize: bigint }).contentSize, 1024n, 'the first header tells only of its own 1024 bytes');
    assert.deepEqual(await countSmallZstd(blob, { digest: sha256(blob), size: blob.length }), { size: tar.length, method: 'counted' });
  });

  it('a short read is unknown, and bytes that do not hash to the digest are refused', async () => {
    const blob = zstd(tarOf(3000, 'short'));
    const d = { digest: sha256(blob), size: blob.length };
    const short = await countSmallZstd(blob.subarray(0, 100), d);
    assert.deepEqual(short, { size: null, note: `the registry sent 100 of the blob's ${blob.length} bytes (--exact counts it)`, streamable: true });
    const other = zstd(tarOf(3000, 'other'));
    await assert.rejects(countSmallZstd(other.subarray(0, blob.length), d), { code: 'DIGEST_MISMATCH' });
  });
});
