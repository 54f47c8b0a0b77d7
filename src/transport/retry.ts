/**
 * Retry as a wrapper around the rest of the HTTP path (as go-containerregistry's
 * remote/transport/retry.go): what is worth another try is decided in ../retryable.ts; this
 * decides how long to wait. Capped exponential backoff with jitter, or the registry's own
 * Retry-After up to a cap (a longer one is reported at once, saying when it lifts). The clock,
 * the sleep and the jitter are injectable, so tests assert the computed waits, never sleep.
 */
import { toRegsizeError } from '../errors.js';
import type { Logger } from '../log.js';
import { isRetryableStatus } from '../retryable.js';
import type { HttpRequest, HttpResponse, Send } from './request.js';

export interface RetryPolicy {
  /** Retries after the first attempt. @default 3 */
  retries: number;
  /** Longest Retry-After we wait for; a longer one fails at once, saying when it lifts. @default 60000 */
  maxRetryAfterMs: number;
  /** Base of the exponential backoff. @default 250 */
  backoffBaseMs: number;
  /** @default a setTimeout */
  sleep: (ms: number) => Promise<void>;
  /** Milliseconds now, for a Retry-After given as a date. @default Date.now */
  now: () => number;
  /** A number in [0, 1), the jitter. @default Math.random */
  random: () => number;
  logger: Logger;
}

/** The longest backoff between two attempts, however many came before. */
export const MAX_BACKOFF_MS = 8000;

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The sleep of the default policy, looked up at each wait. An object, not a constant, so that
 * a test of a whole command run (which cannot hand the command a policy) can record the waits
 * instead of sleeping them (test/helpers/retry-waits.ts); nothing in regsize writes it.
 */
export const retrySleep: { sleep: (ms: number) => Promise<void> } = { sleep: realSleep };

export function defaultRetryPolicy(logger: Logger): RetryPolicy {
  return { retries: 3, maxRetryAfterMs: 60_000, backoffBaseMs: 250, sleep: (ms) => retrySleep.sleep(ms), now: Date.now, random: Math.random, logger };
}

/** Retry-After is seconds or an HTTP date (RFC 9110 10.2.3); returns milliseconds from `now`, or undefined. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** The wait before retry number `attempt + 1`: between half and all of base * 2^attempt, capped ("equal jitter"). */
export function backoffMs(attempt: number, baseMs: number, random: () => number): number {
  const cap = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** attempt);
  return Math.round(cap / 2 + random() * (cap / 2));
}

/**
 * `send` with retries: a retryable failure (retryable.ts, carried as `err.retryable`) or a
 * retryable status is tried again up to `retries` times (`overrides.retries` lowers it for
 * one call: probing a scheme that may not answer). The last answer or error stands. `redact`
 * makes the URL fit for the --verbose line.
 */
export function withRetry(send: Send, policy: RetryPolicy, redact: (url: string) => string) {
  return async (req: HttpRequest, overrides: { retries?: number | undefined } = {}): Promise<HttpResponse> => {
    const retries = overrides.retries ?? policy.retries;
    const note = (wait: number, why: string) => policy.logger.debug(`retrying ${req.method} ${redact(req.url)} in ${wait}ms (${why})`);
    for (let attempt = 0; ; attempt++) {
      let res: HttpResponse;
      try {
        res = await send(req);
      } catch (e) {
        const err = toRegsizeError(e);
        if (!err.retryable || attempt >= retries) throw err;
        const wait = backoffMs(attempt, policy.backoffBaseMs, policy.random);
        note(wait, `${err.code}: ${err.message}`);
        await policy.sleep(wait);
        continue;
      }
      if (!isRetryableStatus(res.status) || attempt >= retries) return res;
      const retryAfter = parseRetryAfter(res.headers.get('retry-after'), policy.now());
      if (retryAfter !== undefined && retryAfter > policy.maxRetryAfterMs) return res; // the caller reports when it lifts
      const wait = retryAfter ?? backoffMs(attempt, policy.backoffBaseMs, policy.random);
      note(wait, `HTTP ${res.status}`);
      await policy.sleep(wait);
    }
  };
}
