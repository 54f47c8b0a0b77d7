/**
 * --uncompressed and --exact as every sizing command reads them: which sizer the flags give,
 * and the stderr lines for layers whose size is unknown. The sizer runs over a blob source
 * that ignores ranges, so only --exact can learn the size: by counting the gzip stream.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { sizerFromFlags, warnUnknownLayers } from '../../src/cli/uncompressed-flags.js';
import type { Logger } from '../../src/log.js';
import type { LayerBlobSource } from '../../src/oci/layer-reader.js';
import { makeTar, MT, seededBytes } from '../helpers/images.js';
import { sha256 } from '../helpers/push.js';

const tar = makeTar([{ name: 'a.bin', content: seededBytes(40_000, 'flags') }]);
const blob = gzipSync(tar);
const layer = { mediaType: MT.OCI_LAYER_GZIP, digest: sha256(blob), size: blob.length };
const repo = { registry: 'r.example', repository: 'a' };

/** Answers every range with "ignored", and streams the whole blob in 1000-byte chunks. */
const ignoresRanges: LayerBlobSource = {
  blobRange: async () => ({ bytes: new Uint8Array(0), rangeIgnored: true }),
  blobStream: async (_r, _b, sink) => {
    const s = sink();
    for (let i = 0; i < blob.length; i += 1000) await s.write(blob.subarray(i, i + 1000));
    return { bytes: blob.length };
  },
};

describe('--uncompressed and --exact', () => {
  it('gives no sizer without either flag', () => {
    const { sizer, done } = sizerFromFlags(ignoresRanges, { uncompressed: false, exact: false, concurrency: 4 }, false);
    assert.equal(sizer, undefined);
    assert.doesNotThrow(done);
  });

  it('--uncompressed reads ranges only: a source that ignores them leaves the layer unknown', async () => {
    const { sizer } = sizerFromFlags(ignoresRanges, { uncompressed: true, exact: false, concurrency: 4 }, false);
    const r = await sizer?.layer(repo, layer);
    assert.equal(r?.size, null);
    assert.match(r?.note ?? '', /ignored the Range request/);
  });

  it('--exact implies --uncompressed and counts the layer', async () => {
    const { sizer } = sizerFromFlags(ignoresRanges, { uncompressed: false, exact: true, concurrency: 4 }, false);
    assert.deepEqual(await sizer?.layer(repo, layer), { size: tar.length, method: 'streamed', bytesRead: blob.length });
  });

  it('says, one line per layer, why a size is unknown or what its count found, with its position', () => {
    const warnings: string[] = [];
    const logger: Logger = { debug: () => {}, warn: (l) => warnings.push(l) };
    const d = (c: string) => `sha256:${c.repeat(64)}`;
    const all = [{ digest: d('1') }, { digest: d('2') }, { digest: d('3') }];
    warnUnknownLayers(
      logger,
      'app:1',
      [
        { digest: d('1'), uncompressedSize: 100 },
        { digest: d('2'), uncompressedSize: null, uncompressedNote: 'the blob is 3 bytes, too short to be gzip' },
        { digest: d('3'), uncompressedSize: 200, uncompressedNote: 'counted 200 bytes; the annotation says 100' },
      ],
      all,
    );
    assert.deepEqual(warnings, [
      `app:1: layer 2 (${'2'.repeat(12)}): uncompressed size unknown: the blob is 3 bytes, too short to be gzip`,
      `app:1: layer 3 (${'3'.repeat(12)}): counted 200 bytes; the annotation says 100`,
    ]);
  });

  it('a layer not among `all` has no position, and a missing reason says so', () => {
    const warnings: string[] = [];
    warnUnknownLayers({ debug: () => {}, warn: (l) => warnings.push(l) }, 'x', [{ digest: 'sha256:abcdef0123456789', uncompressedSize: null }], []);
    assert.deepEqual(warnings, ['x: layer (abcdef012345): uncompressed size unknown: no reason given']);
  });
});
