/**
 * Synthetic image content for the local benches, written straight to disk (never whole in
 * memory): layer tars of files whose bytes are realistic for gzip, i.e. compressible but not
 * trivially so, from a seeded generator, so every run builds the same bytes.
 *
 * The content is a pool of 64 KiB segments of three kinds, mixed as an image's files are:
 * source-like text (a few thousand words and numbers), structured binary (little-endian
 * records with small deltas, as in object files) and random bytes (already-compressed
 * assets). Files are made of segments picked by the generator. Deflate looks back 32 KiB at
 * most, so a repeated 64 KiB segment is never matched: the compression ratio is the segments'
 * own (about 2.3x overall), whatever the size asked for.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';

export const SEGMENT = 64 * 1024;
const POOL = 96;

/** xorshift32: fast, seeded, good enough to make data. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const WORDS = 'const return function import export module value index layer buffer stream digest config install package python node usr lib share bin include error warning status request response header size bytes files image registry manifest blob token cache'.split(' ');

function textSegment(next: () => number): Buffer {
  const parts: string[] = [];
  let n = 0;
  while (n < SEGMENT) {
    const line = `${'  '.repeat(next() % 4)}${WORDS[next() % WORDS.length]}_${next() % 997}(${WORDS[next() % WORDS.length]}, ${next() % 100_000}); // ${WORDS[next() % WORDS.length]} ${(next() % 65536).toString(16)}\n`;
    parts.push(line);
    n += line.length;
  }
  return Buffer.from(parts.join('')).subarray(0, SEGMENT);
}

function structuredSegment(next: () => number): Buffer {
  const b = Buffer.alloc(SEGMENT);
  let v = next();
  for (let i = 0; i < SEGMENT; i += 8) {
    v = (v + (next() % 4096)) >>> 0;
    b.writeUInt32LE(v, i);
    b.writeUInt32LE(next() % 64, i + 4);
  }
  return b;
}

function randomSegment(next: () => number): Buffer {
  const b = Buffer.alloc(SEGMENT);
  for (let i = 0; i < SEGMENT; i += 4) b.writeUInt32LE(next(), i);
  return b;
}

/** The segment pool: half text, a quarter structured, a quarter random. */
export function segmentPool(seed: number): Buffer[] {
  const next = rng(seed);
  return Array.from({ length: POOL }, (_, i) => (i % 4 < 2 ? textSegment(next) : i % 4 === 2 ? structuredSegment(next) : randomSegment(next)));
}

export interface SyntheticFile {
  name: string;
  size: number;
}

/** A ustar header for a regular file (names up to 100 bytes, sizes below 8 GiB). */
export function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  if (Buffer.byteLength(name) > 100) throw new Error(`name too long for the synthetic tar: ${name}`);
  h.write(name, 0, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write(`${'14000000000'}\0`, 136, 'latin1');
  h.fill(' ', 148, 156);
  h.write('0', 156, 'latin1');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += h[i] as number;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

/** Bytes of a tar holding these files (headers, padded contents, the two end blocks). */
export function tarSize(files: SyntheticFile[]): number {
  return files.reduce((s, f) => s + 512 + Math.ceil(f.size / 512) * 512, 0) + 1024;
}

/** Writes with backpressure: a 2 GB archive never sits in memory. */
export async function writeAll(out: WriteStream, b: Buffer): Promise<void> {
  if (!out.write(b)) await new Promise<void>((resolve) => out.once('drain', resolve));
}

/**
 * Streams a tar of `files` (contents from the pool) into `out`, hashing it as it goes;
 * returns the tar's sha256 (the diff_id) and length.
 */
export async function writeTar(out: WriteStream, files: SyntheticFile[], pool: Buffer[], seed: number): Promise<{ digest: string; size: number }> {
  const next = rng(seed);
  const hash = createHash('sha256');
  let size = 0;
  const put = async (b: Buffer) => {
    hash.update(b);
    size += b.length;
    await writeAll(out, b);
  };
  for (const f of files) {
    await put(tarHeader(f.name, f.size));
    for (let left = f.size; left > 0; ) {
      const seg = pool[next() % pool.length] as Buffer;
      const n = Math.min(left, SEGMENT);
      await put(seg.subarray(0, n));
      left -= n;
    }
    const pad = (512 - (f.size % 512)) % 512;
    if (pad) await put(Buffer.alloc(pad));
  }
  await put(Buffer.alloc(1024));
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

/** Files of a layer adding up to about `bytes`, sizes spread from 1 KiB to `maxFile`, names unique. */
export function layerFiles(prefix: string, bytes: number, count: number, seed: number): SyntheticFile[] {
  const next = rng(seed);
  const files: SyntheticFile[] = [];
  const mean = Math.max(1, Math.floor(bytes / count));
  let total = 0;
  for (let i = 0; i < count; i++) {
    // Sizes from mean/8 to 1.9x mean (mean `mean`), so folders hold files of very different sizes.
    const size = i === count - 1 ? Math.max(0, bytes - total) : Math.floor(mean / 8 + (next() % Math.max(1, Math.floor((mean * 7) / 4))));
    files.push({ name: `${prefix}/d${Math.floor(i / 500)}/f${i}.dat`, size });
    total += size;
  }
  return files;
}

export function openOut(file: string): WriteStream {
  return createWriteStream(file, { highWaterMark: 1 << 20 });
}

export async function closeOut(out: WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}
