/**
 * The one HTTP path every registry request takes: undici's own `dispatcher.request` on the
 * session's dispatcher (dispatcher.ts). Not `fetch`: its Request/Response objects, web streams
 * and Headers cost about as much CPU again as the HTTP/2 writing itself (#16: a 2000-tag run).
 * Tests intercept with undici's MockAgent passed as the dispatcher, or real local servers. Each concern is a layer of its own file, wrapped
 * outermost first, in the manner of go-containerregistry's remote/transport and undici's
 * interceptors:
 *
 *   retry.ts       429/502/503/504 and broken connections tried again (what counts: ../retryable.ts)
 *   redirects.ts   followed by hand, at most 5, credentials never to another origin (#11)
 *   slots.ts       at most maxInFlightPerOrigin requests sent at once to one origin
 *   timeout.ts     one timer per request, started once it may go out
 *   body.ts        bounded bodies (manifests, tokens, error bodies capped), layers streamed
 *
 * and one `--verbose` line per request, with secrets redacted.
 */
import { isNetworkError, isRequestTimeoutError, NetworkError, RegsizeError, RequestTimeoutError, toRegsizeError } from '../errors.js';
import type { Logger } from '../log.js';
import { formatBytes } from '../units.js';
import type { Dispatcher } from 'undici';
import { readBody } from './body.js';
import { CONNECTIONS_PER_ORIGIN } from './connection-limits.js';
import { redactSecrets, redactUrl } from './redact.js';
import { followRedirects } from './redirects.js';
import type { HttpRequest, HttpResponse, ResponseHeaders } from './request.js';
import { defaultRetryPolicy, type RetryPolicy, withRetry } from './retry.js';
import { sharedDispatcher } from './shared-dispatcher.js';
import { OriginSlots } from './slots.js';
import { DEFAULT_TIMEOUT_MS, requestTimeoutMs, startTimer, timeoutError } from './timeout.js';

export type { BodySink, HttpRequest, HttpResponse, ResponseHeaders } from './request.js';
// Where callers have found these so far; each lives in the file of its concern.
export { MAX_ERROR_BODY } from './body.js';
export { parseRetryAfter } from './retry.js';
export { MAX_TIMEOUT_MS } from './timeout.js';

export interface HttpSettings extends RetryPolicy {
  /** At most MAX_TIMEOUT_MS. @default 30000 */
  timeoutMs: number;
  /**
   * Requests sent at once to one origin; more wait, their timers not yet started. Match the
   * dispatcher's connections per origin. @default CONNECTIONS_PER_ORIGIN
   */
  maxInFlightPerOrigin: number;
  /**
   * The connections (a test passes its own: createDispatcher, a MockAgent). @default the CLI's
   * shared one (shared-dispatcher.ts), looked up at each request and made at the first
   */
  dispatcher?: Dispatcher | undefined;
}

/** Defaults in one place; `overrides` win. */
export function defaultHttpSettings(logger: Logger, overrides: Partial<HttpSettings> = {}): HttpSettings {
  return {
    ...defaultRetryPolicy(logger),
    timeoutMs: DEFAULT_TIMEOUT_MS,
    maxInFlightPerOrigin: CONNECTIONS_PER_ORIGIN,
    ...overrides,
  };
}

export class HttpClient {
  /** Requests sent, attempts and redirects included (read by the benchmark and tests). */
  requestCount = 0;

  /**
   * Every secret in play (passwords, tokens), filled by the Authenticator: a URL a registry
   * chose (a redirect's Location) may echo one, and is scrubbed of them before any log or error.
   */
  readonly secrets = new Set<string>();
  private readonly slots: OriginSlots;
  private readonly retrying: ReturnType<typeof withRetry>;

  constructor(readonly settings: HttpSettings) {
    this.slots = new OriginSlots(settings.maxInFlightPerOrigin);
    const redact = (url: string) => this.redact(url);
    this.retrying = withRetry((req) => followRedirects((hop) => this.once(hop), req, redact), settings, redact);
  }

