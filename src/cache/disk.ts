/**
 * The on-disk, content-addressed cache shared by every command (and by concurrent regsize
 * processes): manifests and configs by digest, tag answers in one entry per repository
 * (layout.ts says where, entry.ts in which format).
 *
 * Content is named by its digest, so it never goes stale: every read is checked against the
 * digest, and a corrupt entry is deleted and reported as absent (the client fetches it again);
 * nothing read from disk is trusted. Tag answers are the only thing that expires (--tag-ttl).
 *
 * Writes go to a temporary file in the same folder and are renamed into place: rename is
 * atomic on POSIX, so a reader (this or another process) sees a whole entry or none. The
 * folder is capped in size (eviction.ts); a read refreshes an entry's mtime, so the least
 * recently used go first. Only registry content and tag names are stored, never tokens or
 * credentials. Any cache failure (a read-only disk, a full one) only costs speed: it is
 * reported once and the run goes on uncached.
 */
import { open, readFile, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from '../log.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { decodeManifest, decodeTags, digestMatches, encodeManifest, encodeTags, isFresh, MAX_REPO_TAGS_BYTES, type TagAnswer } from './entry.js';
import { type CacheEviction, DEFAULT_CACHE_MAX_BYTES, evictionFor } from './eviction.js';
import { makeFolder } from './folder.js';
import { CACHEDIR_TAG, digestPath, repoTagsPath, TEMP_MARK } from './layout.js';
import type { CachedManifest, CachedTag, ContentCache } from './types.js';

export { defaultCacheDir } from '../paths.js';
export { DEFAULT_CACHE_MAX_BYTES } from './eviction.js';

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

/**
 * Reading and writing cache files, for every kind of entry: reads refresh the mtime (use, for
 * eviction), writes are atomic and private, and the first failure to write turns writing off
 * with one warning. The listing cache (src/files/listing-cache.ts) writes through one too.
 */
export const TOO_LARGE = Symbol('too large');

export class CacheFiles {
  /**
   * Each folder made once, by the first write that needs it: a burst of writes (a cold compare
   * of 100 images writes 200 manifests at once) would otherwise each stat and mkdir the whole
   * path, a thousand calls queued on libuv's four threads ahead of the reads a request waits for.
   */
  private readonly made = new Map<string, Promise<void>>();
  private root: Promise<void> | undefined;
  /**
   * Entries this process looked for and did not find: their write skips the existence check
   * (a manifest fetched because it was not cached is written without a second stat).
   */
  private readonly absent = new Set<string>();
  private writable = true;
  readonly eviction: CacheEviction;

  constructor(
    readonly dir: string,
    private readonly logger: Logger,
    maxBytes = DEFAULT_CACHE_MAX_BYTES,
  ) {
    this.eviction = evictionFor(dir, maxBytes, logger);
  }

  read(file: string): Promise<Buffer | undefined> {
    return this.readUpTo(file, Number.POSITIVE_INFINITY) as Promise<Buffer | undefined>;
  }

  /** The entry's bytes, or undefined when it is absent; TOO_LARGE (left unread) when it is over `maxBytes`. */
  async readUpTo(file: string, maxBytes: number): Promise<Buffer | undefined | typeof TOO_LARGE> {
    try {
      let bytes: Buffer;
      if (maxBytes === Number.POSITIVE_INFINITY) bytes = await readFile(file);
      else {
        const fh = await open(file, 'r');
        try {
          if ((await fh.stat()).size > maxBytes) return TOO_LARGE;
          bytes = await fh.readFile();
        } finally {
          await fh.close();
        }
      }
      // Reading counts as use: eviction removes the least recently used entries first.
      utimes(file, new Date(), new Date()).catch(() => {});
      return bytes;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') this.absent.add(file);
      else this.logger.debug(`cache: cannot read ${file}: ${(e as Error).message}`);
      return undefined;
    }
  }

  /** Removes an entry that did not check out. */
  async discard(file: string): Promise<void> {
    await unlink(file).catch(() => {});
  }

  /** Content is immutable: an entry already on disk is only marked as used. */
  async writeContent(file: string, bytes: Uint8Array): Promise<void> {
    // Not there when this process looked: another regsize may have written it since, and
    // writing the same bytes again over it is harmless (atomic rename).
    if (this.absent.has(file)) return this.write(file, bytes, false);
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
  async write(file: string, bytes: Uint8Array, replaces: boolean): Promise<void> {
    if (!this.writable) return;
    this.absent.delete(file);
    try {
      await this.ensureFolder(dirname(file));
      await writeFileAtomic(file, bytes, { mode: 0o600, keepMode: false, tempPrefix: `${TEMP_MARK}${process.pid}-`, durable: false });
    } catch (e) {
      this.writable = false;
      this.logger.warn(`cannot write to the cache at ${this.dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); going on without writing to it (use --cache-dir or --no-cache)`);
      return;
    }
    await this.eviction.wrote(replaces ? 0 : bytes.length);
  }

  /** A failure is remembered too: it turns writing off (write), so it is never retried. */
  private ensureFolder(folder: string): Promise<void> {
    let made = this.made.get(folder);
    if (!made) {
      this.root ??= (async () => {
        await makeFolder(this.dir, 0o700);
        await writeFile(join(this.dir, 'CACHEDIR.TAG'), CACHEDIR_TAG, { mode: 0o600, flag: 'wx' }).catch(() => {});
      })();
      made = this.root.then(() => makeFolder(folder, 0o700));
      this.made.set(folder, made);
    }
    return made;
  }
}

export class DiskCache implements ContentCache {
  readonly dir: string;
  private readonly tagTtlMs: number;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly files: CacheFiles;
  /** The last write of each repository's tag entry, so the next one reads what it wrote. */
  private readonly tagWrites = new Map<string, Promise<void>>();

  constructor(options: DiskCacheOptions) {
    this.dir = options.dir;
    this.tagTtlMs = options.tagTtlMs;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.files = new CacheFiles(options.dir, options.logger, options.maxBytes);
  }

  async getManifest(digest: string): Promise<CachedManifest | undefined> {
    const file = digestPath(this.dir, 'manifests', digest);
    const raw = file && (await this.files.read(file));
    if (!file || !raw) return undefined;
    return decodeManifest(raw, digest) ?? this.corrupt(file, digest);
  }

  async putManifest(digest: string, entry: CachedManifest): Promise<void> {
    const file = digestPath(this.dir, 'manifests', digest);
    const bytes = encodeManifest(entry);
    if (file && bytes) await this.files.writeContent(file, bytes);
  }

  async getBlob(digest: string): Promise<Uint8Array | undefined> {
    const file = digestPath(this.dir, 'blobs', digest);
    const raw = file && (await this.files.read(file));
    if (!file || !raw) return undefined;
    return digestMatches(raw, digest) ? raw : this.corrupt(file, digest);
  }

  async putBlob(digest: string, bytes: Uint8Array): Promise<void> {
    const file = digestPath(this.dir, 'blobs', digest);
    if (file) await this.files.writeContent(file, bytes);
  }

  async getTags(repo: string): Promise<ReadonlyMap<string, CachedTag>> {
    const now = this.now();
    const out = new Map<string, CachedTag>();
    for (const [tag, a] of (await this.readTags(repo, true)) ?? []) out.set(tag, { digest: a.digest, fresh: isFresh(a.storedAt, now, this.tagTtlMs) });
    return out;
  }

  /**
   * Read, merge, one atomic write. The file is read again here rather than trusted from the
   * start of the run, so answers another regsize wrote meanwhile are kept; two runs writing at
   * the very same moment may drop one another's new answers (costing a HEAD next time), never
   * tear the entry. Writes of one repository in this process go one after another.
   */
  putTags(repo: string, answers: ReadonlyMap<string, string>): Promise<void> {
    const previous = this.tagWrites.get(repo) ?? Promise.resolve();
    const next = previous.then(async () => {
      const storedAt = this.now();
      const current = await this.readTags(repo, false);
      const merged = new Map<string, TagAnswer>(current ?? []);
      for (const [tag, digest] of answers) merged.set(tag, { digest, storedAt });
      await this.files.write(repoTagsPath(this.dir, repo), encodeTags(repo, merged), current !== undefined);
    });
    const settled = next.catch(() => {});
    this.tagWrites.set(repo, settled);
    void settled.then(() => {
      if (this.tagWrites.get(repo) === settled) this.tagWrites.delete(repo);
    });
    return next;
  }

  /** The repository's answers; a corrupt or oversized entry is not trusted: noted (when `note`), removed, read as none. */
  private async readTags(repo: string, note: boolean): Promise<Map<string, TagAnswer> | undefined> {
    const file = repoTagsPath(this.dir, repo);
    const raw = await this.files.readUpTo(file, MAX_REPO_TAGS_BYTES);
    if (raw === undefined) return undefined;
    if (raw === TOO_LARGE) {
      if (note) this.logger.warn(`cache entry for the tags of ${repo} is over ${MAX_REPO_TAGS_BYTES} bytes (${file}); removed it, asking the registry again`);
      await this.files.discard(file);
      return undefined;
    }
    const answers = decodeTags(raw, repo);
    if (answers) return answers;
    if (note) return this.corrupt(file, `the tags of ${repo}`);
    await this.files.discard(file);
    return undefined;
  }

  /** Measures the folder and evicts over the cap (eviction.ts). */
  walk(): Promise<void> {
    return this.files.eviction.walk();
  }

  /** A corrupt entry is never trusted: it is removed, and the caller fetches the content again. */
  private async corrupt(file: string, what: string): Promise<undefined> {
    this.logger.warn(`cache entry for ${what} is corrupt (${file}); removed it, fetching again`);
    await this.files.discard(file);
    return undefined;
  }
}
