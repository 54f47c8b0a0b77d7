/**
 * src/transport/timeout.ts: the per-request timer. Asserted by which of two timers fires first
 * (Node runs due timers in order of their expiry), never by how long anything took.
 */
import assert from 'node:assert/strict';
import { setTimeout as after } from 'node:timers/promises';
import { isRequestTimeoutError } from '../../src/errors.js';
import { MAX_TIMEOUT_MS, requestTimeoutMs, startTimer, timeoutError } from '../../src/transport/timeout.js';

describe('transport/timeout', () => {
  it('aborts its signal with a TimeoutError when the time is up', async () => {
    const timer = startTimer(5);
    await new Promise((resolve) => timer.signal.once('abort', resolve));
    assert.equal(timer.signal.aborted, true);
    assert.equal((timer.signal.reason as DOMException).name, 'TimeoutError');
  });

  it('a cleared timer never fires', async () => {
    const timer = startTimer(5);
    timer.clear();
    await after(30);
    assert.equal(timer.signal.aborted, false);
  });

  it('refresh starts the time over (a streamed chunk arrived)', async () => {
    const timer = startTimer(40);
    await after(25);
    timer.refresh(); // now due 40 ms after this
    await after(25); // 50 ms after the start: past the first expiry, before the refreshed one
    assert.equal(timer.signal.aborted, false);
    timer.clear();
  });

  it('a request gets its own time only when it is less than --timeout', () => {
    assert.equal(requestTimeoutMs(undefined, 30_000), 30_000);
    assert.equal(requestTimeoutMs(1_200, 30_000), 1_200);
    assert.equal(requestTimeoutMs(60_000, 30_000), 30_000);
  });

  it('the error names the request, the time, and what to do; it is a TIMEOUT', () => {
    const e = timeoutError('HEAD', 'https://r.example/v2/a/manifests/1', 1500);
    assert.ok(isRequestTimeoutError(e));
    assert.equal(e.message, 'HEAD https://r.example/v2/a/manifests/1 timed out after 1.5s; raise --timeout or check the network');
    assert.equal(e.retryable, false);
  });

  it('MAX_TIMEOUT_MS is the longest delay a Node timer holds', async () => {
    // One more and Node warns (TimeoutOverflowWarning) and fires at once.
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      clearTimeout(setTimeout(() => {}, MAX_TIMEOUT_MS));
      clearTimeout(setTimeout(() => {}, MAX_TIMEOUT_MS + 1));
      await after(10);
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings, ['TimeoutOverflowWarning']);
  });
});
