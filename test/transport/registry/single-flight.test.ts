import assert from 'node:assert/strict';
import { SingleFlight } from '../../../src/transport/registry/single-flight.js';

describe('SingleFlight', () => {
  it('runs once for concurrent askers of one key, and answers later askers from the settled promise', async () => {
    const flights = new SingleFlight<number>();
    let calls = 0;
    const fn = async () => {
      calls++;
      await new Promise((r) => setImmediate(r));
      return 42;
    };
    const answers = await Promise.all([flights.run('a', fn), flights.run('a', fn), flights.run('b', fn)]);
    assert.deepEqual(answers, [42, 42, 42]);
    assert.equal(calls, 2);
    assert.equal(await flights.run('a', fn), 42);
    assert.equal(calls, 2);
  });

  it('forgets a failure, so the next asker tries again', async () => {
    const flights = new SingleFlight<string>();
    await assert.rejects(flights.run('k', async () => Promise.reject(new Error('boom'))), /boom/);
    await new Promise((r) => setImmediate(r));
    assert.equal(flights.has('k'), false);
    assert.equal(await flights.run('k', async () => 'ok'), 'ok');
  });

  it('settle records an answer found another way, without replacing one in flight', async () => {
    const flights = new SingleFlight<string>();
    flights.settle('d', 'by-tag');
    assert.equal(await flights.run('d', async () => 'fetched'), 'by-tag');
    flights.settle('d', 'other');
    assert.equal(await flights.run('d', async () => 'fetched'), 'by-tag');
  });
});
