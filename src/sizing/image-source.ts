/**
 * The seam between sizing and where images live. compare, layers, diff and the report read an
 * image only through `OpenedImage`: its manifest (sizes, digests, platform), its config, its
 * uncompressed layer sizes and its layers' bytes. A registry image fills it with range
 * requests and verified blobs (RegistryClient); a local image (an OCI layout, an archive, the
 * Docker Engine: src/source/) with files and streams.
 */
import { RegsizeError, toRegsizeError } from '../errors.js';
import type { ChunkSink, LayerBlob, LayerReader } from '../oci/layer-reader.js';
import { layerCompression } from '../oci/media-types.js';
import { formatReference, type Reference } from '../reference/reference.js';
import type { LocalImage } from '../source/local-image.js';
import type { Registry } from '../transport/registry-api.js';
import type { Logger } from '../log.js';
import { mapLimit } from '../util/limit.js';
import { fetchImageConfig, type ImageConfig, parseImageConfig } from './image-config.js';
import { type PlatformRequest, resolveImage, resolveManifest, type ResolvedManifest } from './resolve.js';
import { layerCounter } from './counters.js';
import { loadZstd } from './decompress.js';
import { totalUncompressed, type UncompressedLayer } from './uncompressed-layer.js';
import type { UncompressedSizer } from './uncompressed.js';

/** One platform of an image, ready to be sized. */
export interface OpenedImage extends ResolvedManifest, LayerReader {
  /** The input as given (the JSON `reference`). */
  input: string;
  /** The image's name in output (the JSON `name`). */
  name: string;
  /** The layers as the source stores them, for openLayer (sizes are the stored bytes). */
  blobs: LayerBlob[];
  /** True when the compressed sizes in `manifest` are estimates (layers stored as plain tars). */
  compressedSizeEstimated: boolean;
  /** The registry reference, for registry images. */
  ref?: Reference;
  config(): Promise<ImageConfig>;
  /** Exact tar sizes per layer (null where unknown, with why), and their sum. */
  uncompressed(): Promise<{ total: number | null; layers: UncompressedLayer[] }>;
}

/** Something that opens to one image per platform asked for. */
export interface ImageSource {
  readonly input: string;
  open(platform: PlatformRequest, logger: Logger): Promise<OpenedImage[]>;
}

// ---------------------------------------------------------------- the registry

/** Reads a registry blob as an async iterable: the download waits for each chunk to be taken. */
function blobChunks(client: Registry, ref: Reference, blob: LayerBlob): AsyncIterable<Uint8Array> {
  const repo = { registry: ref.registry, repository: ref.repository };
  return {
    async *[Symbol.asyncIterator]() {
      const queue: Uint8Array[] = [];
      let wake: (() => void) | undefined;
      let taken: (() => void) | undefined;
      let finished = false;
      let failure: unknown;
      let yielded = false;
      const signal = () => {
        wake?.();
        wake = undefined;
      };
      const sink = (): ChunkSink => {
        // A retry after bytes were handed on cannot be undone: fail rather than repeat them.
        if (yielded) throw new RegsizeError('NETWORK', `blob ${blob.digest}: the download broke off and had to restart after bytes were read`, { retryable: false });
        return {
          write: (chunk) =>
            new Promise<void>((resolve) => {
              queue.push(chunk);
              taken = resolve;
              signal();
            }),
        };
      };
      client.blobStream(repo, blob, sink).then(
        () => ((finished = true), signal()),
        (e) => ((failure = e), (finished = true), signal()),
      );
      while (true) {
        const chunk = queue.shift();
        if (chunk) {
          yielded = true;
          yield chunk;
          taken?.();
          continue;
        }
        if (finished) break;
        await new Promise<void>((resolve) => (wake = resolve));
      }
      if (failure) throw failure;
    },
  };
}

/** A registry reference as an image source; `sizer` answers uncompressed sizes by ranges. */
export function registrySource(client: Registry, ref: Reference, sizer: UncompressedSizer | undefined): ImageSource {
  return {
    input: ref.input,
    async open(platform, logger) {
      const resolved = await resolveImage(client, ref, platform, logger);
      return resolved.map(
        (r): OpenedImage => ({
          ...r,
          input: ref.input,
          name: formatReference({ registry: ref.registry, repository: ref.repository, tag: ref.tag, digest: ref.digest }),
          blobs: r.manifest.layers,
          compressedSizeEstimated: false,
          config: () => fetchImageConfig(client, r.repo, r.manifest, ref.input),
          uncompressed: () => {
            if (!sizer) throw new RegsizeError('INTERNAL', 'uncompressed sizes asked for without a sizer');
            return sizer.image(r.repo, r.manifest.layers);
          },
          openLayer: (blob) => blobChunks(client, ref, blob),
        }),
      );
    },
  };
}

// ---------------------------------------------------------------- local images

/** Layers read at once when counting local layers. */
const LOCAL_CONCURRENCY = 4;

/** Decompresses a stored layer and counts its tar bytes. */
async function countLayer(reader: LayerReader, blob: LayerBlob): Promise<UncompressedLayer> {
  const compression = layerCompression(blob.mediaType);
  if (compression === 'none') return { size: blob.size, method: 'tar', bytesRead: 0 };
  if (compression === 'unknown') return { size: null, note: `not a layer media type (${blob.mediaType})`, bytesRead: 0 };
  if (compression === 'zstd') await loadZstd();
  const counter = layerCounter(compression, blob.digest);
  let read = 0;
  try {
    for await (const chunk of reader.openLayer(blob)) {
      read += chunk.length;
      await counter.write(chunk);
    }
    return { size: await counter.end(), method: 'streamed', bytesRead: read };
  } catch (e) {
    const err = toRegsizeError(e);
    if (err.code === 'INTERNAL') throw e;
    return { size: null, note: `could not count the layer: ${err.message}`, bytesRead: read };
  }
}

/** A local image as an image source: its platform(s) resolved as a registry's would be. */
export function localSource(input: string, load: () => Promise<LocalImage>): ImageSource {
  return {
    input,
    async open(platform, logger) {
      const local = await load();
      const resolved = await resolveManifest(local.store, local.top, platform, input, logger);
      return resolved.map((r): OpenedImage => {
        const estimated = local.estimated;
        // Where layers are stored as plain tars, show what a push would upload instead.
        const manifest = estimated
          ? { ...r.manifest, layers: r.manifest.layers.map((l) => ({ ...l, size: estimated.get(l.digest)?.compressed ?? l.size })) }
          : r.manifest;
        return {
          ...r,
          manifest,
          input,
          name: local.name,
          blobs: r.manifest.layers,
          compressedSizeEstimated: estimated !== undefined,
          config: async () => parseImageConfig(await local.store.blobGet(r.manifest.config.digest), r.manifest.config.digest, input),
          uncompressed: async () => {
            const layers = await mapLimit(r.manifest.layers, LOCAL_CONCURRENCY, (l) => countLayer(local.reader, l));
            return { total: totalUncompressed(layers), layers };
          },
          openLayer: (blob) => local.reader.openLayer(blob),
        };
      });
    },
  };
}
