/**
 * `regsize files` and `regsize diff BASE IMAGE --files` in-process against a real registry
 * (one subprocess smoke test at the end), with images whose content is built here: every
 * expected figure is summed from the bytes written, and the blob requests are counted at a
 * proxy in front of the registry, not taken from regsize's own bookkeeping.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Diff from '../../commands/diff.js';
import Files from '../../commands/files.js';
import type { FilesResult } from '../../src/files/analyse.js';
import { gzipSync } from 'node:zlib';
import { forgeSize } from '../files/tar-fixtures.js';
import { spawnCli } from '../helpers/cli.js';
import { type CountingProxy, startCountingProxy } from '../helpers/counting-proxy.js';
import { type Image, type Layer, makeImage, makeLayer, makeRandomLayer, makeTar, pushImage, seededBytes, type TarFile } from '../helpers/images.js';
import { sha256 } from '../helpers/push.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';
import { runInProcess } from './run-in-process.js';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const bytesOf = (files: TarFile[]) => sum(files.map((f) => Buffer.byteLength(f.content ?? '')));

describe('regsize files / diff --files (real registry)', function () {
  this.timeout(120_000);
  let reg: LocalRegistry;
  let proxy: CountingProxy;
  let base: Image;
  let app: Image;
  let wasteful: Image;
  let pipCache: TarFile[];
  let pipLayer: Layer;
  let recordFiles: TarFile[];
  const tmp: string[] = [];
  const fresh = () => {
    const d = mkdtempSync(join(tmpdir(), 'regsize-files-'));
    tmp.push(d);
    return d;
  };
  const at = (s: string) => `${proxy.host}/${s}`;
  const blobGets = (digests: string[]) => proxy.requests.filter((r) => r.method === 'GET' && digests.some((d) => r.path.endsWith(`/blobs/${d}`)));

  // The article's image: a python base, COPY the app, RUN pip install without --no-cache-dir.
  const baseOs = makeRandomLayer({ size: 120_000, seed: 'files-base-os', path: 'usr/lib/libpython3.11.so.1.0', createdBy: '/bin/sh -c #(nop) ADD file:5f1d2a in / ' });
  const baseDpkg = makeLayer({
    files: [
      { name: 'var/lib/dpkg/status', content: 'Package: libc6\nStatus: install ok installed\nVersion: 2.36\nInstalled-Size: 1200\n\nPackage: tzdata\nStatus: install ok installed\nVersion: 2024a\nInstalled-Size: 300\n' },
      { name: 'tmp/build/' },
      { name: 'tmp/build/python.tar.xz', content: seededBytes(40_000, 'files-src') },
    ],
    compression: 'gzip',
    createdBy: 'RUN /bin/sh -c apt-get install -y libc6 tzdata # buildkit',
  });

  before(async () => {
    reg = await startRegistry();
    proxy = await startCountingProxy(reg.url);
    base = makeImage({ layers: [baseOs, baseDpkg] });
    await pushImage(reg, 'lib/python', '3.11', base);

    const appFiles: TarFile[] = [{ name: 'app/' }, { name: 'app/main.py', content: 'print("hi")\n'.repeat(300) }, { name: 'app/requirements.txt', content: 'requests==2.31.0\n' }];
    pipCache = [
      { name: 'root/.cache/pip/http-v2/a/b/c/0123abcd', content: seededBytes(90_000, 'files-pip-1') },
      { name: 'root/.cache/pip/http-v2/d/e/f/4567ef01', content: seededBytes(35_000, 'files-pip-2') },
      { name: 'root/.cache/pip/selfcheck/x.json', content: '{"last_check": "2024-01-01"}' },
    ];
    const site = 'usr/local/lib/python3.11/site-packages';
    recordFiles = [
      { name: `${site}/requests/__init__.py`, content: '# requests\n'.repeat(400) },
      { name: `${site}/requests/api.py`, content: 'def get(): ...\n'.repeat(300) },
    ];
    const record = [...recordFiles.map((f) => `${f.name.slice(site.length + 1)},sha256=x,${Buffer.byteLength(f.content ?? '')}`), 'requests-2.31.0.dist-info/RECORD,,'].join('\n');
    pipLayer = makeLayer({
      files: [...recordFiles, { name: `${site}/requests-2.31.0.dist-info/RECORD`, content: record }, ...pipCache],
      compression: 'gzip',
      createdBy: 'RUN /bin/sh -c pip install -r requirements.txt # buildkit',
    });
    app = makeImage({ layers: [baseOs, baseDpkg, makeLayer({ files: appFiles, compression: 'gzip', createdBy: 'COPY . /app # buildkit' }), pipLayer] });
    await pushImage(reg, 'team/app', 'v2', app);

    // Written, then deleted / overwritten / hidden in separate steps.
    wasteful = makeImage({
      layers: [
        baseOs,
        makeLayer({
          files: [
            { name: 'var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4', content: seededBytes(30_000, 'files-apt') },
            { name: 'usr/bin/tool', content: 'v1\n'.repeat(5000) },
            { name: 'tmp/big.tar', content: seededBytes(50_000, 'files-big') },
            { name: 'opt/data/a.bin', content: seededBytes(7_000, 'files-a') },
          ],
          compression: 'gzip',
          createdBy: 'RUN /bin/sh -c apt-get update && apt-get install -y tool # buildkit',
        }),
        makeLayer({
          files: [{ name: 'tmp/.wh.big.tar' }, { name: 'usr/bin/tool', content: 'v2\n'.repeat(100) }, { name: 'opt/data/.wh..wh..opq' }, { name: 'opt/data/b.bin', content: 'b'.repeat(900) }],
          compression: 'zstd',
          createdBy: 'RUN /bin/sh -c rm /tmp/big.tar && make install # buildkit',
        }),
      ],
    });
    await pushImage(reg, 'team/wasteful', '1', wasteful);
  });

  after(async () => {
    await proxy?.stop();
    await reg?.stop();
    for (const d of tmp) rmSync(d, { recursive: true, force: true });
  });

  it('diff BASE APP --files names the pip cache and its fix, with the bytes, downloading only the app layers', async () => {
    proxy.reset();
    const r = await runInProcess(Diff, [at('lib/python:3.11'), at('team/app:v2'), '--files', '--json', '--cache-dir', fresh()]);
    assert.equal(r.exitCode, 0, r.stderr);
    const out = JSON.parse(r.stdout) as FilesResult;
    const pip = out.hints.find((h) => h.rule === 'pip-cache');
    assert.ok(pip, JSON.stringify(out.hints));
    assert.equal(pip.bytes, bytesOf(pipCache));
    assert.equal(pip.layer, 3);
    assert.deepEqual(pip.paths, ['/root/.cache/pip']);
    assert.match(pip.advice, /--no-cache-dir/);
    assert.equal(pip.createdBy, 'RUN /bin/sh -c pip install -r requirements.txt # buildkit');
    // Only the app's two layers were downloaded; the base's were not even asked for.
    const appLayers = app.layers.slice(2);
    assert.deepEqual(blobGets(base.layers.map((l) => l.digest)), []);
    assert.equal(blobGets(appLayers.map((l) => l.digest)).length, 2);
    assert.equal(out.bytesDownloaded, sum(appLayers.map((l) => l.size)));
    assert.deepEqual(out.layers.map((l) => l.source), ['base', 'base', 'download', 'download']);
    assert.deepEqual(out.layers.map((l) => l.files), [null, null, 2, recordFiles.length + 1 + pipCache.length]);
    assert.match(out.wasted.note ?? '', /unknown, because the base layers were not read/);
    assert.match(r.stderr, /downloading 2 layers to list their files: .* about .* at 5Mbps/);
  });

  it('files: largest files and folders (du sums), per-layer added bytes, wasted bytes with the steps, efficiency as dive', async () => {
    const r = await runInProcess(Files, [at('team/wasteful:1'), '--json', '--cache-dir', fresh(), '--top', '50']);
    assert.equal(r.exitCode, 0, r.stderr);
    const out = JSON.parse(r.stdout) as FilesResult;
    const L = wasteful.layers;
    const size = (l: Layer, name: string) => {
      // The content as built: parse it back out of the test's own tar.
      const i = l.tar.indexOf(Buffer.from(name));
      assert.ok(i >= 0, name);
      return parseInt(l.tar.subarray(i + 124, i + 136).toString('latin1'), 8);
    };
    const tool1 = size(L[1] as Layer, 'usr/bin/tool');
    const tool2 = size(L[2] as Layer, 'usr/bin/tool');
    const big = size(L[1] as Layer, 'tmp/big.tar');
    const a = size(L[1] as Layer, 'opt/data/a.bin');
    const apt = size(L[1] as Layer, 'var/lib/apt/lists/');
    const b = size(L[2] as Layer, 'opt/data/b.bin');
    const lib = size(L[0] as Layer, 'usr/lib/libpython3.11.so.1.0');
    assert.deepEqual(
      out.wasted.files.map((w) => [w.path, w.size, w.layer, w.removedBy, w.reason]).sort(),
      [
        ['/opt/data/a.bin', a, 1, 2, 'deleted'],
        ['/tmp/big.tar', big, 1, 2, 'deleted'],
        ['/usr/bin/tool', tool1, 1, 2, 'overwritten'],
      ].sort(),
    );
    assert.equal(out.wasted.bytes, big + tool1 + a);
    // dive: sum over paths of the smallest occurrence / sum of all occurrences.
    // big.tar's whiteout is a 0-byte occurrence of its path; the opaque folder, like a whited-out
    // folder in dive, is an occurrence of /opt/data as big as what it hides (a.bin keeps its own).
    const minimum = lib + apt + tool2 + b + 0 + a;
    const cumulative = lib + apt + (tool1 + tool2) + (big + 0) + a + (0 + a) + b;
    assert.equal(out.wasted.efficiency, minimum / cumulative);
    assert.deepEqual(out.largest.map((f) => [f.path, f.size, f.layer]), [
      ['/usr/lib/libpython3.11.so.1.0', lib, 0],
      ['/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4', apt, 1],
      ['/opt/data/b.bin', b, 2],
      ['/usr/bin/tool', tool2, 2],
    ]);
    const dirs = new Map(out.directories.map((d) => [d.path, d.size]));
    assert.equal(dirs.get('/usr'), lib + tool2);
    assert.equal(dirs.get('/opt/data'), b);
    assert.equal(dirs.get('/var/lib/apt/lists'), apt);
    assert.equal(dirs.has('/tmp'), true);
    assert.equal(dirs.get('/tmp'), 0);
    assert.deepEqual(out.layers.map((l) => [l.files, l.addedBytes, l.source]), [
      [1, lib, 'download'],
      [4, apt + tool1 + big + a, 'download'],
      [2, tool2 + b, 'download'],
    ]);
    const hint = (rule: string) => out.hints.find((h) => h.rule === rule);
    assert.equal(hint('apt-lists')?.bytes, apt);
    assert.deepEqual(hint('apt-lists')?.paths, ['/var/lib/apt/lists']);
    assert.equal(hint('deleted-later')?.bytes, big + a);
    assert.equal(hint('deleted-later')?.layer, 1);
    assert.match(hint('deleted-later')?.advice ?? '', /same RUN .*layer 1: RUN apt-get update.*layer 2: RUN rm \/tmp\/big\.tar/);
  });

  it('a second run reads nothing: listings are cached by layer digest', async () => {
    const dir = fresh();
    const first = await runInProcess(Files, [at('team/wasteful:1'), '--json', '--cache-dir', dir]);
    assert.equal(first.exitCode, 0, first.stderr);
    proxy.reset();
    const second = await runInProcess(Files, [at('team/wasteful:1'), '--json', '--cache-dir', dir]);
    assert.equal(second.exitCode, 0, second.stderr);
    assert.deepEqual(blobGets(wasteful.layers.map((l) => l.digest)), [], 'no layer blob requested');
    const a = JSON.parse(first.stdout) as FilesResult;
    const b = JSON.parse(second.stdout) as FilesResult;
    assert.equal(b.bytesDownloaded, 0);
    assert.deepEqual(b.layers.map((l) => l.source), ['cache', 'cache', 'cache']);
    assert.deepEqual({ ...b, layers: [], bytesDownloaded: 0 }, { ...a, layers: [], bytesDownloaded: 0 });
    assert.match(second.stderr, /nothing to download/);
  });

  it('with the base listing cached, diff --files also sees base files the app deletes', async () => {
    const dir = fresh();
    // Listing the base once puts its layers in the cache.
    assert.equal((await runInProcess(Files, [at('lib/python:3.11'), '--json', '--cache-dir', dir])).exitCode, 0);
    const rm = makeLayer({ files: [{ name: 'tmp/build/.wh.python.tar.xz' }], compression: 'gzip', createdBy: 'RUN /bin/sh -c rm /tmp/build/python.tar.xz # buildkit' });
    await pushImage(reg, 'team/app', 'rm', makeImage({ layers: [baseOs, baseDpkg, rm] }));
    proxy.reset();
    const r = await runInProcess(Diff, [at('lib/python:3.11'), at('team/app:rm'), '--files', '--json', '--cache-dir', dir]);
    assert.equal(r.exitCode, 0, r.stderr);
    const out = JSON.parse(r.stdout) as FilesResult;
    assert.deepEqual(out.layers.map((l) => l.source), ['cache', 'cache', 'download']);
    assert.deepEqual(out.wasted.files.map((w) => [w.path, w.size, w.layer, w.removedBy]), [['/tmp/build/python.tar.xz', 40_000, 1, 2]]);
    assert.equal(out.wasted.note, undefined);
    assert.deepEqual(blobGets(base.layers.map((l) => l.digest)), []);
  });

  it('--packages: dpkg sizes (KiB) with the layer that installed them, Python dist-info sums', async () => {
    const r = await runInProcess(Files, [at('team/app:v2'), '--json', '--packages', '--cache-dir', fresh()]);
    assert.equal(r.exitCode, 0, r.stderr);
    const out = JSON.parse(r.stdout) as FilesResult;
    assert.deepEqual(out.packages.map((p) => [p.manager, p.name, p.version, p.size, p.layer]), [
      ['dpkg', 'libc6', '2.36', 1200 * 1024, 1],
      ['dpkg', 'tzdata', '2024a', 300 * 1024, 1],
      ['python', 'requests', '2.31.0', bytesOf(recordFiles), 3],
    ]);
  });

  it('--max-download: refuses before reading, naming the layers, exit 2, one line', async () => {
    proxy.reset();
    const r = await runInProcess(Files, [at('team/app:v2'), '--max-download', '1kB', '--cache-dir', fresh()]);
    assert.equal(r.exitCode, 2);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0] as string, /would download \d+ bytes in 4 layers \(#0 sha256:.*#3 sha256:.*\), more than --max-download 1000/);
    assert.equal(r.stdout, '');
    assert.deepEqual(blobGets(app.layers.map((l) => l.digest)), []);
  });

  it('eStargz: listed from its table of contents by Range reads, not downloaded; a TOC that lies is reported and the layer downloaded', async () => {
    const files: TarFile[] = [{ name: 'srv/' }, { name: 'srv/site.tar', content: seededBytes(60_000, 'files-estargz') }, { name: 'srv/index.html', content: '<h1>hi</h1>\n'.repeat(50) }];
    const gz = makeLayer({ files, compression: 'gzip', estargz: true, createdBy: 'COPY site /srv # buildkit' });
    await pushImage(reg, 'team/lazy', '1', makeImage({ layers: [gz] }));
    proxy.reset();
    const r = await runInProcess(Files, [at('team/lazy:1'), '--json', '--cache-dir', fresh()]);
    assert.equal(r.exitCode, 0, r.stderr);
    const out = JSON.parse(r.stdout) as FilesResult;
    assert.deepEqual(out.layers.map((l) => [l.source, l.files, l.addedBytes]), [['toc', 2, bytesOf(files)]]);
    assert.deepEqual(out.largest.map((f) => [f.path, f.size]), [['/srv/site.tar', 60_000], ['/srv/index.html', bytesOf(files.slice(2))]]);
    const gets = blobGets([gz.digest]);
    assert.equal(gets.length, 2, JSON.stringify(gets));
    assert.ok(gets.every((g) => g.status === 206), 'Range reads only, never the whole blob');
    assert.ok(out.bytesDownloaded < gz.size / 2, `${out.bytesDownloaded} of ${gz.size}`);

    const lying = { ...gz, annotations: { ...gz.annotations, 'containerd.io/snapshot/stargz/toc.digest': `sha256:${'1'.repeat(64)}` } };
    await pushImage(reg, 'team/lazy', 'lies', makeImage({ layers: [lying] }));
    const l = await runInProcess(Files, [at('team/lazy:lies'), '--json', '--cache-dir', fresh()]);
    assert.equal(l.exitCode, 0, l.stderr);
    assert.match(l.stderr, /eStargz table of contents not used: it hashes to sha256:[0-9a-f]{64}, not to its containerd\.io\/snapshot\/stargz\/toc\.digest annotation: it lies about the layer; downloading the layer instead/);
    const lo = JSON.parse(l.stdout) as FilesResult;
    assert.deepEqual(lo.layers.map((x) => [x.source, x.files, x.addedBytes]), [['download', 3 /* the TOC file too */, bytesOf(files) + (lo.largest.find((f) => f.path === '/stargz.index.json')?.size ?? NaN)]]);
  });

  it('a layer that cannot be read is named on stderr, the others are still reported, exit 1', async () => {
    const good = makeLayer({ files: [{ name: 'etc/motd', content: 'welcome\n'.repeat(20) }], compression: 'gzip' });
    const lie = forgeSize(makeTar([{ name: 'var/log/lastlog', content: 'tiny' }]), 0, 10_000_000_000);
    const blob = gzipSync(lie);
    const bad = { ...good, tar: lie, blob, digest: sha256(blob), size: blob.length, diffId: sha256(lie), uncompressedSize: lie.length };
    await pushImage(reg, 'team/broken', '1', makeImage({ layers: [good, bad] }));
    const r = await runInProcess(Files, [at('team/broken:1'), '--json', '--cache-dir', fresh()]);
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`layer 1 \\(${bad.digest}\\) could not be listed: .*declares 10000000000 bytes: the layer is truncated or its header lies`));
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    const out = JSON.parse(r.stdout) as FilesResult;
    assert.equal(out.failedLayers, 1);
    assert.deepEqual(out.largest.map((f) => [f.path, f.size]), [['/etc/motd', 'welcome\n'.length * 20]]);
    assert.match(out.wasted.note ?? '', /unknown, because 1 layer\(s\) could not be read/);
  });

  it('smoke: the CLI prints the table, the pip hint and its fix', async () => {
    const r = await spawnCli(['files', at('team/app:v2')]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /Largest files/);
    assert.match(r.stdout, /pip-cache {2}layer 3 \(RUN pip install -r requirements\.txt\): \/root\/\.cache\/pip\n {4}fix: pip install --no-cache-dir/);
    assert.ok(!r.stdout.includes('\u001b'), 'no escape sequences in piped output');
  });
});
