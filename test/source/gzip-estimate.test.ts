/**
 * The push-size estimate of a plain tar layer: its diff_id and exact length, and a gzip size
 * within 5% of what `gzip -6` (the real tool) makes of the same bytes.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { estimateGzip } from '../../src/source/gzip-estimate.js';
import { makeTar, seededBytes } from '../helpers/images.js';

describe('gzip estimate of a plain tar layer', () => {
  const text = Buffer.from(Array.from({ length: 30_000 }, (_, i) => `export const v${i % 701} = ${(i * 7919) % 10007};`).join('\n'));
  const tar = makeTar([{ name: 'app/' }, { name: 'app/main.js', content: text }, { name: 'app/blob.bin', content: seededBytes(200_000, 'gz-est') }]);

  it('hashes and counts the tar exactly, and compresses within 5% of gzip -6', async () => {
    let seen = 0;
    const chunks = (async function* () {
      for (let i = 0; i < tar.length; i += 7000) yield tar.subarray(i, i + 7000);
    })();
    const e = await estimateGzip(chunks, (n) => (seen += n));
    assert.equal(e.tar, tar.length);
    assert.equal(seen, tar.length);
    assert.equal(e.digest, `sha256:${createHash('sha256').update(tar).digest('hex')}`);
    const gzip = execFileSync('gzip', ['-6', '-c', '-n'], { input: tar }).length;
    assert.ok(Math.abs(e.compressed - gzip) / gzip <= 0.05, `estimate ${e.compressed}, gzip -6 ${gzip}`);
    assert.ok(e.compressed < tar.length * 0.8, 'the text compresses');
  });

  it('an empty layer is an empty gzip stream', async () => {
    const e = await estimateGzip((async function* () {})());
    assert.deepEqual({ tar: e.tar, digest: e.digest }, { tar: 0, digest: `sha256:${createHash('sha256').update('').digest('hex')}` });
    assert.equal(e.compressed, execFileSync('gzip', ['-6', '-c', '-n'], { input: Buffer.alloc(0) }).length);
  });

  it('a failing source fails the estimate', async () => {
    const broken = (async function* () {
      yield tar.subarray(0, 1000);
      throw new Error('disk gone');
    })();
    await assert.rejects(estimateGzip(broken), /disk gone/);
  });
});
