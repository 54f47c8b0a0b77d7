/** mapLimit: every item once, results in input order, never more than `concurrency` at a time. */
import assert from 'node:assert/strict';
import { mapLimit } from '../../src/util/limit.js';

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

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('util/limit: mapLimit', () => {
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
