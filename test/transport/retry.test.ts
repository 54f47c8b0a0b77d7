/**
 * src/transport/retry.ts: the retry wrapper, with its sleep, clock and jitter injected, so each
 * test asserts the waits it computed and the attempts it made, and nothing sleeps.
 */
import assert from 'node:assert/strict';
import { NetworkError, RegsizeError, RequestTimeoutError } from '../../src/errors.js';
import type { HttpRequest, HttpResponse } from '../../src/transport/request.js';
import { backoffMs, defaultRetryPolicy, MAX_BACKOFF_MS, parseRetryAfter, realSleep, retrySleep, type RetryPolicy, withRetry } from '../../src/transport/retry.js';

const REQ: HttpRequest = { method: 'GET', url: 'https://r.example/v2/a/manifests/1?token=secret', maxBytes: 1024 };

const answer = (status: number, headers: Record<string, string> = {}): HttpResponse => ({ status, headers: new Headers(headers), body: new Uint8Array(), url: REQ.url });

/** A send that gives each answer (or throws each error) in turn, and a policy that records its waits. */
function scripted(script: (HttpResponse | Error)[], policy: Partial<RetryPolicy> = {}) {
  const waits: number[] = [];
  const lines: string[] = [];
  let attempts = 0;
  const send = async (): Promise<HttpResponse> => {
    const next = script[Math.min(attempts++, script.length - 1)];
    if (next instanceof Error) throw next;
    return next as HttpResponse;
  };
  const full: RetryPolicy = { ...defaultRetryPolicy({ debug: (l) => lines.push(l), warn: () => {} }), sleep: async (ms) => void waits.push(ms), random: () => 0, ...policy };
  const retrying = withRetry(send, full, (url) => url.replace(/token=[^&]*/, 'token=***'));
  return { retrying, waits, lines, attempts: () => attempts };
}

