/**
 * `regsize compare`: size several images side by side. Each image is resolved concurrently
 * (bounded); one failure becomes that image's error entry and never hides the others.
 * The result is the stable JSON contract printed by --json.
 */
import { type ErrorCode, toRegsizeError } from '../errors.js';
import { compressedSize } from '../oci/manifest.js';
import { isForeignLayer } from '../oci/media-types.js';
import { formatReference, type Reference } from '../reference/reference.js';
import type { ArchiveOptions } from '../source/docker-archive.js';
import { type ImageInput, isLocalInput } from '../source/parse.js';
import type { RegistryClient } from '../transport/client.js';
import type { Logger } from '../log.js';
import { mapLimit } from '../util/limit.js';
import type { OpenedImage } from './image-source.js';
import { sourceFor } from './open.js';
import type { PlatformRequest, ResolvedImage, ResolvedManifest } from './resolve.js';
import type { UncompressedSizer } from './uncompressed.js';

export interface LayerEntry {
  digest: string;
  size: number;
  mediaType: string;
  /** Present (true) for non-distributable layers, which registries may not serve. */
  foreign?: true;
  /** Present (true) when `size` is estimated: a local layer stored as a plain tar, gzipped as a push would. */
  compressedSizeEstimated?: true;
}

export interface ImageEntry {
  reference: string;
  name: string;
  digest: string;
  platform: string;
  manifestDigest: string;
  compressedSize: number;
  /** Present (true) when compressedSize is estimated (local layers stored as plain tars: docker save). */
  compressedSizeEstimated?: true;
  layers: LayerEntry[];
  /** With --uncompressed: exact tar bytes, or null when a layer's size cannot be known. */
  uncompressedSize?: number | null;
}

export interface ErrorEntry {
  reference: string;
  error: { code: ErrorCode; message: string };
}

export type CompareEntry = ImageEntry | ErrorEntry;

export interface CompareResult {
  images: CompareEntry[];
}

export function isErrorEntry(e: CompareEntry): e is ErrorEntry {
  return 'error' in e;
}

export function toImageEntry(r: ResolvedImage): ImageEntry {
  return manifestEntry(r.ref.input, formatReference({ registry: r.ref.registry, repository: r.ref.repository, tag: r.ref.tag, digest: r.ref.digest }), r, false);
}

/** The entry of an opened image, registry or local. */
export function entryOf(image: OpenedImage): ImageEntry {
  return manifestEntry(image.input, image.name, image, image.compressedSizeEstimated);
}

function manifestEntry(reference: string, name: string, r: ResolvedManifest, estimated: boolean): ImageEntry {
  const mark = estimated ? { compressedSizeEstimated: true as const } : {};
  return {
    reference,
    name,
    digest: r.digest,
    platform: r.platform,
    manifestDigest: r.manifestDigest,
    compressedSize: compressedSize(r.manifest),
    ...mark,
    layers: r.manifest.layers.map((l) => ({ digest: l.digest, size: l.size, mediaType: l.mediaType, ...(isForeignLayer(l.mediaType) ? { foreign: true as const } : {}), ...mark })),
  };
}

export function errorEntry(reference: string, e: unknown): ErrorEntry {
  const err = toRegsizeError(e);
  return { reference, error: { code: err.code, message: err.message } };
}

export interface CompareOptions {
  platform: PlatformRequest;
  /** @default 8 */
  concurrency: number;
  logger: Logger;
  /** Called as each image finishes (progress bars). */
  onProgress?: (done: number, total: number) => void;
  /** With --uncompressed: each entry gains uncompressedSize (null when a layer's is unknown). */
  uncompressed?: UncompressedSizer;
  /** Progress of compressing docker-archive layers. */
  archive?: ArchiveOptions;
}

/** Resolves every reference; entries keep the order given, one per platform with "all". */
export async function resolveAll(
  client: RegistryClient,
  refs: ImageInput[],
  options: CompareOptions,
): Promise<({ ok: true; images: OpenedImage[] } | { ok: false; entry: ErrorEntry })[]> {
  client.expect(refs.filter((r): r is Reference => !isLocalInput(r)));
  let done = 0;
  const ctx = { client, sizer: options.uncompressed, ...(options.archive ? { archive: options.archive } : {}) };
  return mapLimit(refs, options.concurrency, async (ref) => {
    try {
      const images = await sourceFor(ref, ctx).open(options.platform, options.logger);
      return { ok: true as const, images };
    } catch (e) {
      return { ok: false as const, entry: errorEntry(ref.input, e) };
    } finally {
      options.onProgress?.(++done, refs.length);
    }
  });
}

export async function compareImages(client: RegistryClient, refs: ImageInput[], options: CompareOptions): Promise<CompareResult> {
  const resolved = await resolveAll(client, refs, options);
  if (options.uncompressed) {
    const withSize = async (r: OpenedImage): Promise<ImageEntry> => ({ ...entryOf(r), uncompressedSize: (await r.uncompressed()).total });
    // A local image that cannot be read for its uncompressed size is that image's error alone.
    const sized = (r: OpenedImage): Promise<CompareEntry> => (r.ref ? withSize(r) : withSize(r).catch((e: unknown) => errorEntry(r.input, e)));
    const entries = await Promise.all(resolved.map((r) => (r.ok ? Promise.all(r.images.map(sized)) : [r.entry])));
    return { images: entries.flat() };
  }
  return { images: resolved.flatMap((r): CompareEntry[] => (r.ok ? r.images.map(entryOf) : [r.entry])) };
}

export interface SharedLayer {
  digest: string;
  size: number;
  /** Indexes (into the image entries) of the images that contain the layer. */
  images: number[];
}

export interface SharingSummary {
  shared: SharedLayer[];
  /** Bytes of layers that appear in more than one image, counted once. */
  sharedBytes: number;
  /** Sum of every image's compressed size, as if each were pulled alone. */
  totalBytes: number;
  /** What pulling all of them once transfers: each distinct layer once. */
  uniqueBytes: number;
}

/** Layers shared between the compared images, by digest (a registry stores and sends them once). */
export function sharingSummary(images: ImageEntry[]): SharingSummary {
  const byDigest = new Map<string, SharedLayer>();
  let totalBytes = 0;
  images.forEach((img, i) => {
    totalBytes += img.compressedSize;
    for (const l of img.layers) {
      const entry = byDigest.get(l.digest) ?? { digest: l.digest, size: l.size, images: [] };
      if (!entry.images.includes(i)) entry.images.push(i);
      byDigest.set(l.digest, entry);
    }
  });
  const all = [...byDigest.values()];
  const shared = all.filter((l) => l.images.length > 1);
  return {
    shared,
    sharedBytes: shared.reduce((s, l) => s + l.size, 0),
    totalBytes,
    uniqueBytes: all.reduce((s, l) => s + l.size, 0),
  };
}
