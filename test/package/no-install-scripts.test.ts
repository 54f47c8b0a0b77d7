/**
 * Installing regsize runs nothing (issue #16): no package in the locked tree has an install
 * script (npm will stop running them by default, and a native build needs a compiler or a
 * prebuilt-binary host that many networks cannot reach), and regsize itself builds at pack time,
 * not in `prepare`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/package.js';

const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'];

describe('no install scripts', function () {
  it('no package in package-lock.json has an install script', function () {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { lockfileVersion: number; packages: Record<string, { hasInstallScript?: boolean }> };
    // v2 and v3 locks list every installed package under `packages`, flagging install scripts.
    assert.ok(lock.lockfileVersion >= 2, 'a lockfile npm 7+ writes');
    const packages = Object.keys(lock.packages).filter((k) => k !== '');
    assert.ok(packages.length > 100, `the lock lists the whole tree (${packages.length} packages)`);
    const withScripts = packages.filter((k) => lock.packages[k]?.hasInstallScript);
    assert.deepEqual(withScripts, []);
  });

  it('regsize itself runs nothing on install, and allows no package to', function () {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; allowScripts?: unknown; dependencies: Record<string, string> };
    assert.deepEqual(INSTALL_SCRIPTS.filter((s) => s in pkg.scripts), []);
    assert.equal(pkg.allowScripts, undefined);
    assert.match(pkg.scripts.prepack ?? '', /build-package/, 'the package is built when packed');
    assert.equal(pkg.dependencies['better-sqlite3'], undefined);
  });
});
