/**
 * Bodies read within bounds: everything a registry sends is untrusted, so a manifest, a token
 * answer or an error body is read up to a cap and refused past it, never buffered whole; a
 * layer is streamed through a sink and never held.
 */
import { TooLargeError } from '../errors.js';
import type { BodySink, HttpRequest } from './request.js';

/** Error bodies are only read to find the OCI `errors` array. */
export const MAX_ERROR_BODY = 64 * 1024;

export interface ReadBody {
  body: Uint8Array;
  /** abortIfNotPartial met a 200: the server ignored Range, and the body was not read. */
  rangeIgnored: boolean;
  /** Bytes handed to the request's bodySink, when it has one. */
  streamedBytes?: number;
}

const EMPTY = new Uint8Array(0);

/**
 * Reads the body of `res` as `req` asks: none for HEAD, 204, 304, redirects and an ignored
 * Range; a 2xx into the request's sink when it has one; otherwise at most maxBytes (an error
 * body at most MAX_ERROR_BODY). `onChunk` is called as streamed bytes arrive (the stall timer).
 * `describe` names the object in a too-large message when the request does not.
 */
export async function readBody(req: HttpRequest, res: Response, onChunk: () => void, describe: () => string): Promise<ReadBody> {
  if (req.method === 'HEAD' || res.status === 204 || res.status === 304 || (res.status >= 300 && res.status < 400)) {
    await res.body?.cancel();
    return { body: EMPTY, rangeIgnored: false };
  }
  if (req.abortIfNotPartial && res.status === 200) {
    // The server ignored Range: reading on would download the whole layer.
    await res.body?.cancel();
    return { body: EMPTY, rangeIgnored: true };
  }
  if (req.bodySink && res.ok) return { body: EMPTY, rangeIgnored: false, streamedBytes: await pipeBody(res, req.bodySink(), onChunk) };
  const limit = res.ok ? req.maxBytes : MAX_ERROR_BODY;
  const { bytes, truncated } = await readCapped(res, limit);
  // An error body over its cap is cut short and read as far as it went: only its status matters.
  if (truncated && res.ok) throw tooLarge(req, limit, describe);
  return { body: bytes, rangeIgnored: false };
}

export function tooLarge(req: HttpRequest, limit: number, describe: () => string): TooLargeError {
  return new TooLargeError(
    req.tooLargeCode ?? 'MANIFEST_TOO_LARGE',
    `${req.what ?? describe()} is larger than ${limit} bytes; refusing to read it (a registry sent far more than any manifest needs)`,
    limit,
  );
}

/** Hands every chunk of the body to `sink`, holding none; a failing sink cancels the body. */
export async function pipeBody(res: Response, sink: BodySink, onChunk: () => void): Promise<number> {
  if (!res.body) return 0;
  const reader = res.body.getReader();
  let total = 0;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return total;
      onChunk();
      total += value.length;
      await sink.write(value);
    }
  } catch (e) {
    await reader.cancel().catch(() => {});
    throw e;
  }
}

/** Reads at most `limit` bytes; a larger body is cancelled, never buffered whole. */
export async function readCapped(res: Response, limit: number): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel();
    return { bytes: EMPTY, truncated: true };
  }
  if (!res.body) return { bytes: EMPTY, truncated: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel();
      return { bytes: EMPTY, truncated: true };
    }
    chunks.push(value);
  }
  return { bytes: Buffer.concat(chunks), truncated: false };
}
