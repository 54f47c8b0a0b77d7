/**
 * The size history's file format (src/report/size-history-schema.ts): what is refused before a
 * file is used, and the schema a new or old file is given.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRegsizeError } from '../../src/errors.js';
import { History } from '../../src/report/size-history-db.js';
import { loadDatabase, SCHEMA_VERSION } from '../../src/report/size-history-schema.js';
import { loadSqlite } from '../../src/report/sqlite.js';

describe('size history file format', function () {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'regsize-history-schema-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a file that is not a history, and one from a newer regsize', async function () {
    const junk = join(dir, 'notes.txt');
    writeFileSync(junk, 'these are not the bytes of a SQLite database, not even close to it.\n'.repeat(20));
    await assert.rejects(History.open(junk), (e: unknown) => isRegsizeError(e) && e.code === 'INVALID_INPUT' && e.message.startsWith(`${junk} is not a regsize history database`));

    const newer = join(dir, 'newer.db');
    const sqlite = await loadSqlite();
    const db = new sqlite.Database();
    db.exec('PRAGMA user_version = 99');
    writeFileSync(newer, db.export());
    db.close();
    await assert.rejects(History.open(newer), /written by a newer regsize \(schema 99/);

    await assert.rejects(History.open(join(dir, 'missing.db'), { create: false }), /no history database at .*missing\.db: run regsize report first/);
    assert.equal(existsSync(join(dir, 'missing.db')), false, 'reading must not create the file');
  });
  it('gives a new database the schema and its version, and leaves an up-to-date one as it is', async function () {
    const sqlite = await loadSqlite();
    const db = loadDatabase(sqlite, undefined, 'new');
    const version = db.exec('PRAGMA user_version')[0]?.values[0]?.[0];
    assert.equal(version, SCHEMA_VERSION);
    const tables = db.exec("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")[0]?.values.map((r) => r[0]);
    assert.deepEqual(tables, ['repositories', 'runs', 'sizes']);
    db.run("INSERT INTO runs (at, config, platform) VALUES (1, 'c', 'linux/amd64')");
    const again = loadDatabase(sqlite, db.export(), 'again');
    assert.equal(again.exec('SELECT count(*) FROM runs')[0]?.values[0]?.[0], 1);
    db.close();
    again.close();
  });

  it('names the file and keeps control characters out of a message quoting SQLite', async function () {
    const sqlite = await loadSqlite();
    // A valid header, then nothing SQLite can read.
    const bytes = Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(200, 0x1b)]);
    assert.throws(
      () => loadDatabase(sqlite, bytes, 'odd.db'),
      (e: unknown) => isRegsizeError(e) && e.code === 'INVALID_INPUT' && e.message.includes('odd.db') && ![...e.message].some((c) => c.charCodeAt(0) < 0x20),
    );
  });
});
