/**
 * The registry client: noun-first operations of the OCI distribution API, each one place.
 * Everything above it (sizing, tags, ECR) talks to registries only through this class.
 *
 *   manifestGet   GET  /v2/<name>/manifests/<ref>   verified against its digest, cached by digest
 *   manifestHead  HEAD /v2/<name>/manifests/<ref>   digest of a tag without a "pull" (Docker Hub counts GETs only)
 *   blobGet       GET  /v2/<name>/blobs/<digest>    small blobs (configs), verified, cached
 *   blobRange     GET  /v2/<name>/blobs/<digest>    with Range; never reads a body the server sends whole
 *   blobStream    GET  /v2/<name>/blobs/<digest>    a whole blob streamed through a sink, verified, never buffered
 *   tagList       GET  /v2/<name>/tags/list         all pages (n, last, Link)
 *
 * In one process the same digest is never fetched twice: concurrent requests share one promise.
 */
import { createHash } from 'node:crypto';
import { RegsizeError } from '../errors.js';
import { type CachedManifest, type ContentCache, noCache } from '../cache/types.js';
import { decodeManifest, type FetchedManifest } from '../oci/manifest.js';
import { MANIFEST_ACCEPT } from '../oci/media-types.js';
import { verifyDigest, computeDigest } from '../oci/digest.js';
import { apiHost, DOCKER_HUB } from '../reference/reference.js';
import { Authenticator } from './auth.js';
import { type CredentialStore } from './credentials.js';
import { registryError } from './errors.js';
import { type BodySink, HttpClient, type HttpRequest, type HttpResponse } from './http.js';
import { checkContentRange } from './content-range.js';
import { schemesFor, type SchemePolicy } from './scheme.js';

export interface RepoRef {
  registry: string;
  repository: string;
}

export interface ManifestHeadResult {
  digest: string;
  mediaType: string;
  size: number;
}

/** A tag's digest and where it came from; a HEAD also tells the manifest's media type. */
export interface TagDigest {
  digest: string;
  mediaType?: string;
  source: 'cache' | 'head';
}

export interface RateLimit {
  limit?: number;
  remaining?: number;
}

export interface RangeResult {
  /** 206 with the bytes asked for; 200 when the server ignored Range (body not read). */
  status: number;
  bytes: Uint8Array;
  rangeIgnored: boolean;
}

/** Manifests: containerd refuses larger ones, and so do we (hardening). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Image configs are a few KB; 16 MiB leaves room for very long histories. */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;
/** Tag list pages followed at most (a million tags at n=1000): a registry can page forever with distinct links. */
export const MAX_TAG_PAGES = 1000;
/** Tags of one repository read at most (a thousand full pages of 1000). */
export const MAX_TAGS = 1_000_000;
/** Bytes of tag list pages read at most for one repository (a page may be up to 16 MiB). */
export const MAX_TAG_LIST_BYTES = 64 * 1024 * 1024;

const DIGEST_RE = /^[a-z0-9]+:[a-f0-9]+$/;

export interface RegistryClientOptions {
  http: HttpClient;
  credentials: CredentialStore;
  scheme: SchemePolicy;
  /** @default noCache */
  cache?: ContentCache;
}

export class RegistryClient {
  readonly http: HttpClient;
  readonly auth: Authenticator;
  private readonly cache: ContentCache;
  private readonly scheme: SchemePolicy;
  private readonly manifests = new Map<string, Promise<FetchedManifest & { mediaType: string }>>();
  private readonly blobs = new Map<string, Promise<Uint8Array>>();
  private readonly rateLimits = new Map<string, RateLimit>();

  constructor(options: RegistryClientOptions) {
    this.http = options.http;
    this.auth = new Authenticator(options.http, options.credentials);
    this.cache = options.cache ?? noCache;
    this.scheme = options.scheme;
  }

  /** Announce the repositories about to be read, so one token request covers them. */
  expect(repos: RepoRef[]): void {
    for (const r of repos) this.auth.expect(r.registry, r.repository);
  }

  /** The base URLs to try for a registry, in order (see schemesFor). */
  private candidates(registry: string): string[] {
    const host = apiHost(registry);
    return schemesFor(host, this.scheme).map((s) => `${s}://${host}`);
  }

