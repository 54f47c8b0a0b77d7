/**
 * Stacking listings into the final filesystem (whiteouts, opaque folders, what a later layer
 * replaces), and rendering registry text safely. Listings are written out by hand, so
 * every expected figure is the sum of the sizes given here.
 */
import assert from 'node:assert/strict';
import { buildFilesystem, directorySizes, largestFiles } from '../../src/files/filesystem.js';
import { EntryList } from '../../src/files/entry-list.js';
import { retainedPerItem } from './heap.js';
import type { LayerListing } from '../../src/files/tar-walk.js';
import type { ListedEntry } from '../../src/files/entry-list.js';
import { escapeMarkdown, printable, renderFiles } from '../../src/render/files.js';
import type { FilesResult } from '../../src/files/analyse.js';

const listing = (entries: ListedEntry[], packages: LayerListing['packages'] = []): LayerListing => ({ entries, packages, warnings: [], tarBytes: 0 });
const f = (path: string, size: number): ListedEntry => ({ path, type: 'file', size });

describe('files: the filesystem view', () => {
  it('a whited-out folder takes everything under it; a file replacing a folder wastes the folder', () => {
    const fs = buildFilesystem([
      { index: 0, listing: listing([f('/a/b/c', 10), f('/a/b/d', 20), f('/x/y', 5)]) },
      { index: 1, listing: listing([{ path: '/a/b', type: 'whiteout', size: 0 }, f('/x', 1)]) },
    ]);
    assert.deepEqual(
      fs.wasted.map((w) => [w.path, w.size, w.reason]),
      [
        ['/a/b/c', 10, 'deleted'],
        ['/a/b/d', 20, 'deleted'],
        ['/x/y', 5, 'overwritten'],
      ],
    );
    const dirs = directorySizes(fs.root);
    assert.equal(dirs.get('/'), 1);
    assert.equal(dirs.get('/a'), 0);
    assert.equal(fs.unresolvedRemovals, 0);
  });

  it('whiteouts apply to lower layers only: a file the same layer adds survives its folder\'s opaque marker', () => {
    const fs = buildFilesystem([
      { index: 0, listing: listing([f('/d/old', 3)]) },
      { index: 1, listing: listing([f('/d/new', 4), { path: '/d', type: 'opaque', size: 0 }]) },
    ]);
    assert.deepEqual(directorySizes(fs.root).get('/d'), 4);
    assert.deepEqual(fs.wasted.map((w) => w.path), ['/d/old']);
  });

  it('the largest files: by size, ties by path, with the layer that wrote each; folders and deleted files left out', () => {
    const fs = buildFilesystem([
      { index: 0, listing: listing([f('/z/big', 9), f('/m/three', 3), f('/b/three', 3), f('/gone', 50), f('/a/one', 1)]) },
      { index: 1, listing: listing([{ path: '/gone', type: 'whiteout', size: 0 }, f('/c/three', 3), { path: '/huge-dir', type: 'dir', size: 0 }]) },
    ]);
    assert.deepEqual(largestFiles(fs.root, 3), [
      { path: '/z/big', size: 9, layer: 0 },
      { path: '/b/three', size: 3, layer: 0 },
      { path: '/c/three', size: 3, layer: 1 },
    ]);
    assert.equal(largestFiles(fs.root, 10).length, 5);
    assert.deepEqual(largestFiles(buildFilesystem([]).root, 5), []);
  });

  it('the view of 50,000 files, its listing let go, keeps under 112 bytes a file (an object per node took 135)', async () => {
    const count = 50_000;
    const path = (i: number) => `/usr/lib/python3/site-packages/pkg${i % 500}/module${i}.py`;
    const { perItem, value: fs } = await retainedPerItem(count, () => {
      const entries = new EntryList();
      for (let i = 0; i < count; i++) entries.push({ path: path(i), type: 'file', size: i });
      return buildFilesystem([{ index: 0, listing: { entries, packages: [], warnings: [], tarBytes: 0 } }]);
    });
    // Still the whole answer: every folder's bytes, summed here from the sizes written.
    const expected = new Map<string, number>();
    for (let i = 0; i < count; i++) expected.set(`/usr/lib/python3/site-packages/pkg${i % 500}`, (expected.get(`/usr/lib/python3/site-packages/pkg${i % 500}`) ?? 0) + i);
    const dirs = directorySizes(fs.root);
    for (const [p, bytes] of expected) assert.equal(dirs.get(p), bytes, p);
    assert.equal(dirs.get('/usr'), (count * (count - 1)) / 2);
    assert.equal(fs.stats.get(0)?.files, count);
    assert.ok(perItem < 112, `${perItem.toFixed(1)} bytes per file`);
  });

  it('registry text reaches the terminal with control characters escaped, and markdown escaped in --format markdown', () => {
    assert.equal(printable('evil\u001b[2Jname\n'), 'evil\\x1b[2Jname\\x0a');
    assert.equal(escapeMarkdown('*[x](http://e)*'), '\\*\\[x\\](http://e)\\*');
    const r: FilesResult = {
      reference: 'r/x:1',
      platform: 'linux/amd64',
      manifestDigest: 'sha256:00',
      bytesDownloaded: 10,
      layers: [{ digest: 'sha256:aa', createdBy: 'RUN x', size: 10, files: 1, addedBytes: 5, source: 'download' }],
      largest: [{ path: '/tmp/\u001b]0;pwned\u0007', size: 5, layer: 0 }],
      directories: [{ path: '/tmp', size: 5 }],
      wasted: { bytes: 0, efficiency: 1, files: [] },
      hints: [],
      packages: [],
      warnings: [],
    };
    const plain = renderFiles(r, { units: 'si', style: 'plain', packages: false });
    // eslint-disable-next-line no-control-regex
    assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(plain), plain);
    assert.match(plain, /\/tmp\/\\x1b\]0;pwned\\x07/);
    const md = renderFiles(r, { units: 'si', style: 'markdown', packages: false });
    // The backslash of \x1b is itself escaped, so markdown shows it as written.
    assert.ok(md.includes('| /tmp/\\\\x1b\\]0;pwned\\\\x07 |'), md);
  });
});
