/**
 * The size history database (src/report/size-history-db.ts): runs recorded at known times, read
 * back the way the report reads them.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultHistoryPath, History } from '../../src/report/size-history-db.js';
import { DAY, IMAGE, run, T0 } from './size-history-fixture.js';

describe('size history database', function () {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'regsize-history-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('lives in the XDG data folder by default', function () {
    assert.equal(defaultHistoryPath({ XDG_DATA_HOME: '/data', HOME: '/home/u' }), '/data/regsize/history.db');
    assert.equal(defaultHistoryPath({ HOME: '/home/u' }), '/home/u/.local/share/regsize/history.db');
    // The XDG spec says a relative value is invalid and must be ignored.
    assert.equal(defaultHistoryPath({ XDG_DATA_HOME: 'rel', HOME: '/home/u' }), '/home/u/.local/share/regsize/history.db');
  });

  it('creates its folder, and keeps runs across openings', async function () {
    const file = join(dir, 'deep', 'er', 'history.db');
    const h = await History.open(file);
    h.record(run(T0, { 'linux/amd64': [40_000_000, 'a'] }));
    h.close();
    assert.ok(existsSync(file));
    const again = await History.open(file, { create: false });
    assert.equal(again.previous(IMAGE, 'linux/amd64', T0 + 1)?.compressedSize, 40_000_000);
    again.close();
  });

  it('finds the previous run and the --since baseline by time, per platform', async function () {
    const h = await History.open(':memory:');
    h.record(run(T0, { 'linux/amd64': [40_000_000, 'a'], 'linux/arm64/v8': [39_000_000, 'b'] }));
    h.record(run(T0 + 10 * DAY, { 'linux/amd64': [41_000_000, 'a'] }));
    h.record(run(T0 + 20 * DAY, { 'linux/amd64': [45_000_000, 'c'] }));
    const now = T0 + 25 * DAY;
    assert.equal(h.previous(IMAGE, 'linux/amd64', now)?.compressedSize, 45_000_000);
    assert.equal(h.previous(IMAGE, 'linux/arm64/v8', now)?.compressedSize, 39_000_000);
    assert.equal(h.previous(IMAGE, 'linux/amd64', T0), undefined, 'nothing before the first run');
    // since 14d: cutoff T0+11d, so the run of T0+10d; since 30d reaches before the history: the oldest.
    assert.equal(h.baseline(IMAGE, 'linux/amd64', now - 14 * DAY, now)?.at, T0 + 10 * DAY);
    assert.equal(h.baseline(IMAGE, 'linux/amd64', now - 30 * DAY, now)?.at, T0);
    assert.deepEqual(h.series(IMAGE, 'linux/amd64', T0 + 10 * DAY, now).map((p) => p.compressedSize), [41_000_000, 45_000_000]);
    assert.equal(h.series(IMAGE).length, 4);
    assert.equal(h.lastRunBefore(now), T0 + 20 * DAY);
    assert.deepEqual(h.images().map((i) => [i.platform, i.count]), [['linux/amd64', 3], ['linux/arm64/v8', 1]]);
    h.close();
  });

});
