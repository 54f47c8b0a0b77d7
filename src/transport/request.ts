/**
 * What one registry request asks for and what it gets back: the types every layer of the HTTP
 * path (redirects, retry, body limits, timeouts) passes along. Types only; http.ts re-exports
 * them for callers.
 */
import type { ErrorCode } from '../errors.js';

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT';
  url: string;
  headers?: Record<string, string>;
  body?: string | undefined;
  /** Largest body accepted; past it the body is cut off and a TooLargeError thrown. */
  maxBytes: number;
  /** Error code for a body over maxBytes. @default MANIFEST_TOO_LARGE */
  tooLargeCode?: ErrorCode;
  /** Describes the object in the too-large message (e.g. "manifest python:3.11"). */
  what?: string;
  /** Time allowed for this request, when less than the settings' (a ping sharing one deadline across schemes). */
  timeoutMs?: number;
  /** Probing a scheme that may not answer: a failure is the caller's to log (one line), not a debug line here. */
  probe?: boolean;
  /** With a Range header: when the server answers 200 (ignored the range), do not read the body. */
  abortIfNotPartial?: boolean;
  /** @default true */
  followRedirects?: boolean;
  /**
   * Stream a 2xx body into a fresh sink instead of buffering it (maxBytes does not apply): for
   * whole layers, which may be gigabytes. The timeout then restarts with every chunk, so it
   * bounds a stall rather than the whole download. The factory is called once per response,
   * so a retried request starts over with a new sink.
   */
  bodySink?: () => BodySink;
}

/** Receives a streamed body; each write is awaited, so a slow consumer slows the download. */
export interface BodySink {
  write(chunk: Uint8Array): void | Promise<void>;
}

/**
 * A response's headers, looked up by name (any case): what every caller needs of them. A web
 * `Headers` is one; http.ts builds a lighter one over undici's header object.
 */
export interface ResponseHeaders {
  get(name: string): string | null;
}

export interface HttpResponse {
  status: number;
  headers: ResponseHeaders;
  body: Uint8Array;
  /** The URL that answered, after redirects. */
  url: string;
  /**
   * The method that was sent for this answer (a 303 turns a POST into a GET), so an error
   * names the request that failed: HEAD, not GET.
   */
  method?: HttpRequest['method'];
  /** True when abortIfNotPartial cut off a 200 answer to a Range request. */
  rangeIgnored?: boolean;
  /** Bytes handed to bodySink (the body itself is then empty). */
  streamedBytes?: number;
}

/** One step of the HTTP path: takes a request, answers it (each layer wraps the next). */
export type Send = (req: HttpRequest) => Promise<HttpResponse>;
