/** `regsize report` (commands/report/index.ts), in-process, where no registry is needed. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Report from '../../../commands/report/index.js';
import { runInProcess } from '../run-in-process.js';

describe('regsize report', function () {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'regsize-report-cmd-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('a bad config: one line naming the file, line and key, exit 2, before the history is touched', async function () {
    const config = join(dir, 'regsize.yaml');
    writeFileSync(config, 'images:\n  - ref: alpine\n    maxSize: lots\n');
    const history = join(dir, 'history.db');
    const r = await runInProcess(Report, ['--config', config, '--history', history]);
    assert.equal(r.exitCode, 2);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`${config.replace(/[.]/g, '\\.')}:3: images\\[0\\]\\.maxSize: `));
    assert.equal(existsSync(history), false);
  });

  it('refuses a bad --since or --alert-growth with exit 2', async function () {
    const config = join(dir, 'regsize.yaml');
    writeFileSync(config, 'images:\n  - alpine\n');
    for (const flags of [['--since', '0d'], ['--alert-growth', 'lots']]) {
      const r = await runInProcess(Report, ['--config', config, '--no-history', ...flags]);
      assert.equal(r.exitCode, 2, `${flags.join(' ')}: ${r.stderr}`);
    }
  });

  it('an image that cannot be sized: exit 1, the JSON says why, --output gets the whole report', async function () {
    const config = join(dir, 'regsize.yaml');
    writeFileSync(config, 'images:\n  - 127.0.0.1:9/app:1\n');
    const out = join(dir, 'report.json');
    const r = await runInProcess(Report, ['--config', config, '--no-history', '--no-cache', '--timeout', '5', '--format', 'json', '--output', out]);
    assert.equal(r.exitCode, 1, r.stderr);
    const report = JSON.parse(readFileSync(out, 'utf8')) as { images: { reference: string; error?: { code: string } }[]; summary: { failed: number } };
    assert.deepEqual(report.images.map((e) => [e.reference, e.error?.code]), [['127.0.0.1:9/app:1', 'NETWORK']]);
    assert.equal(report.summary.failed, 1);
    assert.match(r.stderr, /regsize: wrote .*report\.json \(0 images, 0 over budget, 1 failed\)/);
  });
});
