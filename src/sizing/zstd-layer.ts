/**
 * The uncompressed size of a zstd layer. A blob of at most ZSTD_SMALL_BLOB bytes is read whole
 * (one request, as the header would have been) and counted. A larger one is unknown: its first
 * frame header may carry Frame_Content_Size (RFC 8878 §3.1.1.1), but that speaks for the first
 * frame only, and a blob may hold several (zstd:chunked layers always do, and so does
 * `cat a.zst b.zst`); nothing short of reading the blob proves there is one.
 */
import { verifyDigest } from '../oci/digest.js';
import type { Descriptor } from '../oci/manifest.js';
import { layerCounter } from './counters.js';
import { loadZstd } from './decompress.js';
import { EXACT_COUNTS_IT, type Reading } from './uncompressed-layer.js';
import type { ZstdHeader } from './zstd-frame.js';

/** zstd blobs up to this size are read whole and counted: one request, as the header would cost. */
export const ZSTD_SMALL_BLOB = 64 * 1024;
/** The shortest zstd blob: a magic number and a frame header descriptor. */
export const ZSTD_MIN_BLOB = 5;

/**
 * Both annotation families containers/storage has written for zstd:chunked layers: the newer
 * `io.github.containers.zstd-chunked.*` and the older `io.containers.zstd-chunked.*` that
 * Debian's buildah 1.28 and podman 4.3 still write.
 */
const ZSTD_CHUNKED_PREFIXES = ['io.github.containers.zstd-chunked.', 'io.containers.zstd-chunked.'];

export function isZstdChunked(d: Pick<Descriptor, 'annotations'>): boolean {
  return Object.keys(d.annotations ?? {}).some((k) => ZSTD_CHUNKED_PREFIXES.some((p) => k.startsWith(p)));
}

/**
 * Why the first frame header of a zstd blob too large to read whole cannot give the layer's
 * size: a header speaks for its own frame only, and only reading the blob proves there is one.
 */
export function interpretZstdHeader(h: ZstdHeader, d: Pick<Descriptor, 'annotations'>): Reading {
  if (isZstdChunked(d)) {
    return { size: null, note: `a zstd:chunked layer is many frames; the first frame's size is not the layer's${EXACT_COUNTS_IT}`, streamable: true };
  }
  if (h.kind === 'skippable') return { size: null, note: `the blob starts with a skippable zstd frame${EXACT_COUNTS_IT}`, streamable: true };
  if (h.kind === 'invalid') return { size: null, note: `not a zstd frame (${h.why})`, streamable: false };
  if (h.contentSize === undefined) return { size: null, note: `the zstd frame does not record its content size (streamed compression)${EXACT_COUNTS_IT}`, streamable: true };
  return {
    size: null,
    note: `the first zstd frame records ${h.contentSize} bytes, but a frame speaks only for itself and the blob may hold more${EXACT_COUNTS_IT}`,
    streamable: true,
  };
}

/** A small zstd blob, read whole: checked against its digest, then decompressed and counted. */
export async function countSmallZstd(bytes: Uint8Array, d: Pick<Descriptor, 'digest' | 'size'>): Promise<Reading> {
  if (bytes.length !== d.size) return { size: null, note: `the registry sent ${bytes.length} of the blob's ${d.size} bytes${EXACT_COUNTS_IT}`, streamable: true };
  verifyDigest(bytes, d.digest, `layer ${d.digest}`);
  await loadZstd();
  const counter = layerCounter('zstd', d.digest, d.size);
  await counter.write(bytes);
  return { size: await counter.end(), method: 'counted' };
}
