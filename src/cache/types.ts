/**
 * What the registry client asks of a cache. Content is addressed by digest, so an entry never
 * goes stale; only tag -> digest answers expire. The on-disk implementation lives in
 * src/cache/disk.ts; `noCache` is used with --no-cache.
 */
export interface CachedManifest {
  bytes: Uint8Array;
  mediaType: string;
}

export interface ContentCache {
  /** A manifest by digest, verified against the digest on read (a corrupt entry reads as absent). */
  getManifest(digest: string): Promise<CachedManifest | undefined>;
  putManifest(digest: string, entry: CachedManifest): Promise<void>;
  /** A small blob (image config) by digest, verified on read. */
  getBlob(digest: string): Promise<Uint8Array | undefined>;
  putBlob(digest: string, bytes: Uint8Array): Promise<void>;
  /** tag -> digest, if it was ever cached; `fresh` says whether the answer is still within --tag-ttl. */
  getTag(name: string): Promise<{ digest: string; fresh: boolean } | undefined>;
  putTag(name: string, digest: string): Promise<void>;
}

export const noCache: ContentCache = {
  getManifest: async () => undefined,
  putManifest: async () => {},
  getBlob: async () => undefined,
  putBlob: async () => {},
  getTag: async () => undefined,
  putTag: async () => {},
};
