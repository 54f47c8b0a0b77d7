/**
 * The on-disk, content-addressed cache shared by every command (and by concurrent regsize
 * processes). Layout under the cache folder:
 *
 *   v1/manifests/<alg>/<hex>   "<media type>\n" then the manifest bytes exactly as the registry sent them
 *   v1/blobs/<alg>/<hex>       small blobs (image configs), raw
 *   v1/tags/<sha256(key)>.json {"key": "registry/repository:tag", "digest", "storedAt"}
 *
 * Content is named by its digest, so it never goes stale: every read is checked against the
 * digest, and a corrupt entry is deleted and reported as absent (the client fetches it again);
 * nothing read from disk is trusted. Tag answers are the only thing that expires (--tag-ttl).
 *
 * Writes go to a temporary file in the same folder and are renamed into place: rename is
 * atomic on POSIX, so a reader (this or another process) sees a whole entry or none.
 * The folder is capped in size; past the cap the least recently used entries go first (a read
 * refreshes an entry's mtime). Only registry content and tag names are stored, never tokens
 * or credentials. Any cache failure (a read-only disk, a full one) only costs speed: it is
 * reported once and the run goes on uncached.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { computeDigest } from '../oci/digest.js';
import type { Logger } from '../log.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { mapLimit } from '../util/limit.js';
import { makeFolder } from './folder.js';
import type { CachedManifest, ContentCache } from './types.js';

/** Default size cap: manifests are a few KB and configs rarely 100 KB, so this holds tens of thousands. */
export const DEFAULT_CACHE_MAX_BYTES = 256 * 1024 * 1024;
/** After an eviction the cache is brought down to this share of the cap, so the next write does not evict again. */
const LOW_WATER = 0.8;
/** How often (across processes) the whole folder is measured; between walks each process counts what it writes. */
const WALK_INTERVAL_MS = 60 * 60 * 1000;
/** Temporary files older than this were left by a process that died mid-write. */
const STALE_TEMP_MS = 60 * 60 * 1000;
const VERSION_DIR = 'v1';
const TEMP_MARK = '.tmp-';
/** https://bford.info/cachedir/ : backup tools skip a folder holding this file. */
const CACHEDIR_TAG = 'Signature: 8a477f597d28d172789f06886806bc55\n# This file marks regsize\'s cache folder; backups may skip it.\n';

/** Only well-formed sha256/sha512 digests name files (no path tricks from a hostile registry). */
const CACHEABLE_DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;
/** A media type fits on the header line of a manifest entry. */
const MEDIA_TYPE_RE = /^[\w.+/-]{1,255}$/;

export { defaultCacheDir } from '../paths.js';

export interface DiskCacheOptions {
  /** The cache folder (the `v1/` layout lives inside it). */
  dir: string;
  /** How long a tag -> digest answer counts as fresh; 0 means never. */
  tagTtlMs: number;
  /** @default DEFAULT_CACHE_MAX_BYTES */
  maxBytes?: number;
  logger: Logger;
  /** Clock for tag freshness. @default Date.now (tests move it; file ages always use the real clock) */
  now?: () => number;
}

interface TagRecord {
  key: string;
  digest: string;
  storedAt: number;
}

interface Entry {
  path: string;
  size: number;
  mtimeMs: number;
}

export class DiskCache implements ContentCache {
  readonly dir: string;
  private readonly root: string;
  private readonly tagTtlMs: number;
  private readonly maxBytes: number;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly made = new Set<string>();
  private writable = true;
  /** Bytes this process wrote since the folder was last measured. */
  private writtenSinceWalk = 0;
  /** Set once this process has checked whether the folder is due for a walk. */
  private walkChecked = false;
  /** One walk (measure and evict) at a time per process. */
  private walking: Promise<void> | undefined;

  constructor(options: DiskCacheOptions) {
    this.dir = options.dir;
    this.root = join(options.dir, VERSION_DIR);
    this.tagTtlMs = options.tagTtlMs;
    this.maxBytes = options.maxBytes ?? DEFAULT_CACHE_MAX_BYTES;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
  }

