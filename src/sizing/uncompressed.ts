/**
 * The exact uncompressed (tar) size of a layer, which is what `docker images` reports and no
 * registry API does, learned from a few bytes of the blob instead of the whole layer:
 *
 *   tar   the blob is the tar: its size is the descriptor's size; nothing is read.
 *   gzip  the last 4 bytes of a gzip member are ISIZE, the input length modulo 2^32
 *         (RFC 1952 §2.3.1): one Range request for them.
 *   eStargz  ends in an empty gzip member (ISIZE 0), so its
 *         `io.containers.estargz.uncompressed-size` annotation is used instead (a claim of the
 *         pusher's: --exact counts the layer and says when the two differ).
 *   zstd  a blob of at most 64 KiB is read whole (one request, as the header would have
 *         been) and counted. A larger one is unknown: its first frame header may carry
 *         Frame_Content_Size (RFC 8878 §3.1.1.1), but that speaks for the first frame only, and
 *         a blob may hold several (zstd:chunked layers always do, and so does
 *         `cat a.zst b.zst`); nothing short of reading the blob proves there is one.
 *
 * Anything a small range cannot tell for sure (a server that ignores Range, a zstd frame
 * without its content size, a gzip layer that could pass 4 GiB) is reported as unknown, with
 * the reason, never as a guess; with `exact` such layers are streamed once, decompressed and
 * counted, without being held in memory.
 */
import { RegsizeError, toRegsizeError } from '../errors.js';
import { verifyDigest } from '../oci/digest.js';
import type { Descriptor } from '../oci/manifest.js';
import { layerCompression } from '../oci/media-types.js';
import type { RegistryClient, RepoRef } from '../transport/client.js';
import type { BodySink } from '../transport/http.js';
import { mapLimit } from '../util/limit.js';
import { gunzipSink, loadZstd, zstdSink } from './decompress.js';

export type UncompressedMethod = 'tar' | 'gzip-isize' | 'estargz-annotation' | 'counted' | 'streamed';

export interface UncompressedLayer {
  /** Exact bytes of the layer's tar, or null when it cannot be known for sure. */
  size: number | null;
  /** How the size was found. */
  method?: UncompressedMethod;
  /** Why the size is null (or uncertain), in words for the user. */
  note?: string;
  /** Bytes of the blob read from the registry to learn it. */
  bytesRead: number;
}

/** What the descriptor and a few bytes say; `streamable` when --exact could settle it. */
export type Reading = { size: number; method: UncompressedMethod } | { size: null; note: string; streamable: boolean };

export const ESTARGZ_UNCOMPRESSED_SIZE = 'io.containers.estargz.uncompressed-size';
/**
 * Both annotation families containers/storage has written for zstd:chunked layers: the newer
 * `io.github.containers.zstd-chunked.*` and the older `io.containers.zstd-chunked.*` that
 * Debian's buildah 1.28 and podman 4.3 still write.
 */
const ZSTD_CHUNKED_PREFIXES = ['io.github.containers.zstd-chunked.', 'io.containers.zstd-chunked.'];
/** zstd blobs up to this size are read whole and counted: one request, as the header would cost. */
export const ZSTD_SMALL_BLOB = 64 * 1024;
const TWO_32 = 2 ** 32;
/**
 * Beyond this ratio a gzip ISIZE is not taken as proof the layer stays under 4 GiB. Tar layers
 * of real files compress 2-5x; gzip's hard limit is 1032x, which only long runs of zeros reach
 * (sparse files such as a big-UID /var/log/lastlog), and --exact counts those.
 */
export const MAX_PLAUSIBLE_GZIP_RATIO = 20;
/** Magic (4) + descriptor (1) + window (1) + dictionary id (4) + content size (8). */
export const ZSTD_MAX_FRAME_HEADER = 18;
const GZIP_MIN_MEMBER = 20;
const TAR_BLOCK = 512;

const mib = (n: number) => `${(n / 1024 ** 2).toFixed(1)} MiB`;

// ---------------------------------------------------------------- tar

export function fromTar(d: Descriptor): Reading {
  return { size: d.size, method: 'tar' };
}

// ---------------------------------------------------------------- gzip and eStargz

/** The eStargz annotation, when present and a positive integer (a 0 would be a lie for any layer). */
export function fromEstargzAnnotation(d: Descriptor): Reading | undefined {
  const v = d.annotations?.[ESTARGZ_UNCOMPRESSED_SIZE];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) && n > 0 ? { size: n, method: 'estargz-annotation' } : undefined;
}

