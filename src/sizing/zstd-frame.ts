/**
 * Zstandard frames (RFC 8878 §3.1) as regsize reads them: the first frame header of a blob
 * (parseZstdFrameHeader, for the sizer), and every frame's window as a stream goes by.
 *
 * The memory a zstd stream asks for, checked before it is decompressed (--exact). A frame
 * header declares the window the decoder must keep (RFC 8878 §3.1.1.1.2), and the decoder
 * (fzstd) allocates it at once: a 64 KB blob declaring a 1.875 GiB window took RSS to 2 GB
 * (issue #11). So the compressed stream is walked frame by frame, block by block, and every
 * frame's window is checked before the decoder sees that frame:
 *
 *   - at most ZSTD_MAX_WINDOW (128 MiB), zstd's own default limit for decompression
 *     (ZSTD_WINDOWLOG_LIMIT_DEFAULT = 27: larger windows need `zstd -d --long=31`);
 *   - at most what the blob could ever fill. A block regenerates at most 128 KiB (Block_Maximum_Size)
 *     from at least 4 bytes (a 3-byte header and one RLE byte), so a blob of n bytes decompresses
 *     to at most n * 32 KiB; a larger window is a lie. Windows up to 32 MiB always pass, so tiny
 *     legitimate layers are never refused: zstd's levels 1-19 use up to 8 MiB, and the
 *     zstd:chunked layers buildah 1.28 pushes declare 32 MiB even for a 444-byte blob.
 *
 * Walking is cheap: block contents are skipped, only the 3-byte block headers are read.
 */
import { RegsizeError } from '../errors.js';

/** zstd's default decompression limit: `--long=27`. */
export const ZSTD_MAX_WINDOW = 2 ** 27;
/** A window this small always passes the plausibility check (windowLog 25). */
export const ZSTD_ALWAYS_PLAUSIBLE_WINDOW = 2 ** 25;
/** Block_Maximum_Size (RFC 8878 §3.1.1.2.3) over the smallest block (header 3 + 1 RLE byte). */
const MAX_EXPANSION = (128 * 1024) / 4;

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

/** The largest window regsize accepts for a zstd blob of `blobSize` bytes. */
export function zstdWindowLimit(blobSize: number): number {
  return Math.min(ZSTD_MAX_WINDOW, Math.max(ZSTD_ALWAYS_PLAUSIBLE_WINDOW, blobSize * MAX_EXPANSION));
}

export interface FrameHeaderFields {
  /** Bytes of the frame header, magic number included. */
  headerSize: number;
  /** Window_Size: the Window_Descriptor's, or Frame_Content_Size for a single-segment frame. */
  windowSize: number;
  contentChecksum: boolean;
}

/** Magic (4) + descriptor (1) + window (1) + dictionary id (4) + content size (8). */
export const ZSTD_MAX_FRAME_HEADER = 18;

/** Where a frame header's fields lie, from its Frame_Header_Descriptor (RFC 8878 §3.1.1.1.1). */
function headerLayout(fhd: number): { singleSegment: boolean; fcsAt: number; fcsBytes: number; headerSize: number } {
  const singleSegment = ((fhd >> 5) & 1) === 1;
  const fcsFlag = fhd >> 6;
  const fcsBytes = fcsFlag === 0 ? (singleSegment ? 1 : 0) : 2 ** fcsFlag;
  const didBytes = [0, 1, 2, 4][fhd & 3] ?? 0;
  const fcsAt = 5 + (singleSegment ? 0 : 1) + didBytes;
  return { singleSegment, fcsAt, fcsBytes, headerSize: fcsAt + fcsBytes };
}

/** Bytes of a frame header, magic number included, from its descriptor byte. */
function headerSizeOf(fhd: number): number {
  return headerLayout(fhd).headerSize;
}

/** Frame_Content_Size: 1, 2 (offset by 256), 4 or 8 bytes, little-endian. */
function readContentSize(buf: Buffer, at: number, bytes: number): bigint {
  if (bytes === 1) return BigInt(buf.readUInt8(at));
  if (bytes === 2) return BigInt(buf.readUInt16LE(at) + 256);
  if (bytes === 4) return BigInt(buf.readUInt32LE(at));
  return buf.readBigUInt64LE(at);
}

export type ZstdHeader =
  | { kind: 'frame'; contentSize: bigint | undefined; headerSize: number }
  | { kind: 'skippable' }
  | { kind: 'invalid'; why: string };