describe('transport/retry', () => {
  it('retries a 503 with backoff that doubles (base 250 ms, jitter 0: half of each cap), then gives the last answer', async () => {
    const { retrying, waits, attempts } = scripted([answer(503)]);
    const res = await retrying(REQ);
    assert.equal(res.status, 503);
    assert.equal(attempts(), 4, 'one attempt and three retries');
    // cap = 250 * 2^attempt; the wait is between cap/2 and cap, here its lower end.
    assert.deepEqual(waits, [250 / 2, 500 / 2, 1000 / 2]);
  });

  it('the jitter spreads a wait over the upper half of its cap', () => {
    assert.equal(backoffMs(0, 250, () => 0), 125);
    assert.equal(backoffMs(0, 250, () => 0.5), 188); // 125 + 62.5, rounded
    assert.equal(backoffMs(2, 250, () => 1 - 1e-9), 1000);
    // However many attempts came before, no wait is longer than the cap.
    assert.equal(backoffMs(20, 250, () => 1 - 1e-9), MAX_BACKOFF_MS);
    assert.equal(backoffMs(20, 250, () => 0), MAX_BACKOFF_MS / 2);
  });

  it('succeeds on the attempt that succeeds, saying each retry in one --verbose line with the URL redacted', async () => {
    const { retrying, waits, lines } = scripted([answer(502), answer(200)]);
    assert.equal((await retrying(REQ)).status, 200);
    assert.deepEqual(waits, [125]);
    assert.deepEqual(lines, ['retrying GET https://r.example/v2/a/manifests/1?token=*** in 125ms (HTTP 502)']);
  });

  it('waits as long as Retry-After says, in seconds or as a date read against the injected clock', async () => {
    const seconds = scripted([answer(429, { 'retry-after': '2' }), answer(200)]);
    await seconds.retrying(REQ);
    assert.deepEqual(seconds.waits, [2000]);

    const now = Date.parse('2026-12-02T00:00:00Z');
    const dated = scripted([answer(503, { 'retry-after': new Date(now + 7000).toUTCString() }), answer(200)], { now: () => now });
    await dated.retrying(REQ);
    assert.deepEqual(dated.waits, [7000]);
  });

  it('a Retry-After over the cap is not waited for: the answer goes back at once for the caller to report', async () => {
    const { retrying, waits, attempts } = scripted([answer(429, { 'retry-after': '61' })], { maxRetryAfterMs: 60_000 });
    assert.equal((await retrying(REQ)).status, 429);
    assert.deepEqual(waits, []);
    assert.equal(attempts(), 1);
  });

  it('does not retry a 500 or a 4xx', async () => {
    for (const status of [500, 400, 401, 404]) {
      const { retrying, attempts } = scripted([answer(status)]);
      assert.equal((await retrying(REQ)).status, status);
      assert.equal(attempts(), 1, String(status));
    }
  });

  it('retries a retryable failure (a reset), and throws the last one', async () => {
    const reset = new NetworkError('GET x failed: network error: socket hang up (ECONNRESET)', { retryable: true });
    const { retrying, waits, lines } = scripted([reset]);
    await assert.rejects(retrying(REQ), (e) => e === reset);
    assert.equal(waits.length, 3);
    assert.match(lines[0] ?? '', /^retrying GET \S+ in 125ms \(NETWORK: GET x failed: network error: socket hang up \(ECONNRESET\)\)$/);
  });

  it('throws a failure that is not retryable at once: a refused connection, a timeout, a bug', async () => {
    for (const err of [new NetworkError('refused'), new RequestTimeoutError('timed out'), new TypeError('x is undefined')]) {
      const { retrying, waits, attempts } = scripted([err, answer(200)]);
      await assert.rejects(retrying(REQ), (e: RegsizeError) => e.code === (err instanceof RegsizeError ? err.code : 'INTERNAL'));
      assert.deepEqual([attempts(), waits.length], [1, 0], err.message);
    }
  });

  it('overrides.retries lowers the count for one call (a probe)', async () => {
    const { retrying, attempts } = scripted([answer(503)]);
    await retrying(REQ, { retries: 0 });
    assert.equal(attempts(), 1);
  });

  it('parseRetryAfter: seconds, an HTTP date (never negative), or nothing', () => {
    const now = Date.parse('2026-12-02T00:00:00Z');
    assert.equal(parseRetryAfter(' 30 ', now), 30_000);
    assert.equal(parseRetryAfter(new Date(now + 90_000).toUTCString(), now), 90_000);
    assert.equal(parseRetryAfter(new Date(now - 90_000).toUTCString(), now), 0);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter(null, now), undefined);
  });

  it("the default policy sleeps with retrySleep's sleep, read at each wait: a setTimeout unless a test swapped it", async () => {
    assert.equal(retrySleep.sleep, realSleep);
    const policy = defaultRetryPolicy({ debug: () => {}, warn: () => {} });
    const asked: number[] = [];
    retrySleep.sleep = async (ms) => void asked.push(ms);
    try {
      await policy.sleep(1234);
    } finally {
      retrySleep.sleep = realSleep;
    }
    assert.deepEqual(asked, [1234], 'a policy made before the swap uses the swapped sleep');
    // realSleep waits on a timer: under fake timers, it resolves only once they pass its time.
    let done = false;
    const timers: { ms: number; fn: () => void }[] = [];
    const realSetTimeout = globalThis.setTimeout;
    globalThis.setTimeout = ((fn: () => void, ms: number) => void timers.push({ fn, ms })) as unknown as typeof setTimeout;
    let sleeping: Promise<void>;
    try {
      sleeping = realSleep(250).then(() => void (done = true));
    } finally {
      globalThis.setTimeout = realSetTimeout;
    }
    await Promise.resolve();
    assert.equal(done, false);
    assert.deepEqual(timers.map((t) => t.ms), [250]);
    timers[0]?.fn();
    await sleeping;
    assert.equal(done, true);
  });
});
