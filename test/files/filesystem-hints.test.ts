/**
 * The pure parts of `files`: stacking listings into the final filesystem, the hints table,
 * npm package sizes, and rendering registry text safely. Listings are written out by hand, so
 * every expected figure is the sum of the sizes given here.
 */
import assert from 'node:assert/strict';
import { buildFilesystem, directorySizes } from '../../src/files/filesystem.js';
import { findHints, HINT_RULES } from '../../src/files/hints.js';
import { packagesOf } from '../../src/files/package-view.js';
import type { LayerListing, ListedEntry } from '../../src/files/tar-walk.js';
import { escapeMarkdown, printable, renderFiles } from '../../src/render/files.js';
import type { FilesResult } from '../../src/files/analyse.js';

const listing = (entries: ListedEntry[], packages: LayerListing['packages'] = []): LayerListing => ({ entries, packages, warnings: [], tarBytes: 0 });
const f = (path: string, size: number): ListedEntry => ({ path, type: 'file', size });

describe('files: filesystem view and hints', () => {
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

  it('every rule of the table fires on its paths, once per rule and layer, with the bytes under the matched folder', () => {
    const files: [string, number, string][] = [
      ['/root/.cache/pip/http/1', 100, 'pip-cache'],
      ['/var/lib/apt/lists/x_Packages', 200, 'apt-lists'],
      ['/var/cache/apt/archives/gcc_12.deb', 300, 'apt-archives'],
      ['/var/cache/apk/APKINDEX.tar.gz', 400, 'apk-cache'],
      ['/root/.npm/_cacache/index', 500, 'npm-cache'],
      ['/usr/local/share/.cache/yarn/v6/x', 600, 'yarn-cache'],
      ['/root/.cache/go-build/aa/bb', 700, 'go-build-cache'],
      ['/root/.m2/repository/org/x.jar', 800, 'maven-cache'],
      ['/usr/include/stdio.h', 900, 'compilers'],
      ['/usr/lib/python3/dist-packages/x/__pycache__/y.pyc', 1000, 'pycache'],
      ['/app/.git/objects/pack/p.pack', 1100, 'git'],
      ['/usr/share/man/man1/ls.1.gz', 1200, 'docs'],
    ];
    const fs = buildFilesystem([{ index: 0, listing: listing(files.map(([p, s]) => f(p, s))) }]);
    const hints = findHints(fs.root, fs.wasted, (i) => `layer ${i}`);
    assert.deepEqual(
      hints.map((h) => [h.rule, h.bytes]).sort(),
      files.map(([, s, rule]) => [rule, s]).sort(),
    );
    assert.deepEqual(new Set(hints.map((h) => h.rule)), new Set(HINT_RULES.map((r) => r.id)), 'each rule of the table is exercised');
    assert.deepEqual(hints.find((h) => h.rule === 'pycache')?.paths, ['/usr/lib/python3/dist-packages/x/__pycache__']);
    assert.deepEqual(hints.find((h) => h.rule === 'git')?.paths, ['/app/.git']);
  });

  it('npm packages are sized from the bytes under their folder, nested node_modules excluded', () => {
    const pj = (dir: string, name: string, version: string) => ({ manager: 'npm' as const, name, version, size: null, source: `${dir}/package.json` });
    const entries = [f('/app/node_modules/a/package.json', 50), f('/app/node_modules/a/index.js', 1000), f('/app/node_modules/a/node_modules/b/package.json', 40), f('/app/node_modules/a/node_modules/b/b.js', 7)];
    const l = listing(entries, [pj('/app/node_modules/a', 'a', '1.0.0'), pj('/app/node_modules/a/node_modules/b', 'b', '2.0.0')]);
    const fs = buildFilesystem([{ index: 0, listing: l }]);
    assert.deepEqual(
      packagesOf(fs.root, [{ index: 0, listing: l }]).map((p) => [p.name, p.size]),
      [
        ['a', 1050],
        ['b', 47],
      ],
    );
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
