/**
 * `regsize report` with a history that is damaged or busy (issue #11): a damaged file is refused
 * with one line naming it and what to do (exit 2); a file another writer holds still gets its
 * report written, and the run says on stderr that it was not recorded (exit 1).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Report from '../../commands/report/index.js';
import ReportHistory from '../../commands/report/history.js';
import { runInProcess } from '../commands/run-in-process.js';
import { makeImage, makeRandomLayer, pushImage } from '../helpers/images.js';
import { lockWait } from '../../src/report/size-history-file.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';

const WRITER = fileURLToPath(new URL('../helpers/history-writer.js', import.meta.url));

describe('report with a damaged or busy history', function () {
  this.timeout(120_000);
  let reg: LocalRegistry;
  let dir: string;
  let config: string;
  let good: string;
  let holder: ChildProcess | undefined;
  const savedDockerConfig = process.env.DOCKER_CONFIG;
  const image = makeImage({ layers: [makeRandomLayer({ size: 300_000, seed: 'history-damaged' })] });
  const imageSize = image.layers.reduce((s, l) => s + l.size, 0);

  before(async function () {
    reg = await startRegistry();
    dir = mkdtempSync(join(tmpdir(), 'regsize-history-damaged-'));
    // No credentials of the machine's user in play.
    process.env.DOCKER_CONFIG = join(dir, 'docker');
    await pushImage(reg, 'team/app', 'prod', image);
    config = join(dir, 'regsize.yaml');
    writeFileSync(config, `platform: linux/amd64\nimages:\n  - ${reg.host}/team/app:prod\n`);
    // A real history: one run of the real command.
    good = join(dir, 'good.db');
    const first = await runInProcess(Report, ['--config', config, '--history', good, '--format', 'json']);
    assert.equal(first.exitCode, 0, first.stderr);
  });
  after(async () => {
    holder?.kill('SIGKILL');
    if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = savedDockerConfig;
    await reg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a valid header over damaged pages: one line naming the file and what to do, exit 2, for report and report history', async function () {
    const damaged = join(dir, 'damaged.db');
    copyFileSync(good, damaged);
    // Keep the 100-byte header (SQLite still recognises the file), overwrite the pages after it.
    const pageSize = readFileSync(damaged).readUInt16BE(16);
    const fd = openSync(damaged, 'r+');
    writeSync(fd, Buffer.alloc(statSync(damaged).size - pageSize, 0xa5), 0, undefined, pageSize);
    closeSync(fd);

    for (const [command, argv] of [
      [Report, ['--config', config, '--history', damaged]],
      [ReportHistory, [`${reg.host}/team/app:prod`, '--history', damaged]],
    ] as const) {
      const r = await runInProcess(command, [...argv]);
      assert.equal(r.exitCode, 2, r.stderr);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0] as string, new RegExp(`the history database ${damaged.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is damaged \\(SQLite: .+\\): move it aside .* or pass --no-history`));
      assert.doesNotMatch(r.stderr, /this is a bug|\bat .*\.js:\d+/);
    }
  });

  it('a history another writer holds: the report is still written, stderr says it was not recorded, exit 1', async function () {
    const busy = join(dir, 'busy.db');
    copyFileSync(good, busy);
    const before = readFileSync(busy);
    holder = spawn(process.execPath, [WRITER, busy, 'hold'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await once(holder.stdout!, 'data');

    const out = join(dir, 'report.json');
    // The whole command run, with a 1 s wait for the other writer instead of 5 s.
    const savedWait = lockWait.timeoutMs;
    lockWait.timeoutMs = 1000;
    const r = await runInProcess(Report, ['--config', config, '--history', busy, '--format', 'json', '--output', out]).finally(() => (lockWait.timeoutMs = savedWait));
    assert.equal(r.exitCode, 1, r.stderr);
    const report = JSON.parse(readFileSync(out, 'utf8')) as { images: { compressedSize: number; history: { previous: { bytes: number } | null } | null }[]; history: { recorded: boolean } };
    assert.equal(report.images[0]?.compressedSize, imageSize, 'the report is whole');
    assert.equal(report.images[0]?.history?.previous?.bytes, 0, 'and compared with the history it could read');
    assert.equal(report.history.recorded, false);
    assert.match(r.stderr, new RegExp(`could not record this run in the history database .*busy\\.db: the history database .*busy\\.db is locked by pid ${holder.pid} on .* for over 1 s: this run was not recorded; if no regsize is running, remove .*busy\\.db\\.lock`));
    assert.deepEqual(readFileSync(busy), before, 'nothing was written under the other writer');
    holder.kill('SIGKILL');
    await once(holder, 'exit');
    holder = undefined;
  });
});
