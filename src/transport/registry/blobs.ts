/**
 * Blobs (regclient's `scheme/reg/blob.go`), all GET /v2/<name>/blobs/<digest>:
 *   get     a small blob (an image config), verified, cached, each digest once
 *   range   a byte range; never reads a body the server sends whole
 *   stream  a whole blob through a sink, hashed on the way, never buffered
 * Redirects to a CDN are followed without the registry's Authorization header (transport/http.ts).
 */
import { createHash } from 'node:crypto';
import { RegsizeError } from '../../errors.js';
import type { ContentCache } from '../../cache/types.js';
import { verifyDigest } from '../../oci/digest.js';
import { checkContentRange } from '../content-range.js';
import type { BodySink } from '../http.js';
import type { BlobRef, ByteRange, RangeResult, RepoRef } from '../registry-api.js';
import { describe, type RegistrySender } from './sender.js';
import { SingleFlight } from './single-flight.js';
import { verifiableAlgorithm } from '../../oci/digest.js';

/** Image configs are a few KB; 16 MiB leaves room for very long histories. */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

export class Blobs {
  private readonly small = new SingleFlight<Uint8Array>();

  constructor(
    private readonly sender: RegistrySender,
    private readonly cache: ContentCache,
  ) {}

  get(repo: RepoRef, digest: string, maxBytes = MAX_CONFIG_BYTES): Promise<Uint8Array> {
    return this.small.run(digest, async () => {
      const hit = await this.cache.getBlob(digest);
      if (hit) return hit;
      const what = `blob ${describe(repo, digest)}`;
      const res = await this.sender.send(repo, { method: 'GET', path: `/v2/${repo.repository}/blobs/${digest}`, maxBytes, tooLargeCode: 'BLOB_TOO_LARGE', what });
      if (res.status !== 200) this.sender.fail(res, repo, describe(repo, digest), 'blob');
      verifyDigest(res.body, digest, what);
      await this.cache.putBlob(digest, res.body);
      return res.body;
    });
  }

  /**
   * A 206 must say, in Content-Range, that it holds exactly the bytes asked for of a blob of
   * the descriptor's size: otherwise the bytes could be any part of anything, and a size read
   * from them would be a confident wrong number.
   */
  async range(repo: RepoRef, blob: BlobRef, range: ByteRange): Promise<RangeResult> {
    const { digest } = blob;
    const header = 'suffix' in range ? `bytes=-${range.suffix}` : `bytes=${range.start}-${range.end}`;
    const want = 'suffix' in range ? range.suffix : range.end - range.start + 1;
    const res = await this.sender.send(repo, {
      method: 'GET',
      path: `/v2/${repo.repository}/blobs/${digest}`,
      headers: { range: header },
      maxBytes: want,
      tooLargeCode: 'REGISTRY_ERROR',
      what: `range ${header} of blob ${digest}`,
      abortIfNotPartial: true,
    });
    if (res.status === 206) {
      checkContentRange(res, blob, range, `range ${header} of blob ${describe(repo, digest)}`);
      return { status: 206, bytes: res.body, rangeIgnored: false };
    }
    if (res.status === 200 && res.rangeIgnored) return { status: 200, bytes: new Uint8Array(0), rangeIgnored: true };
    this.sender.fail(res, repo, describe(repo, digest), 'blob');
  }

  /**
   * The bytes are hashed on the way and checked against the digest before this returns, so a
   * result computed from altered bytes is refused. The timeout bounds each stall, not the
   * whole download. `sink` is called again for a fresh sink if the request is retried. Reading
   * stops as soon as the body passes the descriptor's size: a blob that never ends cannot hold
   * the run (the per-chunk timeout never fires while bytes keep coming).
   */
  async stream(repo: RepoRef, blob: BlobRef, sink: () => BodySink): Promise<{ bytes: number }> {
    const { digest, size } = blob;
    const algorithm = verifiableAlgorithm(digest, `blob ${describe(repo, digest)}`);
    let hash = createHash(algorithm);
    const res = await this.sender.send(repo, {
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
              throw new RegsizeError('DIGEST_MISMATCH', `blob ${describe(repo, digest)} is longer than its descriptor's ${size} bytes (stopped after ${received}); the registry or a proxy altered it, do not trust this image`);
            }
            hash.update(chunk);
            return inner.write(chunk);
          },
        };
      },
    });
    if (res.status !== 200) this.sender.fail(res, repo, describe(repo, digest), 'blob');
    const actual = `${algorithm}:${hash.digest('hex')}`;
    if (actual !== digest) {
      throw new RegsizeError('DIGEST_MISMATCH', `blob ${describe(repo, digest)}: content digest ${actual} does not match; the registry or a proxy altered it, do not trust this image`);
    }
    return { bytes: res.streamedBytes ?? 0 };
  }
}
