/**
 * One layer through the tar parser: entries, whiteouts, package databases, and hostile tars
 * (names out of the root, links out of the root, a size header the stream does not hold, a
 * gzip bomb), each reported and nothing followed or written.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { isRegsizeError } from '../../src/errors.js';
import { listLayer, normalizeTarPath } from '../../src/files/tar-walk.js';
import { makeLayer, makeTar, MT } from '../helpers/images.js';
import { sha256 } from '../helpers/push.js';
import { forgeSize, gzipBlob, memoryReader, packTar } from './tar-fixtures.js';

describe('files: one layer through the tar parser', () => {
  it('lists files with their apparent sizes, folders, whiteouts and opaque folders', async () => {
    const tar = makeTar([
      { name: './usr/' },
      { name: './usr/bin/tool', content: 'x'.repeat(1234) },
      { name: 'tmp/.wh.big.tar' },
      { name: 'opt/data/.wh..wh..opq' },
      { name: 'opt/data/.wh..wh.plnk' },
    ]);
    const { blob, layer } = gzipBlob(tar);
    const l = await listLayer(memoryReader(new Map([[layer.digest, blob]])), layer);
    assert.deepEqual([...l.entries], [
      { path: '/usr', type: 'dir', size: 0 },
      { path: '/usr/bin/tool', type: 'file', size: 1234 },
      { path: '/tmp/big.tar', type: 'whiteout', size: 0 },
      { path: '/opt/data', type: 'opaque', size: 0 },
    ]);
    assert.equal(l.tarBytes, tar.length);
    assert.deepEqual(l.warnings, []);
  });

  it('reads zstd and plain tar layers too', async () => {
    const tar = makeTar([{ name: 'a', content: 'hello' }]);
    const plain = { digest: sha256(tar), mediaType: MT.OCI_LAYER, size: tar.length };
    const zstd = makeLayer({ files: [{ name: 'a', content: 'hello' }], compression: 'zstd' });
    const reader = memoryReader(new Map([[plain.digest, tar], [zstd.digest, zstd.blob]]));
    for (const layer of [plain, zstd]) {
      const l = await listLayer(reader, { digest: layer.digest, mediaType: layer.mediaType, size: layer.size });
      assert.deepEqual([...l.entries], [{ path: '/a', type: 'file', size: 5 }]);
      assert.equal(l.tarBytes, tar.length);
    }
  });

  it('parses dpkg status, apk installed, dist-info RECORD and package.json from the stream', async () => {
    const status = 'Package: libc6\nStatus: install ok installed\nInstalled-Size: 12345\nVersion: 2.36-9\n\nPackage: gone\nStatus: deinstall ok config-files\nInstalled-Size: 5\n\nPackage: bash\nStatus: install ok installed\nInstalled-Size: 7000\nVersion: 5.2\n';
    const apk = 'C:Q1abc=\nP:musl\nV:1.2.4-r2\nI:643072\n\nP:busybox\nV:1.36.1\nI:950272\n';
    const record = 'requests/__init__.py,sha256=abc,5000\nrequests/api.py,sha256=def,1500\n"requests/odd,name.py",sha256=x,25\nrequests-2.31.0.dist-info/RECORD,,\n';
    const tar = makeTar([
      { name: 'var/lib/dpkg/status', content: status },
      { name: 'lib/apk/db/installed', content: apk },
      { name: 'usr/lib/python3/site-packages/requests-2.31.0.dist-info/RECORD', content: record },
      { name: 'app/node_modules/@scope/left-pad/package.json', content: JSON.stringify({ name: '@scope/left-pad', version: '1.3.0' }) },
    ]);
    const { blob, layer } = gzipBlob(tar);
    const l = await listLayer(memoryReader(new Map([[layer.digest, blob]])), layer);
    const rows = l.packages.map((p) => [p.manager, p.name, p.version, p.size]);
    assert.deepEqual(rows, [
      ['dpkg', 'libc6', '2.36-9', 12345 * 1024],
      ['dpkg', 'bash', '5.2', 7000 * 1024],
      ['apk', 'musl', '1.2.4-r2', 643072],
      ['apk', 'busybox', '1.36.1', 950272],
      ['python', 'requests', '2.31.0', 5000 + 1500 + 25],
      ['npm', '@scope/left-pad', '1.3.0', null],
    ]);
  });

  it('normalises names and refuses those that climb out of the root', () => {
    assert.equal(normalizeTarPath('./usr//lib/'), '/usr/lib');
    assert.equal(normalizeTarPath('a/../b'), '/b');
    assert.equal(normalizeTarPath('../etc/passwd'), undefined);
    assert.equal(normalizeTarPath('a/../../etc'), undefined);
  });

  it('reports ../ names and links out of the root, follows none, writes nothing', async () => {
    const before = readdirSync(tmpdir()).length;
    const tar = await packTar([
      { name: '../../etc/cron.d/evil', content: 'pwned' },
      { name: 'usr/lib/escape', type: 'symlink', linkname: '../../../../etc/shadow' },
      { name: 'etc/localtime', type: 'symlink', linkname: '/usr/share/zoneinfo/UTC' },
      { name: 'bin/hard', type: 'link', linkname: '../../etc/passwd' },
      { name: 'ok', content: 'fine' },
    ]);
    const { blob, layer } = gzipBlob(tar);
    const l = await listLayer(memoryReader(new Map([[layer.digest, blob]])), layer);
    assert.deepEqual(
      [...l.entries].map((e) => [e.path, e.type, e.size]),
      [
        ['/usr/lib/escape', 'symlink', 0],
        ['/etc/localtime', 'symlink', 0],
        ['/bin/hard', 'link', 0],
        ['/ok', 'file', 4],
      ],
    );
    assert.equal(l.warnings.length, 3, l.warnings.join('\n'));
    assert.match(l.warnings[0] as string, /"\.\.\/\.\.\/etc\/cron\.d\/evil" climbs out of the image root: ignored, not followed/);
    assert.match(l.warnings[1] as string, /symlink "\/usr\/lib\/escape" -> "\.\.\/\.\.\/\.\.\/\.\.\/etc\/shadow" points out of the image root/);
    assert.match(l.warnings[2] as string, /hard link "\/bin\/hard"/);
    // An absolute symlink stays inside the image when resolved there: listed, not followed, no warning.
    assert.equal(readdirSync(tmpdir()).length, before, 'nothing written to the temp folder');
  });

  it('a size header the stream does not hold (10 GB declared) is reported as a lie, not counted', async () => {
    const tar = forgeSize(makeTar([{ name: 'var/log/lastlog', content: 'tiny' }]), 0, 10_000_000_000);
    const { blob, layer } = gzipBlob(tar);
    await assert.rejects(listLayer(memoryReader(new Map([[layer.digest, blob]])), layer), (e: unknown) => {
      assert.ok(isRegsizeError(e));
      assert.match(e.message, /the tar ends inside "var\/log\/lastlog", which declares 10000000000 bytes: the layer is truncated or its header lies/);
      return true;
    });
  });

  it('stops a gzip bomb early instead of inflating it', async () => {
    // 32 MB of zeros in ~32 kB of gzip; the floor is lowered from its 64 MiB default to keep the test small.
    const zeros = Buffer.alloc(32 * 1024 * 1024);
    const tar = Buffer.concat([makeTar([{ name: 'bomb', content: '' }]).subarray(0, 512), zeros]);
    const blob = gzipSync(tar);
    const layer = { digest: sha256(blob), mediaType: MT.OCI_LAYER_GZIP, size: blob.length };
    const reader = memoryReader(new Map([[layer.digest, blob]]));
    await assert.rejects(listLayer(reader, layer, { bombFloor: 8 * 1024 * 1024 }), /decompresses to more than 200 times its size .*a decompression bomb\? stopped reading it/);
    assert.ok(reader.served < blob.length, `stopped before the end: served ${reader.served} of ${blob.length}`);
  });
});

describe('files: memory stays bounded whatever the layer size', () => {
  it('lists a 512 MiB layer of 4096 files without its resident memory growing by more than a fraction of it', async function () {
    this.timeout(120_000);
    const fileSize = 128 * 1024;
    const count = 4096;
    const header = (i: number) => makeTar([{ name: `data/f${i}`, content: '' }]).subarray(0, 512);
    const withSize = (i: number) => forgeSize(header(i), 0, fileSize);
    const chunk = Buffer.alloc(fileSize);
    // The source makes the tar on the fly (a plain tar, as a local archive would hand it over),
    // so the only memory the layer can take is what the parser keeps.
    const reader = {
      async *openLayer(): AsyncIterable<Uint8Array> {
        for (let i = 0; i < count; i++) {
          yield withSize(i);
          yield chunk;
        }
        yield Buffer.alloc(1024);
      },
    };
    const layerSize = count * (512 + fileSize) + 1024;
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    let l;
    try {
      l = await listLayer(reader, { digest: `sha256:${'0'.repeat(64)}`, mediaType: MT.OCI_LAYER, size: layerSize });
    } finally {
      clearInterval(timer);
    }
    assert.equal(l.entries.length, count);
    assert.equal(l.tarBytes, layerSize);
    assert.equal([...l.entries].reduce((s, e) => s + e.size, 0), count * fileSize);
    // Generous: 512 MiB went through; the parser may hold a few MiB of it at a time.
    assert.ok(peak - before < 96 * 1024 * 1024, `RSS grew by ${Math.round((peak - before) / 2 ** 20)} MiB`);
  });
});
