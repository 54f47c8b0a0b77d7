/**
 * The history file as scheduled jobs use it: a file from an earlier regsize (better-sqlite3),
 * two writers at once, a writer killed with SIGKILL mid-write, a writer that holds the lock.
 * The writers are real child processes running the same History code.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { isRegsizeError } from '../../src/errors.js';
import { acquireLock, EMPTY_LOCK_STALE_MS, HistoryBusyError, lockPath } from '../../src/report/size-history-file.js';
import { History, type RunRecord } from '../../src/report/size-history-db.js';
import { loadSqlite } from '../../src/report/sqlite.js';

/** Committed: written by regsize 0.1.0's better-sqlite3 code (schema 1, page size 1024). */
const FIXTURE = fileURLToPath(new URL('../../../test/fixtures/history-better-sqlite3-v1.db', import.meta.url));
const WRITER = fileURLToPath(new URL('../helpers/history-writer.js', import.meta.url));
const T0 = Date.UTC(2025, 0, 1, 6, 0, 0);
const DAY = 86_400_000;

/** What is in a history file, read by a plain SQLite (sql.js) with no regsize code in between. */
async function census(file: string): Promise<{ integrity: string; runs: { config: string; sizes: number }[] }> {
  const sqlite = await loadSqlite();
  const db = new sqlite.Database(readFileSync(file));
  try {
    const integrity = String(db.exec('PRAGMA integrity_check')[0]?.values[0]?.[0]);
    const rows = db.exec('SELECT r.config, (SELECT count(*) FROM sizes s WHERE s.run_id = r.id) FROM runs r ORDER BY r.id')[0]?.values ?? [];
    return { integrity, runs: rows.map(([config, sizes]) => ({ config: String(config), sizes: Number(sizes) })) };
  } finally {
    db.close();
  }
}

function startWriter(args: string[]): { child: ChildProcess; lines: string[]; line: (pred: (l: string) => boolean) => Promise<string> } {
  const child = spawn(process.execPath, [WRITER, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiters: { pred: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  let buf = '';
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(l);
      for (const w of waiters.splice(0)) {
        if (w.pred(l)) w.resolve(l);
        else waiters.push(w);
      }
    }
  });
  const line = (pred: (l: string) => boolean) =>
    new Promise<string>((resolve, reject) => {
      const seen = lines.find(pred);
      if (seen !== undefined) return resolve(seen);
      waiters.push({ pred, resolve });
      child.once('exit', (code) => reject(new Error(`writer exited (${code}) before the expected line; it said: ${lines.join(' | ')}`)));
    });
  return { child, lines, line };
}

