/**
 * Local images sized beside registry images: skopeo (real tool output) copies an image from the
 * test registry into an OCI layout, an OCI archive and a docker archive, and regsize's figures
 * for each are checked against the registry image's: exactly for OCI, within the stated bound
 * for docker-archive's estimated compressed size, exactly for uncompressed sizes (from the
 * tars built here).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseReference } from '../../src/reference/reference.js';
import { compareImages, type CompareEntry, type ImageEntry, isErrorEntry } from '../../src/sizing/compare.js';
import { diffImages } from '../../src/sizing/diff.js';
import { listLayers } from '../../src/sizing/layers.js';
import { openImage } from '../../src/sizing/open.js';
import { UncompressedSizer } from '../../src/sizing/uncompressed.js';
import { parseImageInput } from '../../src/source/parse.js';
import { createSession } from '../../src/session.js';
import type { Logger } from '../../src/log.js';
import { type Image, type Layer, makeImage, makeLayer, makeRandomLayer, makeTar, pushImage } from '../helpers/images.js';
import { sha256 } from '../helpers/push.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';
import { skopeoInspectRaw } from '../helpers/skopeo.js';
import { copyFromRegistry, pushToRegistry } from './skopeo-local.js';

/**
 * The docker-archive estimate is within this fraction of what skopeo's push uploaded, per layer
 * and in total (README: zlib level 6 came out 0.1-4.6% under skopeo 1.9's pgzip here).
 */
const ESTIMATE_BOUND = 0.05;
const AMD64 = { os: 'linux', architecture: 'amd64' };
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function session() {
  const lines: string[] = [];
  const logger: Logger = { debug: () => {}, warn: (l) => lines.push(`warning: ${l}`) };
  return { ...createSession({ logger, timeoutMs: 20_000, retries: 0 }), lines };
}

function image(e: CompareEntry | undefined): ImageEntry {
  assert.ok(e && !isErrorEntry(e), JSON.stringify(e));
  return e as ImageEntry;
}

