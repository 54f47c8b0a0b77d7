/**
 * The per-request timeout (--timeout): one timer covering connect, headers and the whole body,
 * or, for a streamed layer, restarted by every chunk, so it bounds a stall rather than a long
 * download. It starts once the request may go out (after its origin slot), not while it waits.
 */
import { EventEmitter } from 'node:events';
import { RequestTimeoutError, TIMEOUT_HINT } from '../errors.js';

/** Node's timers hold a signed 32-bit millisecond count; a longer one fires at once. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** --timeout when none is given. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * The signal undici's request follows ('abort', then its `reason`): an EventEmitter, which it
 * takes as well as an AbortSignal, because an AbortController and its EventTarget listener cost
 * more CPU than the rest of the timer in a run of thousands of requests (#16).
 */
export class TimeoutSignal extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;
}

export interface RequestTimer {
  /** Emits 'abort' (aborted, with a TimeoutError as reason) when the time is up. */
  readonly signal: TimeoutSignal;
  /** Starts the time over (a chunk of a streamed body arrived). */
  refresh(): void;
  clear(): void;
}

export function startTimer(ms: number): RequestTimer {
  const signal = new TimeoutSignal();
  const timer = setTimeout(() => {
    signal.aborted = true;
    signal.reason = new DOMException('request timed out', 'TimeoutError');
    signal.emit('abort');
  }, ms);
  return { signal, refresh: () => timer.refresh(), clear: () => clearTimeout(timer) };
}

/**
 * The time a request gets: its own when it asks for less (a ping sharing one deadline across
 * schemes), never more than the settings' --timeout.
 */
export function requestTimeoutMs(requested: number | undefined, settingMs: number): number {
  return Math.min(requested ?? settingMs, settingMs);
}

/** Not retried (retryable.ts): --timeout bounds what the user waits for a request. */
export function timeoutError(method: string, where: string, ms: number): RequestTimeoutError {
  return new RequestTimeoutError(`${method} ${where} timed out after ${Math.round(ms) / 1000}s; ${TIMEOUT_HINT}`);
}
