/**
 * How far a cached tag -> digest answer is trusted (--tag-ttl), and when answers are written:
 *   - fresh (within the TTL): the cached digest, no request;
 *   - stale: one HEAD revalidates it (Docker Hub counts GETs, not HEADs, as pulls);
 *   - never seen: the caller's choice (a GET by tag when the manifest is wanted anyway).
 * Answers learned are written to the cache in batches, not one disk write per tag while the
 * requests are in flight: `regsize tags` over 2000 tags queued 2000 atomic file writes behind
 * its HEADs. A batch is written by `flush()` (callers flush once their answers are in) or
 * when MAX_PENDING answers are waiting. Keys hold names only: no credential reaches the cache.
 */
import type { ContentCache } from '../../cache/types.js';
import type { RepoRef } from '../registry-api.js';

/** Answers held before they are written anyway (bounds memory on a repository of a million tags). */
export const MAX_PENDING = 4096;
/** Cache writes in flight at once while flushing. */
const WRITES_AT_ONCE = 16;

export type CachedTag = { digest: string; fresh: boolean } | undefined;

export class TagCachePolicy {
  private pending = new Map<string, string>();
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly cache: ContentCache) {}

  /** The cache key of a tag -> digest answer. */
  static key(repo: RepoRef, tag: string): string {
    return `${repo.registry}/${repo.repository}:${tag}`;
  }

  /** What the cache (or this run, not yet written) says about a tag. */
  async lookup(repo: RepoRef, tag: string): Promise<CachedTag> {
    const key = TagCachePolicy.key(repo, tag);
    const queued = this.pending.get(key);
    if (queued) return { digest: queued, fresh: true };
    return this.cache.getTag(key);
  }

  /** Records an answer; it reaches the disk with the next flush. */
  remember(repo: RepoRef, tag: string, digest: string): void {
    this.pending.set(TagCachePolicy.key(repo, tag), digest);
    if (this.pending.size >= MAX_PENDING) void this.flush();
  }

  /** Writes every answer recorded so far; resolves once they (and earlier flushes) are written. */
  flush(): Promise<void> {
    const batch = [...this.pending];
    this.pending = new Map();
    const previous = this.flushing;
    this.flushing = (async () => {
      await previous;
      for (let i = 0; i < batch.length; i += WRITES_AT_ONCE) {
        await Promise.all(batch.slice(i, i + WRITES_AT_ONCE).map(([key, digest]) => this.cache.putTag(key, digest)));
      }
    })();
    return this.flushing;
  }
}
