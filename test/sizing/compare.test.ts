/**
 * sizing/compare.ts: every registry image at once, the transport bounding what goes on the
 * wire (--concurrency requests to an HTTP/1.1 registry, counted at a real registry behind an
 * in-flight counting proxy); one failure is that image's entry; layers shared per platform.
 */
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/log.js';
import { parseReference } from '../../src/reference/reference.js';
import { createSession } from '../../src/session.js';
import { compareImages, type ImageEntry, isErrorEntry, sharingSummary } from '../../src/sizing/compare.js';
import { useEmptyDockerConfig } from '../helpers/docker-config.js';
import { makeImage, makeRandomLayer, pushImage } from '../helpers/images.js';
import { type InFlightProxy, startInFlightProxy } from '../helpers/in-flight-proxy.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';

describe('compareImages over HTTP/1.1 (real registry, in-flight counting proxy)', function () {
  this.timeout(60_000);
  useEmptyDockerConfig();
  const N = 12;
  const CONCURRENCY = 3;
  let reg: LocalRegistry;
  let proxy: InFlightProxy;
  const sizes: number[] = [];
  const base = makeRandomLayer({ size: 3000, seed: 'shared-base', compression: 'gzip' });

  before(async () => {
    reg = await startRegistry();
    for (let i = 0; i < N; i++) {
      const own = makeRandomLayer({ size: 500 + i, seed: `cmp-${i}`, compression: 'gzip' });
      await pushImage(reg, 'cmp/app', `t${i}`, makeImage({ layers: [base, own] }));
      sizes.push(base.size + own.size);
    }
    proxy = await startInFlightProxy(reg.url, { gate: { path: /\/manifests\//, count: CONCURRENCY, giveUpMs: 10_000 } });
  });
  after(async () => {
    await proxy?.stop();
    await reg?.stop();
  });

  it(`keeps --concurrency ${CONCURRENCY} requests in flight to the registry, sizes every image, and a missing one is its own entry`, async () => {
    const { client } = createSession({ logger: silentLogger, concurrency: CONCURRENCY, retries: 0 });
    const refs = [...Array.from({ length: N }, (_, i) => `${proxy.host}/cmp/app:t${i}`), `${proxy.host}/cmp/app:missing`].map(parseReference);
    const { images } = await compareImages(client, refs, { platform: { os: 'linux', architecture: 'amd64' }, concurrency: 8, logger: silentLogger });
    assert.deepEqual(images.slice(0, N).map((e) => (isErrorEntry(e) ? e.error.code : e.compressedSize)), sizes);
    const last = images[N];
    assert.ok(last && isErrorEntry(last) && last.error.code === 'MANIFEST_UNKNOWN');
    assert.equal(proxy.maxInFlight(), CONCURRENCY);

    const summary = sharingSummary(images.filter((e): e is ImageEntry => !isErrorEntry(e)));
    assert.equal(summary.sharedBytes, base.size);
    assert.equal(summary.totalBytes, sizes.reduce((a, b) => a + b, 0));
    assert.equal(summary.uniqueBytes, summary.totalBytes - (N - 1) * base.size);
  });
});

describe('sharingSummary', () => {
  const entry = (platform: string, layers: [string, number][]): ImageEntry => ({
    reference: 'x',
    name: 'x',
    digest: 'sha256:x',
    platform,
    manifestDigest: 'sha256:x',
    compressedSize: layers.reduce((s, [, n]) => s + n, 0),
    layers: layers.map(([digest, size]) => ({ digest, size, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' })),
  });

  it('counts a layer shared only within one platform: amd64 and arm64 never land on one machine', () => {
    const s = sharingSummary([entry('linux/amd64', [['a', 10], ['b', 5]]), entry('linux/amd64', [['a', 10], ['c', 7]]), entry('linux/arm64', [['a', 10]])]);
    assert.deepEqual(s.shared.map((l) => [l.digest, l.platform, l.images]), [['a', 'linux/amd64', [0, 1]]]);
    assert.equal(s.totalBytes, 15 + 17 + 10);
    assert.equal(s.uniqueBytes, 10 + 5 + 7 + 10);
    assert.deepEqual(s.platforms.map((p) => [p.platform, p.uniqueBytes]), [['linux/amd64', 22], ['linux/arm64', 10]]);
  });
});
