/** The one concurrency limiter (src/util/limit.ts): bounds, order, and a failed task giving its slot back. */
import assert from 'node:assert/strict';
import { gate, mapLimit } from '../../src/util/limit.js';

/** A task the test finishes by hand, so in-flight counts are read between steps, not timed. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('util/limit', function () {
  it('gate(n) runs n tasks at once and starts the others first come first served', async function () {
    const run = gate(2);
    const tasks = Array.from({ length: 5 }, () => deferred<number>());
    const started: number[] = [];
    const results = tasks.map((t, i) =>
      run(async () => {
        started.push(i);
        return t.promise;
      }),
    );
    await settle();
    assert.deepEqual(started, [0, 1]);
    tasks[1]?.resolve(1);
    await settle();
    assert.deepEqual(started, [0, 1, 2]);
    tasks[0]?.reject(new Error('boom'));
    await settle();
    // A failed task gives its slot back like any other.
    assert.deepEqual(started, [0, 1, 2, 3]);
    tasks[2]?.resolve(2);
    tasks[3]?.resolve(3);
    await settle();
    assert.deepEqual(started, [0, 1, 2, 3, 4]);
    tasks[4]?.resolve(4);
    const outcome = await Promise.allSettled(results);
    assert.deepEqual(
      outcome.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message)),
      ['boom', 1, 2, 3, 4],
    );
  });

  it('gate of 0 or less still runs one task at a time rather than none', async function () {
    for (const n of [0, -3, Number.NaN]) {
      const run = gate(n);
      let inFlight = 0;
      let most = 0;
      await Promise.all(
        Array.from({ length: 4 }, () =>
          run(async () => {
            most = Math.max(most, ++inFlight);
            await settle();
            inFlight--;
          }),
        ),
      );
      assert.equal(most, 1, `gate(${n})`);
    }
  });

  it('mapLimit keeps the input order and never exceeds the bound', async function () {
    const items = Array.from({ length: 20 }, (_, i) => i);
    let inFlight = 0;
    let most = 0;
    // Later items finish first: the order of results must come from the input, not completion.
    const out = await mapLimit(items, 3, async (n, i) => {
      most = Math.max(most, ++inFlight);
      for (let k = 0; k < 20 - n; k++) await settle();
      inFlight--;
      return n * n + i;
    });
    assert.deepEqual(out, items.map((n) => n * n + n));
    assert.equal(most, 3);
  });

  it('mapLimit of nothing is nothing', async function () {
    assert.deepEqual(await mapLimit([], 4, async () => assert.fail('no items, no calls')), []);
  });
});
