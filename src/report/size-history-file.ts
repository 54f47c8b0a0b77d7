/**
 * The size history database's file on disk (see ./size-history-db.ts): read whole, replaced whole, one writer at a time.
 *
 * sql.js keeps the database in memory, so a write is a read-merge-write of the file:
 *   1. take the writer's lock, `<file>.lock`, holding "pid host": written under a name of this
 *      process's own, then hard-linked to the lock's name (link fails if it exists, as O_EXCL
 *      does), so the lock never exists empty. Created empty and then written, a writer killed
 *      between the two left a lock naming nobody, which no one could take over;
 *   2. read the file as it is now (another run may have recorded since this one opened it);
 *   3. apply this run's rows to that copy;
 *   4. replace the file with util/atomic-write.ts's writeFileAtomicSync (a temp name beside it,
 *      O_EXCL, fsync, rename, fsync the folder), following a symlink to the real file;
 *   5. drop the lock.
 * Readers take no lock: a rename is atomic, so they see the old file or the new one, whole.
 * A writer killed at any step leaves the old file or the new one, never a torn page; its lock
 * is stale once its pid is gone, and the next writer on the same host takes it over.
 */
import { closeSync, linkSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import os from 'node:os';
import { RegsizeError } from '../errors.js';

/**
 * The history is held by another writer for longer than the wait: this run is not recorded.
 * (The report itself is still written: see runReport's step 4.)
 */
export class HistoryBusyError extends RegsizeError {
  constructor(message: string) {
    super('INVALID_INPUT', message);
    this.name = 'HistoryBusyError';
  }
}

export interface LockOptions {
  /** How long to wait for another writer. @default lockWait.timeoutMs */
  timeoutMs?: number;
  /** @default a blocking sleep (the write is synchronous, at the end of the run) */
  sleep?: (ms: number) => void;
  /** @default Date.now */
  now?: () => number;
}

const POLL_MS = 25;

/**
 * How long a writer waits for another when its caller does not say: 5 s, where a report's write
 * takes milliseconds. An object, not a constant, so that a test of a whole command run can
 * shorten the wait (test/report/history-damaged.test.ts); nothing in regsize writes it.
 */
export const lockWait = { timeoutMs: 5000 };

export function lockPath(file: string): string {
  return `${file}.lock`;
}

/** Takes the writer's lock of `file`, waiting for another writer; returns its release. */
export function acquireLock(file: string, o: LockOptions = {}): () => void {
  const lock = lockPath(file);
  const timeoutMs = o.timeoutMs ?? lockWait.timeoutMs;
  const sleep = o.sleep ?? sleepSync;
  const now = o.now ?? Date.now;
  const mine = `${process.pid} ${os.hostname()}\n`;
  const start = now();
  for (;;) {
    if (createLock(lock, mine)) {
      return () => {
        // Only our own lock: a lock taken over as stale is someone else's now.
        if (readHolder(lock) === mine) rmSync(lock, { force: true });
      };
    }
    const holder = readHolder(lock);
    if (holder !== undefined && isStale(holder, lock, now)) {
      rmSync(lock, { force: true });
      continue;
    }
    if (now() - start >= timeoutMs) {
      const who = holder?.trim() ? `pid ${holder.trim().replace(' ', ' on ')}` : 'another process';
      throw new HistoryBusyError(
        `the history database ${file} is locked by ${who} (lock file ${lock}) for over ${Math.round(timeoutMs / 1000)} s: this run was not recorded; if no regsize is running, remove ${lock}`,
      );
    }
    sleep(POLL_MS);
  }
}

function readHolder(lock: string): string | undefined {
  try {
    return readFileSync(lock, 'utf8').slice(0, 300);
  } catch {
    return undefined;
  }
}

/**
 * Makes `lock` holding `content`, whole, or answers false when it exists. A file system without
 * hard links (some network and FAT mounts) gets O_EXCL and a write, with the brief empty window
 * that isStale allows for. A writer killed between writing its own file and removing it leaves
 * `<lock>.<pid>` (one line, never read by anyone); that window is two system calls long.
 */
function createLock(lock: string, content: string): boolean {
  const own = `${lock}.${process.pid}`;
  try {
    writeExclusive(own, content, 'w');
    linkSync(own, lock);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
  } finally {
    rmSync(own, { force: true });
  }
  try {
    writeExclusive(lock, content, 'wx');
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

function writeExclusive(file: string, content: string, flags: 'w' | 'wx'): void {
  const fd = openSync(file, flags, 0o600);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
}

/**
 * A writer writes its line within microseconds of making the lock; a lock still empty after
 * this long was left by a writer that died in between (an older regsize, or the no-link path).
 */
export const EMPTY_LOCK_STALE_MS = 2000;

/**
 * A lock of this host whose process is gone, or one that names nobody and has for a while. A
 * lock from another host is never taken over.
 */
function isStale(holder: string, lock: string, now: () => number): boolean {
  if (holder.trim() === '') return lockAge(lock, now) > EMPTY_LOCK_STALE_MS;
  const [pid, host] = holder.trim().split(' ');
  if (host !== os.hostname() || !/^\d+$/.test(pid ?? '')) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function lockAge(lock: string, now: () => number): number {
  try {
    return now() - statSync(lock).mtimeMs;
  } catch {
    return 0;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The file's bytes, or undefined when there is none. */
export function readIfExists(file: string): Uint8Array | undefined {
  try {
    return readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
