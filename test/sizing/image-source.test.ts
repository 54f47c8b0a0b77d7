/**
 * sizing/image-source.ts: the seam between sizing and where images live. A local source over
 * an in-memory store (the RepositoryReader and LayerReader a layout or archive fills) gives the
 * manifest's sizes, the config, and exact uncompressed sizes counted from the layers; a
 * registry source streams a layer's bytes, verified, through openLayer.
 */
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/log.js';
import { decodeManifest } from '../../src/oci/manifest.js';
import { parseReference } from '../../src/reference/reference.js';
import { createSession } from '../../src/session.js';
import { localSource, registrySource } from '../../src/sizing/image-source.js';
import type { LocalImage } from '../../src/source/local-image.js';
import { makeImage, makeRandomLayer, pushImage, type Image } from '../helpers/images.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';

function inMemory(img: Image): LocalImage {
  const top = { digest: img.manifestDigest, bytes: img.manifest, manifest: decodeManifest(img.manifest, img.mediaType, 'mem') };
  return {
    input: 'mem:app',
    name: 'mem:app',
    top,
    store: {
      manifestGet: async () => top,
      blobGet: async (d) => {
        if (d !== img.configDigest) throw new Error(`no blob ${d}`);
        return img.config;
      },
    },
    reader: {
      async *openLayer(blob) {
        const layer = img.layers.find((l) => l.digest === blob.digest);
        if (!layer) throw new Error(`no layer ${blob.digest}`);
        for (let i = 0; i < layer.blob.length; i += 1000) yield layer.blob.subarray(i, i + 1000);
      },
    },
  };
}

describe('image sources', function () {
  this.timeout(30_000);
  const img = makeImage({
    layers: [makeRandomLayer({ size: 40_000, seed: 'is-gz', compression: 'gzip' }), makeRandomLayer({ size: 12_000, seed: 'is-tar', compression: 'none' })],
  });

  it('a local source: sizes from the manifest, the config read, uncompressed sizes counted exactly', async () => {
    const [opened] = await localSource('mem:app', async () => inMemory(img)).open({ os: 'linux', architecture: 'amd64' }, silentLogger);
    assert.ok(opened);
    assert.equal(opened.platform, 'linux/amd64');
    assert.deepEqual(opened.manifest.layers.map((l) => l.size), img.layers.map((l) => l.size));
    assert.equal((await opened.config()).diffIds?.length, 2);
    const u = await opened.uncompressed();
    assert.deepEqual(u.layers.map((l) => l.size), img.layers.map((l) => l.uncompressedSize));
    assert.equal(u.total, img.layers.reduce((s, l) => s + l.uncompressedSize, 0));
  });

  describe('a registry source', () => {
    let reg: LocalRegistry;
    before(async () => {
      reg = await startRegistry();
      await pushImage(reg, 'src/app', '1', img);
    });
    after(async () => reg?.stop());

    it('streams each layer as stored through openLayer', async () => {
      const { client } = createSession({ logger: silentLogger, retries: 0 });
      const [opened] = await registrySource(client, parseReference(`${reg.host}/src/app:1`), undefined).open({ os: 'linux', architecture: 'amd64' }, silentLogger);
      assert.ok(opened);
      for (const [i, blob] of opened.blobs.entries()) {
        const chunks: Buffer[] = [];
        for await (const c of opened.openLayer(blob)) chunks.push(Buffer.from(c));
        assert.deepEqual(Buffer.concat(chunks), img.layers[i]?.blob);
      }
      assert.throws(() => opened.uncompressed(), /without a sizer/);
    });
  });
});
