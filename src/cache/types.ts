/**
 * What the registry client asks of a cache. Content is addressed by digest, so an entry never
 * goes stale; only tag -> digest answers expire. The on-disk implementation lives in
 * src/cache/disk.ts; `noCache` is used with --no-cache.
 */
export interface CachedManifest {
  bytes: Uint8Array;
  mediaType: string;
}

export interface CachedTag {
  digest: string;
  fresh: boolean;
}

export interface ContentCache {
  /** A manifest by digest, verified against the digest on read (a corrupt entry reads as absent). */
  getManifest(digest: string): Promise<CachedManifest | undefined>;
  putManifest(digest: string, entry: CachedManifest): Promise<void>;
  /** A small blob (image config) by digest, verified on read. */
  getBlob(digest: string): Promise<Uint8Array | undefined>;
  putBlob(digest: string, bytes: Uint8Array): Promise<void>;
  /**
   * Every cached tag -> digest answer of one repository (`registry/repository`), read in one go;
   * `fresh` says whether an answer is still within --tag-ttl. Empty when there are none.
   */
  getTags(repo: string): Promise<ReadonlyMap<string, CachedTag>>;
  /** Adds answers learned now (tag -> digest) to the repository's entry, in one write. */
  putTags(repo: string, answers: ReadonlyMap<string, string>): Promise<void>;
}

export const noCache: ContentCache = {
  getManifest: async () => undefined,
  putManifest: async () => {},
  getBlob: async () => undefined,
  putBlob: async () => {},
  getTags: async () => new Map(),
  putTags: async () => {},
};
