/**
 * How far a cached tag -> digest answer is trusted (--tag-ttl), and when answers are written:
 *   - fresh (within the TTL): the cached digest, no request;
 *   - stale: one HEAD revalidates it (Docker Hub counts GETs, not HEADs, as pulls);
 *   - never seen: the caller's choice (a GET by tag when the manifest is wanted anyway).
 * The cache keeps one entry per repository (src/cache/layout.ts): it is read once, the first
 * time a tag of the repository is asked about, and the answers learned are written back in one
 * batch by `flush()` (callers flush once their answers are in), or when MAX_PENDING answers are
 * waiting: `regsize tags` over 2000 tags once queued 2000 file writes behind its HEADs, and
 * read 2000 files before them (#16). Keys hold names only: no credential reaches the cache.
 */
import type { CachedTag, ContentCache } from '../../cache/types.js';
import type { RepoRef } from '../registry-api.js';

/** Answers held before they are written anyway: a run over a million tags that is stopped midway keeps most of its work. */
export const MAX_PENDING = 4096;

export type { CachedTag } from '../../cache/types.js';

export class TagCachePolicy {
  /** repository -> its cached answers, read once per run. */
  private readonly loaded = new Map<string, Promise<ReadonlyMap<string, CachedTag>>>();
  /** repository -> answers learned in this run (all fresh); the ones not yet written are in `pending`. */
  private readonly learned = new Map<string, Map<string, string>>();
  private pending = new Map<string, Map<string, string>>();
  private pendingCount = 0;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly cache: ContentCache) {}

  /** The cache key of a repository's answers. */
  static key(repo: RepoRef): string {
    return `${repo.registry}/${repo.repository}`;
  }

  /** What this run learned, or else the cache, says about a tag. */
  async lookup(repo: RepoRef, tag: string): Promise<CachedTag | undefined> {
    const key = TagCachePolicy.key(repo);
    const known = this.learned.get(key)?.get(tag);
    if (known) return { digest: known, fresh: true };
    let answers = this.loaded.get(key);
    if (!answers) this.loaded.set(key, (answers = this.cache.getTags(key)));
    return (await answers).get(tag);
  }

  /** Records an answer; it reaches the disk with the next flush. */
  remember(repo: RepoRef, tag: string, digest: string): void {
    const key = TagCachePolicy.key(repo);
    for (const m of [this.learned, this.pending]) {
      let answers = m.get(key);
      if (!answers) m.set(key, (answers = new Map()));
      answers.set(tag, digest);
    }
    if (++this.pendingCount >= MAX_PENDING) void this.flush();
  }

  /** Writes every answer recorded so far, one write per repository; resolves once they (and earlier flushes) are written. */
  flush(): Promise<void> {
    const batch = [...this.pending];
    this.pending = new Map();
    this.pendingCount = 0;
    const previous = this.flushing;
    this.flushing = (async () => {
      await previous;
      await Promise.all(batch.map(([key, answers]) => this.cache.putTags(key, answers)));
    })();
    return this.flushing;
  }
}
