/**
 * Layer listings cached by the layer's digest: a layer never changes, so neither does its
 * listing, and a second run (or another image sharing the layer) reads nothing. Entries live
 * beside the content cache in `<cache-dir>/v1/listings/<alg>/<hex>.json.gz` (src/cache/layout.ts),
 * written whole or not at all (temporary file, then rename), mode 0600, and count towards the
 * cache folder's one size cap.
 *
 * A listing cannot be checked against the digest the way a blob can (it is derived from the
 * blob), so an entry is only trusted when it parses to the expected shape and carries the
 * digest it is filed under; anything else reads as absent and the layer is read again.
 */
import { once } from 'node:events';
import { createGzip, gunzipSync } from 'node:zlib';
import { CacheFiles } from '../cache/disk.js';
import { digestPath } from '../cache/layout.js';
import type { Logger } from '../log.js';
import type { LayerListing } from './tar-walk.js';
import type { ListedEntry } from './entry-list.js';

const FORMAT = 1;
/** A cached listing bigger than this (compressed) is not read: a layer of millions of files. */
const MAX_ENTRY_BYTES = 256 * 1024 * 1024;

export interface ListingCache {
  get(digest: string): Promise<LayerListing | undefined>;
  put(digest: string, listing: LayerListing): Promise<void>;
}

export const noListingCache: ListingCache = { get: async () => undefined, put: async () => {} };

interface Stored {
  format: number;
  digest: string;
  listing: LayerListing;
}

/** An entry as read back: JSON gives the entries as an array. */
type StoredJson = Stored & { listing: { entries: ListedEntry[] } };

function valid(doc: unknown, digest: string): doc is StoredJson {
  const d = doc as StoredJson;
  return (
    !!d &&
    d.format === FORMAT &&
    d.digest === digest &&
    Array.isArray(d.listing?.entries) &&
    Array.isArray(d.listing.packages) &&
    Array.isArray(d.listing.warnings) &&
    Number.isSafeInteger(d.listing.tarBytes) &&
    d.listing.entries.every((e) => typeof e?.path === 'string' && e.path.startsWith('/') && typeof e.type === 'string' && Number.isSafeInteger(e.size) && e.size >= 0)
  );
}

/**
 * Listings on disk, written and read through the content cache's files (src/cache/disk.ts):
 * the same atomic private writes, the same mtime-on-read, and the same size cap and eviction
 * (src/cache/eviction.ts) as manifests and configs.
 */
export class DiskListingCache implements ListingCache {
  private readonly files: CacheFiles;

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
    maxBytes?: number,
  ) {
    this.files = new CacheFiles(dir, logger, maxBytes);
  }

  async get(digest: string): Promise<LayerListing | undefined> {
    const file = digestPath(this.dir, 'listings', digest);
    const bytes = file && (await this.files.read(file));
    if (!file || !bytes) return undefined;
    try {
      if (bytes.length > MAX_ENTRY_BYTES) throw new Error('too large');
      const doc: unknown = JSON.parse(gunzipSync(bytes, { maxOutputLength: 8 * MAX_ENTRY_BYTES }).toString('utf8'));
      if (valid(doc, digest)) return doc.listing;
      throw new Error('unexpected shape');
    } catch (e) {
      this.logger.warn(`cached listing of layer ${digest} is corrupt (${(e as Error).message}); removed it, reading the layer again`);
      await this.files.discard(file);
      return undefined;
    }
  }

  async put(digest: string, listing: LayerListing): Promise<void> {
    const file = digestPath(this.dir, 'listings', digest);
    if (!file) return;
    await this.files.writeContent(file, await gzippedJson({ format: FORMAT, digest, listing }));
  }
}

/** Entries serialised per slice, so a listing of 100,000 files is never one JSON string. */
const ENTRIES_PER_PIECE = 1000;

/**
 * The same JSON as JSON.stringify(stored), gzipped as it is written: a layer of many files
 * would otherwise take a string of megabytes, and its copy as bytes, at once (issue #15:
 * memory stays bounded whatever the layer size).
 */
async function gzippedJson(stored: Stored): Promise<Buffer> {
  const gz = createGzip();
  const out: Buffer[] = [];
  gz.on('data', (c: Buffer) => out.push(c));
  const ended = once(gz, 'end');
  const write = async (text: string) => {
    if (!gz.write(text)) await once(gz, 'drain');
  };
  const { entries, ...rest } = stored.listing;
  await write(`{"format":${stored.format},"digest":${JSON.stringify(stored.digest)},"listing":{"entries":[`);
  let piece: string[] = [];
  let first = true;
  const flush = async () => {
    await write(`${first ? '' : ','}${piece.join(',')}`);
    first = false;
    piece = [];
  };
  for (const e of entries) {
    piece.push(JSON.stringify({ path: e.path, type: e.type, size: e.size }));
    if (piece.length === ENTRIES_PER_PIECE) await flush();
  }
  if (piece.length) await flush();
  // The rest of the listing (packages, warnings, tarBytes) is small: as JSON.stringify writes it.
  const tail = JSON.stringify(rest).slice(1);
  gz.end(`]${tail === '}' ? '' : ','}${tail}}`);
  await ended;
  return Buffer.concat(out);
}
