/**
 * layers, diff and uncompressed sizes against a real registry (Debian's docker-registry),
 * with images this test builds: every expected figure comes from the bytes built here
 * (descriptor sizes, tar lengths, history), never from regsize.
 */
import assert from 'node:assert/strict';
import { createSession } from '../../src/session.js';
import { parseReference } from '../../src/reference/reference.js';
import type { Logger } from '../../src/log.js';
import { listLayers } from '../../src/sizing/layers.js';
import { diffImages } from '../../src/sizing/diff.js';
import { compareImages, type ImageEntry } from '../../src/sizing/compare.js';
import { UncompressedSizer } from '../../src/sizing/uncompressed.js';
import { ZSTD_SMALL_BLOB } from '../../src/sizing/zstd-layer.js';
import { type Image, type Layer, makeImage, makeIndex, makeLayer, makeRandomLayer, MT, seededBytes, pushImage, pushIndex } from '../helpers/images.js';
import { authHeader, pushBlob, pushManifest, sha256 } from '../helpers/push.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';
import { regzipped, startByteCountingProxy, zstdLayerWithContentSize } from './layer-fixtures.js';

const AMD64 = { os: 'linux', architecture: 'amd64' };
const BASE_NAME = 'org.opencontainers.image.base.name';
const BASE_DIGEST = 'org.opencontainers.image.base.digest';

function session() {
  const lines: string[] = [];
  const logger: Logger = { debug: (l) => lines.push(l), warn: (l) => lines.push(`warning: ${l}`) };
  return { ...createSession({ logger, timeoutMs: 20_000, retries: 0 }), lines };
}

const sum = (layers: { size: number }[]) => layers.reduce((s, l) => s + l.size, 0);

