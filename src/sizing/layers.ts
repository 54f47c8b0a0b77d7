/**
 * `regsize layers`: one row per layer of an image with the build step that made it, from the
 * manifest (sizes, media types) and the config (history, diff_ids): a few KB in all, and with
 * --uncompressed a few bytes more per layer.
 */
import { isRegistryError, RegsizeError } from '../errors.js';
import type { Reference } from '../reference/reference.js';
import type { Platform } from '../oci/platform.js';
import { isForeignLayer } from '../oci/media-types.js';
import type { RegistryClient } from '../transport/client.js';
import type { Logger } from '../transport/logger.js';
import { type ImageEntry, toImageEntry } from './compare.js';
import { fetchImageConfig, layerOrigins } from './config.js';
import { resolveImage, type ResolvedImage } from './resolve.js';
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
}

export interface LayersResult {
  reference: string;
  name: string;
  platform: string;
  manifestDigest: string;
  compressedSize: number;
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
}

/** An image with its layers described: what `layers` prints and `diff` compares. */
export interface DescribedImage {
  resolved: ResolvedImage;
  entry: ImageEntry;
  rows: LayerRow[];
  /** Per layer, from the config; undefined where the config cannot say. */
  diffIds: (string | undefined)[];
  warnings: string[];
}

/** Fetches the config (and, when asked, the uncompressed sizes) of a resolved image. */
export async function describeImage(client: RegistryClient, resolved: ResolvedImage, uncompressed: UncompressedSizer | undefined): Promise<DescribedImage> {
  const layers = resolved.manifest.layers;
  const [config, sizes] = await Promise.all([
    fetchImageConfig(client, resolved.repo, resolved.manifest, resolved.ref.input),
    uncompressed ? uncompressed.image(resolved.repo, layers) : undefined,
  ]);
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
    };
  });
  const entry: ImageEntry = { ...toImageEntry(resolved), ...(sizes ? { uncompressedSize: sizes.total } : {}) };
  return { resolved, entry, rows, diffIds: origins.diffIds, warnings: origins.warnings };
}

/** Resolves one platform of `ref` and describes its layers. */
export async function resolveAndDescribe(client: RegistryClient, ref: Reference, options: LayersOptions): Promise<DescribedImage> {
  client.expect([ref]);
  let resolved: ResolvedImage;
  try {
    [resolved] = (await resolveImage(client, ref, options.platform, options.logger)) as [ResolvedImage];
  } catch (e) {
    throw notAManifestHint(ref, e);
  }
  return describeImage(client, resolved, options.uncompressed);
}

/**
 * A digest that names a layer or config rather than a manifest gets a 404 from most
 * registries and a 500 from distribution 2.8; either way, say what the digest probably is.
 */
function notAManifestHint(ref: Reference, e: unknown): unknown {
  if (!ref.digest || !isRegistryError(e) || !(e.code === 'MANIFEST_UNKNOWN' || (e.code === 'REGISTRY_ERROR' && e.status === 500))) return e;
  return new RegsizeError(e.code, `${e.message}; if ${ref.digest} is a layer or config digest, give the image's tag or manifest digest instead`);
}

export async function listLayers(client: RegistryClient, ref: Reference, options: LayersOptions): Promise<LayersResult> {
  const d = await resolveAndDescribe(client, ref, options);
  return {
    reference: d.entry.reference,
    name: d.entry.name,
    platform: d.entry.platform,
    manifestDigest: d.entry.manifestDigest,
    compressedSize: d.entry.compressedSize,
    ...(d.entry.uncompressedSize !== undefined ? { uncompressedSize: d.entry.uncompressedSize } : {}),
    layers: d.rows,
    warnings: d.warnings,
  };
}