  // ---------------------------------------------------------------- content by digest

  async getManifest(digest: string): Promise<CachedManifest | undefined> {
    const file = this.contentPath('manifests', digest);
    if (!file) return undefined;
    const raw = await this.read(file);
    if (!raw) return undefined;
    const nl = raw.indexOf(0x0a);
    const mediaType = nl > 0 ? raw.subarray(0, nl).toString('latin1') : '';
    const bytes = nl > 0 ? raw.subarray(nl + 1) : raw;
    if (!MEDIA_TYPE_RE.test(mediaType) || !this.matches(bytes, digest)) return this.corrupt(file, digest);
    return { bytes, mediaType };
  }

  async putManifest(digest: string, entry: CachedManifest): Promise<void> {
    const file = this.contentPath('manifests', digest);
    if (!file || !MEDIA_TYPE_RE.test(entry.mediaType)) return;
    await this.writeContent(file, Buffer.concat([Buffer.from(`${entry.mediaType}\n`, 'latin1'), entry.bytes]));
  }

  async getBlob(digest: string): Promise<Uint8Array | undefined> {
    const file = this.contentPath('blobs', digest);
    if (!file) return undefined;
    const raw = await this.read(file);
    if (!raw) return undefined;
    if (!this.matches(raw, digest)) return this.corrupt(file, digest);
    return raw;
  }

  async putBlob(digest: string, bytes: Uint8Array): Promise<void> {
    const file = this.contentPath('blobs', digest);
    if (!file) return;
    await this.writeContent(file, bytes);
  }

  // ---------------------------------------------------------------- tag -> digest

  async getTag(name: string): Promise<{ digest: string; fresh: boolean } | undefined> {
    const file = this.tagPath(name);
    const raw = await this.read(file);
    if (!raw) return undefined;
    let rec: Partial<TagRecord>;
    try {
      rec = JSON.parse(raw.toString('utf8')) as Partial<TagRecord>;
    } catch {
      return this.corrupt(file, name);
    }
    if (rec.key !== name || typeof rec.digest !== 'string' || !CACHEABLE_DIGEST.test(rec.digest) || typeof rec.storedAt !== 'number') {
      return this.corrupt(file, name);
    }
    const age = this.now() - rec.storedAt;
    // A timestamp from the future (a clock set back) proves nothing about freshness.
    return { digest: rec.digest, fresh: age >= 0 && age < this.tagTtlMs };
  }

  async putTag(name: string, digest: string): Promise<void> {
    if (!CACHEABLE_DIGEST.test(digest)) return;
    const record: TagRecord = { key: name, digest, storedAt: this.now() };
    await this.write(this.tagPath(name), Buffer.from(JSON.stringify(record)), true);
  }

  // ---------------------------------------------------------------- files

  private contentPath(kind: 'manifests' | 'blobs', digest: string): string | undefined {
    if (!CACHEABLE_DIGEST.test(digest)) return undefined;
    const [alg, hex] = digest.split(':') as [string, string];
    return join(this.root, kind, alg, hex);
  }

  /** Tag names are hashed into file names: a name may hold characters no file system likes. */
  private tagPath(name: string): string {
    return join(this.root, 'tags', `${createHash('sha256').update(name).digest('hex')}.json`);
  }

  private matches(bytes: Uint8Array, digest: string): boolean {
    return computeDigest(digest.split(':')[0] as string, bytes) === digest;
  }

  private async read(file: string): Promise<Buffer | undefined> {
    try {
      const bytes = await readFile(file);
      // Reading counts as use: eviction removes the least recently used entries first.
      utimes(file, new Date(), new Date()).catch(() => {});
      return bytes;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.logger.debug(`cache: cannot read ${file}: ${(e as Error).message}`);
      return undefined;
    }
  }

  /** A corrupt entry is never trusted: it is removed, and the caller fetches the content again. */
  private async corrupt(file: string, what: string): Promise<undefined> {
    this.logger.warn(`cache entry for ${what} is corrupt (${file}); removed it, fetching again`);
    await unlink(file).catch(() => {});
    return undefined;
  }

