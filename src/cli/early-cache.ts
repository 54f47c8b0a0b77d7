/**
 * Whether the cache will answer every image of a compare without a request (a fresh tag ->
 * digest answer for each), read before oclif loads: then bin/run.js opens no early connection
 * (transport/preconnect.ts), which a warm compare paid for with a TLS handshake on its main
 * thread and never used (issue #16). The same file, key and freshness rule as the cache's own
 * lookup (cache/layout.ts, cache/entry.ts, TagCachePolicy.key). Anything else (a digest
 * reference, no cache, an answer missing or stale) says no: the early connection is then made,
 * as before. A wrong yes costs only the overlap: the run connects when it needs to.
 * A repository's entry past EARLY_READ_MAX_BYTES (thousands of tags) is not read twice at
 * start: the answer is no, and the run reads it once as it would anyway.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { decodeTags, isFresh, type TagAnswer } from '../cache/entry.js';
import { repoTagsPath } from '../cache/layout.js';
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
  const repos = new Map<string, Map<string, TagAnswer> | undefined>();
  return refs.every((ref) => {
    // A digest reference: the manifest may or may not be cached; ask no further.
    if (ref.digest !== undefined || ref.tag === undefined) return false;
    const key = TagCachePolicy.key(ref);
    if (!repos.has(key)) repos.set(key, readSmall(repoTagsPath(dir, key), key));
    const answer = repos.get(key)?.get(ref.tag);
    return answer !== undefined && isFresh(answer.storedAt, now, ttlMs);
  });
}

/** 64 KiB: a few hundred tags, read in well under a millisecond. */
export const EARLY_READ_MAX_BYTES = 64 * 1024;

function readSmall(file: string, key: string): Map<string, TagAnswer> | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    if (size > EARLY_READ_MAX_BYTES) return undefined;
    const raw = Buffer.alloc(size);
    if (readSync(fd, raw, 0, size, 0) !== size) return undefined;
    return decodeTags(raw, key);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
