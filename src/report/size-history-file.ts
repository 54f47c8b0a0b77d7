/**
 * The size history database's file on disk (see ./size-history-db.ts): read whole, replaced whole, one writer at a time.
 *
 * sql.js keeps the database in memory, so a write is a read-merge-write of the file:
 *   1. take the writer's lock, `<file>.lock`, created with O_EXCL and holding "pid host";
 *   2. read the file as it is now (another run may have recorded since this one opened it);
 *   3. apply this run's rows to that copy;
 *   4. replace the file with util/atomic-write.ts's writeFileAtomicSync (a temp name beside it,
 *      O_EXCL, fsync, rename, fsync the folder), following a symlink to the real file;
 *   5. drop the lock.
 * Readers take no lock: a rename is atomic, so they see the old file or the new one, whole.
 * A writer killed at any step leaves the old file or the new one, never a torn page; its lock
 * is stale once its pid is gone, and the next writer on the same host takes it over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
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
    try {
      const fd = openSync(lock, 'wx', 0o600);
      try {
        writeSync(fd, mine);
      } finally {
        closeSync(fd);
      }
      return () => {
        // Only our own lock: a lock taken over as stale is someone else's now.
        if (readHolder(lock) === mine) rmSync(lock, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = readHolder(lock);
    if (holder !== undefined && isStale(holder)) {
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

/** A lock of this host whose process is gone. A lock from another host is never taken over. */
function isStale(holder: string): boolean {
  const [pid, host] = holder.trim().split(' ');
  if (host !== os.hostname() || !/^\d+$/.test(pid ?? '')) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
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
