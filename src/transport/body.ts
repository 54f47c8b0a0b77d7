/**
 * Bodies read within bounds: everything a registry sends is untrusted, so a manifest, a token
 * answer or an error body is read up to a cap and refused past it, never buffered whole; a
 * layer is streamed through a sink and never held.
 *
 * The body is undici's (a Node Readable, from `dispatcher.request`): read by async iteration,
 * destroyed when what is left is not wanted.
 */
import { TooLargeError } from '../errors.js';
import type { BodySink, HttpRequest, ResponseHeaders } from './request.js';

/** Error bodies are only read to find the OCI `errors` array. */
export const MAX_ERROR_BODY = 64 * 1024;

/** What an answer carried when its body is still to be read. */
export interface RawResponse {
  status: number;
  headers: ResponseHeaders;
  body: ResponseBody;
}

/** The parts of undici's response body (a Node Readable) read here. */
export interface ResponseBody extends AsyncIterable<Uint8Array> {
  /** Ends the body unread; the connection (HTTP/1.1) is given up. */
  destroy(error?: Error): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** Reads what is left of a body (up to 128 KiB) to its end, so an HTTP/1.1 connection can be reused. */
  dump?(opts?: { limit: number }): Promise<void>;
}

export interface ReadBody {
  body: Uint8Array;
  /** abortIfNotPartial met a 200: the server ignored Range, and the body was not read. */
  rangeIgnored: boolean;
  /** Bytes handed to the request's bodySink, when it has one. */
  streamedBytes?: number;
}

const EMPTY = new Uint8Array(0);

const ok = (status: number) => status >= 200 && status < 300;

/**
 * Reads the body of `res` as `req` asks: none for HEAD, 204, 304, redirects and an ignored
 * Range; a 2xx into the request's sink when it has one; otherwise at most maxBytes (an error
 * body at most MAX_ERROR_BODY). `onChunk` is called as streamed bytes arrive (the stall timer).
 * `describe` names the object in a too-large message when the request does not.
 */
export async function readBody(req: HttpRequest, res: RawResponse, onChunk: () => void, describe: () => string): Promise<ReadBody> {
  if (req.method === 'HEAD' || res.status === 204 || res.status === 304 || (res.status >= 300 && res.status < 400)) {
    await discard(res.body);
    return { body: EMPTY, rangeIgnored: false };
  }
  if (req.abortIfNotPartial && res.status === 200) {
    // The server ignored Range: reading on would download the whole layer.
    abandon(res.body);
    return { body: EMPTY, rangeIgnored: true };
  }
  if (req.bodySink && ok(res.status)) return { body: EMPTY, rangeIgnored: false, streamedBytes: await pipeBody(res, req.bodySink(), onChunk) };
  const limit = ok(res.status) ? req.maxBytes : MAX_ERROR_BODY;
  const { bytes, truncated } = await readCapped(res, limit);
  // An error body over its cap is cut short and read as far as it went: only its status matters.
  if (truncated && ok(res.status)) throw tooLarge(req, limit, describe);
  return { body: bytes, rangeIgnored: false };
}

/**
 * A body nobody reads (HEAD, 204, 304, a redirect's few words): drained rather than destroyed,
 * so that an HTTP/1.1 connection stays usable for the next request. undici's dump reads at most
 * its limit (and not at all past a larger Content-Length), then gives the connection up.
 */
async function discard(body: ResponseBody): Promise<void> {
  if (body.dump) await body.dump({ limit: MAX_ERROR_BODY }).catch(() => {});
  else abandon(body);
}

/**
 * Ends a body unread. undici's body then errors with "Request aborted", which is this very
 * choice, not a failure: it is swallowed rather than left to crash the process as unhandled.
 */
function abandon(body: ResponseBody): void {
  body.on('error', () => {});
  body.destroy();
}

export function tooLarge(req: HttpRequest, limit: number, describe: () => string): TooLargeError {
  return new TooLargeError(
    req.tooLargeCode ?? 'MANIFEST_TOO_LARGE',
    `${req.what ?? describe()} is larger than ${limit} bytes; refusing to read it (a registry sent far more than any manifest needs)`,
    limit,
  );
}

/** Hands every chunk of the body to `sink`, holding none; a failing sink ends the body. */
export async function pipeBody(res: RawResponse, sink: BodySink, onChunk: () => void): Promise<number> {
  let total = 0;
  try {
    for await (const chunk of res.body) {
      onChunk();
      total += chunk.length;
      await sink.write(chunk);
    }
    return total;
  } catch (e) {
    abandon(res.body);
    throw e;
  }
}

/** Reads at most `limit` bytes; a larger body is ended there, never buffered whole. */
export async function readCapped(res: RawResponse, limit: number): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    abandon(res.body);
    return { bytes: EMPTY, truncated: true };
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body) {
    total += chunk.length;
    if (total > limit) {
      abandon(res.body);
      return { bytes: EMPTY, truncated: true };
    }
    chunks.push(chunk);
  }
  return { bytes: Buffer.concat(chunks), truncated: false };
}
