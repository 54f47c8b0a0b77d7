/**
 * PathTable (src/files/path-table.ts): each path stored once as (parent id, name), ids that
 * never change, parents numbered below their children, full paths rebuilt on demand.
 */
import assert from 'node:assert/strict';
import { grown, PathTable } from '../../src/files/path-table.js';

describe('files/path-table', () => {
  it('gives a path the same id however often it is interned, and another parent another id', () => {
    const t = new PathTable();
    const usr = t.intern(PathTable.ROOT, 'usr');
    const lib = t.intern(usr, 'lib');
    assert.equal(t.intern(PathTable.ROOT, 'usr'), usr);
    assert.equal(t.intern(usr, 'lib'), lib);
    const otherLib = t.intern(t.intern(PathTable.ROOT, 'opt'), 'lib');
    assert.notEqual(otherLib, lib);
    assert.equal(t.child(usr, 'lib'), lib);
    assert.equal(t.child(usr, 'bin'), undefined);
    assert.equal(t.size, 5);
  });

  it('rebuilds each full path, with a parent numbered below its children', () => {
    const t = new PathTable();
    const paths = ['/usr/lib/python3.11/site-packages/pip/__init__.py', '/usr/lib/x', '/etc/apt/sources.list', '/a name with spaces/ü'];
    const ids = paths.map((p) => p.split('/').filter(Boolean).reduce((parent, name) => t.intern(parent, name), PathTable.ROOT));
    assert.deepEqual(ids.map((id) => t.pathOf(id)), paths);
    assert.equal(t.pathOf(PathTable.ROOT), '/');
    for (let id = 1; id < t.size; id++) assert.ok(t.parentOf(id) < id, `parent of ${t.pathOf(id)}`);
    assert.equal(t.parentOf(PathTable.ROOT), -1);
  });

  it('lists a folder\'s children in the order first seen', () => {
    const t = new PathTable();
    const etc = t.intern(PathTable.ROOT, 'etc');
    for (const n of ['passwd', 'apt', 'hosts']) t.intern(etc, n);
    t.intern(etc, 'apt');
    assert.deepEqual([...t.childrenOf(etc)].map((id) => t.nameOf(id)), ['passwd', 'apt', 'hosts']);
    assert.deepEqual([...t.childrenOf(t.intern(etc, 'hosts'))], []);
  });

  it('keeps every id and name past the first typed array (1024 paths)', () => {
    const t = new PathTable();
    const long = 'x'.repeat(40);
    const ids: number[] = [];
    for (let i = 0; i < 3000; i++) ids.push(t.intern(t.intern(PathTable.ROOT, `d${i % 7}`), `${long}-${i}`));
    ids.forEach((id, i) => assert.equal(t.pathOf(id), `/d${i % 7}/${long}-${i}`));
  });

  it('grown keeps the values and only grows when the index is past the end', () => {
    const a = Int32Array.from([1, 2, 3]);
    assert.equal(grown(a, 2, (n) => new Int32Array(n)), a);
    const b = grown(a, 3, (n) => new Int32Array(n));
    assert.ok(b.length >= 4);
    assert.deepEqual([...b.subarray(0, 3)], [1, 2, 3]);
    assert.ok(grown(a, 100, (n) => new Int32Array(n)).length >= 101);
  });
});
