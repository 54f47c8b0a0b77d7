/**
 * Chooses the cache for a run. The on-disk, content-addressed cache is built in issue #4;
 * until then every run starts cold (in-process dedupe still applies).
 */
import type { Logger } from '../transport/logger.js';
import { type ContentCache, noCache } from './types.js';

export interface CacheOptions {
  dir?: string | undefined;
  tagTtlMs: number;
  logger: Logger;
}

export function createCache(_options: CacheOptions): ContentCache {
  return noCache;
}
