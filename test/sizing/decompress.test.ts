/**
 * Streaming decompression of layer blobs: the output is the very tar that was compressed, in
 * order, however the input is chunked; each compression gets its decompressor from one place.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { corruptLayer, decompressSink, gunzipSink, loadZstd, type LayerCompressionKind } from '../../src/sizing/decompress.js';
import { makeTar, seededBytes } from '../helpers/images.js';
import { zstd } from './zstd-cli.js';

const tar = makeTar([
  { name: 'a.bin', content: seededBytes(150_000, 'a') },
  { name: 'b.txt', content: 'text\n'.repeat(20_000) },
]);

async function inflate(kind: LayerCompressionKind, blob: Buffer, step: number): Promise<Buffer> {
  const out: Uint8Array[] = [];
  const sink = decompressSink(kind, 'sha256:x', (c) => out.push(Buffer.from(c)), blob.length);
  for (let i = 0; i < blob.length; i += step) await sink.write(blob.subarray(i, i + step));
  await sink.end();
  return Buffer.concat(out);
}

describe('decompressing layer streams', () => {
  before(() => loadZstd());

  for (const [kind, blob] of [
    ['gzip', gzipSync(tar)],
    ['zstd', zstd(tar)],
    ['none', tar],
  ] as const) {
    it(`gives back the exact tar of a ${kind} layer, in 1 KB and 64 KB chunks`, async () => {
      for (const step of [1000, 65_536]) assert.ok((await inflate(kind, blob, step)).equals(tar), `${kind} in ${step}-byte chunks`);
    });
  }

  it('refuses a zstd frame with a window larger than the blob could fill, before decoding it', async () => {
    // A frame header declaring a 64 MiB window (Window_Descriptor 0x80), in a 9-byte blob.
    const hostile = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, (26 - 10) << 3, 0x01, 0x00, 0x00]);
    await assert.rejects(inflate('zstd', hostile, 9), { code: 'REGISTRY_ERROR', message: /declares a zstd window of 64\.0 MiB/ });
  });

  it('reports gzip trouble as corrupt layer data, with the decoder\'s reason', async () => {
    const sink = gunzipSink('sha256:y', () => {});
    await assert.rejects(
      (async () => {
        await sink.write(Buffer.from('definitely not gzip'));
        await sink.end();
      })(),
      { code: 'REGISTRY_ERROR', message: /^layer sha256:y is not valid gzip data: incorrect header check/ },
    );
    assert.equal(corruptLayer('d', 'zstd', new Error('bad block')).message, 'layer d is not valid zstd data: bad block');
  });
});
