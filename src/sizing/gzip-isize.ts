/**
 * The uncompressed size of a gzip layer from its last 4 bytes, and when those cannot be
 * trusted. ISIZE is the input length modulo 2^32 (RFC 1952 §2.3.1): exact for a single-member
 * tar.gz under 4 GiB, and nothing else. An eStargz layer ends in an empty gzip member
 * (ISIZE 0), so its `io.containers.estargz.uncompressed-size` annotation is read instead (a
 * claim of the pusher's: --exact counts the layer and says when the two differ).
 */
import { RegsizeError } from '../errors.js';
import type { Descriptor } from '../oci/manifest.js';
import { EXACT_COUNTS_IT, type Reading } from './uncompressed-layer.js';

export const ESTARGZ_UNCOMPRESSED_SIZE = 'io.containers.estargz.uncompressed-size';
/**
 * Beyond this ratio a gzip ISIZE is not taken as proof the layer stays under 4 GiB. Tar layers
 * of real files compress 2-5x; gzip's hard limit is 1032x, which only long runs of zeros reach
 * (sparse files such as a big-UID /var/log/lastlog), and --exact counts those.
 */
export const MAX_PLAUSIBLE_GZIP_RATIO = 20;
/** Header (10) + empty deflate block (2) + CRC32 and ISIZE (8): no gzip member is shorter. */
export const GZIP_MIN_MEMBER = 20;
const TWO_32 = 2 ** 32;
const TAR_BLOCK = 512;

const mib = (n: number) => `${(n / 1024 ** 2).toFixed(1)} MiB`;

/** The eStargz annotation, when present and a positive integer (a 0 would be a lie for any layer). */
export function fromEstargzAnnotation(d: Pick<Descriptor, 'annotations'>): Reading | undefined {
  const v = d.annotations?.[ESTARGZ_UNCOMPRESSED_SIZE];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) && n > 0 ? { size: n, method: 'estargz-annotation' } : undefined;
}

/** Why a blob of `size` bytes is not gzip at all, or undefined when it could be. */
export function tooShortForGzip(size: number): string | undefined {
  return size < GZIP_MIN_MEMBER ? `the blob is ${size} bytes, too short to be gzip` : undefined;
}

/** ISIZE: the last 4 bytes of a gzip blob, little-endian. */
export function readIsize(trailer: Uint8Array): number {
  if (trailer.length !== 4) throw new RegsizeError('REGISTRY_ERROR', `expected the 4-byte gzip trailer, got ${trailer.length} bytes`);
  return Buffer.from(trailer).readUInt32LE(0);
}

/** What an ISIZE proves about a gzip layer of `compressedSize` bytes. */
export function interpretIsize(isize: number, compressedSize: number): Reading {
  const short = tooShortForGzip(compressedSize);
  if (short) return { size: null, note: short, streamable: false };
  if (isize === 0) {
    return { size: null, note: `the gzip trailer reads 0: an eStargz layer without its ${ESTARGZ_UNCOMPRESSED_SIZE} annotation, or a multiple of 4 GiB${EXACT_COUNTS_IT}`, streamable: true };
  }
  if (isize % TAR_BLOCK !== 0) {
    return { size: null, note: `the gzip trailer reads ${isize}, not a whole number of 512-byte tar blocks: the blob is not a single-member tar.gz${EXACT_COUNTS_IT}`, streamable: true };
  }
  // Deflate never grows data by more than a few bytes per 16 KiB block: a blob bigger than its
  // ISIZE allows has wrapped past 2^32.
  if (compressedSize > isize + isize / 1000 + 1024) {
    return { size: null, note: `uncertain: the layer is over 4 GiB and gzip records the size modulo 4 GiB (reads ${mib(isize)})${EXACT_COUNTS_IT}`, streamable: true };
  }
  if (isize + TWO_32 <= compressedSize * MAX_PLAUSIBLE_GZIP_RATIO) {
    return { size: null, note: `uncertain: the layer could be over 4 GiB and gzip records the size modulo 4 GiB (reads ${mib(isize)})${EXACT_COUNTS_IT}`, streamable: true };
  }
  return { size: isize, method: 'gzip-isize' };
}