describe('local image sources (skopeo-made layouts and archives, real registry)', function () {
  this.timeout(180_000);
  let reg: LocalRegistry;
  let dir: string;
  let base: Image;
  let app: Image;
  let appLayers: Layer[];
  let ociDir: string;
  let ociTar: string;
  let dockerTar: string;

  before(async () => {
    reg = await startRegistry();
    dir = mkdtempSync(path.join(tmpdir(), 'regsize-local-'));
    const os = makeRandomLayer({ format: 'docker', size: 300_000, seed: 'local-os', createdBy: '/bin/sh -c #(nop) ADD file:0a1b in / ' });
    const certs = makeLayer({ files: [{ name: 'etc/' }, { name: 'etc/ssl/cert.pem', content: 'CERTIFICATE line\n'.repeat(20_000) }], compression: 'gzip', format: 'docker', createdBy: '/bin/sh -c apk add ca-certificates' });
    base = makeImage({ layers: [os, certs], format: 'docker' });
    await pushImage(reg, 'lib/base', '1', base);
    const words = Array.from({ length: 40_000 }, (_, i) => `module_${i % 977}.export(${(i * 7919) % 10007});`).join('\n');
    appLayers = [
      os,
      certs,
      makeLayer({ files: [{ name: 'app/' }, { name: 'app/server.js', content: words }], compression: 'gzip', format: 'docker', createdBy: 'COPY . /app # buildkit' }),
      makeRandomLayer({ format: 'docker', size: 200_000, seed: 'local-deps', path: 'app/node_modules/deps.bin', createdBy: 'RUN /bin/sh -c npm ci # buildkit' }),
    ];
    app = makeImage({ layers: appLayers, format: 'docker' });
    await pushImage(reg, 'team/app', '1', app);
    await pushImage(reg, 'team/app', '0', base);
    ociDir = path.join(dir, 'layout');
    ociTar = path.join(dir, 'app-oci.tar');
    dockerTar = path.join(dir, 'app-docker.tar');
    await copyFromRegistry(reg, 'team/app:1', `oci:${ociDir}:v1`);
    await copyFromRegistry(reg, 'team/app:1', `oci-archive:${ociTar}`);
    await copyFromRegistry(reg, 'team/app:1', `docker-archive:${dockerTar}:team/app:1`);
  });

  after(async () => {
    await reg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('oci: and oci-archive: give exactly the registry image\'s sizes, layers and uncompressed sizes', async () => {
    const { client, logger } = session();
    const inputs = [`${reg.host}/team/app:1`, `oci:${ociDir}:v1`, `oci-archive:${ociTar}`].map(parseImageInput);
    const r = await compareImages(client, inputs, { platform: AMD64, concurrency: 3, logger, uncompressed: new UncompressedSizer(client) });
    const [remote, layout, archive] = r.images.map(image) as [ImageEntry, ImageEntry, ImageEntry];
    const built = sum(appLayers.map((l) => l.size));
    assert.equal(remote.compressedSize, built);
    for (const local of [layout, archive]) {
      assert.equal(local.compressedSize, built);
      assert.deepEqual(local.layers, remote.layers.map((l) => ({ ...l, mediaType: local.layers[0]?.mediaType ?? l.mediaType })));
      assert.deepEqual(local.layers.map((l) => l.digest), appLayers.map((l) => l.digest));
      assert.equal(local.uncompressedSize, sum(appLayers.map((l) => l.uncompressedSize)));
      assert.equal(local.compressedSizeEstimated, undefined);
      assert.equal(local.platform, 'linux/amd64');
    }
    assert.equal(layout.reference, `oci:${ociDir}:v1`);
  });

  it('docker-archive: the compressed size is estimated (marked) within the stated bound of a real push, uncompressed exact', async () => {
    const { client, logger } = session();
    let pushed: { layers: { size: number; digest: string }[] };
    const r = await listLayers(client, parseImageInput(`docker-archive:${dockerTar}`), { platform: AMD64, logger, uncompressed: new UncompressedSizer(client) });
    assert.equal(r.compressedSizeEstimated, true);
    assert.deepEqual(r.layers.map((l) => l.digest), appLayers.map((l) => l.diffId));
    assert.deepEqual(r.layers.map((l) => l.uncompressedSize), appLayers.map((l) => l.uncompressedSize));
    assert.deepEqual(r.layers.map((l) => l.createdBy), appLayers.map((l) => l.createdBy));
    assert.ok(r.layers.every((l) => l.compressedSizeEstimated === true));
    // What a push really uploads: skopeo gzips the archive's tars on the way to a registry that
    // has none of these blobs yet.
    const fresh = await startRegistry();
    try {
      const home = path.join(dir, 'push-home');
      mkdirSync(home);
      await pushToRegistry(fresh, `docker-archive:${dockerTar}`, 'team/pushed:1', home);
      pushed = JSON.parse((await skopeoInspectRaw(fresh, 'team/pushed:1')).toString('utf8')) as { layers: { size: number; digest: string }[] };
    } finally {
      await fresh.stop();
    }
    assert.notDeepEqual(pushed.layers.map((l) => l.digest), appLayers.map((l) => l.digest), 'skopeo reused the registry blobs instead of compressing');
    const real = pushed.layers.map((l) => l.size);
    r.layers.forEach((l, i) => {
      const err = Math.abs(l.size - (real[i] as number)) / (real[i] as number);
      assert.ok(err <= ESTIMATE_BOUND, `layer ${i + 1}: estimated ${l.size}, pushed ${real[i]} (${(err * 100).toFixed(2)}%)`);
    });
    const total = Math.abs(r.compressedSize - sum(real)) / sum(real);
    assert.ok(total <= ESTIMATE_BOUND, `image: estimated ${r.compressedSize}, pushed ${sum(real)}`);
    console.log(`      estimate vs skopeo push: ${r.layers.map((l, i) => `${l.size}/${real[i]}`).join(', ')}; total ${r.compressedSize}/${sum(real)} (${(total * 100).toFixed(2)}%)`);
  });

  it('diff of a registry base and local images matches layers by diff_id and says which were recompressed', async () => {
    const { client, logger } = session();
    const fromArchive = await diffImages(client, parseReference(`${reg.host}/lib/base:1`), parseImageInput(`docker-archive:${dockerTar}:team/app:1`), { platform: AMD64, logger });
    assert.deepEqual(fromArchive.sharedLayers.map((l) => [l.matchedBy, l.baseDigest]), base.layers.map((l) => ['diff_id', l.digest]));
    assert.deepEqual(fromArchive.addedLayers.map((l) => l.digest), appLayers.slice(2).map((l) => l.diffId));
    assert.deepEqual(fromArchive.removedLayers, []);
    const fromLayout = await diffImages(client, parseReference(`${reg.host}/lib/base:1`), parseImageInput(`oci:${ociDir}:v1`), { platform: AMD64, logger });
    assert.deepEqual(fromLayout.sharedLayers.map((l) => l.matchedBy), ['digest', 'digest']);
    assert.equal(fromLayout.addedSize, sum(appLayers.slice(2).map((l) => l.size)));
  });

  it('openImage reads every layer of any source, verified, as stored', async () => {
    const { client, logger } = session();
    for (const input of [`oci-archive:${ociTar}`, `docker-archive:${dockerTar}`, `${reg.host}/team/app:1`]) {
      const [img] = await openImage(input, { client, platform: AMD64, logger });
      assert.ok(img);
      const digests: string[] = [];
      for (const blob of img.blobs) {
        const chunks: Buffer[] = [];
        for await (const c of img.openLayer(blob)) chunks.push(Buffer.from(c));
        digests.push(sha256(Buffer.concat(chunks)));
      }
      const want = input.startsWith('docker-archive:') ? appLayers.map((l) => l.diffId) : appLayers.map((l) => l.digest);
      assert.deepEqual(digests, want, input);
    }
  });

  describe('bad input: one clear message per image, the others still sized', () => {
    it('a missing file, a file that is not a tar, a tar that is not an image, a layout without the REF', async () => {
      const notTar = path.join(dir, 'notes.txt');
      writeFileSync(notTar, 'hello\n'.repeat(200));
      const plainTar = path.join(dir, 'plain.tar');
      writeFileSync(plainTar, makeTar([{ name: 'etc/' }, { name: 'etc/hostname', content: 'box\n' }]));
      const two = path.join(dir, 'two');
      await copyFromRegistry(reg, 'team/app:1', `oci:${two}:one`);
      await copyFromRegistry(reg, 'team/app:0', `oci:${two}:zero`);
      const { client, logger } = session();
      const inputs = [
        `oci-archive:${path.join(dir, 'missing.tar')}`,
        `oci-archive:${notTar}`,
        `docker-archive:${plainTar}`,
        `oci:${two}`,
        `oci:${two}:nope`,
        `oci:${ociTar}`,
        `oci-archive:${plainTar}`,
        `${reg.host}/team/app:1`,
      ];
      const r = await compareImages(client, inputs.map(parseImageInput), { platform: AMD64, concurrency: 2, logger });
      const msg = (i: number) => {
        const e = r.images[i];
        assert.ok(e && isErrorEntry(e), JSON.stringify(e));
        assert.doesNotMatch(e.error.message, /\n/);
        return `${e.error.code}: ${e.error.message}`;
      };
      assert.match(msg(0), /^INVALID_INPUT: oci-archive:.*missing\.tar: .*missing\.tar: no such file$/);
      assert.match(msg(1), /^INVALID_INPUT: .*notes\.txt is not a tar archive/);
      assert.match(msg(2), /^INVALID_INPUT: docker-archive:.*plain\.tar is not an image archive \(no manifest\.json in the tar\); give a file docker save or podman save wrote$/);
      assert.match(msg(3), /holds 2 images; name one as oci:.*two:REF, REF one of: (one|zero) \(sha256:[a-f0-9]{64}\), (one|zero) /);
      assert.match(msg(4), /has no image named nope; it holds: /);
      assert.match(msg(5), /is not a directory; oci: reads a layout directory \(use oci-archive:/);
      assert.match(msg(6), /^INVALID_INPUT: oci-archive:.*plain\.tar: .*plain\.tar is not an OCI image layout \(no index\.json\)/);
      assert.equal(image(r.images[7]).compressedSize, sum(appLayers.map((l) => l.size)));
    });
  });
});
