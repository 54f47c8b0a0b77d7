/**
 * "History" means four things in regsize; this file is the second:
 *   1. an image's build history, the Dockerfile steps in its config (src/sizing/, `layers`);
 *   2. the size history database: every `regsize report` run and what it measured, in SQLite
 *      (this file; its format in ./size-history-schema.ts, its file on disk in
 *      ./size-history-file.ts);
 *   3. `regsize report history IMAGE`, the command that reads it (commands/report/history.ts);
 *   4. an image's timeline, the points that command shows (./timeline.ts, rendered by
 *      src/render/report-history.ts).
 *
 * The size history of report runs: an SQLite database, one file that a cron job keeps on disk, a CI
 * job keeps as a cache or artifact, a CronJob keeps on a volume. Every run is a row of `runs`;
 * every image it sized is a row of `sizes`, keyed by the image's normalised name
 * (docker.io/library/python:3.12-slim) and platform.
 *
 * SQLite runs as WebAssembly (./sqlite.ts) on an in-memory copy of the file; a run's record is
 * merged into the file as it is at that moment, under a lock (./size-history-file.ts). Files written
 * by earlier regsize versions (better-sqlite3, the same schema) are read as they are.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Database, SqlJsStatic, SqlValue } from 'sql.js';
import { UsageError } from '../errors.js';
import { FIX, loadDatabase } from './size-history-schema.js';
import { writeFileAtomicSync } from '../util/atomic-write.js';
import { acquireLock, type LockOptions, readIfExists } from './size-history-file.js';
import { loadSqlite } from './sqlite.js';

export interface StoredPoint {
  /** ms since the epoch */
  at: number;
  image: string;
  platform: string;
  digest: string;
  manifestDigest: string;
  compressedSize: number;
  maxSize: number | null;
}

export interface StoredRepository {
  /** See repositoryKey. */
  repository: string;
  uniqueSize: number | null;
  totalSize: number;
  imageCount: number;
}

export interface RunRecord {
  at: number;
  config: string;
  platform: string;
  entries: Omit<StoredPoint, 'at'>[];
  repositories?: StoredRepository[];
}

/** The history key of an ECR repository: one name per registry, region and repository. */
export function repositoryKey(r: { registryId: string | null; region: string; repositoryName: string }): string {
  return `${r.registryId ?? 'default'}/${r.region}/${r.repositoryName}`;
}

export { defaultHistoryPath } from '../paths.js';

interface Row {
  at: number;
  image: string;
  platform: string;
  digest: string;
  manifest_digest: string;
  compressed_size: number;
  max_size: number | null;
}

const POINT_COLUMNS = 'r.at AS at, s.image, s.platform, s.digest, s.manifest_digest, s.compressed_size, s.max_size';

function toPoint(r: Row): StoredPoint {
  return { at: r.at, image: r.image, platform: r.platform, digest: r.digest, manifestDigest: r.manifest_digest, compressedSize: r.compressed_size, maxSize: r.max_size };
}

export interface OpenOptions {
  /** Create the file (and its folder) if it is missing; false for readers. */
  create: boolean;
  /** How a record waits for another writer. */
  lock?: LockOptions;
}

export class History {
  private closed = false;

  private constructor(
    readonly path: string,
    private db: Database,
    private readonly sqlite: SqlJsStatic,
    private readonly lock: LockOptions,
  ) {}

  /**
   * Opens (creating when `create`) the database at `file`; ":memory:" for a throwaway one.
   * A file that is not a regsize history, or is damaged, is refused with a message naming it
   * and saying what to do (exit 2). Opening takes no lock: a busy history can still be read.
   */
  static async open(file: string, options: OpenOptions = { create: true }): Promise<History> {
    const sqlite = await loadSqlite();
    if (file === ':memory:') return new History(file, loadDatabase(sqlite, undefined, 'an in-memory database'), sqlite, {});
    let bytes: Uint8Array | undefined;
    try {
      if (options.create) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      bytes = readIfExists(file);
    } catch (e) {
      throw new UsageError('INVALID_INPUT', `cannot open the history database ${file}: ${(e as Error).message} (${FIX})`);
    }
    if (bytes === undefined && !options.create) throw new UsageError('INVALID_INPUT', `no history database at ${file}: run regsize report first, or pass --history FILE`);
    return new History(file, loadDatabase(sqlite, bytes, file), sqlite, options.lock ?? {});
  }

  /** The latest measurement of an image taken before `beforeMs`. */
  previous(image: string, platform: string, beforeMs: number): StoredPoint | undefined {
    const row = this.get<Row>(
      `SELECT ${POINT_COLUMNS} FROM sizes s JOIN runs r ON r.id = s.run_id WHERE s.image = ? AND s.platform = ? AND r.at < ? ORDER BY r.at DESC, r.id DESC LIMIT 1`,
      [image, platform, beforeMs],
    );
    return row && toPoint(row);
  }