  /** `overrides.retries` lowers the retry count for one call (probing a scheme that may not answer). */
  send(req: HttpRequest, overrides: { retries?: number | undefined } = {}): Promise<HttpResponse> {
    return this.retrying(req, overrides);
  }

  private redact(url: string): string {
    return redactSecrets(redactUrl(url), this.secrets);
  }

  /** One request, one answer: no redirects followed, no retries. */
  private async once(req: HttpRequest): Promise<HttpResponse> {
    // The timer starts once the request may go out, not while it waits for a connection.
    const url = new URL(req.url);
    const release = await this.slots.acquire(url.origin);
    const dispatcher = this.settings.dispatcher ?? (await sharedDispatcher());
    const started = Date.now();
    const timeoutMs = requestTimeoutMs(req.timeoutMs, this.settings.timeoutMs);
    const timer = startTimer(timeoutMs);
    this.requestCount++;
    try {
      // No redirects followed (undici's request follows none unless told): redirects.ts does.
      const answer = await dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: req.method,
        headers: { 'user-agent': USER_AGENT, ...req.headers },
        body: req.body ?? null,
        signal: timer.signal,
        // undici closes an HTTP/1.1 connection after every HEAD unless told (nodejs/undici#258:
        // some servers send a body with HEAD): `regsize tags` over 2000 tags opened 2000
        // connections. Registries answer HEAD per RFC 9110 (no body), so it is kept; a server
        // that did send one breaks only the next response on that socket, which is retried.
        ...(req.method === 'HEAD' ? { reset: false } : {}),
      });
      const res = { status: answer.statusCode, headers: new UndiciHeaders(answer.headers), body: answer.body };
      const read = await readBody(req, res, () => timer.refresh(), () => this.redact(req.url));
      this.log(req, res, started, read.streamedBytes ?? read.body.length);
      return {
        status: res.status,
        headers: res.headers,
        body: read.body,
        url: req.url,
        method: req.method,
        ...(read.rangeIgnored ? { rangeIgnored: true } : {}),
        ...(read.streamedBytes !== undefined ? { streamedBytes: read.streamedBytes } : {}),
      };
    } catch (e) {
      if (e instanceof RegsizeError) throw e;
      const where = this.redact(req.url);
      const err = timer.signal.aborted ? timeoutError(req.method, where, timeoutMs) : requestError(req, e, where);
      if (!req.probe) this.settings.logger.debug(`${req.method} ${where} failed after ${Date.now() - started}ms: ${err.message}`);
      throw err;
    } finally {
      timer.clear();
      release();
    }
  }

  private log(req: HttpRequest, res: { status: number; headers: ResponseHeaders }, started: number, bytes: number): void {
    const limit = res.headers.get('ratelimit-remaining');
    if (this.settings.logger.verbose !== false) this.settings.logger.debug(`${req.method} ${this.redact(req.url)} ${res.status} ${Date.now() - started}ms ${formatBytes(bytes)}${limit ? ` ratelimit-remaining=${limit}` : ''}`);
  }
}

/**
 * undici's header object (lower-case names, a repeated header as an array) read as `Headers.get`
 * reads it: a repeated header's values joined by ", ". Lighter than building a `Headers`.
 */
class UndiciHeaders implements ResponseHeaders {
  constructor(private readonly raw: Record<string, string | string[] | undefined>) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return typeof value === 'string' ? value : value.join(', ');
  }
}

/**
 * Who is asking, in registry and proxy logs (docker sends `docker/<version>`, skopeo
 * `containers/<version>`); without it undici sends none. A request's own header wins.
 */
export const USER_AGENT = 'regsize';

/** A network failure names the request it broke, so a run over many images says which one failed. */
function requestError(req: HttpRequest, e: unknown, where: string): RegsizeError {
  const err = toRegsizeError(e);
  const failed = `${req.method} ${where} failed: ${err.message}`;
  if (isNetworkError(err)) return new NetworkError(`${failed}; check the network and the registry address`, { cause: e, retryable: err.retryable });
  if (isRequestTimeoutError(err)) return new RequestTimeoutError(failed, { cause: e });
  return err;
}
