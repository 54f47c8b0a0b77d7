/**
 * gzip ISIZE (RFC 1952 §2.3.1) on real gzip output: the expected tar sizes are the bytes the
 * test built, and gzip(1)'s own `gzip -l` agrees with the trailer read.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { fromEstargzAnnotation, interpretIsize, MAX_PLAUSIBLE_GZIP_RATIO, readIsize, tooShortForGzip } from '../../src/sizing/gzip-isize.js';
import { makeTar } from '../helpers/images.js';

const note = (r: { size: number | null }) => (r as { note?: string }).note ?? '';

describe('gzip ISIZE', () => {
  it('reads ISIZE from the last 4 bytes of a real gzip blob, as gzip -l does', () => {
    const tar = makeTar([{ name: 'etc/motd', content: 'welcome\n'.repeat(5000) }]);
    const blob = gzipSync(tar);
    const isize = readIsize(blob.subarray(-4));
    assert.equal(isize, tar.length);
    const listed = spawnSync('gzip', ['-l'], { input: blob, encoding: 'utf8' }).stdout.trim().split('\n')[1]?.trim().split(/\s+/)[1];
    assert.equal(isize, Number(listed));
    assert.deepEqual(interpretIsize(isize, blob.length), { size: tar.length, method: 'gzip-isize' });
  });

  it('refuses a trailer that is not 4 bytes', () => {
    assert.throws(() => readIsize(new Uint8Array(3)), { code: 'REGISTRY_ERROR', message: 'expected the 4-byte gzip trailer, got 3 bytes' });
  });

  it('never takes ISIZE for the size when it cannot be the whole tar', () => {
    const zero = interpretIsize(0, 5000);
    assert.equal(zero.size, null);
    assert.match(note(zero), /reads 0/);
    assert.equal(interpretIsize(1000, 600).size, null, 'not a whole number of 512-byte blocks');
    // A 10 MB blob cannot inflate to 1 KiB: the 32-bit field wrapped past 4 GiB.
    const wrapped = interpretIsize(1024, 10_000_000);
    assert.equal(wrapped.size, null);
    assert.match(note(wrapped), /^uncertain: the layer is over 4 GiB/);
    // 300 MB compressed reading 600 MB could as well be 4.9 GB (16:1): uncertain.
    const mayWrap = interpretIsize(600 * 1024 * 1024, 300_000_000);
    assert.equal(mayWrap.size, null);
    assert.match(note(mayWrap), /^uncertain: the layer could be over 4 GiB/);
    // 100 MB reading 300 MB: 4.6 GB would take 46:1, so 300 MB it is.
    assert.deepEqual(interpretIsize(300 * 1024 * 1024, 100_000_000), { size: 300 * 1024 * 1024, method: 'gzip-isize' });
    assert.equal(interpretIsize(1024, 10).size, null, 'too short to be gzip');
  });

  it('takes ISIZE only below the plausible ratio: the boundary is isize + 4 GiB against 20x the blob', () => {
    // With n compressed bytes, the size could be isize + 4 GiB when that is within 20n.
    const isize = 512 * 1024 * 1024;
    const atLimit = Math.ceil((isize + 2 ** 32) / MAX_PLAUSIBLE_GZIP_RATIO);
    assert.equal(interpretIsize(isize, atLimit).size, null);
    assert.equal(interpretIsize(isize, atLimit - 1).size, isize);
  });

  it('the shortest gzip member is 20 bytes: gzip of nothing', () => {
    const empty = gzipSync(Buffer.alloc(0));
    assert.equal(tooShortForGzip(empty.length), undefined);
    assert.equal(tooShortForGzip(empty.length - 1), `the blob is ${empty.length - 1} bytes, too short to be gzip`);
  });

  it('uses the eStargz uncompressed-size annotation only when it is a positive integer', () => {
    const d = (v: string) => ({ annotations: { 'io.containers.estargz.uncompressed-size': v } });
    assert.deepEqual(fromEstargzAnnotation(d('123904')), { size: 123904, method: 'estargz-annotation' });
    assert.equal(fromEstargzAnnotation(d('0')), undefined);
    assert.equal(fromEstargzAnnotation(d('12kB')), undefined);
    assert.equal(fromEstargzAnnotation(d('99999999999999999999')), undefined, 'not a safe integer');
    assert.equal(fromEstargzAnnotation({}), undefined);
  });
});
