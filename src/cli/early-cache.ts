/**
 * Whether the cache will answer every image of a compare without a request (a fresh tag ->
 * digest answer for each), read before oclif loads: then bin/run.js opens no early connection
 * (transport/preconnect.ts), which a warm compare paid for with a TLS handshake on its main
 * thread and never used (issue #16). The same file, key and freshness rule as the cache's own
 * lookup (cache/layout.ts, cache/entry.ts, TagCachePolicy.key). Anything else (a digest
 * reference, no cache, an answer missing or stale) says no: the early connection is then made,
 * as before. A wrong yes costs only the overlap: the run connects when it needs to.
 */
import { readFileSync } from 'node:fs';
import { decodeTag, isFresh } from '../cache/entry.js';
import { tagPath } from '../cache/layout.js';
import { defaultCacheDir } from '../paths.js';
import type { Reference } from '../reference/reference.js';
import { TagCachePolicy } from '../transport/registry/tag-cache-policy.js';
import { parseDurationMs } from '../units.js';

export interface CacheFlags {
  /** --cache-dir, when given. */
  cacheDir?: string | undefined;
  /** --tag-ttl as written (the flag's default when not given). */
  tagTtl: string;
  noCache: boolean;
}

/** True when every one of `refs` has a fresh cached tag answer, so the run sends no request. */
export function cacheAnswersAll(refs: readonly Reference[], flags: CacheFlags, env: NodeJS.ProcessEnv = process.env, now = Date.now()): boolean {
  if (flags.noCache || refs.length === 0) return false;
  const dir = flags.cacheDir ?? defaultCacheDir(env);
  if (!dir) return false;
  let ttlMs: number;
  try {
    ttlMs = parseDurationMs(flags.tagTtl, '--tag-ttl');
  } catch {
    return false;
  }
  return refs.every((ref) => {
    // A digest reference: the manifest may or may not be cached; ask no further.
    if (ref.digest !== undefined || ref.tag === undefined) return false;
    const key = TagCachePolicy.key(ref, ref.tag);
    let raw: Buffer;
    try {
      raw = readFileSync(tagPath(dir, key));
    } catch {
      return false;
    }
    const rec = decodeTag(raw, key);
    return rec !== undefined && isFresh(rec.storedAt, now, ttlMs);
  });
}
