/**
 * Installed packages of the final filesystem, each credited to the layer that installed it:
 * dpkg from the lowest layer whose database already lists it, npm sized from the bytes under
 * its folder. Figures are sums of the sizes written here.
 */
import assert from 'node:assert/strict';
import { buildFilesystem } from '../../src/files/filesystem.js';
import type { LayerListing } from '../../src/files/tar-walk.js';
import type { ListedEntry } from '../../src/files/entry-list.js';
import { packagesOf } from '../../src/files/package-view.js';

const listing = (entries: ListedEntry[], packages: LayerListing['packages'] = []): LayerListing => ({ entries, packages, warnings: [], tarBytes: 0 });
const f = (path: string, size: number): ListedEntry => ({ path, type: 'file', size });

describe('files: package view', () => {
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

  it('a dpkg package is credited to the layer that installed it; a database a later layer replaced speaks no more', () => {
    const row = (name: string, version: string, size: number) => ({ manager: 'dpkg' as const, name, version, size, source: '/var/lib/dpkg/status' });
    const layers = [
      { index: 0, listing: listing([f('/var/lib/dpkg/status', 100)], [row('libc6', '2.36', 1000), row('old', '1', 5)]) },
      { index: 1, listing: listing([f('/var/lib/dpkg/status', 200)], [row('libc6', '2.36', 1000), row('python3', '3.11', 9000)]) },
      { index: 2, listing: listing([f('/var/lib/dpkg/status', 300)], [row('libc6', '2.37', 1100), row('python3', '3.11', 9000)]) },
    ];
    const fs = buildFilesystem(layers);
    assert.deepEqual(packagesOf(fs.root, layers).map((p) => [p.name, p.version, p.size, p.layer]), [
      ['python3', '3.11', 9000, 1],
      ['libc6', '2.37', 1100, 2],
    ]);
  });
});
