/**
 * zstd windows in --exact (issue #11): every frame's window is read from its header (RFC 8878
 * §3.1.1.1) and checked before the decoder allocates it. Expected window sizes come from
 * `zstd -lv` or from bytes the test writes by the RFC; the hostile blob is served by a real
 * registry and its memory cost measured.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegsizeError } from '../../src/errors.js';
import { createSession } from '../../src/session.js';
import { layerCounter } from '../../src/sizing/counters.js';
import { loadZstd } from '../../src/sizing/decompress.js';
import { UncompressedSizer } from '../../src/sizing/uncompressed.js';
import { frameHeaderFields, parseZstdFrameHeader, ZSTD_MAX_WINDOW, ZstdWindowGuard } from '../../src/sizing/zstd-frame.js';
import { silentLogger } from '../../src/log.js';
import { makeTar, MT, seededBytes } from '../helpers/images.js';
import { pushBlob } from '../helpers/push.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';
import { skippableFrame, zstd, zstdFromFile } from './zstd-cli.js';

const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/** Window_Descriptor for 2^windowLog * (1 + mantissa/8) (RFC 8878 §3.1.1.1.2). */
const windowDescriptor = (windowLog: number, mantissa: number) => ((windowLog - 10) << 3) | mantissa;

/** A 3-byte Block_Header: Last_Block, Block_Type (0 raw, 1 RLE, 2 compressed), Block_Size. */
function blockHeader(last: boolean, type: number, size: number): number[] {
  const v = (size << 3) | (type << 1) | (last ? 1 : 0);
  return [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff];
}

/**
 * A frame with no content size and the given window, then `blocks` RLE blocks of 128 KiB of
 * zeros (4 bytes each, the densest zstd can be): about 4 bytes in, 128 KiB out per block.
 */
function rleFrame(wd: number, blocks: number): Buffer {
  const out: number[] = [...MAGIC, 0x00, wd];
  for (let i = 0; i < blocks; i++) out.push(...blockHeader(i === blocks - 1, 1, 128 * 1024), 0);
  return Buffer.from(out);
}