/** ISIZE: the last 4 bytes of a gzip blob, little-endian. */
export function readIsize(trailer: Uint8Array): number {
  if (trailer.length !== 4) throw new RegsizeError('REGISTRY_ERROR', `expected the 4-byte gzip trailer, got ${trailer.length} bytes`);
  return Buffer.from(trailer).readUInt32LE(0);
}

/** What an ISIZE proves about a gzip layer of `compressedSize` bytes. */
export function interpretIsize(isize: number, compressedSize: number): Reading {
  const again = ' (--exact counts it)';
  if (compressedSize < GZIP_MIN_MEMBER) return { size: null, note: `the blob is ${compressedSize} bytes, too short to be gzip`, streamable: false };
  if (isize === 0) {
    return { size: null, note: `the gzip trailer reads 0: an eStargz layer without its ${ESTARGZ_UNCOMPRESSED_SIZE} annotation, or a multiple of 4 GiB${again}`, streamable: true };
  }
  if (isize % TAR_BLOCK !== 0) {
    return { size: null, note: `the gzip trailer reads ${isize}, not a whole number of 512-byte tar blocks: the blob is not a single-member tar.gz${again}`, streamable: true };
  }
  // Deflate never grows data by more than a few bytes per 16 KiB block: a blob bigger than its
  // ISIZE allows has wrapped past 2^32.
  if (compressedSize > isize + isize / 1000 + 1024) {
    return { size: null, note: `uncertain: the layer is over 4 GiB and gzip records the size modulo 4 GiB (reads ${mib(isize)})${again}`, streamable: true };
  }
  if (isize + TWO_32 <= compressedSize * MAX_PLAUSIBLE_GZIP_RATIO) {
    return { size: null, note: `uncertain: the layer could be over 4 GiB and gzip records the size modulo 4 GiB (reads ${mib(isize)})${again}`, streamable: true };
  }
  return { size: isize, method: 'gzip-isize' };
}

// ---------------------------------------------------------------- zstd

export type ZstdHeader =
  | { kind: 'frame'; contentSize: bigint | undefined; headerSize: number }
  | { kind: 'skippable' }
  | { kind: 'invalid'; why: string };

/** Parses a Zstandard frame header (RFC 8878 §3.1.1) from the first bytes of a blob. */
export function parseZstdFrameHeader(b: Uint8Array): ZstdHeader {
  if (b.length < 5) return { kind: 'invalid', why: `only ${b.length} bytes` };
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const magic = buf.readUInt32LE(0);
  if ((magic & 0xfffffff0) === 0x184d2a50) return { kind: 'skippable' };
  if (magic !== 0xfd2fb528) return { kind: 'invalid', why: 'no zstd magic number' };
  const fhd = buf[4] as number;
  if (fhd & 0x08) return { kind: 'invalid', why: 'the reserved bit of the frame header is set' };
  const fcsFlag = fhd >> 6;
  const singleSegment = (fhd >> 5) & 1;
  const didSize = [0, 1, 2, 4][fhd & 3] as number;
  const fcsSize = fcsFlag === 0 ? singleSegment : ([0, 2, 4, 8][fcsFlag] as number);
  const at = 5 + (singleSegment ? 0 : 1) + didSize;
  const headerSize = at + fcsSize;
  if (fcsSize === 0) return { kind: 'frame', contentSize: undefined, headerSize };
  if (buf.length < headerSize) return { kind: 'invalid', why: `the frame header needs ${headerSize} bytes, got ${buf.length}` };
  const contentSize =
    fcsSize === 1 ? BigInt(buf.readUInt8(at)) : fcsSize === 2 ? BigInt(buf.readUInt16LE(at) + 256) : fcsSize === 4 ? BigInt(buf.readUInt32LE(at)) : buf.readBigUInt64LE(at);
  return { kind: 'frame', contentSize, headerSize };
}

/** ZSTD_COMPRESSBOUND: the largest a single frame of `n` input bytes can be. */
export function zstdCompressBound(n: number): number {
  return n + Math.floor(n / 256) + (n < 128 * 1024 ? Math.floor((128 * 1024 - n) / 2048) : 0);
}

