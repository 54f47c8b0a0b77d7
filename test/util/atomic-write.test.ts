/**
 * writeFileAtomic, the one way regsize replaces a file: a symlink planted at any name another
 * user could predict is never followed, the new file has the content and an explicit mode, and
 * `report --output` goes through it.
 */
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeFileAtomicSync, writeOutputFile } from '../../src/util/atomic-write.js';
import { isRegsizeError } from '../../src/errors.js';
import Report from '../../commands/report/index.js';
import { runInProcess } from '../commands/run-in-process.js';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'regsize-atomic-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Symlinks at every temporary name the old code (and an obvious successor) would use, all aimed at one victim file. */
  function plantSymlinks(name: string): string {
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious');
    for (let pid = Math.max(1, process.pid - 50); pid <= process.pid + 50; pid++) symlinkSync(victim, join(dir, `.${name}.${pid}.tmp`));
    symlinkSync(victim, join(dir, `.${name}.tmp`));
    symlinkSync(victim, join(dir, `${name}.tmp`));
    return victim;
  }

  it('never follows a symlink planted at a predictable temporary name', async () => {
    const victim = plantSymlinks('report.html');
    await writeFileAtomic(join(dir, 'report.html'), '<p>report</p>');
    assert.equal(readFileSync(victim, 'utf8'), 'precious');
    assert.equal(readFileSync(join(dir, 'report.html'), 'utf8'), '<p>report</p>');
    assert.ok(lstatSync(join(dir, 'report.html')).isFile());
    // Only the report was added: no temporary file is left behind.
    assert.deepEqual(readdirSync(dir).filter((f) => !lstatSync(join(dir, f)).isSymbolicLink()).sort(), ['report.html', 'victim']);
  });

  it('gives a new file mode 0644 (less what the umask takes)', async () => {
    await writeFileAtomic(join(dir, 'new.csv'), 'a,b\r\n');
    assert.equal(statSync(join(dir, 'new.csv')).mode & 0o777, 0o644 & ~process.umask());
  });

  it('keeps the mode of the file it replaces, whatever the umask', async () => {
    const file = join(dir, 'private.md');
    writeFileSync(file, 'old');
    chmodSync(file, 0o600);
    await writeFileAtomic(file, 'new');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(readFileSync(file, 'utf8'), 'new');
  });

  it('replaces a symlink at the target itself instead of writing through it', async () => {
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious');
    chmodSync(victim, 0o600);
    symlinkSync(victim, join(dir, 'out.html'));
    await writeFileAtomic(join(dir, 'out.html'), 'report');
    assert.equal(readFileSync(victim, 'utf8'), 'precious');
    assert.ok(lstatSync(join(dir, 'out.html')).isFile());
    // The symlink's target mode is not copied: the new file gets the default.
    assert.equal(statSync(join(dir, 'out.html')).mode & 0o777, 0o644 & ~process.umask());
  });

  it('leaves nothing behind when the write fails', async () => {
    await assert.rejects(writeFileAtomic(join(dir, 'missing-folder', 'x'), 'x'), /ENOENT/);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('is what report --output writes with: a planted symlink is not followed', async function () {
    this.timeout(30_000);
    const victim = plantSymlinks('report.md');
    // A config whose one image fails at once (nothing listens on port 9): the report is still written.
    const config = join(dir, 'regsize.yaml');
    writeFileSync(config, 'images:\n  - 127.0.0.1:9/app:1\n');
    const r = await runInProcess(Report, ['--config', config, '--no-history', '--no-cache', '--plain-http', '--timeout', '5', '--output', join(dir, 'report.md')]);
    assert.equal(r.exitCode, 1, r.stderr);
    assert.equal(readFileSync(victim, 'utf8'), 'precious');
    assert.match(readFileSync(join(dir, 'report.md'), 'utf8'), /127\.0\.0\.1:9\/app:1/);
    assert.match(r.stderr, /regsize: wrote .*report\.md/);
  });
});

/** The synchronous flavour (the size history's write, under its lock) takes the same steps. */
describe('writeFileAtomicSync', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'regsize-atomic-sync-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('never follows a symlink planted at a predictable temporary name, and leaves no temporary file', () => {
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious');
    for (let pid = Math.max(1, process.pid - 50); pid <= process.pid + 50; pid++) symlinkSync(victim, join(dir, `.history.db.${pid}.tmp`));
    writeFileAtomicSync(join(dir, 'history.db'), Uint8Array.from([1, 2, 3]));
    assert.equal(readFileSync(victim, 'utf8'), 'precious');
    assert.deepEqual([...readFileSync(join(dir, 'history.db'))], [1, 2, 3]);
    assert.deepEqual(readdirSync(dir).filter((f) => !lstatSync(join(dir, f)).isSymbolicLink()).sort(), ['history.db', 'victim']);
  });

  it('gives a new file 0644 less the umask, and keeps the mode of the file it replaces', () => {
    writeFileAtomicSync(join(dir, 'new.db'), 'x');
    assert.equal(statSync(join(dir, 'new.db')).mode & 0o777, 0o644 & ~process.umask());
    const file = join(dir, 'private.db');
    writeFileSync(file, 'old');
    chmodSync(file, 0o600);
    writeFileAtomicSync(file, 'new');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(readFileSync(file, 'utf8'), 'new');
  });

  it('with followSymlink, replaces the file a link points to and keeps the link; without, replaces the link', () => {
    const real = join(dir, 'real.db');
    writeFileSync(real, 'old');
    chmodSync(real, 0o600);
    symlinkSync(real, join(dir, 'linked.db'));
    writeFileAtomicSync(join(dir, 'linked.db'), 'new', { followSymlink: true });
    assert.ok(lstatSync(join(dir, 'linked.db')).isSymbolicLink());
    assert.equal(readFileSync(real, 'utf8'), 'new');
    assert.equal(statSync(real).mode & 0o777, 0o600);

    writeFileAtomicSync(join(dir, 'linked.db'), 'newer');
    assert.ok(lstatSync(join(dir, 'linked.db')).isFile());
    assert.equal(readFileSync(real, 'utf8'), 'new');
  });

  it('leaves nothing behind when the write fails', () => {
    assert.throws(() => writeFileAtomicSync(join(dir, 'missing-folder', 'x'), 'x'), /ENOENT/);
    // A folder where the file should be: the rename fails after the temporary file was written.
    const folder = join(dir, 'taken');
    mkdirSync(folder);
    writeFileSync(join(folder, 'inside'), 'x');
    assert.throws(() => writeFileAtomicSync(folder, 'x'), /EISDIR|ENOTEMPTY|EEXIST/);
    assert.deepEqual(readdirSync(dir), ['taken']);
  });
});

describe('writeOutputFile', () => {
  it('replaces the file whole, and says in one usage line why it cannot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'regsize-output-'));
    try {
      const file = join(dir, 'report.html');
      writeFileSync(file, 'old');
      await writeOutputFile(file, 'new report');
      assert.equal(readFileSync(file, 'utf8'), 'new report');
      const missing = join(dir, 'no-such-folder', 'report.html');
      await assert.rejects(
        writeOutputFile(missing, 'x'),
        (e: unknown) => isRegsizeError(e) && e.code === 'INVALID_INPUT' && e.message.startsWith(`cannot write ${missing}: no such file or directory`) && !e.message.includes('\n'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
