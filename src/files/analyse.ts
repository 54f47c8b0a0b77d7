/**
 * `regsize files IMAGE` and `regsize diff BASE IMAGE --files`: what is inside an image's
 * bytes, read only as far as needed:
 *
 *   1. resolve the image and read its config (a few KB): layers, steps;
 *   2. with a base, the layers IMAGE shares with it (by digest, then diff_id) are not read;
 *   3. a layer whose listing is cached (by digest) is not read either;
 *   4. what is left is announced (bytes, time at the first --bandwidth) and refused past
 *      --max-download; then read in parallel (bounded), each streamed through the tar parser;
 *   5. the listings are stacked into the final filesystem (src/files/filesystem.ts), and the
 *      largest files and folders, wasted bytes, hints and packages computed from it.
 */
import { availableParallelism } from 'node:os';
import { toRegsizeError, UsageError } from '../errors.js';
import { sha256Digest } from '../oci/digest.js';
import type { LayerReader } from '../oci/layer-reader.js';
import type { Descriptor } from '../oci/manifest.js';
import type { Platform } from '../oci/platform.js';
import { parsePlatform } from '../oci/platform.js';
import { baseReferenceFromAnnotations, matchLayers } from '../sizing/diff.js';
import { type DescribedImage, resolveAndDescribe } from '../sizing/layers.js';
import type { RegistryClient } from '../transport/client.js';
import type { Logger } from '../log.js';
import { type ImageInput, isLocalInput } from '../source/parse.js';
import { mapLimit } from '../util/limit.js';
import { ESTARGZ_TOC_DIGEST, hasEstargzToc, listFromEstargzToc } from './estargz-toc.js';
import { listFromZstdChunkedToc, zstdChunkedAnnotations } from './zstd-chunked-toc.js';
import { directorySizes, FilesystemBuilder, largestFiles } from './filesystem.js';
import { findHints, HINT_RULES } from './hints.js';
import { type ListingCache } from './listing-cache.js';
import type { DownloadPlan, FilesResult, LayerSource } from './files-result.js';
import { packagesOf } from './package-view.js';
import { RegistryLayerReader } from './registry-layer-reader.js';
import { type LayerListing, listLayer } from './tar-walk.js';

export type { DownloadPlan, FilesLayer, FilesResult, LayerSource } from './files-result.js';

