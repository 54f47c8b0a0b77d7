/** `regsize report history IMAGE` (commands/report/history.ts), in-process, on a history recorded here. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ReportHistory from '../../../commands/report/history.js';
import { History } from '../../../src/report/size-history-db.js';
import { formatBytes } from '../../../src/units.js';
import { runInProcess } from '../run-in-process.js';

const DAY = 86_400_000;
const IMAGE = 'docker.io/library/python:3.12-slim';
const SIZES = [40_000_000, 42_500_000];

describe('regsize report history', function () {
  let dir: string;
  let file: string;
  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'regsize-report-history-'));
    file = join(dir, 'history.db');
    const h = await History.open(file);
    const start = Date.now() - 10 * DAY;
    SIZES.forEach((compressedSize, i) =>
      h.record({ at: start + i * DAY, config: 'regsize.yaml', platform: 'linux/amd64', entries: [{ image: IMAGE, platform: 'linux/amd64', digest: `sha256:${String(i).repeat(64)}`, manifestDigest: `sha256:${String(i).repeat(64)}`, compressedSize, maxSize: null }] }),
    );
    h.close();
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints one row per run with the change between them', async function () {
    const r = await runInProcess(ReportHistory, ['python:3.12-slim', '--history', file]);
    assert.equal(r.exitCode ?? 0, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[0], `${IMAGE} (linux/amd64): 2 recorded runs`);
    assert.ok(lines[3]?.includes(`+${formatBytes((SIZES[1] as number) - (SIZES[0] as number), 'si')}`), r.stdout);
  });

  it('--json gives the timeline with exact bytes; --since leaves out older runs', async function () {
    const all = await runInProcess(ReportHistory, ['python:3.12-slim', '--history', file, '--json']);
    assert.deepEqual((JSON.parse(all.stdout) as { points: { compressedSize: number }[] }).points.map((p) => p.compressedSize), SIZES);
    const recent = await runInProcess(ReportHistory, ['python:3.12-slim', '--history', file, '--json', '--since', '228h']);
    const points = (JSON.parse(recent.stdout) as { points: { compressedSize: number; change: { bytes: number } | null }[] }).points;
    assert.deepEqual(points.map((p) => [p.compressedSize, p.change?.bytes]), [[SIZES[1], (SIZES[1] as number) - (SIZES[0] as number)]]);
  });

  it('a missing history: one line saying to run regsize report first, exit 2, the file not created', async function () {
    const missing = join(dir, 'none.db');
    const r = await runInProcess(ReportHistory, ['python:3.12-slim', '--history', missing]);
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /no history database at .*none\.db: run regsize report first/);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1);
  });
});
