/**
 * One report run (src/report/run.ts) with nothing to reach: an image whose registry refuses the
 * connection at once. The run still reports it, at the pinned time, and leaves the history as it was.
 * (Against a real registry, with budgets and deltas: test/report/report.test.ts.)
 */
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/log.js';
import { parseConfig } from '../../src/report/config.js';
import { isReportError } from '../../src/report/model.js';
import { runReport } from '../../src/report/run.js';
import { History } from '../../src/report/size-history-db.js';
import { createSession } from '../../src/session.js';

const NOW = Date.UTC(2025, 5, 1, 6, 0, 0);

describe('report run', function () {
  it('keeps a failed image as an entry with its error, and records nothing when nothing was sized', async function () {
    const config = parseConfig('title: Nightly\nimages:\n  - 127.0.0.1:9/app:1\n  - ref: 127.0.0.1:9/other:2\n    maxSize: 10MB\n', 'regsize.yaml');
    const { client } = createSession({ logger: silentLogger, timeoutMs: 5000, retries: 0 });
    const history = await History.open(':memory:');
    const earlier = NOW - 86_400_000;
    history.record({ at: earlier, config: 'regsize.yaml', platform: 'linux/amd64', entries: [] });
    try {
      const r = await runReport(config, { client, logger: silentLogger, platform: { os: 'linux', architecture: 'amd64' }, history, now: NOW, since: { window: '30d', ms: 30 * 86_400_000 }, alertGrowthPercent: 10, bandwidths: [] });
      assert.equal(r.title, 'Nightly');
      assert.equal(r.generatedAt, new Date(NOW).toISOString());
      assert.equal(r.since.cutoff, new Date(NOW - 30 * 86_400_000).toISOString());
      assert.deepEqual(r.images.map((e) => [e.reference, isReportError(e) ? e.error.code : 'sized', e.budget?.maxSize ?? null]), [
        ['127.0.0.1:9/app:1', 'NETWORK', null],
        ['127.0.0.1:9/other:2', 'NETWORK', 10_000_000],
      ]);
      assert.equal(r.summary.failed, 2);
      assert.equal(r.summary.sized, 0);
      // The run of failures is not recorded: the next run still compares with the last real one.
      assert.deepEqual(r.history, { path: ':memory:', previousRunAt: new Date(earlier).toISOString(), recorded: false });
      assert.equal(history.lastRunBefore(NOW + 1), earlier);
    } finally {
      history.close();
    }
  });
});
