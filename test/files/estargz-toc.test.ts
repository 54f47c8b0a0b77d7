/**
 * eStargz tables of contents: the 51-byte footer, and a TOC that is not to be trusted
 * (unknown entry types, impossible sizes, files adding up to more than the layer). With
 * --packages, the dpkg database an eStargz layer's TOC lists is read by a Range read of its
 * gzip member alone (a real registry behind a counting proxy).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Files from '../../commands/files.js';
import { RegsizeError } from '../../src/errors.js';
import type { FilesResult } from '../../src/files/analyse.js';
import { ESTARGZ_FOOTER_SIZE, listingFromToc, parseFooter } from '../../src/files/estargz-toc.js';
import type { Descriptor } from '../../src/oci/manifest.js';
import { runInProcess } from '../commands/run-in-process.js';
import { type CountingProxy, startCountingProxy } from '../helpers/counting-proxy.js';
import { makeImage, makeLayer, pushImage, seededBytes } from '../helpers/images.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';

const fail = (why: string) => new RegsizeError('REGISTRY_ERROR', why);
const d = (uncompressed?: number): Descriptor => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${'1'.repeat(64)}`, size: 1000, ...(uncompressed ? { annotations: { 'io.containers.estargz.uncompressed-size': String(uncompressed) } } : {}) });

describe('files: eStargz tables of contents', function () {
  this.timeout(60_000);

  it('reads the TOC offset from the footer, and says why a footer is not one', () => {
    const layer = makeLayer({ files: [{ name: 'a', content: 'x'.repeat(100) }], compression: 'gzip', estargz: true });
    const offset = parseFooter(layer.blob.subarray(layer.blob.length - ESTARGZ_FOOTER_SIZE));
    assert.equal(typeof offset, 'number');
    assert.equal(layer.blob[offset as number], 0x1f, 'the TOC member starts with a gzip header');
    assert.equal(parseFooter(Buffer.alloc(10)), 'the footer is 10 bytes, not 51');
    assert.equal(parseFooter(Buffer.alloc(51)), 'the footer is not a gzip member with an extra field');
  });

  it('a TOC that lies about sizes or types is refused', () => {
    const toc = (entries: unknown[]) => listingFromToc(entries as never[], d(2048), fail);
    assert.deepEqual(toc([{ name: 'a', type: 'reg', size: 5 }, { name: 'a', type: 'chunk', offset: 9 }]).entries, [{ path: '/a', type: 'file', size: 5 }]);
    assert.throws(() => toc([{ name: 'a', type: 'weird' }]), /an entry has no valid name or type/);
    assert.throws(() => toc([{ name: 'a', type: 'reg', size: -1 }]), /"a" has an impossible size/);
    assert.throws(() => toc([{ name: 'a', type: 'reg', size: 4096 }]), /its files add up to 4096 bytes, more than the layer's 2048: it lies about the layer/);
  });

  describe('--packages against a registry', () => {
    let reg: LocalRegistry;
    let proxy: CountingProxy;
    let tmp: string;
    before(async () => {
      reg = await startRegistry();
      proxy = await startCountingProxy(reg.url);
      tmp = mkdtempSync(join(tmpdir(), 'regsize-estargz-'));
    });
    after(async () => {
      await proxy?.stop();
      await reg?.stop();
      rmSync(tmp, { recursive: true, force: true });
    });

    it('reads the dpkg database by one Range read of its member, not the layer', async () => {
      const status = 'Package: libpq-dev\nStatus: install ok installed\nVersion: 15\nInstalled-Size: 880\n\nPackage: bash\nStatus: install ok installed\nVersion: 5.2\nInstalled-Size: 7000\n';
      const layer = makeLayer({ files: [{ name: 'srv/site.bin', content: seededBytes(80_000, 'egz-pkg') }, { name: 'var/lib/dpkg/status', content: status }, { name: 'srv/z.bin', content: seededBytes(40_000, 'egz-z') }], compression: 'gzip', estargz: true });
      await pushImage(reg, 'team/lazy', 'pkgs', makeImage({ layers: [layer] }));
      proxy.reset();
      const r = await runInProcess(Files, [`${proxy.host}/team/lazy:pkgs`, '--json', '--packages', '--cache-dir', join(tmp, 'c')]);
      assert.equal(r.exitCode, 0, r.stderr);
      const out = JSON.parse(r.stdout) as FilesResult;
      assert.deepEqual(out.layers.map((l) => l.source), ['toc']);
      assert.deepEqual(out.packages.map((p) => [p.name, p.size]), [['bash', 7000 * 1024], ['libpq-dev', 880 * 1024]]);
      const gets = proxy.requests.filter((q) => q.method === 'GET' && q.path.endsWith(`/blobs/${layer.digest}`));
      assert.equal(gets.length, 3, 'footer, TOC, database');
      assert.ok(gets.every((g) => g.status === 206));
      assert.ok(out.bytesDownloaded < layer.size / 4, `${out.bytesDownloaded} of ${layer.size}`);
      assert.deepEqual(out.hints.find((h) => h.rule === 'compilers')?.packages, ['libpq-dev']);
    });
  });
});
