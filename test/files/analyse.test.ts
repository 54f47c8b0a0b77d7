/**
 * analyseImage on a local image (an OCI layout written here from built layers): the layers are
 * read from disk, marked "local", never refused by --max-download (nothing is downloaded) and
 * not counted as downloaded; a second run is answered from the listing cache. Figures are the
 * sizes written.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planLine } from '../../src/cli/files-flags.js';
import { analyseImage, type DownloadPlan } from '../../src/files/analyse.js';
import { parseBandwidth } from '../../src/units.js';
import { DiskListingCache } from '../../src/files/listing-cache.js';
import { parseImageInput } from '../../src/source/parse.js';
import { createSession } from '../../src/session.js';
import type { Logger } from '../../src/log.js';
import { type Image, makeImage, makeLayer, seededBytes } from '../helpers/images.js';

function writeLayout(dir: string, img: Image, ref: string): void {
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  writeFileSync(join(blobs, img.configDigest.slice(7)), img.config);
  for (const l of img.layers) writeFileSync(join(blobs, l.digest.slice(7)), l.blob);
  writeFileSync(join(blobs, img.manifestDigest.slice(7)), img.manifest);
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: img.mediaType, digest: img.manifestDigest, size: img.manifest.length, annotations: { 'org.opencontainers.image.ref.name': ref } }] }));
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
}

describe('files: analyse a local image', function () {
  this.timeout(60_000);
  let dir: string;
  const cacheBlob = seededBytes(60_000, 'an-pip');
  const img = makeImage({
    layers: [
      makeLayer({ files: [{ name: 'app/main.py', content: 'print(1)\n'.repeat(100) }, { name: 'tmp/build.tar', content: seededBytes(20_000, 'an-b') }], compression: 'gzip', createdBy: 'COPY . /app' }),
      makeLayer({ files: [{ name: 'root/.cache/pip/x', content: cacheBlob }, { name: 'tmp/.wh.build.tar' }], compression: 'zstd', createdBy: 'RUN /bin/sh -c pip install . && rm /tmp/build.tar' }),
    ],
  });
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'regsize-analyse-'));
    writeLayout(join(dir, 'layout'), img, 'v1');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the layers from disk: source local, nothing downloaded, no --max-download refusal, hints and waste from the bytes written', async () => {
    const logger: Logger = { debug: () => {}, warn: () => {} };
    const { client } = createSession({ logger, retries: 0 });
    const cache = new DiskListingCache(join(dir, 'cache'), logger);
    let plan: DownloadPlan | undefined;
    const o = { platform: { os: 'linux', architecture: 'amd64' }, logger, cache, maxDownload: 1, onPlan: (p: DownloadPlan) => (plan = p) };
    const r = await analyseImage(client, parseImageInput(`oci:${join(dir, 'layout')}:v1`), o);
    assert.deepEqual(r.layers.map((l) => [l.source, l.files]), [['local', 2], ['local', 1]]);
    assert.equal(r.bytesDownloaded, 0);
    assert.equal(plan?.bytes, img.layers.reduce((s, l) => s + l.size, 0));
    assert.match(planLine(plan as DownloadPlan, parseBandwidth('5Mbps'), 'si'), /^reading 2 layers from disk to list their files: /);
    assert.equal(r.hints.find((h) => h.rule === 'pip-cache')?.bytes, cacheBlob.length);
    assert.deepEqual(r.wasted.files.map((w) => [w.path, w.size, w.layer, w.removedBy, w.reason]), [['/tmp/build.tar', 20_000, 0, 1, 'deleted']]);
    const again = await analyseImage(client, parseImageInput(`oci:${join(dir, 'layout')}:v1`), o);
    assert.deepEqual(again.layers.map((l) => l.source), ['cache', 'cache']);
    assert.deepEqual(again.hints, r.hints);
  });
});
