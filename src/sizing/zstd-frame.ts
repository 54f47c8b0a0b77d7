/**
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

/** Bytes of a frame header, from its first 5 (magic number and Frame_Header_Descriptor). */
function headerSizeOf(fhd: number): number {
  const singleSegment = (fhd >> 5) & 1;
  const fcsFlag = fhd >> 6;
  const fcsSize = fcsFlag === 0 ? singleSegment : ([0, 2, 4, 8][fcsFlag] as number);
  return 5 + (singleSegment ? 0 : 1) + ([0, 1, 2, 4][fhd & 3] as number) + fcsSize;
}

/** The fields of a whole zstd frame header (`b` holds exactly headerSizeOf(b[4]) bytes). */
export function frameHeaderFields(b: Uint8Array): FrameHeaderFields {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const fhd = buf[4] as number;
  const headerSize = headerSizeOf(fhd);
  const singleSegment = (fhd >> 5) & 1;
  const contentChecksum = ((fhd >> 2) & 1) === 1;
  if (!singleSegment) {
    // Window_Descriptor: windowLog = 10 + Exponent, plus Mantissa eighths of the base.
    const wd = buf[5] as number;
    const base = 2 ** (10 + (wd >> 3));
    return { headerSize, windowSize: base + (base / 8) * (wd & 7), contentChecksum };
  }
  // Single segment: the window is the whole content, Frame_Content_Size (1, 2, 4 or 8 bytes).
  const at = 5 + ([0, 1, 2, 4][fhd & 3] as number);
  const fcsBytes = headerSize - at;
  const windowSize =
    fcsBytes === 1 ? buf.readUInt8(at) : fcsBytes === 2 ? buf.readUInt16LE(at) + 256 : fcsBytes === 4 ? buf.readUInt32LE(at) : Number(buf.readBigUInt64LE(at));
  return { headerSize, windowSize, contentChecksum };
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
    const size = headerSizeOf(head[4] as number);
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
