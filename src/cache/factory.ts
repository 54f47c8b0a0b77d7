/**
 * Chooses the cache for a run: the on-disk, content-addressed cache in --cache-dir or the
 * XDG cache folder (src/cache/disk.ts). `--no-cache` never gets here (BaseCommand passes no
 * cache, so the client uses `noCache`).
 */
import type { Logger } from '../log.js';
import { DiskCache, defaultCacheDir } from './disk.js';
import { pseudoFilesystemOf } from './folder.js';
import { type ContentCache, noCache } from './types.js';

export interface CacheOptions {
  /** --cache-dir; @default $XDG_CACHE_HOME/regsize, else ~/.cache/regsize */
  dir?: string | undefined;
  tagTtlMs: number;
  logger: Logger;
  /** @default DEFAULT_CACHE_MAX_BYTES */
  maxBytes?: number;
}

export function createCache(options: CacheOptions): ContentCache {
  const dir = options.dir ?? defaultCacheDir();
  if (!dir) {
    options.logger.debug('cache: no home folder and no XDG_CACHE_HOME; running uncached (use --cache-dir)');
    return noCache;
  }
  const pseudo = pseudoFilesystemOf(dir);
  if (pseudo) {
    options.logger.warn(`the cache folder ${dir} is on ${pseudo}, a kernel file system that cannot hold a cache; running uncached (give --cache-dir a real folder, or --no-cache)`);
    return noCache;
  }
  return new DiskCache({ dir, tagTtlMs: options.tagTtlMs, logger: options.logger, ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}) });
}
