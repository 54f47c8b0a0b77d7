/** SQLite as WebAssembly (src/report/sqlite.ts): loaded once, and a working database. */
import assert from 'node:assert/strict';
import { loadSqlite } from '../../src/report/sqlite.js';

describe('sqlite loader', function () {
  it('loads the module once and runs SQL', async function () {
    const [a, b] = await Promise.all([loadSqlite(), loadSqlite()]);
    assert.equal(a, b, 'one module for every caller');
    const db = new a.Database();
    try {
      db.exec('CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (40), (2);');
      assert.equal(db.exec('SELECT sum(n) FROM t')[0]?.values[0]?.[0], 42);
      // The file format better-sqlite3 wrote: the standard header.
      assert.equal(Buffer.from(db.export().subarray(0, 16)).toString('latin1'), 'SQLite format 3\0');
    } finally {
      db.close();
    }
  });
});