/** Parses the first frame header of a blob (RFC 8878 §3.1.1) from its first bytes. */
export function parseZstdFrameHeader(b: Uint8Array): ZstdHeader {
  if (b.length < 5) return { kind: 'invalid', why: `only ${b.length} bytes` };
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const magic = buf.readUInt32LE(0);
  if ((magic & SKIPPABLE_MASK) === SKIPPABLE_MAGIC) return { kind: 'skippable' };
  if (magic !== ZSTD_MAGIC) return { kind: 'invalid', why: 'no zstd magic number' };
  const fhd = buf.readUInt8(4);
  if (fhd & 0x08) return { kind: 'invalid', why: 'the reserved bit of the frame header is set' };
  const { fcsAt, fcsBytes, headerSize } = headerLayout(fhd);
  if (fcsBytes === 0) return { kind: 'frame', contentSize: undefined, headerSize };
  if (buf.length < headerSize) return { kind: 'invalid', why: `the frame header needs ${headerSize} bytes, got ${buf.length}` };
  return { kind: 'frame', contentSize: readContentSize(buf, fcsAt, fcsBytes), headerSize };
}

/** The fields of a whole zstd frame header (`b` holds exactly headerSizeOf(b[4]) bytes). */
export function frameHeaderFields(b: Uint8Array): FrameHeaderFields {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const fhd = buf.readUInt8(4);
  const { singleSegment, fcsAt, fcsBytes, headerSize } = headerLayout(fhd);
  const contentChecksum = ((fhd >> 2) & 1) === 1;
  if (!singleSegment) {
    // Window_Descriptor: windowLog = 10 + Exponent, plus Mantissa eighths of the base.
    const wd = buf.readUInt8(5);
    const base = 2 ** (10 + (wd >> 3));
    return { headerSize, windowSize: base + (base / 8) * (wd & 7), contentChecksum };
  }
  // Single segment: the window is the whole content, Frame_Content_Size.
  return { headerSize, windowSize: Number(readContentSize(buf, fcsAt, fcsBytes)), contentChecksum };
}

const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

type Expect = 'frame' | 'block' | 'off';

/**
 * Follows a zstd stream's frames as its bytes go by, and throws before the decoder is handed a
 * frame whose window is over `maxWindow`. Bytes it cannot make sense of (no magic number, a
 * reserved block type) end the walk: the decoder reports those as corrupt data.
 */
export class ZstdWindowGuard {
  private expect: Expect = 'frame';
  /** The structure being read: a frame header (up to 18 bytes) or a block header (3). */
  private readonly head = new Uint8Array(18);
  private have = 0;
  private need = 4;
  /** Bytes to pass over unread: block contents, checksums, skippable frames. */
  private skip = 0;
  private checksum = false;
  private readonly maxWindow: number;

  /** `blobSize`, when known, bounds the window by what the blob could fill. */
  constructor(
    private readonly digest: string,
    private readonly blobSize?: number,
  ) {
    this.maxWindow = blobSize === undefined ? ZSTD_MAX_WINDOW : zstdWindowLimit(blobSize);
  }

  /** Looks at the next bytes of the stream; throws when they open a frame over the limit. */
  scan(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length && this.expect !== 'off') {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      const n = Math.min(this.need - this.have, chunk.length - i);
      this.head.set(chunk.subarray(i, i + n), this.have);
      this.have += n;
      i += n;
      if (this.have === this.need) this.advance();
    }
  }

  private advance(): void {
    const head = Buffer.from(this.head.buffer, 0, this.have);
    if (this.expect === 'block') {
      // Block_Header: Last_Block (bit 0), Block_Type (bits 1-2), Block_Size (bits 3-23).
      const v = head.readUIntLE(0, 3);
      const type = (v >> 1) & 3;
      if (type === 3) return this.stop();
      this.skip = type === 1 ? 1 : v >>> 3; // an RLE block holds one byte
      if (v & 1) {
        this.skip += this.checksum ? 4 : 0;
        return this.next('frame', 4);
      }
      return this.next('block', 3);
    }
    const magic = head.readUInt32LE(0);
    if ((magic & SKIPPABLE_MASK) === SKIPPABLE_MAGIC) {
      if (this.have < 8) return void (this.need = 8);
      this.skip = head.readUInt32LE(4);
      return this.next('frame', 4);
    }
    if (magic !== ZSTD_MAGIC) return this.stop();
    if (this.have < 5) return void (this.need = 5);
    const size = headerSizeOf(head.readUInt8(4));
    if (this.have < size) return void (this.need = size);
    const fields = frameHeaderFields(head);
    if (fields.windowSize > this.maxWindow) {
      const over =
        this.maxWindow === ZSTD_MAX_WINDOW
          ? `over zstd's default limit of ${mib(ZSTD_MAX_WINDOW)} for decompression (--long=27)`
          : `more than a ${this.blobSize}-byte blob can decompress to (at most ${mib((this.blobSize ?? 0) * MAX_EXPANSION)})`;
      throw new RegsizeError('REGISTRY_ERROR', `layer ${this.digest} declares a zstd window of ${mib(fields.windowSize)}, ${over}, so it was not decompressed`);
    }
    this.checksum = fields.contentChecksum;
    this.next('block', 3);
  }

  private next(expect: Expect, need: number): void {
    this.expect = expect;
    this.have = 0;
    this.need = need;
  }

  private stop(): void {
    this.expect = 'off';
  }
}
