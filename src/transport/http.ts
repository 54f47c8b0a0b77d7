/**
 * The one HTTP path every registry request takes: Node's global fetch over one shared undici
 * dispatcher (keep-alive connections, HTTP(S)_PROXY/NO_PROXY honoured through
 * EnvHttpProxyAgent). Global fetch, not undici's own, so that nock in the tests intercepts
 * exactly this code path.
 *
 * It owns the concerns every request shares:
 *   - a per-request timeout covering connect, headers and the whole body;
 *   - bounded bodies (manifests, tokens, error bodies are capped, never buffered whole);
 *   - redirects followed by hand (at most 5), dropping Authorization whenever the host changes,
 *     so a registry token never reaches a CDN or object store;
 *   - retries of 429/502/503/504 and connection resets with capped exponential backoff and
 *     jitter, honouring Retry-After up to a cap;
 *   - one `--verbose` line per request with secrets redacted.
 */
import diagnostics from 'node:diagnostics_channel';
import { Client, EnvHttpProxyAgent, Pool, type Dispatcher } from 'undici';
import { RegsizeError, toRegsizeError, type ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import { redactSecrets, redactUrl } from './redact.js';
import { withEarlyConnection } from './preconnect.js';
import { mayCarryCredentials } from './scheme.js';
import { OriginSlots } from './slots.js';

/** Node's timers hold a signed 32-bit millisecond count; a longer one fires at once. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export interface HttpSettings {
  /** At most MAX_TIMEOUT_MS. @default 30000 */
  timeoutMs: number;
  /** Retries after the first attempt. @default 3 */
  retries: number;
  /** Longest Retry-After we wait for; a longer one fails at once, saying when it lifts. @default 60000 */
  maxRetryAfterMs: number;
  /** Base of the exponential backoff. @default 250 */
  backoffBaseMs: number;
  /**
   * Requests sent at once to one origin; more wait, their timers not yet started. Match the
   * dispatcher's connections per origin. @default CONNECTIONS_PER_ORIGIN
   */
  maxInFlightPerOrigin: number;
  logger: Logger;
  dispatcher: Dispatcher;
}

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT';
  url: string;
  headers?: Record<string, string>;
  body?: string | undefined;
  /** Largest body accepted; past it the body is cut off and `tooLarge` thrown. */
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

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: Uint8Array;
  /** The URL that answered, after redirects. */
  url: string;
  /** True when abortIfNotPartial cut off a 200 answer to a Range request. */
  rangeIgnored?: boolean;
  /** Bytes handed to bodySink (the body itself is then empty). */
  streamedBytes?: number;
}

const MAX_REDIRECTS = 5;
/** Error bodies are only read to find the OCI `errors` array. */
export const MAX_ERROR_BODY = 64 * 1024;
const RETRY_STATUSES = new Set([429, 502, 503, 504]);

let sharedDispatcher: Dispatcher | undefined;
let subscribed = false;

/** Connections the shared dispatcher opens to one origin. */
export const CONNECTIONS_PER_ORIGIN = 32;

/** Requests in flight on one HTTP/2 connection (servers allow 100 or more streams). */
const H2_STREAMS = 64;

/** The protocol the latest connection negotiated, from undici's public diagnostics channel. */
let negotiated: string | undefined;

/**
 * A connection pool whose HTTP/2 connections carry many requests at once. undici 7 caps every
 * connection at `pipelining` requests in flight, 1 unless told otherwise, HTTP/2 included, so a
 * burst of manifest requests opened a connection each: two round trips apiece on a slow link.
 * HTTP/1.1 connections keep 1 (no pipelining); an HTTP/2 one is raised once it is known to be
 * one. undici publishes `undici:client:connected` (with the version) right before it emits the
 * client's 'connect' event, synchronously, so the two can be paired.
 */
function multiplexingPool(origin: string | URL, options: Pool.Options): Pool {
  return new Pool(origin, {
    ...options,
    factory: (o, clientOptions) => {
      // The connection bin/run.js opened early, for the first client of its origin (preconnect.ts).
      const client = new Client(o, withEarlyConnection(clientOptions));
      client.on('connect', () => {
        if (negotiated === 'h2') client.pipelining = H2_STREAMS;
      });
      return client;
    },
  });
}

/** One dispatcher for the process: connections and TLS sessions are reused across images. */
export function defaultDispatcher(): Dispatcher {
  if (!subscribed) {
    subscribed = true;
    diagnostics.subscribe('undici:client:connected', (message) => {
      negotiated = (message as { connectParams?: { version?: string } }).connectParams?.version;
    });
  }
  sharedDispatcher ??= new EnvHttpProxyAgent({ keepAliveTimeout: 30_000, connections: CONNECTIONS_PER_ORIGIN, allowH2: true, factory: multiplexingPool });
  return sharedDispatcher;
}

