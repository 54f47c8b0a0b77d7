/** src/transport/slots.ts: at most N requests at once per origin; the others wait their turn, in order. */
import assert from 'node:assert/strict';
import { OriginSlots } from '../../src/transport/slots.js';

/** Lets every pending promise callback run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('transport/slots', () => {
  it('gives N slots of an origin at once, and the next one only when one is given back, in order', async () => {
    const slots = new OriginSlots(2);
    const order: string[] = [];
    const take = (name: string) => slots.acquire('https://r.example').then((release) => (order.push(name), release));
    const a = take('a');
    const b = take('b');
    const c = take('c');
    const d = take('d');
    await settle();
    assert.deepEqual(order, ['a', 'b']);
    (await a)();
    await settle();
    assert.deepEqual(order, ['a', 'b', 'c']);
    (await b)();
    await settle();
    assert.deepEqual(order, ['a', 'b', 'c', 'd']);
    (await c)();
    (await d)();
  });

  it('origins do not share slots', async () => {
    const slots = new OriginSlots(1);
    await slots.acquire('https://a.example');
    let other = false;
    void slots.acquire('https://b.example').then(() => (other = true));
    await settle();
    assert.ok(other);
  });

  it('giving a slot back twice frees it once', async () => {
    const slots = new OriginSlots(1);
    const release = await slots.acquire('o');
    let second = false;
    let third = false;
    void slots.acquire('o').then(() => (second = true));
    void slots.acquire('o').then(() => (third = true));
    release();
    release();
    await settle();
    assert.deepEqual([second, third], [true, false]);
  });
});
