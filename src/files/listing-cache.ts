/**
 * Layer listings cached by the layer's digest: a layer never changes, so neither does its
 * listing, and a second run (or another image sharing the layer) reads nothing. Entries live
 * beside the content cache (src/cache/disk.ts) in `<cache-dir>/v1/listings/<alg>/<hex>.json.gz`,
 * written whole or not at all (temporary file, then rename), mode 0600.
 *
 * A listing cannot be checked against the digest the way a blob can (it is derived from the
 * blob), so an entry is only trusted when it parses to the expected shape and carries the
 * digest it is filed under; anything else reads as absent and the layer is read again.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Logger } from '../log.js';
import type { LayerListing } from './tar-walk.js';

const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;
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

function valid(doc: unknown, digest: string): doc is Stored {
  const d = doc as Stored;
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

export class DiskListingCache implements ListingCache {
  private readonly root: string;
  private writable = true;

  constructor(
    dir: string,
    private readonly logger: Logger,
  ) {
    this.root = join(dir, 'v1', 'listings');
  }

  private file(digest: string): string | undefined {
    if (!DIGEST.test(digest)) return undefined;
    const [alg, hex] = digest.split(':') as [string, string];
    return join(this.root, alg, `${hex}.json.gz`);
  }

  async get(digest: string): Promise<LayerListing | undefined> {
    const file = this.file(digest);
    if (!file) return undefined;
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      return undefined;
    }
    try {
      if (bytes.length > MAX_ENTRY_BYTES) throw new Error('too large');
      const doc: unknown = JSON.parse(gunzipSync(bytes, { maxOutputLength: 8 * MAX_ENTRY_BYTES }).toString('utf8'));
      if (valid(doc, digest)) return doc.listing;
      throw new Error('unexpected shape');
    } catch (e) {
      this.logger.warn(`cached listing of layer ${digest} is corrupt (${(e as Error).message}); removed it, reading the layer again`);
      await unlink(file).catch(() => {});
      return undefined;
    }
  }

  async put(digest: string, listing: LayerListing): Promise<void> {
    const file = this.file(digest);
    if (!file || !this.writable) return;
    const temp = join(dirname(file), `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      const stored: Stored = { format: FORMAT, digest, listing };
      await writeFile(temp, gzipSync(JSON.stringify(stored)), { mode: 0o600, flag: 'wx' });
      await rename(temp, file);
    } catch (e) {
      await unlink(temp).catch(() => {});
      this.writable = false;
      this.logger.warn(`cannot write layer listings to the cache (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); going on without (use --cache-dir or --no-cache)`);
    }
  }
}