export interface FilesOptions {
  platform: Platform;
  logger: Logger;
  cache: ListingCache;
  /** Refuse to start when the layers to read add up to more. @default 500 MB */
  maxDownload?: number;
  /** Layers read at once. @default 4 */
  concurrency?: number;
  /** Rows of largest files, folders, wasted files and packages. @default 20 */
  top?: number;
  /**
   * Also read the package databases of layers listed from a table of contents (Range reads of
   * those files; a downloaded layer's databases are read from its stream anyway). @default false
   */
  packages?: boolean;
  /** Where the layers' bytes come from. @default the registry */
  reader?: LayerReader;
  /** Called once the plan is known, before any layer is read. */
  onPlan?: (plan: DownloadPlan) => void;
  /** Compressed bytes read so far, of `total`. */
  onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_MAX_DOWNLOAD = 500_000_000;
/** Wasted files listed in the result at most (the total counts them all). */
export const MAX_WASTED_LISTED = 1000;

/** The registry references among `inputs`, for one token request covering them all. */
const registryOnes = (...inputs: (ImageInput | undefined)[]) => inputs.flatMap((i) => (i && !isLocalInput(i) ? [i] : []));

export async function analyseImage(client: RegistryClient, imageRef: ImageInput, options: FilesOptions): Promise<FilesResult> {
  client.expect(registryOnes(imageRef));
  const image = await resolveAndDescribe(client, imageRef, { platform: options.platform, logger: options.logger });
  return analyseDescribed(client, image, new Set(), options);
}

/** diff BASE IMAGE --files: IMAGE's own layers only; BASE given or from IMAGE's annotations. */
export async function analyseAddedFiles(client: RegistryClient, baseRef: ImageInput | undefined, imageRef: ImageInput, options: FilesOptions): Promise<FilesResult> {
  client.expect(registryOnes(baseRef, imageRef));
  const image = await resolveAndDescribe(client, imageRef, { platform: options.platform, logger: options.logger });
  const ref = baseRef ?? baseReferenceFromAnnotations(image.resolved);
  const base = await resolveAndDescribe(client, ref, { platform: parsePlatform(image.entry.platform), logger: options.logger });
  const m = matchLayers(
    base.rows.map((r, i) => ({ digest: r.digest, diffId: base.diffIds[i] })),
    image.rows.map((r, i) => ({ digest: r.digest, diffId: image.diffIds[i] })),
  );
  const shared = new Set(m.image.flatMap((x, i) => (x ? [i] : [])));
  const result = await analyseDescribed(client, image, shared, options);
  if (shared.size === 0) result.warnings.push(`${image.entry.reference} shares no layer with ${base.entry.reference}: every layer was read`);
  return result;
}

async function analyseDescribed(client: RegistryClient, image: DescribedImage, shared: Set<number>, options: FilesOptions): Promise<FilesResult> {
  const top = options.top ?? 20;
  // A registry image is read through the registry (and its tables of contents); a local image
  // (an OCI layout, an archive, the Docker Engine) through its own source.
  const ref = image.resolved.ref;
  const repo = ref ? { registry: ref.registry, repository: ref.repository } : undefined;
  const reader: LayerReader = options.reader ?? (repo ? new RegistryLayerReader(client, repo) : image.resolved);
  // A layer read from an OCI layout, an archive or the Engine is "local", not downloaded.
  const readSource: LayerSource = repo ? 'download' : 'local';
  const rows = image.rows;
  const listings = new Map<number, LayerListing>();
  const sources = new Map<number, LayerSource>();
  const warnings = [...image.warnings];

  // 2-3: what the cache already holds, and what need not be read at all.
  const toRead: DownloadPlan['layers'] = [];
  await Promise.all(
    rows.map(async (row, index) => {
      const cached = await options.cache.get(row.digest);
      if (cached) {
        listings.set(index, cached);
        sources.set(index, 'cache');
      } else if (shared.has(index)) sources.set(index, 'base');
      else toRead.push({ index, digest: row.digest, size: row.size });
    }),
  );
  toRead.sort((a, b) => a.index - b.index);
  let bytesDownloaded = 0;

  // eStargz and zstd:chunked layers of a registry image: the table of contents, by Range reads.
  if (!options.reader && repo) {
    const descriptors = image.resolved.manifest.layers;
    const tocOf = (d: Descriptor | undefined) =>
      !d ? undefined : hasEstargzToc(d) ? { key: d.annotations?.[ESTARGZ_TOC_DIGEST] as string, read: listFromEstargzToc } : zstdChunkedAnnotations(d) ? { key: zstdChunkedAnnotations(d)?.checksum as string, read: listFromZstdChunkedToc } : undefined;
    const tocs = toRead.filter((l) => tocOf(descriptors[l.index]));
    await mapLimit(tocs, options.concurrency ?? 4, async (l) => {
      const d = descriptors[l.index] as Descriptor;
      // Filed under the TOC's digest, not the blob's: Range reads are not checked against the
      // blob digest, so a listing from a TOC speaks only for that TOC.
      const toc = tocOf(d) as NonNullable<ReturnType<typeof tocOf>>;
      // A listing with the package databases read is filed under the TOC's digest; one without
      // them under a key derived from it, so a --packages run never takes it for complete.
      const complete = toc.key;
      const partial = sha256Digest(Buffer.from(`regsize listing without package databases\n${toc.key}`));
      const cached = (await options.cache.get(complete)) ?? (options.packages ? undefined : await options.cache.get(partial));
      if (cached) {
        listings.set(l.index, cached);
        sources.set(l.index, 'cache');
        return;
      }
      try {
        const { listing, bytesRead } = await toc.read(client, repo, d, { packages: options.packages ?? false });
        bytesDownloaded += bytesRead;
        listings.set(l.index, listing);
        sources.set(l.index, 'toc');
        await options.cache.put(options.packages ? complete : partial, listing);
      } catch (e) {
        const err = toRegsizeError(e);
        if (err.code === 'INTERNAL') throw e;
        warnings.push(`${err.message}; downloading the layer instead`);
      }
    });
    toRead.splice(0, toRead.length, ...toRead.filter((l) => !listings.has(l.index)));
  }
  const plan: DownloadPlan = { layers: toRead, bytes: toRead.reduce((s, l) => s + l.size, 0), ...(readSource === 'local' ? { local: true as const } : {}) };

  // 4: refuse before reading anything when the plan is over the limit (a local image's
  // layers are read from disk: nothing is downloaded, so there is nothing to refuse).
  const maxDownload = options.maxDownload ?? DEFAULT_MAX_DOWNLOAD;
  if (readSource === 'download' && plan.bytes > maxDownload) {
    const list = toRead.map((l) => `#${l.index} ${l.digest.slice(0, 19)} ${l.size} bytes`).join(', ');
    throw new UsageError(
      'INVALID_INPUT', `listing ${image.entry.reference} would download ${plan.bytes} bytes in ${toRead.length} layers (${list}), more than --max-download ${maxDownload}: raise --max-download, or use diff BASE IMAGE --files to skip the base's layers`,
    );
  }
  options.onPlan?.(plan);

  // Each listing is folded into the final filesystem as soon as it and every layer below it
  // are known, and its entries let go: only the compact view is kept, not every layer's
  // entries at once (issue #15: peak memory for 100,000 files). Layers not read stay out.
  const builder = new FilesystemBuilder();
  const pending = new Set(toRead.map((l) => l.index));
  let folded = 0;
  const fold = () => {
    for (; folded < rows.length && !pending.has(folded); folded++) {
      const listing = listings.get(folded);
      if (!listing) continue;
      builder.addLayer(folded, listing);
      listings.set(folded, { ...listing, entries: [] });
    }
  };
  fold();

  let done = 0;
  let failed = 0;
  // Layers on disk are read as fast as they decompress: one per core, more would only hold more
  // buffers at once. Downloads keep --concurrency, so a slow link stays busy.
  const atOnce = plan.local ? Math.min(options.concurrency ?? 4, availableParallelism()) : (options.concurrency ?? 4);
  await mapLimit(toRead, atOnce, async (l) => {
    const row = rows[l.index] as (typeof rows)[number];
    try {
      // The layer as stored: a docker-archive's rows show estimated gzip sizes of plain tars.
      const stored = image.resolved.blobs[l.index] ?? { digest: row.digest, mediaType: row.mediaType, size: row.size };
      const listing = await listLayer(reader, stored, {
        onBytes: (n) => {
          done += n;
          if (readSource === 'download') bytesDownloaded += n;
          options.onProgress?.(done, plan.bytes);
        },
      });
      listings.set(l.index, listing);
      sources.set(l.index, readSource);
      await options.cache.put(row.digest, listing);
    } catch (e) {
      const err = toRegsizeError(e);
      if (err.code === 'INTERNAL') throw e;
      failed++;
      sources.set(l.index, readSource);
      warnings.push(`layer ${l.index} (${row.digest}) could not be listed: ${err.message}`);
    }
    pending.delete(l.index);
    fold();
  });

  // 5: the final filesystem of what was read.
  const read = [...listings.entries()].sort((a, b) => a[0] - b[0]).map(([index, listing]) => ({ index, listing }));
  for (const { index, listing } of read) for (const w of listing.warnings) warnings.push(`layer ${index}: ${w}`);
  const fs = builder.finish();

  const largest = largestFiles(fs.root, top);
  const directories = [...directorySizes(fs.root).entries()]
    .filter(([p]) => p !== '/')
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, top)
    .map(([path, size]) => ({ path, size }));