  /** The registry's base URL (`https://registry-1.docker.io`), found by the ping. */
  async baseUrl(registry: string): Promise<string> {
    return (await this.auth.ping(registry, this.candidates(registry))).base;
  }

  /** Docker Hub's pull allowance as last reported (`ratelimit-remaining: 76;w=21600`). */
  rateLimit(registry: string): RateLimit | undefined {
    return this.rateLimits.get(registry);
  }

  /** Sends an authorised request about `repo`, retrying once with a narrower token after a 401. */
  private async send(repo: RepoRef, req: Omit<HttpRequest, 'url'> & { path: string }): Promise<HttpResponse> {
    const bases = this.candidates(repo.registry);
    const base = await this.baseUrl(repo.registry);
    const url = req.path.startsWith('http') ? req.path : `${base}${req.path}`;
    // Credentials go only to the registry's own origin (a Link header may point elsewhere).
    const authorization = new URL(url).origin === base ? await this.auth.header(repo.registry, bases, repo.repository) : undefined;
    const withAuth = (h: string | undefined) => ({ ...req, url, headers: { ...(req.headers ?? {}), ...(h ? { authorization: h } : {}) } });
    let res = await this.http.send(withAuth(authorization));
    // A challenge counts only from the registry's own origin: a CDN the blob was redirected to
    // may answer 401 naming its own realm, and the user's credentials must never go there
    // (containerd and Docker key challenges by the host that sent them).
    if (res.status === 401 && authorization?.startsWith('Bearer ') && new URL(res.url).origin === base) {
      const narrower = await this.auth.retryHeader(repo.registry, bases, repo.repository, res.headers.get('www-authenticate'));
      res = await this.http.send(withAuth(narrower));
    }
    this.noteRateLimit(repo.registry, res);
    return res;
  }

  private noteRateLimit(registry: string, res: HttpResponse): void {
    const limit = res.headers.get('ratelimit-limit');
    const remaining = res.headers.get('ratelimit-remaining');
    if (!limit && !remaining) return;
    const num = (v: string | null) => (v ? Number.parseInt(v, 10) : undefined);
    const rl: RateLimit = {};
    const l = num(limit);
    const r = num(remaining);
    if (l !== undefined && !Number.isNaN(l)) rl.limit = l;
    if (r !== undefined && !Number.isNaN(r)) rl.remaining = r;
    this.rateLimits.set(registry, rl);
  }

  private fail(res: HttpResponse, repo: RepoRef, what: string, kind: 'manifest' | 'blob' | 'tags'): never {
    throw registryError(res, { method: 'GET', what, registry: repo.registry, kind, secrets: this.auth.secrets });
  }

