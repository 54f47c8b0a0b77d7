/**
 * `regsize compare`: size several images side by side. Every registry image is resolved at
 * once: the transport bounds what goes on the wire (an HTTP/2 registry's stream limit, or
 * --concurrency requests to an HTTP/1.1 one: transport/slots.ts), so a cold compare of 100
 * images on HTTP/2 costs the round trips of one (#16). Local images, which read files and may
 * compress layers, go --concurrency at a time. One failure becomes that image's error entry
 * and never hides the others.
 * The result is the stable JSON contract printed by --json.
 */
import { type ErrorCode, toRegsizeError } from '../errors.js';
import { compressedSize } from '../oci/manifest.js';
import { isForeignLayer } from '../oci/media-types.js';
import { formatReference, type Reference } from '../reference/reference.js';
import type { ArchiveOptions } from '../source/docker-archive.js';
import { type ImageInput, isLocalInput } from '../source/parse.js';
import type { Registry } from '../transport/registry-api.js';
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
  /** Local images opened at once (registry images all go at once; the transport bounds requests). The CLI passes --concurrency. */
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
  client: Registry,
  refs: ImageInput[],
  options: CompareOptions,
): Promise<({ ok: true; images: OpenedImage[] } | { ok: false; entry: ErrorEntry })[]> {
  client.expect(refs.filter((r): r is Reference => !isLocalInput(r)));
  let done = 0;
  const ctx = { client, sizer: options.uncompressed, ...(options.archive ? { archive: options.archive } : {}) };
  const open = async (ref: ImageInput): Promise<{ ok: true; images: OpenedImage[] } | { ok: false; entry: ErrorEntry }> => {
    try {
      const images = await sourceFor(ref, ctx).open(options.platform, options.logger);
      return { ok: true as const, images };
    } catch (e) {
      return { ok: false as const, entry: errorEntry(ref.input, e) };
    } finally {
      options.onProgress?.(++done, refs.length);
    }
  };
  const local = refs.flatMap((r, i) => (isLocalInput(r) ? [{ r, i }] : []));
  const results = new Array<Awaited<ReturnType<typeof open>>>(refs.length);
  await Promise.all([
    ...refs.map(async (r, i) => {
      if (!isLocalInput(r)) results[i] = await open(r);
    }),
    mapLimit(local, options.concurrency, async ({ r, i }) => {
      results[i] = await open(r);
    }),
  ]);
  // Tag answers learned on the way reach the cache in one batch (transport/registry/tag-cache-policy.ts).
  await client.flushTags();
  return results;
}

export async function compareImages(client: Registry, refs: ImageInput[], options: CompareOptions): Promise<CompareResult> {
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
  /** The platform of every image that contains the layer: layers are shared within one platform only. */
  platform: string;
  /** Indexes (into the image entries) of the images that contain the layer. */
  images: number[];
}

/** What one platform's images transfer: two platforms never land on one machine, so each is counted apart. */
export interface PlatformPull {
  platform: string;
  /** Indexes (into the image entries) of this platform's images. */
  images: number[];
  /** Sum of these images' compressed sizes, as if each were pulled alone. */
  totalBytes: number;
  /** What pulling all of them once on one machine transfers: each distinct layer once. */
  uniqueBytes: number;
}

export interface SharingSummary {
  shared: SharedLayer[];
  /** Bytes of layers that appear in more than one image of the same platform, counted once per platform. */
  sharedBytes: number;
  /** Sum of every image's compressed size, as if each were pulled alone. */
  totalBytes: number;
  /** What pulling all of them once transfers: each distinct layer once per platform (the sum of `platforms`). */
  uniqueBytes: number;
  /** One entry per platform, in the order platforms first appear. */
  platforms: PlatformPull[];
}

/**
 * Layers shared between the compared images, by digest (a registry stores and sends them once).
 * A layer is shared only between images of the same platform: with --platform all, an amd64 and an
 * arm64 image never land on one machine, so a digest they have in common is downloaded twice.
 */
export function sharingSummary(images: ImageEntry[]): SharingSummary {
  const byPlatform = new Map<string, { pull: PlatformPull; layers: Map<string, SharedLayer> }>();
  images.forEach((img, i) => {
    const group = byPlatform.get(img.platform) ?? { pull: { platform: img.platform, images: [], totalBytes: 0, uniqueBytes: 0 }, layers: new Map<string, SharedLayer>() };
    byPlatform.set(img.platform, group);
    group.pull.images.push(i);
    group.pull.totalBytes += img.compressedSize;
    for (const l of img.layers) {
      const entry = group.layers.get(l.digest) ?? { digest: l.digest, size: l.size, platform: img.platform, images: [] };
      if (!entry.images.includes(i)) entry.images.push(i);
      group.layers.set(l.digest, entry);
    }
  });
  const groups = [...byPlatform.values()];
  for (const g of groups) g.pull.uniqueBytes = [...g.layers.values()].reduce((s, l) => s + l.size, 0);
  const shared = groups.flatMap((g) => [...g.layers.values()].filter((l) => l.images.length > 1));
  const platforms = groups.map((g) => g.pull);
  return {
    shared,
    sharedBytes: shared.reduce((s, l) => s + l.size, 0),
    totalBytes: platforms.reduce((s, p) => s + p.totalBytes, 0),
    uniqueBytes: platforms.reduce((s, p) => s + p.uniqueBytes, 0),
    platforms,
  };
}
