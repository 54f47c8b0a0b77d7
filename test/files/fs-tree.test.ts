/**
 * FsTree (src/files/fs-tree.ts): the final filesystem's nodes in typed arrays, one per path
 * id: set, find, remove a subtree, and the walks the views are drawn from.
 */
import assert from 'node:assert/strict';
import { FsTree, type NodeType } from '../../src/files/fs-tree.js';

function put(t: FsTree, path: string, type: NodeType, size: number, layer: number): number {
  const names = path.split('/').filter(Boolean);
  let id = t.root;
  names.forEach((name, i) => {
    id = t.paths.intern(id, name);
    if (i < names.length - 1 && !t.has(id)) t.set(id, 'dir', 0, layer);
  });
  t.set(id, type, size, layer);
  return id;
}

describe('files/fs-tree', () => {
  it('holds each node\'s type, size and layer, and finds it by path', () => {
    const t = new FsTree(0);
    const id = put(t, '/usr/bin/python3', 'file', 5_000_000, 2);
    put(t, '/usr/bin/python', 'symlink', 0, 3);
    assert.equal(t.find('/usr/bin/python3'), id);
    assert.equal(t.find('usr//bin/python3/'), id);
    assert.equal(t.typeOf(id), 'file');
    assert.equal(t.sizeOf(id), 5_000_000);
    assert.equal(t.layerOf(id), 2);
    assert.equal(t.typeOf(t.find('/usr/bin/python') ?? -1), 'symlink');
    assert.ok(t.isDir(t.find('/usr') ?? -1));
    assert.equal(t.find('/usr/sbin'), undefined);
    assert.equal(t.layerOf(t.root), 0);
  });

  it('removes a folder with everything under it, and a path written again keeps its id', () => {
    const t = new FsTree(0);
    const cache = put(t, '/root/.cache/pip/wheel.whl', 'file', 100, 1);
    put(t, '/root/.cache/pip/http/x', 'file', 50, 1);
    put(t, '/root/keep', 'file', 7, 1);
    const pip = t.find('/root/.cache/pip') ?? -1;
    t.remove(pip);
    assert.equal(t.find('/root/.cache/pip'), undefined);
    assert.equal(t.find('/root/.cache/pip/http/x'), undefined);
    assert.ok(t.has(t.find('/root/keep') ?? -1));
    assert.equal(put(t, '/root/.cache/pip/wheel.whl', 'file', 10, 4), cache);
    assert.equal(t.sizeOf(cache), 10);
    assert.equal(t.find('/root/.cache/pip/http'), undefined);
  });

  it('walks files depth first in the order written, and all nodes parents first with their paths', () => {
    const t = new FsTree(0);
    put(t, '/b/one', 'file', 1, 1);
    put(t, '/a/two', 'file', 2, 1);
    put(t, '/b/c/three', 'file', 3, 2);
    put(t, '/b/d', 'dir', 0, 2);
    assert.deepEqual([...t.files(t.root)].map((id) => t.paths.pathOf(id)), ['/b/one', '/b/c/three', '/a/two']);
    assert.deepEqual([...t.files(t.find('/b') ?? -1)].map((id) => t.sizeOf(id)), [1, 3]);
    const all = [...t.all()].map(([path]) => path);
    assert.deepEqual(all, ['/', '/b', '/b/one', '/b/c', '/b/c/three', '/b/d', '/a', '/a/two']);
    for (const [path, id] of t.all()) assert.equal(t.paths.pathOf(id), path);
    t.remove(t.find('/b/c') ?? -1);
    assert.deepEqual([...t.files(t.root)].map((id) => t.paths.pathOf(id)), ['/b/one', '/a/two']);
  });
});