  private describe(repo: RepoRef, reference: string): string {
    const name = repo.registry === DOCKER_HUB ? repo.repository.replace(/^library\//, '') : `${repo.registry}/${repo.repository}`;
    return `${name}${reference.includes(':') && DIGEST_RE.test(reference) ? '@' : ':'}${reference}`;
  }

  async manifestHead(repo: RepoRef, reference: string): Promise<ManifestHeadResult> {
    const what = this.describe(repo, reference);
    const res = await this.send(repo, { method: 'HEAD', path: `/v2/${repo.repository}/manifests/${reference}`, headers: { accept: MANIFEST_ACCEPT }, maxBytes: 0 });
    if (res.status !== 200) this.fail(res, repo, what, 'manifest');
    const digest = res.headers.get('docker-content-digest');
    if (!digest || !DIGEST_RE.test(digest)) {
      if (DIGEST_RE.test(reference)) return { digest: reference, mediaType: res.headers.get('content-type') ?? '', size: Number(res.headers.get('content-length') ?? 0) };
      throw new RegsizeError('MANIFEST_INVALID', `${what}: the registry's HEAD answer names no Docker-Content-Digest`);
    }
    return { digest, mediaType: (res.headers.get('content-type') ?? '').split(';')[0] ?? '', size: Number(res.headers.get('content-length') ?? 0) };
  }

  /** The cache key of a tag -> digest answer (names only: no credentials ever reach the cache). */
  private tagKey(repo: RepoRef, tag: string): string {
    return `${repo.registry}/${repo.repository}:${tag}`;
  }

  /**
   * A tag's digest as cheaply as it can be known: a fresh cached answer costs nothing, else
   * one HEAD, whose answer is cached. Docker Hub counts manifest GETs against its pull limit,
   * not HEADs: https://docs.docker.com/docker-hub/usage/pulls/
   */
  async tagDigest(repo: RepoRef, tag: string): Promise<TagDigest> {
    const key = this.tagKey(repo, tag);
    const cached = await this.cache.getTag(key);
    if (cached?.fresh) return { digest: cached.digest, source: 'cache' };
    const head = await this.manifestHead(repo, tag);
    await this.cache.putTag(key, head.digest);
    return { digest: head.digest, mediaType: head.mediaType, source: 'head' };
  }

  /**
   * Whether a manifest can be had without a GET (fetched in this process, or in the cache and
   * intact). A cache hit is kept, so the manifestGet that follows does not read it again.
   */
  async manifestCached(repo: RepoRef, digest: string): Promise<boolean> {
    if (this.manifests.has(digest)) return true;
    const hit = await this.cache.getManifest(digest);
    if (!hit) return false;
    if (!this.manifests.has(digest)) {
      const p = Promise.resolve().then(() => this.decode(hit, digest, this.describe(repo, digest)));
      this.manifests.set(digest, p);
      p.catch(() => this.manifests.delete(digest));
    }
    return true;
  }

  /**
   * A manifest by tag or digest. By digest: from this process, then the cache, then the
   * registry. By tag: a fresh cached tag answer costs nothing; a stale one costs a HEAD; a
   * tag never seen is fetched with one GET (a HEAD first would only add a round trip).
   */
  async manifestGet(repo: RepoRef, reference: string): Promise<FetchedManifest & { mediaType: string }> {
    if (DIGEST_RE.test(reference)) return this.manifestByDigest(repo, reference);
    const tagKey = this.tagKey(repo, reference);
    const cachedTag = await this.cache.getTag(tagKey);
    if (cachedTag?.fresh) return this.manifestByDigest(repo, cachedTag.digest);
    if (cachedTag) {
      const head = await this.manifestHead(repo, reference);
      await this.cache.putTag(tagKey, head.digest);
      return this.manifestByDigest(repo, head.digest);
    }
    const fetched = await this.fetchManifest(repo, reference, undefined);
    await this.cache.putTag(tagKey, fetched.digest);
    return fetched;
  }

  private manifestByDigest(repo: RepoRef, digest: string): Promise<FetchedManifest & { mediaType: string }> {
    let p = this.manifests.get(digest);
    if (!p) {
      p = (async () => {
        const what = this.describe(repo, digest);
        const hit = await this.cache.getManifest(digest);
        if (hit) return this.decode(hit, digest, what);
        return this.fetchManifest(repo, digest, digest);
      })();
      this.manifests.set(digest, p);
      p.catch(() => this.manifests.delete(digest));
    }
    return p;
  }

  private decode(entry: CachedManifest, digest: string, what: string): FetchedManifest & { mediaType: string } {
    const manifest = decodeManifest(entry.bytes, entry.mediaType, what);
    return { digest, bytes: entry.bytes, manifest, mediaType: manifest.mediaType };
  }

  private async fetchManifest(repo: RepoRef, reference: string, expectedDigest: string | undefined): Promise<FetchedManifest & { mediaType: string }> {
    const what = this.describe(repo, reference);
    const res = await this.send(repo, {
      method: 'GET',
      path: `/v2/${repo.repository}/manifests/${reference}`,
      headers: { accept: MANIFEST_ACCEPT },
      maxBytes: MAX_MANIFEST_BYTES,
      tooLargeCode: 'MANIFEST_TOO_LARGE',
      what: `manifest ${what}`,
    });
    if (res.status !== 200) this.fail(res, repo, what, 'manifest');
    // Verify what we were given against the digest we asked for, or the one the registry announced.
    const announced = res.headers.get('docker-content-digest') ?? undefined;
    const digest = expectedDigest ?? (announced && DIGEST_RE.test(announced) ? announced : computeDigest('sha256', res.body));
    verifyDigest(res.body, digest, `manifest ${what}`);
    if (expectedDigest && announced && announced !== expectedDigest && DIGEST_RE.test(announced) && announced.startsWith('sha256:') === expectedDigest.startsWith('sha256:')) {
      throw new RegsizeError('DIGEST_MISMATCH', `manifest ${what}: the registry announced digest ${announced}, not the ${expectedDigest} asked for`);
    }
    const contentType = res.headers.get('content-type') ?? '';
    const manifest = decodeManifest(res.body, contentType, what);
    const entry = { bytes: res.body, mediaType: manifest.mediaType };
    await this.cache.putManifest(digest, entry);
    const result = { digest, bytes: res.body, manifest, mediaType: manifest.mediaType };
    if (!this.manifests.has(digest)) this.manifests.set(digest, Promise.resolve(result));
    return result;
  }

  /** A small blob (an image config), verified against its digest and cached. */
  blobGet(repo: RepoRef, digest: string, maxBytes = MAX_CONFIG_BYTES): Promise<Uint8Array> {
    let p = this.blobs.get(digest);
    if (!p) {
      p = (async () => {
        const hit = await this.cache.getBlob(digest);
        if (hit) return hit;
        const what = `blob ${this.describe(repo, digest)}`;
        const res = await this.send(repo, { method: 'GET', path: `/v2/${repo.repository}/blobs/${digest}`, maxBytes, tooLargeCode: 'MANIFEST_TOO_LARGE', what });
        if (res.status !== 200) this.fail(res, repo, this.describe(repo, digest), 'blob');
        verifyDigest(res.body, digest, what);
        await this.cache.putBlob(digest, res.body);
        return res.body;
      })();
      this.blobs.set(digest, p);
      p.catch(() => this.blobs.delete(digest));
    }
    return p;
  }

  /**
   * A byte range of a blob (`{ suffix: 4 }` for the last 4 bytes, or start/end inclusive).
   * Redirects to a CDN are followed without the registry's Authorization header; a server
   * that ignores Range gets its body cancelled unread. A 206 must say, in Content-Range, that it
   * holds exactly the bytes asked for of a blob of the descriptor's size: otherwise the bytes
   * could be any part of anything, and a size read from them would be a confident wrong number.
   */
  async blobRange(repo: RepoRef, blob: { digest: string; size: number }, range: { suffix: number } | { start: number; end: number }): Promise<RangeResult> {
    const { digest } = blob;
    const header = 'suffix' in range ? `bytes=-${range.suffix}` : `bytes=${range.start}-${range.end}`;
    const want = 'suffix' in range ? range.suffix : range.end - range.start + 1;
    const res = await this.send(repo, {
      method: 'GET',
      path: `/v2/${repo.repository}/blobs/${digest}`,
      headers: { range: header },
      maxBytes: want,
      tooLargeCode: 'REGISTRY_ERROR',
      what: `range ${header} of blob ${digest}`,
      abortIfNotPartial: true,
    });
    if (res.status === 206) {
      checkContentRange(res, blob, range, `range ${header} of blob ${this.describe(repo, digest)}`);
      return { status: 206, bytes: res.body, rangeIgnored: false };
    }
    if (res.status === 200 && res.rangeIgnored) return { status: 200, bytes: new Uint8Array(0), rangeIgnored: true };
    this.fail(res, repo, this.describe(repo, digest), 'blob');
  }

  /**
   * A whole blob streamed into `sink` and never held in memory (a layer counted byte by byte
   * when no range can tell its size). The bytes are hashed on the way and checked against the
   * digest before this returns, so a result computed from altered bytes is refused. Redirects to
   * a CDN drop Authorization as for every request; the timeout bounds each stall, not the whole
   * download. `sink` is called again for a fresh sink if the request is retried. Reading stops
   * as soon as the body passes the descriptor's size: a blob that never ends cannot hold the
   * run (the per-chunk timeout never fires while bytes keep coming).
   */
  async blobStream(repo: RepoRef, blob: { digest: string; size: number }, sink: () => BodySink): Promise<{ bytes: number }> {
    const { digest, size } = blob;
    const algorithm = digest.split(':')[0] ?? '';
    if (algorithm !== 'sha256' && algorithm !== 'sha512') throw new RegsizeError('DIGEST_MISMATCH', `cannot verify digest algorithm "${algorithm}" of blob ${digest}`);
    let hash = createHash(algorithm);
    const res = await this.send(repo, {
      method: 'GET',
      path: `/v2/${repo.repository}/blobs/${digest}`,
      maxBytes: Number.MAX_SAFE_INTEGER,
      what: `blob ${digest}`,
      bodySink: () => {
        hash = createHash(algorithm);
        let received = 0;
        const inner = sink();
        return {
          write: (chunk) => {
            received += chunk.length;
            if (received > size) {
              throw new RegsizeError('DIGEST_MISMATCH', `blob ${this.describe(repo, digest)} is longer than its descriptor's ${size} bytes (stopped after ${received}); the registry or a proxy altered it, do not trust this image`);
            }
            hash.update(chunk);
            return inner.write(chunk);
          },
        };
      },
    });
    if (res.status !== 200) this.fail(res, repo, this.describe(repo, digest), 'blob');
    const actual = `${algorithm}:${hash.digest('hex')}`;
    if (actual !== digest) {
      throw new RegsizeError('DIGEST_MISMATCH', `blob ${this.describe(repo, digest)}: content digest ${actual} does not match; the registry or a proxy altered it, do not trust this image`);
    }
    return { bytes: res.streamedBytes ?? 0 };
  }

  /** Every tag of a repository, following the `Link: <...>; rel="next"` pagination. */
  async tagList(repo: RepoRef, pageSize = 1000): Promise<string[]> {
    const tags: string[] = [];
    let bytes = 0;
    let path: string | undefined = `/v2/${repo.repository}/tags/list?n=${pageSize}`;
    const seen = new Set<string>();
    const base = await this.baseUrl(repo.registry);
    while (path) {
      if (seen.has(path)) throw new RegsizeError('REGISTRY_ERROR', `${repo.registry}/${repo.repository}: the tag list pagination loops`);
      if (seen.size >= MAX_TAG_PAGES) throw new RegsizeError('REGISTRY_ERROR', `${repo.registry}/${repo.repository}: the tag list runs past ${MAX_TAG_PAGES} pages (${tags.length} tags so far); the registry's pagination does not end`);
      seen.add(path);
      const res = await this.send(repo, { method: 'GET', path, maxBytes: 16 * 1024 * 1024, tooLargeCode: 'REGISTRY_ERROR', what: 'tag list page' });
      if (res.status !== 200) this.fail(res, repo, `${repo.registry}/${repo.repository}`, 'tags');
      let doc: { tags?: unknown };
      try {
        doc = JSON.parse(Buffer.from(res.body).toString('utf8'));
      } catch {
        throw new RegsizeError('REGISTRY_ERROR', `${repo.registry}/${repo.repository}: the tag list is not valid JSON`);
      }
      bytes += res.body.length;
      // One by one: push(...page) passes every tag as an argument and overflows the call stack.
      for (const t of Array.isArray(doc.tags) ? (doc.tags as unknown[]) : []) if (typeof t === 'string') tags.push(t);
      if (tags.length > MAX_TAGS || bytes > MAX_TAG_LIST_BYTES) {
        throw new RegsizeError(
          'REGISTRY_ERROR',
          `${repo.registry}/${repo.repository}: the tag list runs past ${tags.length > MAX_TAGS ? `${MAX_TAGS} tags` : `${MAX_TAG_LIST_BYTES} bytes`} (read ${tags.length} tags in ${bytes} bytes over ${seen.size} pages); regsize stops there rather than exhaust memory`,
        );
      }
      path = nextLink(res.headers.get('link'), base);
    }
    return tags;
  }
}

/** The `rel="next"` target of a Link header, as a path on the same registry (or a full URL). */
export function nextLink(link: string | null, base: string): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (!m) continue;
    const target = new URL(m[1] as string, base);
    return target.origin === new URL(base).origin ? `${target.pathname}${target.search}` : target.toString();
  }
  return undefined;
}
