/**
 * `regsize layers`: one row per layer of an image with the build step that made it, from the
 * manifest (sizes, media types) and the config (history, diff_ids): a few KB in all, and with
 * --uncompressed a few bytes more per layer.
 */
import { isRegistryError, RegsizeError } from '../errors.js';
import type { Reference } from '../reference/reference.js';
import type { Platform } from '../oci/platform.js';
import { isForeignLayer } from '../oci/media-types.js';
import type { ArchiveOptions } from '../source/docker-archive.js';
import { type ImageInput, isLocalInput } from '../source/parse.js';
import type { Registry } from '../transport/registry-api.js';
import type { Logger } from '../log.js';
import { entryOf, type ImageEntry } from './compare.js';
import { layerOrigins } from './image-config.js';
import type { OpenedImage } from './image-source.js';
import { sourceFor } from './open.js';
import type { UncompressedSizer } from './uncompressed.js';

export interface LayerRow {
  digest: string;
  /** Compressed bytes, as downloaded. */
  size: number;
  mediaType: string;
  /** The config history's `created_by`, whole; null when the config cannot say which step. */
  createdBy: string | null;
  /** With --uncompressed: exact tar bytes, or null when unknown (see uncompressedNote). */
  uncompressedSize?: number | null;
  /** Why uncompressedSize is null. */
  uncompressedNote?: string;
  /** For non-distributable layers, which registries may not serve. */
  foreign?: true;
  /** When `size` is estimated (a local layer stored as a plain tar, gzipped as a push would). */
  compressedSizeEstimated?: true;
}

export interface LayersResult {
  reference: string;
  name: string;
  platform: string;
  manifestDigest: string;
  compressedSize: number;
  /** Present (true) when compressedSize is estimated (local layers stored as plain tars). */
  compressedSizeEstimated?: true;
  /** With --uncompressed: the sum of the layers' tar sizes, or null when any is unknown. */
  uncompressedSize?: number | null;
  layers: LayerRow[];
  /** Where history or diff_ids do not line up with the layers, and other config problems. */
  warnings: string[];
}

export interface LayersOptions {
  platform: Platform;
  logger: Logger;
  /** Given with --uncompressed. */
  uncompressed?: UncompressedSizer;
  /** Progress of compressing docker-archive layers. */
  archive?: ArchiveOptions;
}

/** An image with its layers described: what `layers` prints and `diff` compares. */
export interface DescribedImage {
  resolved: OpenedImage;
  entry: ImageEntry;
  rows: LayerRow[];
  /** Per layer, from the config; undefined where the config cannot say. */
  diffIds: (string | undefined)[];
  warnings: string[];
}

/** Fetches the config (and, when asked, the uncompressed sizes) of an opened image. */
export async function describeImage(resolved: OpenedImage, withUncompressed: boolean): Promise<DescribedImage> {
  const layers = resolved.manifest.layers;
  const [config, sizes] = await Promise.all([resolved.config(), withUncompressed ? resolved.uncompressed() : undefined]);
  const origins = layerOrigins(config, layers.length);
  const rows = layers.map((l, i): LayerRow => {
    const u = sizes?.layers[i];
    return {
      digest: l.digest,
      size: l.size,
      mediaType: l.mediaType,
      createdBy: origins.createdBy?.[i] ?? null,
      ...(u ? { uncompressedSize: u.size } : {}),
      ...(u?.note ? { uncompressedNote: u.note } : {}),
      ...(isForeignLayer(l.mediaType) ? { foreign: true as const } : {}),
      ...(resolved.compressedSizeEstimated ? { compressedSizeEstimated: true as const } : {}),
    };
  });
  const entry: ImageEntry = { ...entryOf(resolved), ...(sizes ? { uncompressedSize: sizes.total } : {}) };
  return { resolved, entry, rows, diffIds: origins.diffIds, warnings: origins.warnings };
}

/** Resolves one platform of `ref` and describes its layers. */
export async function resolveAndDescribe(client: Registry, ref: ImageInput, options: LayersOptions): Promise<DescribedImage> {
  if (!isLocalInput(ref)) client.expect([ref]);
  let resolved: OpenedImage;
  const source = sourceFor(ref, { client, sizer: options.uncompressed, ...(options.archive ? { archive: options.archive } : {}) });
  try {
    [resolved] = (await source.open(options.platform, options.logger)) as [OpenedImage];
  } catch (e) {
    throw isLocalInput(ref) ? e : notAManifestHint(ref, e);
  } finally {
    // The tag answer learned reaches the cache (answers are batched: tag-cache-policy.ts).
    if (!isLocalInput(ref)) await client.flushTags();
  }
  return describeImage(resolved, options.uncompressed !== undefined);
}

/**
 * A digest that names a layer or config rather than a manifest gets a 404 from most
 * registries and a 500 from distribution 2.8; either way, say what the digest probably is.
 */
function notAManifestHint(ref: Reference, e: unknown): unknown {
  if (!ref.digest || !isRegistryError(e) || !(e.code === 'MANIFEST_UNKNOWN' || (e.code === 'REGISTRY_ERROR' && e.status === 500))) return e;
  return new RegsizeError(e.code, `${e.message}; if ${ref.digest} is a layer or config digest, give the image's tag or manifest digest instead`);
}

export async function listLayers(client: Registry, ref: ImageInput, options: LayersOptions): Promise<LayersResult> {
  const d = await resolveAndDescribe(client, ref, options);
  return {
    reference: d.entry.reference,
    name: d.entry.name,
    platform: d.entry.platform,
    manifestDigest: d.entry.manifestDigest,
    compressedSize: d.entry.compressedSize,
    ...(d.entry.compressedSizeEstimated ? { compressedSizeEstimated: true as const } : {}),
    ...(d.entry.uncompressedSize !== undefined ? { uncompressedSize: d.entry.uncompressedSize } : {}),
    layers: d.rows,
    warnings: d.warnings,
  };
}
