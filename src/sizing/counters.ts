/**
 * Counting a layer's tar bytes as its compressed bytes stream by (--exact, and local images):
 * the decompressor for the layer's compression (decompress.ts, the one place that picks it)
 * with a counter on its output, holding none of it.
 */
import type { ChunkSink } from '../oci/layer-reader.js';
import { decompressSink, type LayerCompressionKind } from './decompress.js';

/** A sink that decompresses what it is given and counts the output. */
export interface CountingSink extends ChunkSink {
  write(chunk: Uint8Array): Promise<void>;
  /** Flushes the decompressor; the tar size. */
  end(): Promise<number>;
}

/**
 * Counts the bytes a layer decompresses to; for zstd call loadZstd() first. Every zstd frame's
 * window is checked before the decoder allocates it (zstd-frame.ts), bounded by what a blob of
 * `blobSize` bytes could fill when that is known.
 */
export function layerCounter(compression: LayerCompressionKind, digest: string, blobSize?: number): CountingSink {
  let out = 0;
  const sink = decompressSink(compression, digest, (c) => (out += c.length), blobSize);
  return { write: (chunk) => sink.write(chunk), end: async () => (await sink.end(), out) };
}