export function isZstdChunked(d: Descriptor): boolean {
  return Object.keys(d.annotations ?? {}).some((k) => ZSTD_CHUNKED_PREFIXES.some((p) => k.startsWith(p)));
}

/**
 * Why the first frame header of a zstd blob too large to read whole cannot give the layer's
 * size: a header speaks for its own frame only, and only reading the blob proves there is one.
 */
export function interpretZstdHeader(h: ZstdHeader, d: Descriptor): Reading {
  const again = ' (--exact counts it)';
  if (isZstdChunked(d)) {
    return { size: null, note: `a zstd:chunked layer is many frames; the first frame's size is not the layer's${again}`, streamable: true };
  }
  if (h.kind === 'skippable') return { size: null, note: `the blob starts with a skippable zstd frame${again}`, streamable: true };
  if (h.kind === 'invalid') return { size: null, note: `not a zstd frame (${h.why})`, streamable: false };
  if (h.contentSize === undefined) return { size: null, note: `the zstd frame does not record its content size (streamed compression)${again}`, streamable: true };
  return {
    size: null,
    note: `the first zstd frame records ${h.contentSize} bytes, but a frame speaks only for itself and the blob may hold more${again}`,
    streamable: true,
  };
}

// ---------------------------------------------------------------- counting a whole stream (--exact)

/** A sink that decompresses what it is given and counts the output, holding none of it. */
export interface CountingSink extends BodySink {
  /** Flushes the decompressor; the tar size. */
  end(): Promise<number>;
}

export function gunzipCounter(digest: string): CountingSink {
  let out = 0;
  const sink = gunzipSink(digest, (c) => (out += c.length));
  return { write: (chunk) => sink.write(chunk), end: async () => (await sink.end(), out) };
}

export { loadZstd };

/**
 * Counts the bytes a zstd stream decompresses to; call loadZstd() first. Every frame's window
 * is checked before the decoder allocates it (decompress.ts, zstd-frame.ts), bounded by what a
 * blob of `blobSize` bytes could fill when that is known.
 */
export function zstdCounter(digest: string, blobSize?: number): CountingSink {
  let out = 0;
  const sink = zstdSink(digest, (c) => (out += c.length), blobSize);
  return { write: (chunk) => sink.write(chunk), end: async () => (await sink.end(), out) };
}

// ---------------------------------------------------------------- one layer, one image

export interface UncompressedOptions {
  /** Stream and count the layers a small range cannot settle (--exact). @default false */
  exact?: boolean;
  /** Layers read at once. @default 8 */
  concurrency?: number;
  /** Compressed bytes streamed so far and to stream in all, for a progress bar (--exact). */
  onStreamProgress?: (done: number, total: number) => void;
}

/** Reads uncompressed sizes for a whole run; a layer shared by several images is read once. */
export class UncompressedSizer {
  private readonly memo = new Map<string, Promise<UncompressedLayer>>();
  private streamDone = 0;
  private streamTotal = 0;

  constructor(
    private readonly client: RegistryClient,
    private readonly options: UncompressedOptions = {},
  ) {}

  /** Per-layer results in the manifest's order, and the image total (null if any is unknown). */
  async image(repo: RepoRef, layers: Descriptor[]): Promise<{ total: number | null; layers: UncompressedLayer[] }> {
    const results = await mapLimit(layers, this.options.concurrency ?? 8, (d) => this.layer(repo, d));
    return { total: totalUncompressed(results), layers: results };
  }

  layer(repo: RepoRef, d: Descriptor): Promise<UncompressedLayer> {
    let p = this.memo.get(d.digest);
    if (!p) {
      p = this.read(repo, d);
      this.memo.set(d.digest, p);
    }
    return p;
  }

