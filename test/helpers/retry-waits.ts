/**
 * For tests of whole command runs against servers that fail on purpose: the retry wrapper's
 * waits are recorded, not slept (src/transport/retry.ts's retrySleep), so a test asserts the
 * waits regsize computed (and --verbose printed) without spending them on the wall clock.
 * That the default sleep really sleeps is the retry wrapper's own test.
 */
import { retrySleep } from '../../src/transport/retry.js';

export interface RetryWaits {
  /** Every wait asked for since the last clear(), in milliseconds, in order. */
  readonly waits: number[];
  clear(): void;
  /** Puts the real sleep back. */
  restore(): void;
}

/** From now until restore(): each retry wait is recorded and returns on the next turn of the event loop. */
export function recordRetryWaits(): RetryWaits {
  const saved = retrySleep.sleep;
  const waits: number[] = [];
  retrySleep.sleep = (ms) => {
    waits.push(ms);
    return new Promise((resolve) => setImmediate(resolve));
  };
  return {
    waits,
    clear: () => void waits.splice(0),
    restore: () => {
      retrySleep.sleep = saved;
    },
  };
}
