/**
 * The file format of the size history database (see ./size-history-db.ts): its schema and
 * version, and the checks a file passes before it is used (an SQLite file, intact, a schema this
 * regsize knows), with the messages that say what to do when it does not.
 */
import type { Database, SqlJsStatic } from 'sql.js';
import { RegsizeError, UsageError } from '../errors.js';

/** Version of the schema below; a database from a newer regsize is refused, not mangled. */
export const SCHEMA_VERSION = 1;

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

export const FIX = 'pass another --history FILE, or --no-history';

/** The first 16 bytes of every SQLite database file. */
const HEADER = 'SQLite format 3\0';

/** An in-memory database from the file's bytes (none: a new history), checked and migrated. */
export function loadDatabase(sqlite: SqlJsStatic, bytes: Uint8Array | undefined, where: string): Database {
  const empty = bytes === undefined || bytes.length === 0;
  if (!empty && Buffer.from(bytes.subarray(0, HEADER.length)).toString('latin1') !== HEADER) {
    throw new UsageError('INVALID_INPUT', `${where} is not a regsize history database (it is not an SQLite file): ${FIX}`);
  }
  const db = new sqlite.Database(empty ? undefined : bytes);
  try {
    checkIntact(db, where);
    migrate(db, where);
  } catch (e) {
    db.close();
    if (e instanceof RegsizeError) throw e;
    throw new UsageError('INVALID_INPUT', `cannot use the history database ${where}: ${printable((e as Error).message)} (${FIX})`);
  }
  return db;
}

/**
 * A file with a valid header and damaged pages reads until a query reaches the damage; check it
 * all at open (quick_check reads every page, a few ms for years of history), and say where.
 * Refused (exit 2) rather than skipped: a report without its history would lose its changes and
 * alerts quietly, and the next run would record into a file that is still broken.
 */
function checkIntact(db: Database, where: string): void {
  let problem: string;
  try {
    problem = String(db.exec('PRAGMA quick_check(1)')[0]?.values[0]?.[0] ?? 'ok');
  } catch (e) {
    problem = (e as Error).message;
  }
  if (problem === 'ok') return;
  throw new UsageError(
    'INVALID_INPUT', `the history database ${where} is damaged (SQLite: ${printable(problem)}): move it aside (mv ${where} ${where}.damaged) to start a new history, or restore it from a backup, or pass --no-history`,
  );
}

function migrate(db: Database, where: string): void {
  const version = Number(db.exec('PRAGMA user_version')[0]?.values[0]?.[0] ?? 0);
  if (version > SCHEMA_VERSION) {
    throw new UsageError('INVALID_INPUT', `the history database ${where} was written by a newer regsize (schema ${version}, this one knows ${SCHEMA_VERSION}): upgrade regsize or ${FIX}`);
  }
  if (version < SCHEMA_VERSION) {
    db.exec(SCHEMA);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
  }
  db.exec('PRAGMA foreign_keys = ON');
}

/** SQLite's messages may quote text from the damaged file: one line, no control characters. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim().slice(0, 200);
}