  private async read(repo: RepoRef, d: Descriptor): Promise<UncompressedLayer> {
    const compression = layerCompression(d.mediaType);
    if (compression === 'unknown') return { size: null, note: `not a layer media type (${d.mediaType})`, bytesRead: 0 };
    if (compression === 'none') return { ...fromTar(d), bytesRead: 0 };
    let reading: Reading;
    let bytesRead = 0;
    try {
      if (compression === 'gzip') {
        const annotated = fromEstargzAnnotation(d);
        if (annotated) return this.options.exact ? this.recount(repo, d, { ...annotated, bytesRead: 0 }) : { ...annotated, bytesRead: 0 };
        if (d.size < GZIP_MIN_MEMBER) return { size: null, note: `the blob is ${d.size} bytes, too short to be gzip`, bytesRead: 0 };
        const r = await this.client.blobRange(repo, d, { start: d.size - 4, end: d.size - 1 });
        bytesRead = r.bytes.length;
        reading = r.rangeIgnored ? rangeIgnored() : interpretIsize(readIsize(r.bytes), d.size);
      } else {
        if (d.size < 5) return { size: null, note: `the blob is ${d.size} bytes, too short to be zstd`, bytesRead: 0 };
        const whole = d.size <= ZSTD_SMALL_BLOB;
        const r = await this.client.blobRange(repo, d, { start: 0, end: (whole ? d.size : ZSTD_MAX_FRAME_HEADER) - 1 });
        bytesRead = r.bytes.length;
        if (r.rangeIgnored) reading = rangeIgnored();
        else if (whole) reading = await countSmallZstd(r.bytes, d);
        else reading = interpretZstdHeader(parseZstdFrameHeader(r.bytes), d);
      }
    } catch (e) {
      const err = toRegsizeError(e);
      if (err.code === 'INTERNAL') throw e;
      return { size: null, note: `could not read the layer: ${err.message}`, bytesRead };
    }
    if (reading.size !== null) return { size: reading.size, method: reading.method, bytesRead };
    if (!this.options.exact || !reading.streamable) return { size: null, note: reading.note, bytesRead };
    return this.stream(repo, d, compression, bytesRead);
  }

  /**
   * An annotation is the pusher's claim, not a measurement: with --exact the layer is counted
   * too, and a difference is said (the count is the figure).
   */
  private async recount(repo: RepoRef, d: Descriptor, claimed: UncompressedLayer): Promise<UncompressedLayer> {
    const counted = await this.stream(repo, d, 'gzip', claimed.bytesRead);
    if (counted.size === null || counted.size === claimed.size) return counted;
    return { ...counted, note: `counted ${counted.size} bytes; the ${ESTARGZ_UNCOMPRESSED_SIZE} annotation says ${claimed.size}` };
  }

  /** --exact: the whole blob, decompressed on the fly and counted. */
  private async stream(repo: RepoRef, d: Descriptor, compression: 'gzip' | 'zstd', alreadyRead: number): Promise<UncompressedLayer> {
    let counter: CountingSink | undefined;
    let streamed = 0;
    this.streamTotal += d.size;
    const report = () => this.options.onStreamProgress?.(this.streamDone, this.streamTotal);
    report();
    try {
      if (compression === 'zstd') await loadZstd();
      const { bytes } = await this.client.blobStream(repo, d, () => {
        // A retried request starts again from zero.
        this.streamDone -= streamed;
        streamed = 0;
        const c = compression === 'gzip' ? gunzipCounter(d.digest) : zstdCounter(d.digest, d.size);
        counter = c;
        return {
          write: (chunk) => {
            streamed += chunk.length;
            this.streamDone += chunk.length;
            report();
            return c.write(chunk);
          },
        };
      });
      const size = counter ? await counter.end() : 0;
      return { size, method: 'streamed', bytesRead: alreadyRead + bytes };
    } catch (e) {
      const err = toRegsizeError(e);
      if (err.code === 'INTERNAL') throw e;
      return { size: null, note: `could not count the layer: ${err.message}`, bytesRead: alreadyRead + streamed };
    } finally {
      this.streamDone += d.size - streamed;
      report();
    }
  }
}

/** A small zstd blob, read whole: checked against its digest, then decompressed and counted. */
async function countSmallZstd(bytes: Uint8Array, d: Descriptor): Promise<Reading> {
  if (bytes.length !== d.size) return { size: null, note: `the registry sent ${bytes.length} of the blob's ${d.size} bytes (--exact counts it)`, streamable: true };
  verifyDigest(bytes, d.digest, `layer ${d.digest}`);
  await loadZstd();
  const counter = zstdCounter(d.digest, d.size);
  await counter.write(bytes);
  return { size: await counter.end(), method: 'counted' };
}

function rangeIgnored(): Reading {
  return { size: null, note: 'the registry ignored the Range request (answered 200), so the body was not read (--exact downloads and counts it)', streamable: true };
}

export function totalUncompressed(layers: Pick<UncompressedLayer, 'size'>[]): number | null {
  let total = 0;
  for (const l of layers) {
    if (l.size === null) return null;
    total += l.size;
  }
  return total;
}