  /**
   * The baseline of a "since" comparison: the latest measurement at or before `cutoffMs`, or,
   * when the history does not reach back that far, the oldest one before `beforeMs`.
   */
  baseline(image: string, platform: string, cutoffMs: number, beforeMs: number): StoredPoint | undefined {
    const q = (where: string, order: string) => `SELECT ${POINT_COLUMNS} FROM sizes s JOIN runs r ON r.id = s.run_id WHERE s.image = ? AND s.platform = ? AND ${where} ORDER BY ${order} LIMIT 1`;
    const row =
      this.get<Row>(q('r.at <= ? AND r.at < ?', 'r.at DESC, r.id DESC'), [image, platform, cutoffMs, beforeMs]) ??
      this.get<Row>(q('r.at < ?', 'r.at ASC, r.id ASC'), [image, platform, beforeMs]);
    return row && toPoint(row);
  }

  /** Measurements of an image from `fromMs` on (all platforms unless one is given), oldest first. */
  series(image: string, platform?: string, fromMs = -Infinity, beforeMs = Infinity): StoredPoint[] {
    return this.all<Row>(
      `SELECT ${POINT_COLUMNS} FROM sizes s JOIN runs r ON r.id = s.run_id WHERE s.image = ? ${platform === undefined ? '' : 'AND s.platform = ?'} AND r.at >= ? AND r.at < ? ORDER BY r.at ASC, r.id ASC, s.platform ASC`,
      [...(platform === undefined ? [image] : [image, platform]), finite(fromMs), finite(beforeMs)],
    ).map(toPoint);
  }

  /** The latest record of a repository before `beforeMs`. */
  previousRepository(repository: string, beforeMs: number): (StoredRepository & { at: number }) | undefined {
    return this.get<StoredRepository & { at: number }>(
      'SELECT r.at AS at, p.repository, p.unique_size AS uniqueSize, p.total_size AS totalSize, p.image_count AS imageCount FROM repositories p JOIN runs r ON r.id = p.run_id WHERE p.repository = ? AND r.at < ? ORDER BY r.at DESC, r.id DESC LIMIT 1',
      [repository, beforeMs],
    );
  }

  /** When the last run before `beforeMs` started, if any. */
  lastRunBefore(beforeMs: number): number | undefined {
    return this.get<{ at: number | null }>('SELECT max(at) AS at FROM runs WHERE at < ?', [beforeMs])?.at ?? undefined;
  }

  /** Every image the history holds, with how often and when it was last measured. */
  images(): { image: string; platform: string; count: number; lastAt: number }[] {
    return this.all(
      'SELECT s.image AS image, s.platform AS platform, count(*) AS count, max(r.at) AS lastAt FROM sizes s JOIN runs r ON r.id = s.run_id GROUP BY s.image, s.platform ORDER BY s.image, s.platform',
      [],
    );
  }

  /**
   * Stores one run and its measurements atomically, merged into the file as it is now (the
   * steps are in ./size-history-file.ts). Throws HistoryBusyError when another writer holds the file
   * for longer than the lock's wait.
   */
  record(run: RunRecord): void {
    if (this.path === ':memory:') {
      insertRun(this.db, run);
      return;
    }
    const release = acquireLock(this.path, this.lock);
    try {
      const current = loadDatabase(this.sqlite, readIfExists(this.path), this.path);
      try {
        insertRun(current, run);
        writeFileAtomicSync(this.path, current.export(), { followSymlink: true });
      } catch (e) {
        current.close();
        throw e;
      }
      this.db.close();
      this.db = current;
    } finally {
      release();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private get<T>(sql: string, params: SqlValue[]): T | undefined {
    const st = this.db.prepare(sql);
    try {
      st.bind(params);
      return st.step() ? (st.getAsObject() as T) : undefined;
    } finally {
      st.free();
    }
  }

  private all<T>(sql: string, params: SqlValue[]): T[] {
    const st = this.db.prepare(sql);
    try {
      st.bind(params);
      const rows: T[] = [];
      while (st.step()) rows.push(st.getAsObject() as T);
      return rows;
    } finally {
      st.free();
    }
  }
}

function insertRun(db: Database, run: RunRecord): void {
  db.exec('BEGIN');
  try {
    db.run('INSERT INTO runs (at, config, platform) VALUES (?, ?, ?)', [run.at, run.config, run.platform]);
    const id = Number(db.exec('SELECT last_insert_rowid()')[0]?.values[0]?.[0]);
    const size = db.prepare('INSERT OR REPLACE INTO sizes (run_id, image, platform, digest, manifest_digest, compressed_size, max_size) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const repo = db.prepare('INSERT OR REPLACE INTO repositories (run_id, repository, unique_size, total_size, image_count) VALUES (?, ?, ?, ?, ?)');
    try {
      for (const e of run.entries) size.run([id, e.image, e.platform, e.digest, e.manifestDigest, e.compressedSize, e.maxSize]);
      for (const r of run.repositories ?? []) repo.run([id, r.repository, r.uniqueSize, r.totalSize, r.imageCount]);
    } finally {
      size.free();
      repo.free();
    }
    db.exec('COMMIT');
  } catch (e) {
    db.exec('ROLLBACK');
    throw e;
  }
}

/** SQLite has no infinities; the widest integers it compares with stand in for them. */
function finite(ms: number): number {
  return ms === Infinity ? Number.MAX_SAFE_INTEGER : ms === -Infinity ? Number.MIN_SAFE_INTEGER : ms;
}
