/**
 * The history of report runs: an embedded SQLite database (better-sqlite3), one file that a
 * cron job keeps on disk, a CI job keeps as a cache or artifact, a CronJob keeps on a volume.
 * Every run is a row of `runs`; every image it sized is a row of `sizes`, keyed by the image's
 * normalised name (docker.io/library/python:3.12-slim) and platform.
 *
 * better-sqlite3 is a native module: it is imported only when a history is opened, so commands
 * that never touch the history (and `regsize --version`) do not pay for loading it.
 */
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { RegsizeError, UsageError } from '../errors.js';

/** Version of the schema below; a database from a newer regsize is refused, not mangled. */
const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,          -- ms since the epoch, UTC: when the run started
  config TEXT NOT NULL,
  platform TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sizes (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  image TEXT NOT NULL,          -- normalised reference, as ImageEntry.name
  platform TEXT NOT NULL,
  digest TEXT NOT NULL,         -- what the tag resolved to (an index or the image)
  manifest_digest TEXT NOT NULL,-- the platform's image manifest
  compressed_size INTEGER NOT NULL,
  max_size INTEGER,             -- the budget it was held to, if any
  PRIMARY KEY (run_id, image, platform)
);
CREATE INDEX IF NOT EXISTS sizes_by_image ON sizes (image, platform, run_id);
CREATE TABLE IF NOT EXISTS repositories (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  repository TEXT NOT NULL,     -- ECR: <account or "default">/<region>/<name>
  unique_size INTEGER,          -- stored bytes, each layer once; NULL when layers were not read
  total_size INTEGER NOT NULL,
  image_count INTEGER NOT NULL,
  PRIMARY KEY (run_id, repository)
);
CREATE INDEX IF NOT EXISTS runs_by_time ON runs (at);
`;

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

/** `$XDG_DATA_HOME/regsize/history.db`, else `~/.local/share/regsize/history.db`. */
export function defaultHistoryPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(env.HOME || os.homedir(), '.local', 'share');
  return path.join(base, 'regsize', 'history.db');
}

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

export class History {
  private constructor(
    readonly path: string,
    private readonly db: BetterSqlite3.Database,
  ) {}

  /**
   * Opens (creating when `create`) the database at `file`; ":memory:" for a throwaway one.
   * A file that is not a regsize history is refused with a message naming it (exit 2).
   */
  static async open(file: string, options: { create: boolean } = { create: true }): Promise<History> {
    const { default: Database } = await import('better-sqlite3');
    const where = file === ':memory:' ? 'an in-memory database' : file;
    const fix = 'pass another --history FILE, or --no-history';
    let db: BetterSqlite3.Database;
    try {
      if (options.create && file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      db = new Database(file, { fileMustExist: !options.create });
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (!options.create && code === 'SQLITE_CANTOPEN') {
        throw new UsageError(`no history database at ${file}: run regsize report first, or pass --history FILE`);
      }
      throw new UsageError(`cannot open the history database ${where}: ${(e as Error).message} (${fix})`);
    }
    try {
      // Two scheduled runs may overlap: wait for the other's write rather than fail.
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) {
        throw new UsageError(`the history database ${where} was written by a newer regsize (schema ${version}, this one knows ${SCHEMA_VERSION}): upgrade regsize or ${fix}`);
      }
      if (version < SCHEMA_VERSION) {
        db.exec(SCHEMA);
        db.pragma(`user_version = ${SCHEMA_VERSION}`);
      }
    } catch (e) {
      db.close();
      if (e instanceof RegsizeError) throw e;
      const code = (e as { code?: string }).code;
      if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') throw new UsageError(`${where} is not a regsize history database (${(e as Error).message}): ${fix}`);
      throw new UsageError(`cannot use the history database ${where}: ${(e as Error).message} (${fix})`);
    }
    return new History(file, db);
  }

  /** The latest measurement of an image taken before `beforeMs`. */
  previous(image: string, platform: string, beforeMs: number): StoredPoint | undefined {
    const row = this.db
      .prepare(`SELECT ${POINT_COLUMNS} FROM sizes s JOIN runs r ON r.id = s.run_id WHERE s.image = ? AND s.platform = ? AND r.at < ? ORDER BY r.at DESC, r.id DESC LIMIT 1`)
      .get(image, platform, beforeMs) as Row | undefined;
    return row && toPoint(row);
  }

  /**
   * The baseline of a "since" comparison: the latest measurement at or before `cutoffMs`, or,
   * when the history does not reach back that far, the oldest one before `beforeMs`.
   */
  baseline(image: string, platform: string, cutoffMs: number, beforeMs: number): StoredPoint | undefined {
    const q = (where: string, order: string) =>
      this.db.prepare(`SELECT ${POINT_COLUMNS} FROM sizes s JOIN runs r ON r.id = s.run_id WHERE s.image = ? AND s.platform = ? AND ${where} ORDER BY ${order} LIMIT 1`);
    const row = (q('r.at <= ? AND r.at < ?', 'r.at DESC, r.id DESC').get(image, platform, cutoffMs, beforeMs) ??
      q('r.at < ?', 'r.at ASC, r.id ASC').get(image, platform, beforeMs)) as Row | undefined;
    return row && toPoint(row);
  }

  /** Measurements of an image from `fromMs` on (all platforms unless one is given), oldest first. */
  series(image: string, platform?: string, fromMs = -Infinity, beforeMs = Infinity): StoredPoint[] {
    const rows = this.db
      .prepare(
        `SELECT ${POINT_COLUMNS} FROM sizes s JOIN runs r ON r.id = s.run_id WHERE s.image = ? ${platform === undefined ? '' : 'AND s.platform = ?'} AND r.at >= ? AND r.at < ? ORDER BY r.at ASC, r.id ASC, s.platform ASC`,
      )
      .all(...(platform === undefined ? [image] : [image, platform]), finite(fromMs), finite(beforeMs)) as Row[];
    return rows.map(toPoint);
  }

  /** The latest record of a repository before `beforeMs`. */
  previousRepository(repository: string, beforeMs: number): (StoredRepository & { at: number }) | undefined {
    const row = this.db
      .prepare(
        'SELECT r.at AS at, p.repository, p.unique_size AS uniqueSize, p.total_size AS totalSize, p.image_count AS imageCount FROM repositories p JOIN runs r ON r.id = p.run_id WHERE p.repository = ? AND r.at < ? ORDER BY r.at DESC, r.id DESC LIMIT 1',
      )
      .get(repository, beforeMs) as (StoredRepository & { at: number }) | undefined;
    return row;
  }

  /** When the last run before `beforeMs` started, if any. */
  lastRunBefore(beforeMs: number): number | undefined {
    const row = this.db.prepare('SELECT max(at) AS at FROM runs WHERE at < ?').get(beforeMs) as { at: number | null };
    return row.at ?? undefined;
  }

  /** Every image the history holds, with how often and when it was last measured. */
  images(): { image: string; platform: string; count: number; lastAt: number }[] {
    return this.db
      .prepare('SELECT s.image AS image, s.platform AS platform, count(*) AS count, max(r.at) AS lastAt FROM sizes s JOIN runs r ON r.id = s.run_id GROUP BY s.image, s.platform ORDER BY s.image, s.platform')
      .all() as { image: string; platform: string; count: number; lastAt: number }[];
  }

  /** Stores one run and its measurements atomically. */
  record(run: RunRecord): void {
    const insertRun = this.db.prepare('INSERT INTO runs (at, config, platform) VALUES (?, ?, ?)');
    const insertSize = this.db.prepare(
      'INSERT OR REPLACE INTO sizes (run_id, image, platform, digest, manifest_digest, compressed_size, max_size) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const insertRepo = this.db.prepare('INSERT OR REPLACE INTO repositories (run_id, repository, unique_size, total_size, image_count) VALUES (?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      const id = insertRun.run(run.at, run.config, run.platform).lastInsertRowid;
      for (const e of run.entries) insertSize.run(id, e.image, e.platform, e.digest, e.manifestDigest, e.compressedSize, e.maxSize);
      for (const r of run.repositories ?? []) insertRepo.run(id, r.repository, r.uniqueSize, r.totalSize, r.imageCount);
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** SQLite has no infinities; the widest integers it compares with stand in for them. */
function finite(ms: number): number {
  return ms === Infinity ? Number.MAX_SAFE_INTEGER : ms === -Infinity ? Number.MIN_SAFE_INTEGER : ms;
}