  /** Content is immutable: an entry already on disk is only marked as used. */
  private async writeContent(file: string, bytes: Uint8Array): Promise<void> {
    try {
      await stat(file);
      await utimes(file, new Date(), new Date()).catch(() => {});
      return;
    } catch {
      // not there yet
    }
    await this.write(file, bytes, false);
  }

  /** Temporary file in the same folder, then rename: readers see the whole entry or nothing. */
  private async write(file: string, bytes: Uint8Array, replaces: boolean): Promise<void> {
    if (!this.writable) return;
    try {
      await this.ensureFolder(dirname(file));
      await writeFileAtomic(file, bytes, { mode: 0o600, keepMode: false, tempPrefix: `${TEMP_MARK}${process.pid}-`, durable: false });
    } catch (e) {
      this.writable = false;
      this.logger.warn(`cannot write to the cache at ${this.dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); going on without writing to it (use --cache-dir or --no-cache)`);
      return;
    }
    if (!replaces) this.writtenSinceWalk += bytes.length;
    await this.maybeWalk();
  }

  private async ensureFolder(folder: string): Promise<void> {
    if (this.made.has(folder)) return;
    if (this.made.size === 0) {
      await makeFolder(this.dir, 0o700);
      await writeFile(join(this.dir, 'CACHEDIR.TAG'), CACHEDIR_TAG, { mode: 0o600, flag: 'wx' }).catch(() => {});
    }
    await makeFolder(folder, 0o700);
    this.made.add(folder);
  }

  // ---------------------------------------------------------------- size cap

  /**
   * Measuring the folder costs a walk over every entry, so it is done when the last walk (by
   * any process, recorded in v1/last-walk) is over an hour old, or when this process alone has
   * written a tenth of the cap since.
   */
  private async maybeWalk(): Promise<void> {
    let due = this.writtenSinceWalk > this.maxBytes / 10;
    if (!this.walkChecked) {
      this.walkChecked = true;
      const last = await stat(join(this.root, 'last-walk')).catch(() => undefined);
      due ||= !last || Date.now() - last.mtimeMs > WALK_INTERVAL_MS;
    }
    if (!due) return;
    this.walking ??= this.walk().finally(() => {
      this.walking = undefined;
    });
    await this.walking;
  }

  /** Measures the folder and, over the cap, deletes least recently used entries down to the low-water mark. */
  async walk(): Promise<void> {
    this.writtenSinceWalk = 0;
    const entries = await this.entries();
    let total = entries.reduce((s, e) => s + e.size, 0);
    if (total > this.maxBytes) {
      const target = this.maxBytes * LOW_WATER;
      const before = total;
      let removed = 0;
      for (const e of entries.sort((a, b) => a.mtimeMs - b.mtimeMs)) {
        if (total <= target) break;
        try {
          await unlink(e.path);
        } catch {
          continue; // another process evicted it first
        }
        total -= e.size;
        removed++;
      }
      this.logger.debug(`cache: ${before} bytes over the ${this.maxBytes}-byte cap; evicted ${removed} least recently used entries`);
    }
    await writeFile(join(this.root, 'last-walk'), '').catch(() => {});
  }

  /** Every entry with its size and last use; temporary files of dead writers are removed on the way. */
  private async entries(): Promise<Entry[]> {
    const out: Entry[] = [];
    const folders = [join(this.root, 'tags')];
    for (const kind of ['manifests', 'blobs']) {
      const algs = await readdir(join(this.root, kind)).catch(() => [] as string[]);
      folders.push(...algs.map((a) => join(this.root, kind, a)));
    }
    for (const folder of folders) {
      const names = await readdir(folder).catch(() => [] as string[]);
      await mapLimit(names, 64, async (name) => {
        const path = join(folder, name);
        const st = await stat(path).catch(() => undefined);
        if (!st?.isFile()) return;
        if (name.startsWith(TEMP_MARK)) {
          if (Date.now() - st.mtimeMs > STALE_TEMP_MS) await unlink(path).catch(() => {});
          return;
        }
        out.push({ path, size: st.size, mtimeMs: st.mtimeMs });
      });
    }
    return out;
  }
}
