/**
 * What the uncompressed sizer says of one layer, and of an image: the vocabulary shared by the
 * readers of each compression (gzip-isize.ts, zstd-layer.ts), the counters (counters.ts) and
 * the sizer that runs them (uncompressed.ts).
 */
import type { Descriptor } from '../oci/manifest.js';

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

/** Said of a reading --exact would settle by counting the layer. */
export const EXACT_COUNTS_IT = ' (--exact counts it)';

/** A plain tar layer is its own size: nothing is read. */
export function fromTar(d: Pick<Descriptor, 'size'>): Reading {
  return { size: d.size, method: 'tar' };
}

/** The sum of the layers' tar sizes; null as soon as one is unknown (never a partial sum). */
export function totalUncompressed(layers: Pick<UncompressedLayer, 'size'>[]): number | null {
  let total = 0;
  for (const l of layers) {
    if (l.size === null) return null;
    total += l.size;
  }
  return total;
}