  const wastedFiles = [...fs.wasted].sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : 1));
  const unread = rows.map((_, i) => i).filter((i) => !listings.has(i));
  const notes: string[] = [];
  if (unread.some((i) => sources.get(i) === 'base')) {
    notes.push(`base files deleted or overwritten by the image's own layers: unknown, because the base layers were not read (${fs.unresolvedRemovals} whiteout(s) in the layers read name files the layers read do not hold); efficiency covers the layers read`);
  }
  if (failed) notes.push(`unknown, because ${failed} layer(s) could not be read`);

  const stepOf = (i: number) => `layer ${i}: ${compactStep(rows[i]?.createdBy ?? null)}`;
  const packages = packagesOf(fs.root, read);
  const hints = findHints(fs.root, fs.wasted, stepOf, HINT_RULES, packages).map((h) => ({
    rule: h.rule,
    bytes: h.bytes,
    layer: h.layer,
    createdBy: rows[h.layer]?.createdBy ?? null,
    paths: h.paths,
    ...(h.packages ? { packages: h.packages } : {}),
    advice: h.advice,
  }));

  return {
    reference: image.entry.reference,
    platform: image.entry.platform,
    manifestDigest: image.entry.manifestDigest,
    bytesDownloaded,
    layers: rows.map((r, i) => {
      const s = fs.stats.get(i);
      return { digest: r.digest, createdBy: r.createdBy, size: r.size, files: s?.files ?? null, addedBytes: s?.addedBytes ?? null, source: sources.get(i) ?? 'download' };
    }),
    largest,
    directories,
    wasted: {
      bytes: fs.wasted.reduce((s, w) => s + w.size, 0),
      efficiency: fs.efficiency,
      files: wastedFiles.slice(0, MAX_WASTED_LISTED),
      ...(notes.length ? { note: notes.join('; ') } : {}),
    },
    hints,
    packages: packages.slice(0, top),
    warnings,
    ...(failed ? { failedLayers: failed } : {}),
  };
}

/** A step short enough for a sentence. */
function compactStep(createdBy: string | null): string {
  if (createdBy === null) return 'step unknown';
  // The classic builder writes "/bin/sh -c #(nop) COPY ..." and "/bin/sh -c CMD"; BuildKit "RUN /bin/sh -c CMD # buildkit".
  const s = createdBy
    .replace(/\s+/g, ' ')
    .replace(/^\/bin\/sh -c #\(nop\) /, '')
    .replace(/^(RUN )?\/bin\/sh -c /, 'RUN ')
    .replace(/ # buildkit$/, '')
    .trim();
  return s.length > 60 ? `${s.slice(0, 59)}…` : s;
}
