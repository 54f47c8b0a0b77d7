/**
 * One layer's listing: its tar streamed through tar-stream's parser, never written anywhere,
 * with only the entries' headers kept (and the few package databases, bounded). Whiteouts are
 * kept as entries of their own (`whiteout` names the deleted path, `opaque` the folder whose
 * lower contents are hidden: https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts);
 * the filesystem view applies them (src/files/filesystem.ts).
 *
 * A tar from a registry is untrusted: a name that climbs out of the root (`../`) or a link
 * whose target does, a size the stream does not hold, a decompression bomb, more entries than
 * any image has: each is reported in `warnings` or as an error, and nothing is ever followed.
 */
import { extract as tarExtract, type Header as Headers } from 'tar-stream';
import { RegsizeError } from '../errors.js';
import type { LayerBlob, LayerReader } from '../oci/layer-reader.js';
import { layerCompression } from '../oci/media-types.js';
import { decompressSink, loadZstd } from '../sizing/decompress.js';
import { EntryList, type EntryType, type ListedEntry } from './entry-list.js';
import { type ListedPackage, packageDatabase, parsePackageDatabase } from './packages.js';

export interface LayerListing {
  /** An array, or packed (an EntryList) as the tar parser collects them: iterate, or read `length`. */
  entries: ListedEntry[] | EntryList;
  packages: ListedPackage[];
  /** What was odd or hostile in the tar, one line each (capped). */
  warnings: string[];
  /** Bytes of the uncompressed tar. */
  tarBytes: number;
}

export interface WalkLimits {
  /** @default 2_000_000 */
  maxEntries?: number;
  /** Past `bombFloor` tar bytes, more than this many tar bytes per compressed byte stops the read. @default 200 */
  maxRatio?: number;
  /** @default 64 MiB */
  bombFloor?: number;
  /** Compressed bytes read so far, for progress. */
  onBytes?: (n: number) => void;
}

const MAX_WARNINGS = 20;
const MAX_PATH = 4096;

/** "./usr/lib/", "usr//lib" -> "/usr/lib"; undefined when `..` climbs above the root. */
export function normalizeTarPath(name: string): string | undefined {
  const stack: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (stack.length === 0) return undefined;
      stack.pop();
    } else stack.push(part);
  }
  return `/${stack.join('/')}`;
}

/** Whether a link target, resolved from the folder holding the link, stays under the root. */
function linkEscapes(linkPath: string, target: string): boolean {
  if (target.startsWith('/')) return false;
  const dir = linkPath.slice(0, linkPath.lastIndexOf('/'));
  return normalizeTarPath(`${dir}/${target}`) === undefined;
}

export const printable = (s: string) => JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s);

function classify(h: Headers): Exclude<EntryType, 'whiteout' | 'opaque'> {
  switch (h.type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'dir';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'link';
    default:
      return 'other';
  }
}

/**
 * Adds one entry (from a tar header or a table of contents) to a listing: the name
 * normalised, whiteouts recognised, names and links out of the root reported. Returns the
 * entry added, or undefined for what is not a file of the image (whiteouts, the root, a
 * refused name).
 */
export function addEntry(
  listing: LayerListing,
  warn: (w: string) => void,
  name: string,
  type: Exclude<EntryType, 'whiteout' | 'opaque'>,
  declaredSize: number,
  linkname: string | null | undefined,
): ListedEntry | undefined {
  const path = name.length > MAX_PATH ? undefined : normalizeTarPath(name);
  if (path === undefined) {
    warn(`entry ${printable(name)} climbs out of the image root: ignored, not followed`);
    return undefined;
  }
  if ((type === 'symlink' || type === 'link') && linkname) {
    if (type === 'link' ? normalizeTarPath(linkname) === undefined : linkEscapes(path, linkname)) {
      warn(`${type === 'link' ? 'hard link' : 'symlink'} ${printable(path)} -> ${printable(linkname)} points out of the image root: listed, not followed`);
    }
  }
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (base.startsWith('.wh.')) {
    const dir = path.slice(0, path.lastIndexOf('/')) || '/';
    if (base === '.wh..wh..opq') listing.entries.push({ path: dir, type: 'opaque', size: 0 });
    // Other `.wh..wh.` names are aufs's own bookkeeping (.wh..wh.plnk), not whiteouts.
    else if (!base.startsWith('.wh..wh.')) listing.entries.push({ path: `${dir === '/' ? '' : dir}/${base.slice(4)}`, type: 'whiteout', size: 0 });
    return undefined;
  }
  if (path === '/') return undefined;
  const e: ListedEntry = { path, type, size: type === 'file' || type === 'other' ? declaredSize : 0 };
  listing.entries.push(e);
  return e;
}

