/**
 * The registry client: `Registry` (registry-api.ts) over the OCI distribution API. Each
 * concern has its own file under registry/ (regclient's `scheme/reg`):
 *
 *   sender.ts              signing, the 401 retry, the base URL the ping found
 *   manifests.ts           manifestHead, manifestGet, manifestCached (digest checks)
 *   blobs.ts               blobGet, blobRange, blobStream
 *   pagination.ts          tagList (n, last, Link), bounded
 *   tag-cache-policy.ts    tag -> digest answers: TTL, batched writes
 *   single-flight.ts       one request per digest in a process
 *   rate-limit-headers.ts  Docker Hub's pull allowance
 *
 * Sizing, tags, files and the report take a `Registry`, never this class; only the session
 * (src/session.ts) builds one.
 */
import { type ContentCache, noCache } from '../cache/types.js';
import { Authenticator } from './auth.js';
import type { CredentialStore } from './credentials.js';
import type { BodySink, HttpClient } from './http.js';
import type { BlobRef, ByteRange, ManifestHeadResult, RangeResult, RateLimit, Registry, RegistryManifest, RepoRef, TagDigest } from './registry-api.js';
import { Blobs } from './registry/blobs.js';
import { Manifests } from './registry/manifests.js';
import { tagList } from './registry/pagination.js';
import { RegistrySender } from './registry/sender.js';
import type { SchemePolicy } from './scheme.js';
import { TagCachePolicy } from './registry/tag-cache-policy.js';

export type { BlobRef, ByteRange, ManifestHeadResult, RangeResult, RateLimit, Registry, RegistryManifest, RepoRef, TagDigest } from './registry-api.js';
export { MAX_CONFIG_BYTES } from './registry/blobs.js';
export { MAX_MANIFEST_BYTES } from './registry/manifests.js';
export { MAX_TAG_LIST_BYTES, MAX_TAG_PAGES, MAX_TAGS, nextLink } from './registry/pagination.js';

export interface RegistryClientOptions {
  http: HttpClient;
  credentials: CredentialStore;
  scheme: SchemePolicy;
  /** @default noCache */
  cache?: ContentCache | undefined;
}

export class RegistryClient implements Registry {
  readonly http: HttpClient;
  readonly auth: Authenticator;
  private readonly sender: RegistrySender;
  private readonly tags: TagCachePolicy;
  private readonly manifests: Manifests;
  private readonly blobs: Blobs;

  constructor(options: RegistryClientOptions) {
    const cache = options.cache ?? noCache;
    this.http = options.http;
    this.auth = new Authenticator(options.http, options.credentials);
    this.sender = new RegistrySender(options.http, this.auth, options.scheme);
    this.tags = new TagCachePolicy(cache);
    this.manifests = new Manifests(this.sender, cache, this.tags);
    this.blobs = new Blobs(this.sender, cache);
  }

  // ---------------------------------------------------------------- ping

  expect(repos: RepoRef[]): void {
    for (const r of repos) this.auth.expect(r.registry, r.repository);
  }

  ping(registry: string): Promise<string> {
    return this.sender.baseUrl(registry);
  }

  /** The same as ping: the name callers used before the interface. */
  baseUrl(registry: string): Promise<string> {
    return this.ping(registry);
  }

  rateLimit(registry: string): RateLimit | undefined {
    return this.sender.rateLimits.get(registry);
  }

  // ---------------------------------------------------------------- manifests

  manifestHead(repo: RepoRef, reference: string): Promise<ManifestHeadResult> {
    return this.manifests.head(repo, reference);
  }

  manifestGet(repo: RepoRef, reference: string): Promise<RegistryManifest> {
    return this.manifests.get(repo, reference);
  }

  manifestCached(repo: RepoRef, digest: string): Promise<boolean> {
    return this.manifests.cached(repo, digest);
  }

  // ---------------------------------------------------------------- blobs

  blobGet(repo: RepoRef, digest: string, maxBytes?: number): Promise<Uint8Array> {
    return this.blobs.get(repo, digest, maxBytes);
  }

  blobRange(repo: RepoRef, blob: BlobRef, range: ByteRange): Promise<RangeResult> {
    return this.blobs.range(repo, blob, range);
  }

  blobStream(repo: RepoRef, blob: BlobRef, sink: () => BodySink): Promise<{ bytes: number }> {
    return this.blobs.stream(repo, blob, sink);
  }

  // ---------------------------------------------------------------- tags

  tagList(repo: RepoRef, pageSize?: number): Promise<string[]> {
    return tagList(this.sender, repo, pageSize);
  }

  tagDigest(repo: RepoRef, tag: string): Promise<TagDigest> {
    return this.manifests.tagDigest(repo, tag);
  }

  /** The tag answers learned so far, and the manifests fetched, written to the cache. */
  async flushTags(): Promise<void> {
    await Promise.all([this.tags.flush(), this.manifests.flushWrites()]);
  }
}
