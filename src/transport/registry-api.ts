/**
 * What sizing and tags ask of a registry, as an interface (regclient's `scheme`): noun-first
 * operations, each answered by `RegistryClient` (transport/client.ts, split by concern under
 * transport/registry/). Callers depend on this file, not on the class, so a test double or
 * another backend fills the same shape.
 *
 *   manifests  manifestHead, manifestGet, manifestCached
 *   blobs      blobGet, blobRange, blobStream
 *   tags       tagList, tagDigest
 *   ping       ping (the base URL that answered /v2/), expect (scopes for one token), rateLimit
 *
 * Every operation takes the repository it is about, because one invocation reads many.
 * A local source (an OCI layout, an archive: src/source/) holds one repository and no tags;
 * the part it fills is `RepositoryReader` (manifests and small blobs of one repository,
 * src/source/local-image.ts `ManifestStore` is exactly that), and `repositoryReader` in
 * sizing/resolve.ts scopes a Registry down to the same shape, so resolving an index and
 * reading a config are one code path for both.
 */
import type { FetchedManifest } from '../oci/manifest.js';
import type { ByteRange } from './content-range.js';
import type { BodySink } from './http.js';

export interface RepoRef {
  registry: string;
  repository: string;
}

export interface ManifestHeadResult {
  digest: string;
  mediaType: string;
  size: number;
}

/** A manifest as fetched, with the media type it was decoded as. */
export type RegistryManifest = FetchedManifest & { mediaType: string };

/** A tag's digest and where it came from; a HEAD also tells the manifest's media type. */
export interface TagDigest {
  digest: string;
  mediaType?: string;
  source: 'cache' | 'head';
}

/** Docker Hub's pull allowance as last reported (`ratelimit-remaining: 76;w=21600`). */
export interface RateLimit {
  limit?: number;
  remaining?: number;
}

/** The blob a range or stream reads: its digest, and its size from the descriptor. */
export interface BlobRef {
  digest: string;
  size: number;
}

/** `{ suffix: 4 }` for the last 4 bytes, or start/end inclusive. */
export type { ByteRange } from './content-range.js';

export interface RangeResult {
  /** 206 with the bytes asked for; 200 when the server ignored Range (body not read). */
  status: number;
  bytes: Uint8Array;
  rangeIgnored: boolean;
}

export interface ManifestApi {
  /** HEAD /v2/<name>/manifests/<ref>: a digest without a "pull" (Docker Hub counts GETs only). */
  manifestHead(repo: RepoRef, reference: string): Promise<ManifestHeadResult>;
  /** GET by tag or digest, verified against its digest, each digest fetched once. */
  manifestGet(repo: RepoRef, reference: string): Promise<RegistryManifest>;
  /** Whether manifestGet of this digest would send no request. */
  manifestCached(repo: RepoRef, digest: string): Promise<boolean>;
}

export interface BlobApi {
  /** A small blob (an image config), whole, verified, at most maxBytes. */
  blobGet(repo: RepoRef, digest: string, maxBytes?: number): Promise<Uint8Array>;
  /** A byte range of a blob; never reads a body the server sends whole. */
  blobRange(repo: RepoRef, blob: BlobRef, range: ByteRange): Promise<RangeResult>;
  /** A whole blob through `sink`, never buffered, verified before this resolves. */
  blobStream(repo: RepoRef, blob: BlobRef, sink: () => BodySink): Promise<{ bytes: number }>;
}

export interface TagApi {
  /** Every tag of the repository, all pages, bounded in pages, tags and bytes. */
  tagList(repo: RepoRef, pageSize?: number): Promise<string[]>;
  /** A tag's digest: a fresh cached answer, else one HEAD. */
  tagDigest(repo: RepoRef, tag: string): Promise<TagDigest>;
  /** Writes the tag answers learned so far to the cache (they are batched, not written per tag). */
  flushTags(): Promise<void>;
}

export interface PingApi {
  /** The registry's base URL (`https://registry-1.docker.io`), found by GET /v2/. */
  ping(registry: string): Promise<string>;
  /** Announce the repositories about to be read, so one token request covers them. */
  expect(repos: RepoRef[]): void;
  /** The pull allowance the registry last reported, if it reports one. */
  rateLimit(registry: string): RateLimit | undefined;
}

/** Everything sizing, tags, files and the report read from registries. */
export interface Registry extends ManifestApi, BlobApi, TagApi, PingApi {}

/** One repository's manifests and small blobs: what resolving an index and reading a config need. */
export interface RepositoryReader {
  /** A manifest by digest (or by tag, for registries), its digest checked. */
  manifestGet(reference: string): Promise<FetchedManifest>;
  /** A small blob (the image config), whole and verified. */
  blobGet(digest: string): Promise<Uint8Array>;
}