/** A warning sink capped at MAX_WARNINGS lines, with a count of the rest. */
export function warnings(listing: LayerListing): { warn: (w: string) => void; finish: () => void } {
  let dropped = 0;
  return {
    warn: (w) => {
      if (listing.warnings.length < MAX_WARNINGS) listing.warnings.push(w);
      else dropped++;
    },
    finish: () => {
      if (dropped) listing.warnings.push(`and ${dropped} more warnings`);
    },
  };
}

export async function listLayer(reader: LayerReader, blob: LayerBlob, limits: WalkLimits = {}): Promise<LayerListing> {
  const compression = layerCompression(blob.mediaType);
  if (compression === 'unknown') throw new RegsizeError('UNSUPPORTED', `layer ${blob.digest} has media type ${blob.mediaType}, which is not a tar layer`);
  if (compression === 'zstd') await loadZstd();
  const maxEntries = limits.maxEntries ?? 2_000_000;
  const maxRatio = limits.maxRatio ?? 200;
  const bombFloor = limits.bombFloor ?? 64 * 1024 * 1024;

  const listing: LayerListing = { entries: new EntryList(), packages: [], warnings: [], tarBytes: 0 };
  const { warn, finish } = warnings(listing);
  let current: Headers | undefined;
  let stop: RegsizeError | undefined;

  const extract = tarExtract();
  const parsed = (async () => {
    for await (const entry of extract) {
      const h = entry.header;
      current = h;
      if (listing.entries.length >= maxEntries) {
        stop ??= new RegsizeError('REGISTRY_ERROR', `layer ${blob.digest} holds more than ${maxEntries} entries; stopped listing it`);
        entry.resume();
        continue;
      }
      const added = addEntry(listing, warn, h.name, classify(h), h.size ?? 0, h.linkname);
      if (!added) {
        entry.resume();
        continue;
      }
      const { path, type, size } = added;
      const db = type === 'file' ? packageDatabase(path) : undefined;
      if (!db) {
        entry.resume();
        continue;
      }
      if (size > db.maxBytes) {
        warn(`${printable(path)} is ${size} bytes, more than the ${db.maxBytes} read of a package database: its packages are not listed`);
        entry.resume();
        continue;
      }
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      try {
        listing.packages.push(...parsePackageDatabase(db.kind, Buffer.concat(chunks).toString('utf8'), path));
      } catch {
        warn(`${printable(path)} could not be parsed as a ${db.kind} database`);
      }
    }
  })();
  let parseFailure: unknown;
  // Drain may fire while the decompressor is still busy: remember it, wait only if still due.
  let onDrain: (() => void) | undefined;
  // The parser stopping ends a wait for drain too (below). Not by racing `parsed` at each
  // wait: every race adds a reaction to it, thousands per layer, all kept until the layer ends.
  let parserStopped = false;
  parsed
    .catch((e: unknown) => {
      parseFailure = e;
    })
    .finally(() => {
      parserStopped = true;
      onDrain?.();
    });

  let compressed = 0;
  let needDrain = false;
  extract.on('drain', () => {
    needDrain = false;
    onDrain?.();
  });
  const drained = () => new Promise<void>((resolve) => (onDrain = resolve));
  const sink = decompressSink(compression, blob.digest, (chunk) => {
    listing.tarBytes += chunk.length;
    if (stop || parseFailure) return;
    if (listing.tarBytes > bombFloor && listing.tarBytes > maxRatio * Math.max(compressed, 1)) {
      stop = new RegsizeError(
        'REGISTRY_ERROR',
        `layer ${blob.digest} decompresses to more than ${maxRatio} times its size (${listing.tarBytes} bytes from ${compressed}): a decompression bomb? stopped reading it`,
      );
      return;
    }
    if (!extract.write(chunk)) needDrain = true;
  });
  try {
    for await (const chunk of reader.openLayer(blob)) {
      compressed += chunk.length;
      limits.onBytes?.(chunk.length);
      await sink.write(chunk);
      if (stop || parseFailure) break;
      if (needDrain && !parserStopped) await drained();
    }
    if (!stop && !parseFailure) {
      await sink.end();
      extract.end(null); // streamx: end(null) writes nothing more
    }
    if (!stop && !parseFailure) await parsed;
  } catch (e) {
    parseFailure ??= e;
  }
  if (stop || parseFailure) extract.destroy();
  if (stop) throw stop;
  if (parseFailure) throw tarError(blob, parseFailure, current);
  finish();
  return listing;
}

/** A parser failure in words: a tar that ends inside an entry declares more than it holds. */
function tarError(blob: LayerBlob, e: unknown, current: Headers | undefined): unknown {
  if (e instanceof RegsizeError) return e;
  const message = (e as Error)?.message ?? String(e);
  if (/unexpected end/i.test(message) && current) {
    return new RegsizeError(
      'REGISTRY_ERROR',
      `layer ${blob.digest}: the tar ends inside ${printable(current.name)}, which declares ${current.size ?? 0} bytes: the layer is truncated or its header lies`,
    );
  }
  return new RegsizeError('REGISTRY_ERROR', `layer ${blob.digest} is not a valid tar: ${message}`);
}
