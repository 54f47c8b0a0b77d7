/**
 * The hints table: each rule fires on its paths with the bytes under the matched folder; the
 * compilers rule names `*-dev` and compiler packages with their installed bytes when the image
 * has a dpkg or apk database, and falls back to paths without one. Every figure is a sum of
 * the sizes written here.
 */
import assert from 'node:assert/strict';
import { buildFilesystem } from '../../src/files/filesystem.js';
import type { LayerListing } from '../../src/files/tar-walk.js';
import type { ListedEntry } from '../../src/files/entry-list.js';
import { findHints, HINT_RULES } from '../../src/files/hints.js';
import { packagesOf, type PackageRow } from '../../src/files/package-view.js';

const listing = (entries: ListedEntry[], packages: LayerListing['packages'] = []): LayerListing => ({ entries, packages, warnings: [], tarBytes: 0 });
const f = (path: string, size: number): ListedEntry => ({ path, type: 'file', size });

describe('files: hints', () => {
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

  it('with a dpkg database, the compilers rule names the -dev and compiler packages and their bytes, per installing layer', () => {
    const status = (pkgs: [string, number][]) => pkgs.map(([name, kib]) => `Package: ${name}\nStatus: install ok installed\nVersion: 1\nInstalled-Size: ${kib}\n`).join('\n');
    const base: [string, number][] = [['libc6', 12000], ['tzdata', 3000]];
    const build: [string, number][] = [['gcc-12', 60000], ['libssl-dev', 2500], ['libc6-dev', 9000], ['make', 400], ['curl', 500]];
    const rows = (pkgs: [string, number][]) => pkgs.map(([name, kib]) => ({ manager: 'dpkg' as const, name, version: '1', size: kib * 1024, source: '/var/lib/dpkg/status' }));
    const layers = [
      { index: 0, listing: listing([f('/var/lib/dpkg/status', status(base).length)], rows(base)) },
      { index: 1, listing: listing([f('/var/lib/dpkg/status', status([...base, ...build]).length), f('/usr/include/stdio.h', 900)], rows([...base, ...build])) },
    ];
    const fs = buildFilesystem(layers);
    const packages = packagesOf(fs.root, layers);
    const hint = findHints(fs.root, fs.wasted, (i) => `layer ${i}`, HINT_RULES, packages).find((h) => h.rule === 'compilers');
    assert.ok(hint);
    const dev = build.filter(([n]) => n !== 'curl');
    assert.equal(hint.bytes, dev.reduce((s, [, kib]) => s + kib * 1024, 0));
    assert.equal(hint.layer, 1);
    assert.deepEqual(hint.packages, [...dev].sort((a, b) => b[1] - a[1]).map(([n]) => n));
    assert.deepEqual(hint.paths, [], 'answered from packages, not also by path (no double count)');
  });

  it('without a package database, the compilers rule matches by path', () => {
    const fs = buildFilesystem([{ index: 0, listing: listing([f('/usr/include/openssl/ssl.h', 7000), f('/usr/lib/gcc/x86_64-linux-gnu/12/cc1', 30000), f('/usr/bin/curl', 100)]) }]);
    const npmOnly: PackageRow[] = [{ manager: 'npm', name: 'gcc-dev', version: '1', size: 5, layer: 0 }];
    const hint = findHints(fs.root, fs.wasted, (i) => `layer ${i}`, HINT_RULES, npmOnly).find((h) => h.rule === 'compilers');
    assert.equal(hint?.bytes, 37000);
    assert.deepEqual(hint?.paths, ['/usr/lib/gcc', '/usr/include']);
    assert.equal(hint?.packages, undefined);
  });

  it('a rule added to the table is all it takes', () => {
    const fs = buildFilesystem([{ index: 0, listing: listing([f('/opt/app/tests/a.py', 40), f('/opt/app/main.py', 5)]) }]);
    const rules = [...HINT_RULES, { id: 'tests', paths: ['**/tests'], advice: 'leave tests out of the image' }];
    assert.deepEqual(findHints(fs.root, fs.wasted, () => '', rules).map((h) => [h.rule, h.bytes, h.paths]), [['tests', 40, ['/opt/app/tests']]]);
  });
});
