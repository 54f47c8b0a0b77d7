/**
 * Counting what a layer decompresses to, fed in odd-sized chunks as a download arrives. The
 * expected counts are the tar bytes built here; the blobs come from node:zlib and zstd(1).
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { type CountingSink, layerCounter } from '../../src/sizing/counters.js';
import { loadZstd } from '../../src/sizing/decompress.js';
import { makeTar, seededBytes } from '../helpers/images.js';
import { zstd } from './zstd-cli.js';

const tar = makeTar([{ name: 'data.bin', content: seededBytes(300_000, 'count') }]);

async function feed(sink: CountingSink, blob: Buffer, step = 7919): Promise<number> {
  for (let i = 0; i < blob.length; i += step) await sink.write(blob.subarray(i, i + step));
  return sink.end();
}

describe('layer counters', () => {
  before(() => loadZstd());

  it('counts gzip, multi-member gzip, zstd and plain tar exactly', async () => {
    assert.equal(await feed(layerCounter('gzip', 'g'), gzipSync(tar)), tar.length);
    assert.equal(await feed(layerCounter('gzip', 'm'), Buffer.concat([gzipSync(tar), gzipSync(tar)])), 2 * tar.length);
    assert.equal(await feed(layerCounter('zstd', 'z'), zstd(tar)), tar.length);
    assert.equal(await feed(layerCounter('zstd', 'z', 1), zstd(tar), 1), tar.length, 'byte by byte');
    assert.equal(await feed(layerCounter('none', 't'), tar), tar.length);
  });

  it('a corrupt stream is a REGISTRY_ERROR naming the layer, not a count', async () => {
    const broken = Buffer.concat([gzipSync(tar).subarray(0, 100), Buffer.alloc(5000, 7)]);
    await assert.rejects(feed(layerCounter('gzip', 'sha256:bad'), broken), { code: 'REGISTRY_ERROR', message: /^layer sha256:bad is not valid gzip data/ });
    await assert.rejects(feed(layerCounter('zstd', 'sha256:bad'), Buffer.from('not zstd at all, not at all')), { code: 'REGISTRY_ERROR', message: /^layer sha256:bad is not valid zstd data/ });
  });

  it('a truncated stream is refused at the end, not counted short', async () => {
    await assert.rejects(feed(layerCounter('gzip', 'sha256:cut'), gzipSync(tar).subarray(0, 5000)), { code: 'REGISTRY_ERROR' });
  });
});
