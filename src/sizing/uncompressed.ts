/**
 * The exact uncompressed (tar) size of a layer, which is what `docker images` reports and no
 * registry API does, learned from a few bytes of the blob instead of the whole layer:
 *
 *   tar      the blob is the tar: its size is the descriptor's size; nothing is read.
 *   gzip     the last 4 bytes, ISIZE (gzip-isize.ts): one Range request for them; eStargz
 *            layers by their annotation.
 *   zstd     a small blob read whole and counted; a larger one is unknown (zstd-layer.ts).
 *
 * Anything a small range cannot tell for sure (a server that ignores Range, a zstd frame
 * without its content size, a gzip layer that could pass 4 GiB) is reported as unknown, with
 * the reason, never as a guess; with `exact` such layers are streamed once, decompressed and
 * counted (counters.ts), without being held in memory. This file runs those readers over an
 * image's layers: which reader, when to stream, each layer read once per run.
 */
import { isRegsizeError, type RegsizeError } from '../errors.js';
import type { BlobRepository, LayerBlobSource } from '../oci/layer-reader.js';
import type { Descriptor } from '../oci/manifest.js';
import { layerCompression } from '../oci/media-types.js';
import { mapLimit } from '../util/limit.js';
import { type CountingSink, layerCounter } from './counters.js';
import { loadZstd } from './decompress.js';
import { ESTARGZ_UNCOMPRESSED_SIZE, fromEstargzAnnotation, interpretIsize, readIsize, tooShortForGzip } from './gzip-isize.js';
import { fromTar, type Reading, totalUncompressed, type UncompressedLayer } from './uncompressed-layer.js';
import { parseZstdFrameHeader, ZSTD_MAX_FRAME_HEADER } from './zstd-frame.js';
import { countSmallZstd, interpretZstdHeader, ZSTD_MIN_BLOB, ZSTD_SMALL_BLOB } from './zstd-layer.js';

export interface UncompressedOptions {
  /** Stream and count the layers a small range cannot settle (--exact). @default false */
  exact?: boolean | undefined;
  /** Layers read at once. @default 8 */
  concurrency?: number | undefined;
  /** Compressed bytes streamed so far and to stream in all, for a progress bar (--exact). */
  onStreamProgress?: ((done: number, total: number) => void) | undefined;
}

/**
 * The failures a layer is "unknown, because ..." for: what the blob source reports (network,
 * timeout, a range ignored or answered wrongly, a missing blob, a digest mismatch, a blob too
 * long) and what decoding a corrupt or hostile blob throws, each a RegsizeError with its code.
 * Anything else (a TypeError, an INTERNAL) is a bug in regsize and is thrown on: turned into
 * "unknown" it would exit 0 and never be reported.
 */
function expectedFailure(e: unknown): RegsizeError {
  if (isRegsizeError(e) && e.code !== 'INTERNAL') return e;
  throw e;
}

function rangeIgnored(): Reading {
  return { size: null, note: 'the registry ignored the Range request (answered 200), so the body was not read (--exact downloads and counts it)', streamable: true };
}

/** Reads uncompressed sizes for a whole run; a layer shared by several images is read once. */
export class UncompressedSizer {
  private readonly memo = new Map<string, Promise<UncompressedLayer>>();
  private streamDone = 0;
  private streamTotal = 0;

  constructor(
    private readonly source: LayerBlobSource,
    private readonly options: UncompressedOptions = {},
  ) {}

  /** Per-layer results in the manifest's order, and the image total (null if any is unknown). */
  async image(repo: BlobRepository, layers: Descriptor[]): Promise<{ total: number | null; layers: UncompressedLayer[] }> {
    const results = await mapLimit(layers, this.options.concurrency ?? 8, (d) => this.layer(repo, d));
    return { total: totalUncompressed(results), layers: results };
  }

  layer(repo: BlobRepository, d: Descriptor): Promise<UncompressedLayer> {
    let p = this.memo.get(d.digest);
    if (!p) {
      p = this.read(repo, d);
      this.memo.set(d.digest, p);
    }
    return p;
  }

  private async read(repo: BlobRepository, d: Descriptor): Promise<UncompressedLayer> {
    const compression = layerCompression(d.mediaType);
    if (compression === 'unknown') return { size: null, note: `not a layer media type (${d.mediaType})`, bytesRead: 0 };
    if (compression === 'none') return { ...fromTar(d), bytesRead: 0 };
    let reading: Reading;
    let bytesRead = 0;
    try {
      if (compression === 'gzip') {
        const annotated = fromEstargzAnnotation(d);
        if (annotated) return this.options.exact ? this.recount(repo, d, { ...annotated, bytesRead: 0 }) : { ...annotated, bytesRead: 0 };
        const short = tooShortForGzip(d.size);
        if (short) return { size: null, note: short, bytesRead: 0 };
        const r = await this.source.blobRange(repo, d, { start: d.size - 4, end: d.size - 1 });
        bytesRead = r.bytes.length;
        reading = r.rangeIgnored ? rangeIgnored() : interpretIsize(readIsize(r.bytes), d.size);
      } else {
        if (d.size < ZSTD_MIN_BLOB) return { size: null, note: `the blob is ${d.size} bytes, too short to be zstd`, bytesRead: 0 };
        const whole = d.size <= ZSTD_SMALL_BLOB;
        const r = await this.source.blobRange(repo, d, { start: 0, end: (whole ? d.size : ZSTD_MAX_FRAME_HEADER) - 1 });
        bytesRead = r.bytes.length;
        if (r.rangeIgnored) reading = rangeIgnored();
        else if (whole) reading = await countSmallZstd(r.bytes, d);
        else reading = interpretZstdHeader(parseZstdFrameHeader(r.bytes), d);
      }
    } catch (e) {
      return { size: null, note: `could not read the layer: ${expectedFailure(e).message}`, bytesRead };
    }
    if (reading.size !== null) return { size: reading.size, method: reading.method, bytesRead };
    if (!this.options.exact || !reading.streamable) return { size: null, note: reading.note, bytesRead };
    return this.stream(repo, d, compression, bytesRead);
  }

  /**
   * An annotation is the pusher's claim, not a measurement: with --exact the layer is counted
   * too, and a difference is said (the count is the figure).
   */
  private async recount(repo: BlobRepository, d: Descriptor, claimed: UncompressedLayer): Promise<UncompressedLayer> {
    const counted = await this.stream(repo, d, 'gzip', claimed.bytesRead);
    if (counted.size === null || counted.size === claimed.size) return counted;
    return { ...counted, note: `counted ${counted.size} bytes; the ${ESTARGZ_UNCOMPRESSED_SIZE} annotation says ${claimed.size}` };
  }

  /** --exact: the whole blob, decompressed on the fly and counted. */
  private async stream(repo: BlobRepository, d: Descriptor, compression: 'gzip' | 'zstd', alreadyRead: number): Promise<UncompressedLayer> {
    let counter: CountingSink | undefined;
    let streamed = 0;
    this.streamTotal += d.size;
    const report = () => this.options.onStreamProgress?.(this.streamDone, this.streamTotal);
    report();
    try {
      if (compression === 'zstd') await loadZstd();
      const { bytes } = await this.source.blobStream(repo, d, () => {
        // A retried request starts again from zero.
        this.streamDone -= streamed;
        streamed = 0;
        const c = layerCounter(compression, d.digest, d.size);
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
      return { size: null, note: `could not count the layer: ${expectedFailure(e).message}`, bytesRead: alreadyRead + streamed };
    } finally {
      this.streamDone += d.size - streamed;
      report();
    }
  }
}
