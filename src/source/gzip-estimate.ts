/**
 * What `docker push` would upload for a layer stored as a plain tar: the layer gzip-compressed
 * at level 6, Go's `gzip.DefaultCompression`, which both moby's push
 * (pkg/archive.CompressStream) and containers/image (pgzip, used by skopeo and podman) use.
 * zlib and Go's deflate differ in their match finders, so the figure is an estimate; the
 * README states how close it came against a registry's own blobs after a real push.
 *
 * The layer is streamed: its sha256 (the diff_id) is checked and its bytes counted and
 * compressed on the fly, none of it held (a write waits for zlib's drain: backpressure). Node's
 * zlib streams run the compression on libuv's thread pool, so layers sized at once (one per
 * core, docker-archive.ts) are compressed on separate cores. Worker threads were measured
 * against this (issue #14; bench/gzip-workers.ts, `npm run bench` scenario `local`) and not
 * taken: Node has no synchronous streaming deflate, so a worker's zlib stream runs on the same
 * pool and the worker only moves the hashing. On the bench's 2 GB archive over 2 busy cores this
 * took 188 s (peak RSS 112 MB) against 332 s for one gzip -6 per core, within the goal of 1.5x;
 * the workers took 122 s (190 MB) there, and on a 503 MB archive the two were close (47 s for the
 * whole command, 42 s for the workers). Re-measure on a quiet machine before switching.
 */
import { createHash } from 'node:crypto';
import { createGzip } from 'node:zlib';

export const PUSH_GZIP_LEVEL = 6;

export interface TarEstimate {
  /** Bytes of the tar (the uncompressed size, exact). */
  tar: number;
  /** Bytes of the gzip stream (the estimated compressed size). */
  compressed: number;
  /** sha256 of the tar: the layer's diff_id. */
  digest: string;
}

export async function estimateGzip(bytes: AsyncIterable<Uint8Array>, onBytes: (n: number) => void = () => {}): Promise<TarEstimate> {
  const gz = createGzip({ level: PUSH_GZIP_LEVEL });
  const hash = createHash('sha256');
  let tar = 0;
  let compressed = 0;
  let failure: unknown;
  gz.on('data', (c: Buffer) => (compressed += c.length));
  const finished = new Promise<void>((resolve, reject) => {
    gz.once('end', resolve);
    gz.once('error', (e) => {
      failure = e;
      reject(e);
    });
  });
  finished.catch(() => {});
  for await (const chunk of bytes) {
    if (failure) break;
    tar += chunk.length;
    hash.update(chunk);
    onBytes(chunk.length);
    if (!gz.write(chunk)) await new Promise<void>((resolve) => gz.once('drain', resolve));
  }
  gz.end();
  await finished;
  return { tar, compressed, digest: `sha256:${hash.digest('hex')}` };
}