/** What `zstd -lv` says the window of a (single-frame) blob is, in bytes. */
function zstdListWindow(blob: Buffer): number {
  const dir = mkdtempSync(join(tmpdir(), 'regsize-zstd-'));
  try {
    const file = join(dir, 'blob.zst');
    writeFileSync(file, blob);
    const r = spawnSync('zstd', ['-lv', file], { encoding: 'utf8' });
    const m = /Window Size: .*\((\d+) B\)/.exec(r.stdout);
    assert.ok(m, r.stdout + r.stderr);
    return Number(m[1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const refusal = (pattern: RegExp) => (e: unknown) => e instanceof RegsizeError && pattern.test(e.message);

describe('zstd first frame headers', () => {
  it('reads Frame_Content_Size from real zstd frame headers of every field width', () => {
    for (const size of [100, 300, 70_000, 2_000_000]) {
      const input = seededBytes(size, `fcs-${size}`);
      const h = parseZstdFrameHeader(zstdFromFile(input).subarray(0, 18));
      assert.equal(h.kind, 'frame');
      assert.equal((h as { contentSize?: bigint }).contentSize, BigInt(size), `${size} bytes`);
    }
    // 8-byte field (files over 4 GiB), hand-made: FHD 0xC0 = FCS flag 3, window byte, 8 bytes LE.
    const big = Buffer.alloc(14);
    big.writeUInt32LE(0xfd2fb528, 0);
    big[4] = 0xc0;
    big[5] = 0x58;
    big.writeBigUInt64LE(5_000_000_000n, 6);
    assert.deepEqual(parseZstdFrameHeader(big), { kind: 'frame', contentSize: 5_000_000_000n, headerSize: 14 });
    assert.deepEqual(parseZstdFrameHeader(big.subarray(0, 13)), { kind: 'invalid', why: 'the frame header needs 14 bytes, got 13' });
  });

  it('knows when a zstd frame does not record its size, or is not a frame', () => {
    const streamed = zstd(makeTar([{ name: 'x', content: seededBytes(5000, 'stdin') }]));
    assert.deepEqual(parseZstdFrameHeader(streamed.subarray(0, 18)), { kind: 'frame', contentSize: undefined, headerSize: 6 });
    assert.equal(parseZstdFrameHeader(skippableFrame(0, 0xe)).kind, 'skippable');
    assert.deepEqual(parseZstdFrameHeader(Buffer.from([0x1f, 0x8b, 8, 0, 0, 0])), { kind: 'invalid', why: 'no zstd magic number' });
    assert.deepEqual(parseZstdFrameHeader(Buffer.from([0x28, 0xb5])), { kind: 'invalid', why: 'only 2 bytes' });
    const reserved = Buffer.from(zstdFromFile(Buffer.from('abc')).subarray(0, 18));
    reserved[4] = (reserved[4] as number) | 0x08;
    assert.equal(parseZstdFrameHeader(reserved).kind, 'invalid');
  });

  it('agrees with frameHeaderFields on the header size of real frames', () => {
    for (const args of [[], ['-19'], ['--long=27']]) {
      const blob = zstd(seededBytes(90_000, 'agree'), args);
      const h = parseZstdFrameHeader(blob.subarray(0, 18));
      assert.equal(h.kind === 'frame' ? h.headerSize : -1, frameHeaderFields(blob.subarray(0, 18)).headerSize, args.join(' '));
    }
  });
});

describe('zstd frame windows', () => {
  it('reads Window_Size as zstd -lv does, from real frames', () => {
    const input = seededBytes(200_000, 'window');
    for (const args of [[], ['-19'], ['--long=27'], ['--long=24']]) {
      const blob = zstd(input, args);
      const fields = frameHeaderFields(blob.subarray(0, 18));
      assert.equal(fields.windowSize, zstdListWindow(blob), `zstd ${args.join(' ')}`);
    }
  });

  it('refuses a frame over 128 MiB before handing it on, whatever the chunking', () => {
    const hostile = rleFrame(windowDescriptor(30, 7), 4); // 1.875 GiB
    for (const size of [1, 3, 7, hostile.length]) {
      const guard = new ZstdWindowGuard('sha256:x');
      assert.throws(() => {
        for (let i = 0; i < hostile.length; i += size) guard.scan(hostile.subarray(i, i + size));
      }, refusal(/declares a zstd window of 1920\.0 MiB, over zstd's default limit of 128\.0 MiB for decompression \(--long=27\)/));
    }
    // Exactly 128 MiB is zstd's own limit, and allowed.
    assert.doesNotThrow(() => new ZstdWindowGuard('sha256:x').scan(rleFrame(windowDescriptor(27, 0), 2)));
    assert.equal(ZSTD_MAX_WINDOW, 128 * 1024 * 1024);
  });

  it('checks every frame: a hostile frame after real ones, and after a skippable frame', () => {
    const input = seededBytes(50_000, 'frames');
    const real = Buffer.concat([zstd(input, []), zstd(input, ['--check']), zstd(input, ['--no-check', '-19'])]);
    const skippable = Buffer.from([0x5a, 0x2a, 0x4d, 0x18, 5, 0, 0, 0, 1, 2, 3, 4, 5]);
    const guard = new ZstdWindowGuard('sha256:x');
    guard.scan(real);
    guard.scan(skippable);
    assert.throws(() => guard.scan(rleFrame(windowDescriptor(31, 0), 1)), refusal(/window of 2048\.0 MiB/));
  });

  it('refuses a single-segment frame whose content size (its window) is over the limit', () => {
    // FHD 0xE0: 8-byte Frame_Content_Size, single segment: the window is the content size.
    const fcs = Buffer.alloc(8);
    fcs.writeBigUInt64LE(3n * 2n ** 30n);
    const frame = Buffer.from([...MAGIC, 0xe0, ...fcs, ...blockHeader(true, 1, 1000), 0]);
    assert.throws(() => new ZstdWindowGuard('sha256:x').scan(frame), refusal(/window of 3072\.0 MiB/));
  });

  it('refuses a window no blob of that size could fill, and never one up to 8 MiB', () => {
    const small = rleFrame(windowDescriptor(26, 0), 5); // 64 MiB in 6 + 5 * 4 bytes
    assert.equal(small.length, 26);
    // 26 bytes decompress to at most 26 * 32 KiB (128 KiB per 4-byte block): 0.8 MiB.
    assert.throws(() => new ZstdWindowGuard('sha256:x', small.length).scan(small), refusal(/window of 64\.0 MiB, more than a 26-byte blob can decompress to \(at most 0\.8 MiB\)/));
    const eight = rleFrame(windowDescriptor(23, 0), 1); // 8 MiB in 10 bytes
    assert.doesNotThrow(() => new ZstdWindowGuard('sha256:x', eight.length).scan(eight));
  });

  it('still counts real multi-frame streams exactly', async () => {
    await loadZstd();
    const tars = [makeTar([{ name: 'a', content: seededBytes(70_000, 'a') }]), makeTar([{ name: 'b', content: 'b'.repeat(300_000) }])];
    const blob = Buffer.concat([zstd(tars[0] as Buffer, ['--long=27']), zstd(tars[1] as Buffer, ['--check'])]);
    const counter = layerCounter('zstd', 'sha256:x', blob.length);
    for (let i = 0; i < blob.length; i += 999) counter.write(blob.subarray(i, i + 999));
    assert.equal(await counter.end(), (tars[0] as Buffer).length + (tars[1] as Buffer).length);
  });
});

describe('--exact on a zstd layer declaring a 1.875 GiB window (real registry)', function () {
  this.timeout(60_000);
  let reg: LocalRegistry;
  before(async () => {
    reg = await startRegistry();
  });
  after(async () => reg?.stop());

  it('is unknown, with the reason, and memory stays bounded', async () => {
    // 64 KB: a header declaring 1.875 GiB, then RLE blocks that would fill it (2 GiB of zeros).
    const blob = rleFrame(windowDescriptor(30, 7), 16_000);
    const pushed = await pushBlob(reg, 'team/zstd', blob);
    const { client } = createSession({ logger: silentLogger, retries: 0 });
    const before = process.memoryUsage().rss;
    const r = await new UncompressedSizer(client, { exact: true }).layer({ registry: reg.host, repository: 'team/zstd' }, { mediaType: MT.OCI_LAYER_ZSTD, digest: pushed.digest, size: pushed.size });
    const grew = process.memoryUsage().rss - before;
    assert.equal(r.size, null);
    assert.match(r.note ?? '', /could not (count|read) the layer: layer sha256:[0-9a-f]{64} declares a zstd window of 1920\.0 MiB, over zstd's default limit of 128\.0 MiB/);
    assert.ok(grew < 200 * 1024 * 1024, `RSS grew by ${grew} bytes`);
  });
});
