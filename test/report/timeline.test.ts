/**
 * An image's timeline (src/report/timeline.ts), what `regsize report history IMAGE` shows: each
 * recorded size with the change from the run before it on the same platform, and the rebuilds.
 */
import assert from 'node:assert/strict';
import { isRegsizeError } from '../../src/errors.js';
import { parseReference } from '../../src/reference/reference.js';
import { History } from '../../src/report/size-history-db.js';
import { imageHistory } from '../../src/report/timeline.js';
import { DAY, IMAGE, run, T0 } from './size-history-fixture.js';

describe('image timeline', function () {
  it('gives `report history` the change between runs and the rebuilds', async function () {
    const h = await History.open(':memory:');
    h.record(run(T0, { 'linux/amd64': [40_000_000, 'a'] }));
    h.record(run(T0 + DAY, { 'linux/amd64': [40_000_000, 'a'] }));
    h.record(run(T0 + 2 * DAY, { 'linux/amd64': [44_000_000, 'c'] }));
    const t = imageHistory(h, parseReference('python:3.12-slim'));
    assert.equal(t.image, IMAGE);
    assert.deepEqual(t.points.map((p) => [p.compressedSize, p.change?.bytes ?? null, p.rebuilt]), [
      [40_000_000, null, false],
      [40_000_000, 0, false],
      [44_000_000, 4_000_000, true],
    ]);
    assert.equal(t.points[2]?.change?.percent, 10);
    // A window keeps the change of its first row counted from the run before it.
    assert.deepEqual(imageHistory(h, parseReference('python:3.12-slim'), { fromMs: T0 + 2 * DAY }).points.map((p) => p.change?.bytes), [4_000_000]);
    assert.throws(
      () => imageHistory(h, parseReference('python:3.13')),
      (e: unknown) => isRegsizeError(e) && e.code === 'INVALID_INPUT' && e.message.includes('no recorded sizes of docker.io/library/python:3.13') && e.message.includes(IMAGE),
    );
    h.close();
  });

  it('keeps each platform\'s changes apart, and matches --platform as containerd normalises it', async function () {
    const h = await History.open(':memory:');
    h.record(run(T0, { 'linux/amd64': [40_000_000, 'a'], 'linux/arm64/v8': [30_000_000, 'b'] }));
    h.record(run(T0 + DAY, { 'linux/amd64': [41_000_000, 'a'], 'linux/arm64/v8': [33_000_000, 'd'] }));
    const all = imageHistory(h, parseReference('python:3.12-slim'));
    // Changes are counted per platform: amd64 +1 MB, arm64 +3 MB, never across platforms.
    assert.deepEqual(all.points.map((p) => [p.platform, p.change?.bytes ?? null, p.rebuilt]), [
      ['linux/amd64', null, false],
      ['linux/arm64/v8', null, false],
      ['linux/amd64', 1_000_000, false],
      ['linux/arm64/v8', 3_000_000, true],
    ]);
    assert.equal(all.points[3]?.change?.percent, 10);
    const arm = imageHistory(h, parseReference('python:3.12-slim'), { platform: 'linux/arm64' });
    assert.deepEqual(arm.points.map((p) => p.compressedSize), [30_000_000, 33_000_000]);
    assert.equal(arm.points[0]?.at, new Date(T0).toISOString());
    assert.throws(
      () => imageHistory(h, parseReference('python:3.12-slim'), { platform: 'linux/s390x' }),
      (e: unknown) => isRegsizeError(e) && e.message.includes('for linux/s390x') && e.message.includes('recorded for linux/amd64, linux/arm64/v8'),
    );
    h.close();
  });

  it('says the history is empty when it is', async function () {
    const h = await History.open(':memory:');
    assert.throws(() => imageHistory(h, parseReference('alpine')), /no recorded sizes of docker\.io\/library\/alpine:latest in :memory:; it is empty \(run regsize report first\)/);
    h.close();
  });
});
