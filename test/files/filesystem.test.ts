/**
 * Stacking listings into the final filesystem (whiteouts, opaque folders, what a later layer
 * replaces), and rendering registry text safely. Listings are written out by hand, so
 * every expected figure is the sum of the sizes given here.
 */
import assert from 'node:assert/strict';
import { buildFilesystem, directorySizes } from '../../src/files/filesystem.js';
import type { LayerListing, ListedEntry } from '../../src/files/tar-walk.js';
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