describe('history file: old files, two writers, a crash, a held lock', function () {
  this.timeout(60_000);
  let dir: string;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'regsize-history-file-'));
  });
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads a history written by the better-sqlite3 versions, and records into it', async function () {
    const file = join(dir, 'history.db');
    copyFileSync(FIXTURE, file);
    const h = await History.open(file);
    // The fixture's rows, as its generator wrote them (test/fixtures: two runs, a day apart).
    assert.deepEqual(
      h.series('docker.io/library/python:3.12-slim').map((p) => [p.at, p.compressedSize, p.maxSize]),
      [
        [T0, 41_234_567, 50_000_000],
        [T0 + DAY, 42_000_001, 50_000_000],
      ],
    );
    assert.equal(h.previous('docker.io/library/alpine:3.20', 'linux/amd64', T0 + 2 * DAY)?.maxSize, null);
    assert.deepEqual(h.previousRepository('123456789012/eu-west-1/app', T0 + 2 * DAY), { at: T0, repository: '123456789012/eu-west-1/app', uniqueSize: 120_000_000, totalSize: 300_000_000, imageCount: 7 });
    h.record({ at: T0 + 2 * DAY, config: 'next', platform: 'linux/amd64', entries: [{ image: 'docker.io/library/alpine:3.20', platform: 'linux/amd64', digest: 'sha256:' + '1'.repeat(64), manifestDigest: 'sha256:' + '2'.repeat(64), compressedSize: 3_700_000, maxSize: null }] });
    h.close();
    const after = await census(file);
    assert.equal(after.integrity, 'ok');
    assert.deepEqual(after.runs, [
      { config: 'regsize.yaml', sizes: 2 },
      { config: 'regsize.yaml', sizes: 1 },
      { config: 'next', sizes: 1 },
    ]);
  });

  it('two runs writing at once are both recorded, every run whole', async function () {
    const file = join(dir, 'history.db');
    const runs = 15;
    // Both open the file before either writes: each holds a stale copy when it records.
    const a = startWriter([file, 'a', String(runs), 'wait']);
    const b = startWriter([file, 'b', String(runs), 'wait']);
    children.push(a.child, b.child);
    await Promise.all([a.line((l) => l === 'open'), b.line((l) => l === 'open')]);
    a.child.stdin?.end('go\n');
    b.child.stdin?.end('go\n');
    const [[codeA], [codeB]] = await Promise.all([once(a.child, 'exit'), once(b.child, 'exit')]);
    assert.deepEqual([codeA, codeB], [0, 0]);
    const { integrity, runs: stored } = await census(file);
    assert.equal(integrity, 'ok');
    assert.equal(stored.filter((r) => r.config.startsWith('a-')).length, runs);
    assert.equal(stored.filter((r) => r.config.startsWith('b-')).length, runs);
    assert.ok(stored.every((r) => r.sizes === 40), 'every run has all its images');
    assert.equal(existsSync(lockPath(file)), false, 'no lock left behind');
  });

  it('a writer killed with SIGKILL mid-write leaves a valid file with whole runs, and the next run records', async function () {
    const file = join(dir, 'history.db');
    // Large runs, so that most of the writer's time is spent inside the write.
    const w = startWriter([file, 'k', '100000', 'big']);
    children.push(w.child);
    await w.line((l) => l === 'recorded 4');
    w.child.kill('SIGKILL');
    await once(w.child, 'exit');
    const confirmed = w.lines.filter((l) => l.startsWith('recorded ')).length;

    const { integrity, runs } = await census(file);
    assert.equal(integrity, 'ok');
    // Every run it confirmed, and at most the one it was writing; each whole.
    assert.ok(runs.length === confirmed || runs.length === confirmed + 1, `${runs.length} runs for ${confirmed} confirmed`);
    assert.ok(runs.every((r) => r.sizes === 2000));

    // Its lock, if it died holding it, names a pid that is gone: the next writer takes it over.
    const h = await History.open(file, { create: true, lock: { timeoutMs: 0 } });
    h.record(run(T0 + 999 * DAY, 'after'));
    h.close();
    assert.equal((await census(file)).runs.at(-1)?.config, 'after');
  });

  it('takes over a lock whose process is gone, without waiting', async function () {
    const file = join(dir, 'history.db');
    const dead = spawn(process.execPath, ['-e', '0']);
    await once(dead, 'exit');
    writeFileSync(lockPath(file), `${dead.pid} ${(await import('node:os')).hostname()}\n`);
    const release = acquireLock(file, { timeoutMs: 0, sleep: () => assert.fail('must not wait for a dead writer') });
    release();
    assert.equal(existsSync(lockPath(file)), false);
  });

  it('a lock that names nobody (its writer died between making and writing it) is waited for briefly, then taken over', function () {
    const file = join(dir, 'history.db');
    writeFileSync(lockPath(file), '');
    const made = statSync(lockPath(file)).mtimeMs;
    // Seen 100 ms after it was made: a live writer may still be about to write its line.
    let clock = made + 100;
    const slept: number[] = [];
    const release = acquireLock(file, { timeoutMs: 60_000, now: () => clock, sleep: (ms) => (slept.push(ms), (clock += ms)) });
    const waited = slept.reduce((s, ms) => s + ms, 0);
    assert.ok(waited > 0, 'not taken over at once');
    assert.ok(clock - made > EMPTY_LOCK_STALE_MS && clock - made <= EMPTY_LOCK_STALE_MS + 100, `taken over ${clock - made} ms after it was made`);
    assert.equal(readFileSync(lockPath(file), 'utf8'), `${process.pid} ${hostname()}\n`, 'the lock is ours, with our line in it');
    release();
    assert.deepEqual(readdirSync(dir), [], 'no lock, and no file of the lock-making left beside it');
  });

  it('a fresh lock that names nobody is not taken over: the wait ends with the busy error', function () {
    const file = join(dir, 'history.db');
    writeFileSync(lockPath(file), '');
    const made = statSync(lockPath(file)).mtimeMs;
    assert.throws(() => acquireLock(file, { timeoutMs: 0, now: () => made + 10 }), HistoryBusyError);
    assert.equal(readFileSync(lockPath(file), 'utf8'), '', 'left as it was');
  });

  it('a lock held by a live writer: waits its time, then says who holds it and records nothing', async function () {
    const file = join(dir, 'history.db');
    const h0 = await History.open(file);
    h0.record(run(T0, 'first'));
    h0.close();
    const before = readFileSync(file);
    const holder = startWriter([file, 'hold']);
    children.push(holder.child);
    await holder.line((l) => l === 'holding');

    let clock = 0;
    const slept: number[] = [];
    const h = await History.open(file, { create: true, lock: { timeoutMs: 5000, now: () => clock, sleep: (ms) => (slept.push(ms), (clock += ms)) } });
    assert.equal(h.previous('docker.io/library/app:1', 'linux/amd64', T0 + 1)?.compressedSize, 1000, 'a held history can still be read');
    assert.throws(
      () => h.record(run(T0 + DAY, 'second')),
      (e: unknown) =>
        e instanceof HistoryBusyError &&
        isRegsizeError(e) &&
        e.message.includes(`locked by pid ${holder.child.pid} on `) &&
        e.message.includes(`${file}.lock`) &&
        e.message.includes('this run was not recorded') &&
        !e.message.includes('\n'),
    );
    h.close();
    assert.equal(slept.reduce((s, ms) => s + ms, 0), 5000, 'waited the whole timeout, by the injected clock');
    assert.deepEqual(readFileSync(file), before, 'the file is untouched');
  });
});

function run(at: number, config: string): RunRecord {
  return { at, config, platform: 'linux/amd64', entries: [{ image: 'docker.io/library/app:1', platform: 'linux/amd64', digest: 'sha256:' + 'a'.repeat(64), manifestDigest: 'sha256:' + 'b'.repeat(64), compressedSize: 1000, maxSize: null }] };
}
