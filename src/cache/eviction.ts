/**
 * The cache folder's size cap, one for everything regsize caches (manifests, blobs, tag
 * answers, layer listings): past the cap the least recently used entries go first (a read
 * refreshes an entry's mtime), down to a low-water mark so the next write does not evict again.
 * Temporary files left by a process that died mid-write are swept on the way.
 *
 * Measuring the folder costs a walk over every entry, so it is done when the last walk (by any
 * process, recorded in v1/last-walk) is over an hour old, or when this process has written a
 * tenth of the cap since. Every cache of one folder in a process shares one CacheEviction
 * (evictionFor), so what the content cache and the listing cache write is counted together.
 */
import { readdir, stat, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from '../log.js';
import { mapLimit } from '../util/limit.js';
import { DIGEST_KINDS, lastWalkPath, legacyTagsFolder, repoTagsFolder, TEMP_MARK, versionRoot } from './layout.js';

/** Default size cap: manifests are a few KB, configs rarely 100 KB, a listing of 100,000 files a few MB. */
export const DEFAULT_CACHE_MAX_BYTES = 256 * 1024 * 1024;
/** After an eviction the cache is brought down to this share of the cap. */
const LOW_WATER = 0.8;
/** How often (across processes) the whole folder is measured. */
const WALK_INTERVAL_MS = 60 * 60 * 1000;
/** Temporary files older than this were left by a process that died mid-write. */
const STALE_TEMP_MS = 60 * 60 * 1000;

interface Entry {
  path: string;
  size: number;
  mtimeMs: number;
}

export class CacheEviction {
  /** Bytes written in this process since the folder was last measured. */
  private writtenSinceWalk = 0;
  /** Set once this process has checked whether the folder is due for a walk. */
  private walkChecked = false;
  /** One walk (measure and evict) at a time per process. */
  private walking: Promise<void> | undefined;

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
    private readonly logger: Logger,
  ) {}

  /** A new entry of `bytes` was written (replacing one counts 0): walks when due. */
  async wrote(bytes: number): Promise<void> {
    this.writtenSinceWalk += bytes;
    let due = this.writtenSinceWalk > this.maxBytes / 10;
    if (!this.walkChecked) {
      this.walkChecked = true;
      const last = await stat(lastWalkPath(this.dir)).catch(() => undefined);
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
    await writeFile(lastWalkPath(this.dir), '').catch(() => {});
  }

  /** Every entry of every kind with its size and last use; stale temporary files are removed on the way. */
  private async entries(): Promise<Entry[]> {
    const root = versionRoot(this.dir);
    const out: Entry[] = [];
    const folders = [repoTagsFolder(this.dir), legacyTagsFolder(this.dir)];
    for (const kind of DIGEST_KINDS) {
      const algs = await readdir(join(root, kind)).catch(() => [] as string[]);
      folders.push(...algs.map((a) => join(root, kind, a)));
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

const shared = new Map<string, CacheEviction>();

/** The eviction of a cache folder with this cap, shared by every cache of the folder in this process. */
export function evictionFor(dir: string, maxBytes: number, logger: Logger): CacheEviction {
  const key = `${resolve(dir)}\0${maxBytes}`;
  let e = shared.get(key);
  if (!e) shared.set(key, (e = new CacheEviction(dir, maxBytes, logger)));
  return e;
}
