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

/** A task per item that finishes when the test says, counting how many run at once. */
function controlled(n: number) {
  let inFlight = 0;
  let peak = 0;
  const finish: (() => void)[] = [];
  const started: number[] = [];
  const fn = (item: number, index: number) =>
    new Promise<string>((resolve) => {
      started.push(index);
      inFlight++;
      peak = Math.max(peak, inFlight);
      finish[index] = () => {
        inFlight--;
        resolve(`r${item}`);
      };
    });
  return { fn, started, finish, peak: () => peak, items: Array.from({ length: n }, (_, i) => i * 10) };
}


describe('util/limit: mapLimit, step by step', () => {
  it('runs at most `concurrency` at once, starts the next as one finishes, and keeps input order', async () => {
    const c = controlled(7);
    const done = mapLimit(c.items, 3, c.fn);
    await settle();
    assert.deepEqual(c.started, [0, 1, 2]);
    // Finish out of order: the results still come back in input order.
    c.finish[2]!();
    await settle();
    assert.deepEqual(c.started, [0, 1, 2, 3]);
    assert.equal(c.peak(), 3);
    for (const i of [0, 3, 1, 4, 5, 6]) {
      c.finish[i]!();
      await settle();
    }
    assert.deepEqual(await done, c.items.map((x) => `r${x}`));
    assert.deepEqual([...c.started].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6], 'each item once');
    assert.equal(c.peak(), 3);
  });

  it('passes each item with its index', async () => {
    assert.deepEqual(await mapLimit(['a', 'b', 'c'], 2, async (item, index) => `${index}:${item}`), ['0:a', '1:b', '2:c']);
  });

  it('runs one at a time for a concurrency below 1, and nothing for no items', async () => {
    const c = controlled(3);
    const done = mapLimit(c.items, 0, c.fn);
    await settle();
    assert.deepEqual(c.started, [0]);
    for (let i = 0; i < 3; i++) {
      c.finish[i]!();
      await settle();
    }
    assert.deepEqual(await done, ['r0', 'r10', 'r20']);
    assert.equal(c.peak(), 1);
    let called = false;
    assert.deepEqual(await mapLimit([], 4, async () => (called = true)), []);
    assert.equal(called, false);
  });

  it('rejects with the first failure', async () => {
    await assert.rejects(
      mapLimit([1, 2, 3], 2, async (n) => {
        if (n === 2) throw new Error('item 2 failed');
        return n;
      }),
      /item 2 failed/,
    );
  });
});
