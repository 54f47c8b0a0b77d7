/**
 * A blob is only what its descriptor says: a streamed blob (--exact) that runs past the
 * descriptor's size is cut off there with DIGEST_MISMATCH, and a 206 whose Content-Range is not
 * the range asked of a blob of the descriptor's size gives an unknown uncompressed size, with
 * the reason, never a number read from the wrong bytes.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { endlessGzip, type HostileRegistry, sha256, startHostileRegistry } from '../helpers/hostile-registry.js';
import { createSession } from '../../src/session.js';
import { UncompressedSizer } from '../../src/sizing/uncompressed.js';
import { silentLogger } from '../../src/log.js';
import { isRegsizeError } from '../../src/errors.js';
import type { Descriptor } from '../../src/oci/manifest.js';

const GZIP_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';

function client() {
  return createSession({ timeoutMs: 10_000, retries: 0, logger: silentLogger }).client;
}

/** The stream's stats once the registry has seen the client go (the close event comes a tick later). */
async function closed(reg: HostileRegistry, path: string) {
  for (let i = 0; i < 200 && !reg.stats(path)?.cutOff; i++) await new Promise((r) => setTimeout(r, 10));
  return reg.stats(path);
}

describe('hardening: blobs are no longer and no other than their descriptors', function () {
  this.timeout(30_000);
  let reg: HostileRegistry;
  afterEach(async () => reg?.stop());

  describe('--exact on a blob that never ends', () => {
    const size = 1_000_000;
    const d: Descriptor = { mediaType: GZIP_LAYER, digest: sha256(Buffer.from('the layer the descriptor promised')), size };
    const path = `/v2/app/blobs/${d.digest}`;
    beforeEach(async () => {
      reg = await startHostileRegistry();
      // Valid gzip for ever, answered 200 whatever Range asks, so only --exact's stream can tell.
      reg.on(path, { kind: 'stream', totalBytes: Number.POSITIVE_INFINITY, contentType: 'application/octet-stream', ...endlessGzip() });
    });

    it('stops once the descriptor size is passed, with DIGEST_MISMATCH saying it was longer', async () => {
      let handed = 0;
      await assert.rejects(
        client().blobStream({ registry: reg.host, repository: 'app' }, d, () => ({ write: (c) => void (handed += c.length) })),
        (e) => isRegsizeError(e) && e.code === 'DIGEST_MISMATCH' && /is longer than its descriptor's 1000000 bytes/.test(e.message),
      );
      assert.ok(handed <= size, `${handed} bytes reached the sink, more than the descriptor's ${size}`);
      const sent = await closed(reg, path);
      assert.ok(sent?.cutOff, 'the connection was closed on the registry');
      // Whatever sat in socket buffers when it was cut: far below what "for ever" would be.
      assert.ok((sent?.written ?? 0) < size + 16 * 1024 * 1024, `the registry got ${sent?.written} bytes out`);
    });

    it('leaves the uncompressed size unknown, saying why', async () => {
      const layer = await new UncompressedSizer(client(), { exact: true }).layer({ registry: reg.host, repository: 'app' }, d);
      assert.equal(layer.size, null);
      assert.match(layer.note ?? '', /could not count the layer: blob .* is longer than its descriptor's 1000000 bytes/);
      assert.ok((await closed(reg, path))?.cutOff);
    });
  });

  describe('206 answers that lie about their range', () => {
    // A real gzip layer: its uncompressed size is the length of what was compressed.
    const tar = Buffer.alloc(600 * 512, 'regsize ');
    const blob = gzipSync(tar);
    const d: Descriptor = { mediaType: GZIP_LAYER, digest: sha256(blob), size: blob.length };
    const tail = `${blob.length - 4}-${blob.length - 1}`;
    // The last 4 bytes of another, larger gzip: an ISIZE that is not this layer's.
    const other = gzipSync(Buffer.alloc(2048 * 512, 'x'));
    const otherTail = other.subarray(other.length - 4);

    const partial = (body: Buffer, contentRange?: string) => ({
      kind: 'respond' as const,
      status: 206,
      body,
      headers: { 'content-type': 'application/octet-stream', ...(contentRange !== undefined ? { 'content-range': contentRange } : {}) },
    });

    it('takes a 206 that names exactly the range asked and the descriptor size', async () => {
      reg = await startHostileRegistry();
      reg.on(`/v2/app/blobs/${d.digest}`, partial(blob.subarray(blob.length - 4), `bytes ${tail}/${blob.length}`));
      const layer = await new UncompressedSizer(client()).layer({ registry: reg.host, repository: 'app' }, d);
      assert.equal(layer.size, tar.length);
    });

    for (const [what, body, contentRange] of [
      ['another range of the blob', blob.subarray(0, 4), `bytes 0-3/${blob.length}`],
      ['the tail of a blob of another size', otherTail, `bytes ${tail}/${other.length}`],
      ['no Content-Range at all', otherTail, undefined],
      ['a Content-Range that is not bytes', otherTail, 'lines 1-2/3'],
      ['the range asked of a blob of unknown size', otherTail, `bytes ${tail}/*`],
    ] as const) {
      it(`a 206 with ${what} leaves the size unknown, with the reason`, async () => {
        reg = await startHostileRegistry();
        reg.on(`/v2/app/blobs/${d.digest}`, partial(Buffer.from(body), contentRange));
        const layer = await new UncompressedSizer(client()).layer({ registry: reg.host, repository: 'app' }, d);
        assert.equal(layer.size, null, `a confident ${layer.size} from bytes that are not this layer's tail`);
        assert.match(layer.note ?? '', new RegExp(`could not read the layer: .*answered 206 with .*not bytes ${tail}/${blob.length}`));
      });
    }
  });
});
