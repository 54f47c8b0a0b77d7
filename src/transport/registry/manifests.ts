/**
 * Manifests (regclient's `scheme/reg/manifest.go`):
 *   head    HEAD /v2/<name>/manifests/<ref>   the digest without a "pull"
 *   get     GET  /v2/<name>/manifests/<ref>   verified against the digest asked for or announced
 *   cached  whether a get would send nothing
 * By digest: from this process, then the cache, then the registry, each digest once. By tag:
 * a fresh cached tag answer costs nothing; a stale one a HEAD; a tag never seen one GET (a
 * HEAD first would only add a round trip).
 */
import { RegsizeError } from '../../errors.js';
import type { CachedManifest, ContentCache } from '../../cache/types.js';
import { computeDigest, verifyDigest } from '../../oci/digest.js';
import { decodeManifest } from '../../oci/manifest.js';
import { MANIFEST_ACCEPT } from '../../oci/media-types.js';
import type { ManifestHeadResult, RegistryManifest, RepoRef, TagDigest } from '../registry-api.js';
import { describe, isDigest, type RegistrySender } from './sender.js';
import { SingleFlight } from './single-flight.js';
import type { TagCachePolicy } from './tag-cache-policy.js';

/** Manifests: containerd refuses larger ones, and so do we (hardening). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export class Manifests {
  private readonly byDigest = new SingleFlight<RegistryManifest>();
  /** Cache writes under way: the answer does not wait for its write (see fetch). */
  private readonly writes = new Set<Promise<void>>();

  constructor(
    private readonly sender: RegistrySender,
    private readonly cache: ContentCache,
    private readonly tags: TagCachePolicy,
  ) {}

  async head(repo: RepoRef, reference: string): Promise<ManifestHeadResult> {
    const path = `/v2/${repo.repository}/manifests/${reference}`;
    const res = await this.sender.send(repo, { method: 'HEAD', path, headers: { accept: MANIFEST_ACCEPT }, maxBytes: 0 });
    if (res.status !== 200) this.sender.fail(res, repo, describe(repo, reference), 'manifest', 'HEAD');
    const digest = res.headers.get('docker-content-digest');
    const size = Number(res.headers.get('content-length') ?? 0);
    if (!digest || !isDigest(digest)) {
      if (isDigest(reference)) return { digest: reference, mediaType: res.headers.get('content-type') ?? '', size };
      throw new RegsizeError('MANIFEST_INVALID', `${describe(repo, reference)}: the registry's HEAD answer names no Docker-Content-Digest`);
    }
    return { digest, mediaType: mediaTypeOf(res.headers.get('content-type')), size };
  }

  /**
   * A tag's digest as cheaply as it can be known: a fresh cached answer costs nothing, else
   * one HEAD, whose answer is cached. Docker Hub counts manifest GETs against its pull limit,
   * not HEADs: https://docs.docker.com/docker-hub/usage/pulls/
   */
  async tagDigest(repo: RepoRef, tag: string): Promise<TagDigest> {
    const cached = await this.tags.lookup(repo, tag);
    if (cached?.fresh) return { digest: cached.digest, source: 'cache' };
    const head = await this.head(repo, tag);
    this.tags.remember(repo, tag, head.digest);
    return { digest: head.digest, mediaType: head.mediaType, source: 'head' };
  }

  /** A cache hit is kept, so the get that follows does not read it again. */
  async cached(repo: RepoRef, digest: string): Promise<boolean> {
    if (this.byDigest.has(digest)) return true;
    const hit = await this.cache.getManifest(digest);
    if (!hit) return false;
    this.byDigest.run(digest, async () => decode(hit, digest, describe(repo, digest))).catch(() => {});
    return true;
  }

  async get(repo: RepoRef, reference: string): Promise<RegistryManifest> {
    if (isDigest(reference)) return this.getByDigest(repo, reference);
    const cachedTag = await this.tags.lookup(repo, reference);
    if (cachedTag?.fresh) return this.getByDigest(repo, cachedTag.digest);
    if (cachedTag) {
      const head = await this.head(repo, reference);
      this.tags.remember(repo, reference, head.digest);
      return this.getByDigest(repo, head.digest);
    }
    const fetched = await this.fetch(repo, reference, undefined);
    this.tags.remember(repo, reference, fetched.digest);
    return fetched;
  }

  private getByDigest(repo: RepoRef, digest: string): Promise<RegistryManifest> {
    return this.byDigest.run(digest, async () => {
      const hit = await this.cache.getManifest(digest);
      if (hit) return decode(hit, digest, describe(repo, digest));
      return this.fetch(repo, digest, digest);
    });
  }

  /** Resolves once every manifest fetched so far is in the cache (or failed to be written, which only costs speed). */
  async flushWrites(): Promise<void> {
    while (this.writes.size > 0) await Promise.all(this.writes);
  }

  private async fetch(repo: RepoRef, reference: string, expectedDigest: string | undefined): Promise<RegistryManifest> {
    const what = describe(repo, reference);
    const res = await this.sender.send(repo, {
      method: 'GET',
      path: `/v2/${repo.repository}/manifests/${reference}`,
      headers: { accept: MANIFEST_ACCEPT },
      maxBytes: MAX_MANIFEST_BYTES,
      tooLargeCode: 'MANIFEST_TOO_LARGE',
      what: `manifest ${what}`,
    });
    if (res.status !== 200) this.sender.fail(res, repo, what, 'manifest');
    // Verify what we were given against the digest we asked for, or the one the registry announced.
    const header = res.headers.get('docker-content-digest');
    const announced = header && isDigest(header) ? header : undefined;
    const digest = expectedDigest ?? announced ?? computeDigest('sha256', res.body);
    verifyDigest(res.body, digest, `manifest ${what}`);
    if (expectedDigest && announced && announced !== expectedDigest && announced.startsWith('sha256:') === expectedDigest.startsWith('sha256:')) {
      throw new RegsizeError('DIGEST_MISMATCH', `manifest ${what}: the registry announced digest ${announced}, not the ${expectedDigest} asked for`);
    }
    const manifest = decodeManifest(res.body, res.headers.get('content-type') ?? '', what);
    // Not awaited, and begun only on the event loop's next turn: the request this answer leads
    // to (an index's platform manifest) first looks in the cache, and that read goes to libuv's
    // four threads ahead of this write's open, write and rename, not behind those of a hundred
    // answers (a cold compare of 100 images). flushWrites() waits for them.
    const write = nextTurn()
      .then(() => this.cache.putManifest(digest, { bytes: res.body, mediaType: manifest.mediaType }))
      .catch(() => {});
    this.writes.add(write);
    void write.then(() => this.writes.delete(write));
    const result = { digest, bytes: res.body, manifest, mediaType: manifest.mediaType };
    this.byDigest.settle(digest, result);
    return result;
  }
}

/** Resolves after the I/O of the current turn of the event loop (setImmediate). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function mediaTypeOf(contentType: string | null): string {
  return (contentType ?? '').split(';')[0] ?? '';
}

function decode(entry: CachedManifest, digest: string, what: string): RegistryManifest {
  const manifest = decodeManifest(entry.bytes, entry.mediaType, what);
  return { digest, bytes: entry.bytes, manifest, mediaType: manifest.mediaType };
}
