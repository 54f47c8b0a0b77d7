/**
 * A zstd:chunked layer pushed by Debian's buildah 1.28 (private storage in a temp folder, vfs,
 * FROM scratch, chroot isolation; COPY only, nothing is fetched), listed by `regsize files` from its table of
 * contents: the blob requests counted at a proxy are Range reads only, and the files listed
 * are the ones the test wrote. With --packages, the dpkg database the TOC lists is fetched by
 * one more Range read of its bytes alone, and its packages are those written.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Files from '../../commands/files.js';
import type { FilesResult } from '../../src/files/analyse.js';
import { runInProcess } from '../commands/run-in-process.js';
import { type CountingProxy, startCountingProxy } from '../helpers/counting-proxy.js';
import { seededBytes } from '../helpers/images.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';

const run = promisify(execFile);

describe('files: a zstd:chunked layer from buildah, listed from its TOC', function () {
  this.timeout(180_000);
  let reg: LocalRegistry;
  let proxy: CountingProxy;
  let tmp: string;
  const status = 'Package: libssl-dev\nStatus: install ok installed\nVersion: 3.0.11\nInstalled-Size: 2417\n\nPackage: gcc-12\nStatus: install ok installed\nVersion: 12.2.0\nInstalled-Size: 61339\n\nPackage: curl\nStatus: install ok installed\nVersion: 7.88\nInstalled-Size: 500\n';
  const written: Record<string, Buffer> = {
    'srv/big.bin': seededBytes(200_000, 'zc-big'),
    'srv/notes.txt': Buffer.from('zstd:chunked\n'.repeat(40)),
  };

  before(async () => {
    reg = await startRegistry();
    proxy = await startCountingProxy(reg.url);
    tmp = mkdtempSync(join(tmpdir(), 'regsize-buildah-'));
    const ctx = join(tmp, 'ctx');
    mkdirSync(join(ctx, 'srv'), { recursive: true });
    for (const [name, bytes] of Object.entries(written)) writeFileSync(join(ctx, name), bytes);
    mkdirSync(join(ctx, 'dpkg'));
    writeFileSync(join(ctx, 'dpkg', 'status'), status);
    // buildah bud squashes the steps into one layer (no --layers).
    writeFileSync(join(ctx, 'Containerfile'), 'FROM scratch\nCOPY srv /srv\nCOPY dpkg/status /var/lib/dpkg/status\n');
    const storage = ['--root', join(tmp, 'root'), '--runroot', join(tmp, 'run'), '--storage-driver', 'vfs'];
    await run('buildah', [...storage, 'bud', '--isolation', 'chroot', '-t', 'localhost/zc:1', ctx]);
    await run('buildah', [...storage, 'push', '--tls-verify=false', '--compression-format', 'zstd:chunked', 'localhost/zc:1', `docker://${reg.host}/zc/app:1`]);
  });

  after(async () => {
    await proxy?.stop();
    await reg?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('reads the TOC by one Range request and lists the files written', async () => {
    proxy.reset();
    const cache = join(tmp, 'cache');
    const r = await runInProcess(Files, [`${proxy.host}/zc/app:1`, '--json', '--cache-dir', cache]);
    assert.equal(r.exitCode, 0, r.stderr);
    const out = JSON.parse(r.stdout) as FilesResult;
    assert.deepEqual(out.layers.map((l) => l.source), ['toc']);
    assert.deepEqual(
      out.largest.map((f) => [f.path, f.size]),
      [...Object.entries(written).map(([name, b]): [string, number] => [`/${name}`, b.length]), ['/var/lib/dpkg/status', status.length] as [string, number]].sort((a, b) => b[1] - a[1]),
    );
    const layer = out.layers[0]?.digest as string;
    const gets = proxy.requests.filter((q) => q.method === 'GET' && q.path.endsWith(`/blobs/${layer}`));
    assert.equal(gets.length, 1, JSON.stringify(gets));
    assert.equal(gets[0]?.status, 206);
    assert.ok(out.bytesDownloaded > 0 && out.bytesDownloaded < (out.layers[0]?.size ?? 0) / 10, `${out.bytesDownloaded} bytes of ${out.layers[0]?.size}`);
    assert.deepEqual(out.packages, [], 'no --packages: the databases are not read');
  });

  it('--packages: reads the dpkg database by a Range read of its bytes, names the -dev packages in the hints', async () => {
    proxy.reset();
    const r = await runInProcess(Files, [`${proxy.host}/zc/app:1`, '--json', '--packages', '--cache-dir', join(tmp, 'cache-packages')]);
    assert.equal(r.exitCode, 0, r.stderr);
    const out = JSON.parse(r.stdout) as FilesResult;
    assert.deepEqual(out.layers.map((l) => l.source), ['toc']);
    assert.deepEqual(out.packages.map((p) => [p.name, p.version, p.size, p.layer]), [
      ['gcc-12', '12.2.0', 61339 * 1024, 0],
      ['curl', '7.88', 500 * 1024, 0],
      ['libssl-dev', '3.0.11', 2417 * 1024, 0],
    ].sort((a, b) => (b[2] as number) - (a[2] as number)));
    const dbLayer = out.layers[0] as FilesResult['layers'][number];
    const gets = proxy.requests.filter((q) => q.method === 'GET' && q.path.endsWith(`/blobs/${dbLayer.digest}`));
    assert.equal(gets.length, 2, 'the TOC, then the database');
    assert.ok(gets.every((g) => g.status === 206), 'Range reads only');
    assert.ok(out.bytesDownloaded < dbLayer.size / 5, `${out.bytesDownloaded} bytes read of ${dbLayer.size}`);
    const hint = out.hints.find((h) => h.rule === 'compilers');
    assert.deepEqual([hint?.bytes, hint?.packages], [(61339 + 2417) * 1024, ['gcc-12', 'libssl-dev']]);
    // A run without --packages after it reuses the complete listing from the cache.
    proxy.reset();
    const again = await runInProcess(Files, [`${proxy.host}/zc/app:1`, '--json', '--cache-dir', join(tmp, 'cache-packages')]);
    assert.deepEqual((JSON.parse(again.stdout) as FilesResult).layers.map((l) => l.source), ['cache']);
  });
});