describe('layers, diff and --uncompressed against a real registry', function () {
  this.timeout(120_000);
  let reg: LocalRegistry;
  let b1: Layer, b2: Layer;
  let zstdSized: Layer, rawTar: Layer, npm: Layer, estargz: Layer;
  let base: Image, app: Image;
  const ref = (s: string) => parseReference(`${reg.host}/${s}`);

  before(async () => {
    reg = await startRegistry();
    b1 = makeRandomLayer({ size: 300_000, seed: 'base-rootfs', createdBy: 'ADD alpine-minirootfs-3.20.tar.gz / # buildkit' });
    b2 = makeLayer({
      files: [{ name: 'etc/' }, { name: 'etc/ssl/certs/ca.pem', content: '-----CERT-----\n'.repeat(4000) }],
      compression: 'gzip',
      createdBy: 'RUN /bin/sh -c apk add --no-cache ca-certificates # buildkit',
    });
    base = makeImage({ layers: [b1, b2] });
    await pushImage(reg, 'lib/base', '3.20', base);

    zstdSized = zstdLayerWithContentSize([{ name: 'app/' }, { name: 'app/main.js', content: 'console.log("hi")\n'.repeat(6000) }], 'COPY . /app # buildkit');
    rawTar = makeLayer({ files: [{ name: 'app/build/' }, { name: 'app/build/out.txt', content: 'built\n'.repeat(2000) }], compression: 'none', createdBy: 'RUN /bin/sh -c make # buildkit' });
    npm = makeRandomLayer({ size: 200_000, seed: 'node-modules', path: 'app/node_modules/blob.bin', createdBy: 'RUN /bin/sh -c npm ci --omit=dev # buildkit' });
    estargz = makeLayer({ files: [{ name: 'srv/' }, { name: 'srv/index.html', content: '<p>hello</p>\n'.repeat(3000) }], compression: 'gzip', estargz: true, createdBy: 'COPY static/ /srv/ # buildkit' });
    const appLayers = [b1, b2, zstdSized, rawTar, npm, estargz];
    app = makeImage({
      layers: appLayers,
      history: [
        { created_by: b1.createdBy as string },
        { created_by: b2.createdBy as string },
        { created_by: 'ENV NODE_ENV=production', empty_layer: true },
        { created_by: 'WORKDIR /app', empty_layer: true },
        ...appLayers.slice(2).map((l) => ({ created_by: l.createdBy as string })),
        { created_by: 'CMD ["node", "main.js"]', empty_layer: true },
      ],
      annotations: { [BASE_NAME]: `${reg.host}/lib/base:3.20`, [BASE_DIGEST]: base.manifestDigest },
    });
    await pushImage(reg, 'team/app', '1.0', app);
  });
  after(async () => reg?.stop());

  describe('layers', () => {
    it('lists every layer with its size, media type and the step that made it, empty steps skipped', async () => {
      const { client, logger } = session();
      const r = await listLayers(client, ref('team/app:1.0'), { platform: AMD64, logger });
      assert.equal(r.manifestDigest, app.manifestDigest);
      assert.equal(r.platform, 'linux/amd64');
      assert.equal(r.compressedSize, sum(app.layers));
      assert.deepEqual(
        r.layers.map((l) => ({ digest: l.digest, size: l.size, mediaType: l.mediaType, createdBy: l.createdBy })),
        app.layers.map((l) => ({ digest: l.digest, size: l.size, mediaType: l.mediaType, createdBy: l.createdBy })),
      );
      assert.deepEqual(r.warnings, []);
      assert.ok(r.layers.every((l) => !('uncompressedSize' in l)), 'uncompressedSize only with --uncompressed');
    });

    it('--uncompressed equals the tar sizes built, for gzip, zstd, plain tar and eStargz, reading a few bytes a layer (a small zstd blob whole)', async () => {
      const proxy = await startByteCountingProxy(reg.url);
      try {
        const { client, logger } = session();
        const r = await listLayers(client, parseReference(`${proxy.host}/team/app:1.0`), { platform: AMD64, logger, uncompressed: new UncompressedSizer(client) });
        assert.deepEqual(r.layers.map((l) => l.uncompressedSize), app.layers.map((l) => l.uncompressedSize));
        assert.equal(r.uncompressedSize, app.layers.reduce((s, l) => s + l.uncompressedSize, 0));
        await proxy.settled();
        for (const l of app.layers) {
          const bytes = sum(proxy.blob(l.digest).map((q) => ({ size: q.bytes })));
          const expected = l.compression === 'gzip' && !l.annotations ? 4 : l.compression === 'zstd' ? (l.size <= ZSTD_SMALL_BLOB ? l.size : 18) : 0;
          assert.equal(bytes, expected, `${l.compression} layer ${l.digest}: ${bytes} bytes read`);
          for (const q of proxy.blob(l.digest)) assert.ok(q.range, 'every layer read is a Range request');
        }
      } finally {
        await proxy.stop();
      }
    });

    it('a zstd frame without its content size is unknown, and --exact counts it exactly', async () => {
      // Over 64 KiB compressed, so that the header is all regsize reads without --exact.
      const streamed = makeLayer({ files: [{ name: 'opt/' }, { name: 'opt/tool', content: seededBytes(100_000, 'zstd stream') }], compression: 'zstd', createdBy: 'RUN build' });
      const img = makeImage({ layers: [b1, streamed] });
      await pushImage(reg, 'team/zstd', 'stream', img);
      const { client, logger } = session();
      const plain = await listLayers(client, ref('team/zstd:stream'), { platform: AMD64, logger, uncompressed: new UncompressedSizer(client) });
      assert.equal(plain.layers[1]?.uncompressedSize, null);
      assert.match(plain.layers[1]?.uncompressedNote ?? '', /does not record its content size/);
      assert.equal(plain.uncompressedSize, null, 'an image total with an unknown layer is unknown, not a partial sum');
      const exact = await listLayers(client, ref('team/zstd:stream'), { platform: AMD64, logger, uncompressed: new UncompressedSizer(client, { exact: true }) });
      assert.equal(exact.layers[1]?.uncompressedSize, streamed.uncompressedSize);
      assert.equal(exact.uncompressedSize, b1.uncompressedSize + streamed.uncompressedSize);
    });

    it('an eStargz layer without its annotation is unknown (its ISIZE reads 0), never 0; --exact counts it', async () => {
      const { annotations: _dropped, ...bare } = estargz;
      const img = makeImage({ layers: [bare] });
      await pushImage(reg, 'team/esgz', 'bare', img);
      const { client, logger } = session();
      const r = await listLayers(client, ref('team/esgz:bare'), { platform: AMD64, logger, uncompressed: new UncompressedSizer(client) });
      assert.equal(r.layers[0]?.uncompressedSize, null);
      assert.match(r.layers[0]?.uncompressedNote ?? '', /reads 0/);
      const exact = await listLayers(client, ref('team/esgz:bare'), { platform: AMD64, logger, uncompressed: new UncompressedSizer(client, { exact: true }) });
      assert.equal(exact.layers[0]?.uncompressedSize, estargz.uncompressedSize);
    });

    it('a registry that ignores Range gets its body abandoned: unknown, the layer not downloaded; --exact streams it', async () => {
      const big = makeRandomLayer({ size: 24_000_000, seed: 'big-layer', createdBy: 'RUN fetch-model' });
      const img = makeImage({ layers: [big] });
      await pushImage(reg, 'team/big', '1', img);
      const proxy = await startByteCountingProxy(reg.url, { ignoreRange: true });
      try {
        const { client, logger } = session();
        const r = await listLayers(client, parseReference(`${proxy.host}/team/big:1`), { platform: AMD64, logger, uncompressed: new UncompressedSizer(client) });
        assert.equal(r.layers[0]?.uncompressedSize, null);
        assert.match(r.layers[0]?.uncompressedNote ?? '', /ignored the Range request/);
        await proxy.settled();
        const [q] = proxy.blob(big.digest);
        assert.equal(q?.status, 200, 'the proxy did send the whole blob unasked');
        assert.ok((q?.bytes ?? 0) < big.size / 4, `only ${q?.bytes} of ${big.size} bytes left the proxy before regsize hung up`);

        const exact = await listLayers(client, parseReference(`${proxy.host}/team/big:1`), { platform: AMD64, logger, uncompressed: new UncompressedSizer(client, { exact: true }) });
        assert.equal(exact.layers[0]?.uncompressedSize, big.uncompressedSize);
      } finally {
        await proxy.stop();
      }
    });

    it('history that does not line up with the layers: steps not guessed, and said why', async () => {
      const longer = makeImage({ layers: [b1, b2], history: [{ created_by: 'ADD a /' }, { created_by: 'RUN b' }, { created_by: 'RUN c' }] });
      const shorter = makeImage({ layers: [b1, b2], history: [{ created_by: 'ADD a /' }, { created_by: 'ENV X=1', empty_layer: true }] });
      const none = makeImage({ layers: [b1], configOverride: { history: undefined } });
      await pushImage(reg, 'broken/history', 'longer', longer);
      await pushImage(reg, 'broken/history', 'shorter', shorter);
      await pushImage(reg, 'broken/history', 'none', none);
      const { client, logger } = session();
      for (const [tag, steps] of [['longer', 3], ['shorter', 1]] as const) {
        const r = await listLayers(client, ref(`broken/history:${tag}`), { platform: AMD64, logger });
        assert.deepEqual(r.layers.map((l) => l.createdBy), [null, null], tag);
        assert.deepEqual(r.layers.map((l) => l.size), [b1.size, b2.size], `${tag}: sizes still come from the manifest`);
        assert.equal(r.warnings.length, 1);
        assert.match(r.warnings[0] as string, new RegExp(`names ${steps} layer steps? for 2 layers`));
      }
      const r = await listLayers(client, ref('broken/history:none'), { platform: AMD64, logger });
      assert.deepEqual(r.layers.map((l) => l.createdBy), [null]);
      assert.deepEqual(r.warnings, ['the config has no history']);
    });

    it('a config that is missing or not JSON is a clear error, also for an index entry', async () => {
      const missing = makeImage({ layers: [b1], configOverride: { comment: 'to be deleted' } });
      const idx = makeIndex([{ image: missing }]);
      await pushIndex(reg, 'broken/config', 'missing', idx);
      const del = await fetch(`${reg.url}/v2/broken/config/blobs/${missing.configDigest}`, { method: 'DELETE', headers: authHeader(reg) });
      assert.equal(del.status, 202);

      const junk = Buffer.from('{"architecture": "amd64", "os": "linux", ');
      await pushBlob(reg, 'broken/junk', b1.blob);
      const junkImage = manifestOnly(junk, [b1]);
      await pushBlob(reg, 'broken/junk', junk);
      await pushManifest(reg, 'broken/junk', junkImage.manifestDigest, junkImage.manifest, MT.OCI_MANIFEST);
      const junkIndex = makeIndex([{ image: junkImage as unknown as Image, platform: AMD64 }]);
      await pushManifest(reg, 'broken/junk', 'v1', junkIndex.manifest, junkIndex.mediaType);

      const { client, logger } = session();
      await assert.rejects(listLayers(client, ref('broken/config:missing'), { platform: AMD64, logger }), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'BLOB_UNKNOWN');
        assert.match(e.message, new RegExp(`image config ${missing.configDigest} is missing from the registry`));
        return true;
      });
      await assert.rejects(listLayers(client, ref('broken/junk:v1'), { platform: AMD64, logger }), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'MANIFEST_INVALID');
        assert.match(e.message, /image config sha256:[a-f0-9]{64} is not valid JSON/);
        return true;
      });
    });

    it('a manifest whose "layer" is not a layer (an attestation) marks the row instead of failing', async () => {
      const idx = makeIndex([{ image: base }], { attestations: true });
      await pushIndex(reg, 'lib/attested', '1', idx);
      const att = idx.attestationManifests[0]!;
      const { client, logger } = session();
      const r = await listLayers(client, ref(`lib/attested@${att.manifestDigest}`), { platform: { os: 'unknown', architecture: 'unknown' }, logger, uncompressed: new UncompressedSizer(client, { exact: true }) });
      assert.equal(r.layers.length, 1);
      assert.equal(r.layers[0]?.mediaType, MT.IN_TOTO);
      assert.equal(r.layers[0]?.uncompressedSize, null);
      assert.match(r.layers[0]?.uncompressedNote ?? '', /not a layer media type/);
      assert.equal(r.layers[0]?.size, att.layers[0]?.size);
    });
  });

  describe('diff', () => {
    it('reports exactly the layers and bytes the image added to its base, step by step', async () => {
      const { client, logger } = session();
      const r = await diffImages(client, ref('lib/base:3.20'), ref('team/app:1.0'), { platform: AMD64, logger });
      const added = app.layers.slice(2);
      assert.equal(r.base.manifestDigest, base.manifestDigest);
      assert.equal(r.image.manifestDigest, app.manifestDigest);
      assert.equal(r.baseFrom, 'argument');
      assert.deepEqual(r.addedLayers, added.map((l) => ({ digest: l.digest, size: l.size, createdBy: l.createdBy })));
      assert.equal(r.addedSize, sum(added));
      assert.deepEqual(r.sharedLayers.map((l) => [l.digest, l.matchedBy, l.baseDigest]), base.layers.map((l) => [l.digest, 'digest', l.digest]));
      assert.deepEqual(r.removedLayers, []);
      assert.deepEqual(r.warnings, []);
      assert.ok(!('addedUncompressedSize' in r));
    });

    it('with --uncompressed, the added tar bytes are the tar sizes built', async () => {
      const { client, logger } = session();
      const r = await diffImages(client, ref('lib/base:3.20'), ref('team/app:1.0'), { platform: AMD64, logger, uncompressed: new UncompressedSizer(client) });
      const added = app.layers.slice(2);
      assert.deepEqual(r.addedLayers.map((l) => l.uncompressedSize), added.map((l) => l.uncompressedSize));
      assert.equal(r.addedUncompressedSize, added.reduce((s, l) => s + l.uncompressedSize, 0));
      assert.equal(r.base.uncompressedSize, b1.uncompressedSize + b2.uncompressedSize);
      assert.equal(r.image.uncompressedSize, app.layers.reduce((s, l) => s + l.uncompressedSize, 0));
    });

    it('a base layer recompressed in the image still counts as shared, by diff_id', async () => {
      const b1b = regzipped(b1);
      assert.notEqual(b1b.digest, b1.digest);
      const rebuilt = makeImage({ layers: [b1b, b2, npm] });
      await pushImage(reg, 'team/app', 'recompressed', rebuilt);
      const { client, logger } = session();
      const r = await diffImages(client, ref('lib/base:3.20'), ref('team/app:recompressed'), { platform: AMD64, logger });
      assert.deepEqual(r.sharedLayers.map((l) => [l.digest, l.matchedBy, l.baseDigest]), [[b1b.digest, 'diff_id', b1.digest], [b2.digest, 'digest', b2.digest]]);
      assert.deepEqual(r.addedLayers.map((l) => l.digest), [npm.digest]);
      assert.equal(r.addedSize, npm.size);
    });

    it('what BASE has that IMAGE lacks shows a different base', async () => {
      const other = makeImage({ layers: [makeRandomLayer({ size: 50_000, seed: 'debian-rootfs', createdBy: 'ADD debian.tar.xz /' })] });
      await pushImage(reg, 'lib/debian', '12', other);
      const { client, logger } = session();
      const r = await diffImages(client, ref('lib/debian:12'), ref('team/app:1.0'), { platform: AMD64, logger });
      assert.deepEqual(r.removedLayers.map((l) => [l.digest, l.size, l.createdBy]), other.layers.map((l) => [l.digest, l.size, l.createdBy]));
      assert.deepEqual(r.sharedLayers, []);
      assert.equal(r.addedSize, sum(app.layers));
      assert.match(r.warnings.join('\n'), /shares no layer with/);
    });

    it('with one argument, the base comes from the image annotations (manifest or index), pinned to the annotated digest', async () => {
      // Move the tag on: the annotation's digest, not the tag, must decide.
      const { client, logger } = session();
      const plain = makeImage({ layers: app.layers });
      await pushIndex(reg, 'team/app', 'indexed', makeIndex([{ image: plain }], { annotations: { [BASE_NAME]: `${reg.host}/lib/base:3.20`, [BASE_DIGEST]: base.manifestDigest } }));
      await pushImage(reg, 'lib/base', '3.20', makeImage({ layers: [b1] }));
      try {
        for (const tag of ['1.0', 'indexed']) {
          const r = await diffImages(client, undefined, ref(`team/app:${tag}`), { platform: AMD64, logger });
          assert.equal(r.baseFrom, 'annotation');
          assert.equal(r.base.manifestDigest, base.manifestDigest, tag);
          assert.equal(r.addedSize, sum(app.layers.slice(2)), tag);
        }
      } finally {
        await pushImage(reg, 'lib/base', '3.20', base);
      }
    });

    it('with one argument and no base annotation, says a base must be given', async () => {
      await pushImage(reg, 'team/app', 'plain', makeImage({ layers: [b1, npm] }));
      const { client, logger } = session();
      await assert.rejects(diffImages(client, undefined, ref('team/app:plain'), { platform: AMD64, logger }), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'INVALID_INPUT');
        assert.match(e.message, /does not name its base image .*give the base: regsize diff BASE /);
        return true;
      });
    });
  });

  describe('compare --uncompressed', () => {
    it('adds uncompressedSize to each entry, and reads a layer shared by two images once', async () => {
      const proxy = await startByteCountingProxy(reg.url);
      try {
        const { client, logger } = session();
        const refs = [parseReference(`${proxy.host}/team/app:1.0`), parseReference(`${proxy.host}/lib/base:3.20`)];
        const r = await compareImages(client, refs, { platform: AMD64, concurrency: 4, logger, uncompressed: new UncompressedSizer(client) });
        const [a, b] = r.images as [ImageEntry, ImageEntry];
        assert.equal(a.uncompressedSize, app.layers.reduce((s, l) => s + l.uncompressedSize, 0));
        assert.equal(b.uncompressedSize, b1.uncompressedSize + b2.uncompressedSize);
        assert.equal(proxy.blob(b1.digest).length, 1, 'the shared base layer is read once');
        const without = await compareImages(client, refs, { platform: AMD64, concurrency: 4, logger });
        assert.ok(without.images.every((e) => !('uncompressedSize' in e)));
      } finally {
        await proxy.stop();
      }
    });
  });
});

/** An image manifest for arbitrary config bytes (makeImage always writes valid JSON). */
function manifestOnly(config: Buffer, layers: Layer[]) {
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MT.OCI_MANIFEST,
      config: { mediaType: MT.OCI_CONFIG, digest: sha256(config), size: config.length },
      layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
    }),
  );
  return { config, configDigest: sha256(config), configMediaType: MT.OCI_CONFIG, manifest, manifestDigest: sha256(manifest), mediaType: MT.OCI_MANIFEST, layers, platform: AMD64 };
}
