/**
 * The package database parsers, on text written here: which paths are databases, and what
 * each parser makes of untrusted text (continuation lines, removed packages, sizes that are
 * not numbers, quoted RECORD paths with commas).
 */
import assert from 'node:assert/strict';
import { MAX_DB_BYTES, MAX_PACKAGE_JSON_BYTES, npmPackageDir, packageDatabase, parseApkInstalled, parseDistInfoRecord, parseDpkgStatus, parsePackageJson } from '../../src/files/packages.js';

describe('files: package databases', () => {
  it('knows the database paths, and leaves lookalikes alone', () => {
    assert.deepEqual(packageDatabase('/var/lib/dpkg/status'), { kind: 'dpkg', maxBytes: MAX_DB_BYTES });
    assert.deepEqual(packageDatabase('/lib/apk/db/installed'), { kind: 'apk', maxBytes: MAX_DB_BYTES });
    assert.deepEqual(packageDatabase('/usr/lib/python3/site-packages/six-1.16.0.dist-info/RECORD'), { kind: 'python', maxBytes: MAX_DB_BYTES });
    assert.deepEqual(packageDatabase('/app/node_modules/@types/node/package.json'), { kind: 'npm', maxBytes: MAX_PACKAGE_JSON_BYTES });
    for (const p of ['/var/lib/dpkg/status-old', '/app/package.json', '/app/node_modules/.bin/package.json', '/x/RECORD', '/app/node_modules/.pnpm/a/package.json']) assert.equal(packageDatabase(p), undefined, p);
    assert.equal(npmPackageDir('/app/node_modules/@scope/x/package.json'), '/app/node_modules/@scope/x');
  });

  it('dpkg: Installed-Size in KiB, continuation lines skipped, removed packages and bad sizes handled', () => {
    const text = 'Package: a\nStatus: install ok installed\nDescription: first line\n more: text: with colons\nInstalled-Size: 10\nVersion: 1\n\nPackage: b\nStatus: deinstall ok config-files\nInstalled-Size: 5\n\nPackage: c\nStatus: install ok installed\nInstalled-Size: 1e9\n';
    assert.deepEqual(parseDpkgStatus(text).map((p) => [p.name, p.version, p.size]), [['a', '1', 10 * 1024], ['c', '', null]]);
  });

  it('apk: P/V/I records; Python: RECORD sizes summed, name and version from the folder; npm: name and version', () => {
    assert.deepEqual(parseApkInstalled('P:musl\nV:1.2\nI:600\n\nP:zlib\nV:1.3\nI:x\n').map((p) => [p.name, p.version, p.size]), [['musl', '1.2', 600], ['zlib', '1.3', null]]);
    const record = 'six.py,sha256=a,34549\n"odd,name.py",sha256=b,11\nsix-1.16.0.dist-info/RECORD,,\n__pycache__/six.cpython-311.pyc,,\n';
    assert.deepEqual(parseDistInfoRecord(record, '/usr/lib/site-packages/six-1.16.0.dist-info/RECORD').map((p) => [p.name, p.version, p.size]), [['six', '1.16.0', 34549 + 11]]);
    assert.deepEqual(parsePackageJson('{"name":"left-pad","version":"1.3.0"}', '/app/node_modules/left-pad/package.json').map((p) => [p.name, p.version]), [['left-pad', '1.3.0']]);
    assert.deepEqual(parsePackageJson('{"version":2}', '/app/node_modules/@s/x/package.json').map((p) => [p.name, p.version]), [['@s/x', '']]);
    assert.deepEqual(parsePackageJson('not json', '/app/node_modules/x/package.json'), []);
  });
});