/**
 * Ends the process's connections once a command has its answer: idle keep-alive sockets (30 s)
 * and a request still waiting on a silent server would otherwise keep Node running after the
 * result is printed. Destroy, not close: nothing in flight is wanted any more. Not awaited:
 * undici settles a destroy only when a TLS handshake still under way gives up (its 10 s connect
 * timeout), which is the very wait this avoids; bin/run.js exits once stdout is written.
 */
export function destroyDefaultDispatcher(): void {
  const d = sharedDispatcher;
  sharedDispatcher = undefined;
  d?.destroy().catch(() => {});
}

export function defaultHttpSettings(logger: Logger, overrides: Partial<HttpSettings> = {}): HttpSettings {
  return { timeoutMs: 30_000, retries: 3, maxRetryAfterMs: 60_000, backoffBaseMs: 250, maxInFlightPerOrigin: CONNECTIONS_PER_ORIGIN, logger, dispatcher: defaultDispatcher(), ...overrides };
}

/** Retry-After is seconds or an HTTP date; returns milliseconds, or undefined. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

function formatBytes(n: number): string {
  return n < 1000 ? `${n} B` : `${(n / 1000).toFixed(1)} kB`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class HttpClient {
  /** Requests sent, attempts and redirects included (read by the benchmark and tests). */
  requestCount = 0;

  /**
   * Every secret in play (passwords, tokens), filled by the Authenticator: a URL a registry
   * chose (a redirect's Location) may echo one, and is scrubbed of them before any log or error.
   */
  readonly secrets = new Set<string>();
  private readonly slots: OriginSlots;

  constructor(readonly settings: HttpSettings) {
    this.slots = new OriginSlots(settings.maxInFlightPerOrigin);
  }

  /** `overrides.retries` lowers the retry count for one call (probing a scheme that may not answer). */
  async send(req: HttpRequest, overrides: { retries?: number | undefined } = {}): Promise<HttpResponse> {
    const retries = overrides.retries ?? this.settings.retries;
    for (let attempt = 0; ; attempt++) {
      let res: HttpResponse;
      try {
        res = await this.followRedirects(req);
      } catch (e) {
        const err = toRegsizeError(e);
        if (!err.retryable || attempt >= retries) throw err;
        const wait = this.backoff(attempt);
        this.settings.logger.debug(`retrying ${req.method} ${this.redact(req.url)} in ${wait}ms (${err.code}: ${err.message})`);
        await sleep(wait);
        continue;
      }
      if (!RETRY_STATUSES.has(res.status) || attempt >= retries) return res;
      const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
      if (retryAfter !== undefined && retryAfter > this.settings.maxRetryAfterMs) return res; // caller reports when it lifts
      const wait = retryAfter ?? this.backoff(attempt);
      this.settings.logger.debug(`retrying ${req.method} ${this.redact(req.url)} in ${wait}ms (HTTP ${res.status})`);
      await sleep(wait);
    }
  }

  private redact(url: string): string {
    return redactSecrets(redactUrl(url), this.secrets);
  }

  /** Capped exponential backoff with full jitter. */
  private backoff(attempt: number): number {
    const cap = Math.min(8000, this.settings.backoffBaseMs * 2 ** attempt);
    return Math.round(cap / 2 + Math.random() * (cap / 2));
  }

  private async followRedirects(req: HttpRequest): Promise<HttpResponse> {
    let url = req.url;
    let headers = { ...(req.headers ?? {}) };
    let method = req.method;
    let body = req.body;
    for (let hop = 0; ; hop++) {
      const res = await this.once({ ...req, method, body, url, headers });
      const location = res.headers.get('location');
      if (req.followRedirects === false || ![301, 302, 303, 307, 308].includes(res.status) || !location) return res;
      if (hop >= MAX_REDIRECTS) throw new RegsizeError('NETWORK', `too many redirects (more than ${MAX_REDIRECTS}) starting at ${this.redact(req.url)}`);
      const next = new URL(location, url);
      if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new RegsizeError('NETWORK', `refusing redirect to ${next.protocol} URL`);
      const crossOrigin = next.origin !== new URL(url).origin;
      if (body !== undefined && (res.status === 307 || res.status === 308) && (crossOrigin || !mayCarryCredentials(next.toString()))) {
        // The only bodies regsize sends are token requests, which hold a secret (an identity
        // token): 307/308 would replay it to whoever the Location names. Never across origins,
        // never in clear.
        throw new RegsizeError('UNAUTHORIZED', `${method} ${this.redact(url)} answered ${res.status} to ${next.origin}; refusing to resend the request, which carries a secret, to another origin`);
      }
      if (body !== undefined && res.status !== 307 && res.status !== 308) {
        // 301/302/303 turn a POST into a GET without its body (the fetch standard's rule).
        method = 'GET';
        body = undefined;
      }
      if (crossOrigin) {
        // A different host (a CDN, S3) must never see the registry's credentials; nor may they
        // follow a downgrade from https to plain http on the same host (compare origins).
        headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
      }
      url = next.toString();
    }
  }

  private async once(req: HttpRequest & { headers: Record<string, string> }): Promise<HttpResponse> {
    // The timer starts once the request may go out, not while it waits for a connection.
    const release = await this.slots.acquire(new URL(req.url).origin);
    const started = Date.now();
    const controller = new AbortController();
    const timeoutMs = Math.min(req.timeoutMs ?? this.settings.timeoutMs, this.settings.timeoutMs);
    const timer = setTimeout(() => controller.abort(new DOMException('request timed out', 'TimeoutError')), timeoutMs);
    this.requestCount++;
    try {
      const res = await fetch(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        redirect: 'manual',
        signal: controller.signal,
        // @ts-expect-error: Node's fetch takes an undici dispatcher (not in the DOM RequestInit type)
        dispatcher: this.settings.dispatcher,
      });
      let body: Uint8Array = new Uint8Array(0);
      let rangeIgnored = false;
      let streamedBytes: number | undefined;
      if (req.method === 'HEAD' || res.status === 204 || res.status === 304) {
        await res.body?.cancel();
      } else if (req.abortIfNotPartial && res.status === 200) {
        // The server ignored Range: reading on would download the whole layer.
        rangeIgnored = true;
        await res.body?.cancel();
      } else if (res.status >= 300 && res.status < 400) {
        await res.body?.cancel();
      } else if (req.bodySink && res.ok) {
        streamedBytes = await pipeBody(res, req.bodySink(), () => timer.refresh());
      } else {
        const limit = res.ok ? req.maxBytes : MAX_ERROR_BODY;
        const { bytes, truncated } = await readCapped(res, limit);
        if (truncated && res.ok) {
          throw new RegsizeError(
            req.tooLargeCode ?? 'MANIFEST_TOO_LARGE',
            `${req.what ?? this.redact(req.url)} is larger than ${limit} bytes; refusing to read it (a registry sent far more than any manifest needs)`,
          );
        }
        body = bytes;
      }
      this.log(req, res, started, streamedBytes ?? body.length);
      return { status: res.status, headers: res.headers, body, url: req.url, ...(rangeIgnored ? { rangeIgnored } : {}), ...(streamedBytes !== undefined ? { streamedBytes } : {}) };
    } catch (e) {
      if (e instanceof RegsizeError) throw e;
      const err = controller.signal.aborted
        ? // Not retried (only 429/502/503/504 and resets are): --timeout bounds what the user
          // waits for a request, so a server that stalls costs one timeout, not four.
          new RegsizeError('TIMEOUT', `${req.method} ${this.redact(req.url)} timed out after ${Math.round(timeoutMs) / 1000}s; raise --timeout or check the network`)
        : requestError(req, e, this.redact(req.url));
      if (!req.probe) this.settings.logger.debug(`${req.method} ${this.redact(req.url)} failed after ${Date.now() - started}ms: ${err.message}`);
      throw err;
    } finally {
      clearTimeout(timer);
      release();
    }
  }

  private log(req: HttpRequest, res: Response, started: number, bytes: number): void {
    const limit = res.headers.get('ratelimit-remaining');
    this.settings.logger.debug(
      `${req.method} ${this.redact(req.url)} ${res.status} ${Date.now() - started}ms ${formatBytes(bytes)}${limit ? ` ratelimit-remaining=${limit}` : ''}`,
    );
  }
}

/** A network failure names the request it broke, so a run over many images says which one failed. */
function requestError(req: HttpRequest, e: unknown, where: string): RegsizeError {
  const err = toRegsizeError(e);
  if (err.code !== 'NETWORK' && err.code !== 'TIMEOUT') return err;
  return new RegsizeError(err.code, `${req.method} ${where} failed: ${err.message}${err.code === 'NETWORK' ? '; check the network and the registry address' : ''}`, { cause: e, retryable: err.retryable });
}

/** Hands every chunk of the body to `sink`, holding none; a failing sink cancels the body. */
async function pipeBody(res: Response, sink: BodySink, onChunk: () => void): Promise<number> {
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
async function readCapped(res: Response, limit: number): Promise<{ bytes: Uint8Array; truncated: boolean }> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel();
    return { bytes: new Uint8Array(0), truncated: true };
  }
  if (!res.body) return { bytes: new Uint8Array(0), truncated: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel();
      return { bytes: new Uint8Array(0), truncated: true };
    }
    chunks.push(value);
  }
  return { bytes: Buffer.concat(chunks), truncated: false };
}
