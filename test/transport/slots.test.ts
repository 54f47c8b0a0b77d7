/**
 * transport/slots.ts: requests in flight per origin. Unit: the bound, the hand-over, and a
 * limit that rises while requests wait. Against a real registry behind an HTTP/2 proxy: a
 * compare of 30 images sends all 30 manifest GETs at once over one connection, though
 * --concurrency is 8 (#16).
 */
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/log.js';
import { createSession } from '../../src/session.js';
import { sizeTags } from '../../src/tags/size.js';
import { H2_CONNECTIONS } from '../../src/transport/connection-limits.js';
import { destroySharedDispatcher } from '../../src/transport/shared-dispatcher.js';
import { OriginSlots, originLimit, H2_STREAM_LIMIT } from '../../src/transport/slots.js';
import { spawnCli } from '../helpers/cli.js';
import { makeImage, makeRandomLayer, pushImage } from '../helpers/images.js';
import { tagExisting } from '../helpers/push.js';
import { type InFlightProxy, startInFlightProxy } from '../helpers/in-flight-proxy.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';

/** Acquires `n` slots, counting how many were granted before any is released. */
async function grantedAtOnce(slots: OriginSlots, origin: string, n: number): Promise<{ granted: number; releases: (() => void)[] }> {
  const releases: (() => void)[] = [];
  for (let i = 0; i < n; i++) void slots.acquire(origin).then((r) => releases.push(r));
  await new Promise((r) => setImmediate(r));
  return { granted: releases.length, releases };
}

describe('OriginSlots', () => {
  it('grants at most the limit per origin, each origin apart, and hands a released slot to the next waiter', async () => {
    const slots = new OriginSlots(3, (_o, h1) => h1);
    const a = await grantedAtOnce(slots, 'https://a', 5);
    const b = await grantedAtOnce(slots, 'https://b', 2);
    assert.equal(a.granted, 3);
    assert.equal(b.granted, 2);
    a.releases[0]?.();
    a.releases[0]?.(); // a second call of the same release frees nothing more
    await new Promise((r) => setImmediate(r));
    assert.equal(a.releases.length, 4);
  });

  it('lets waiters through as soon as the origin turns out to take more (an HTTP/2 connection)', async () => {
    let limit = 2;
    const slots = new OriginSlots(2, () => limit);
    const a = await grantedAtOnce(slots, 'https://a', 10);
    assert.equal(a.granted, 2);
    limit = 8;
    a.releases[0]?.();
    await new Promise((r) => setImmediate(r));
    // 1 still running + 7 more = 8 in flight
    assert.equal(a.releases.length, 9);
  });

  it('treats an origin no connection has reported as HTTP/1.1', () => {
    assert.equal(originLimit('https://never-connected.invalid', 8), 8);
    assert.ok(H2_STREAM_LIMIT > 8, 'an HTTP/2 origin takes more than --concurrency 8');
  });
});

describe('every image at once over HTTP/2 (real registry, in-flight counting proxy)', function () {
  this.timeout(120_000);
  const N = 30;
  let reg: LocalRegistry;
  let proxy: InFlightProxy;
  let expected: number[];

  before(async () => {
    reg = await startRegistry();
    expected = [];
    for (let i = 0; i < N; i++) {
      const layer = makeRandomLayer({ size: 1000 + i, seed: `fan-${i}`, compression: 'gzip' });
      await pushImage(reg, 'fan/app', `t${i}`, makeImage({ layers: [layer] }));
      expected.push(layer.size);
    }
    proxy = await startInFlightProxy(reg.url, { gate: { path: /\/manifests\/t\d+$/, count: N, giveUpMs: 10_000 }, h2: { maxConcurrentStreams: 128 } });
  });
  after(async () => {
    await proxy?.stop();
    await reg?.stop();
  });

  it(`sends all ${N} manifest GETs at once on one connection with --concurrency 8, and sizes each image`, async () => {
    const refs = Array.from({ length: N }, (_, i) => `${proxy.host}/fan/app:t${i}`);
    const r = await spawnCli([...refs, '--json', '--no-cache', '--concurrency', '8', '--platform', 'linux/amd64'], { NODE_EXTRA_CA_CERTS: proxy.certFile });
    assert.equal(r.code, 0, r.stderr);
    const sizes = (JSON.parse(r.stdout) as { images: { compressedSize: number }[] }).images.map((e) => e.compressedSize);
    assert.deepEqual(sizes, expected);
    assert.equal(proxy.maxInFlight(), N, `the server saw at most ${proxy.maxInFlight()} manifest GETs at once`);
    assert.equal(proxy.connections(), 1);
  });
});

describe('a burst wider than one HTTP/2 connection (real registry, in-flight counting proxy)', function () {
  this.timeout(120_000);
  /** What the server advertises: SETTINGS_MAX_CONCURRENT_STREAMS, small, so a burst of tags outgrows one connection. */
  const STREAMS = 5;
  const TAGS = 40;
  let reg: LocalRegistry;
  let proxy: InFlightProxy;
  const digests = new Map<string, string>();
  let size = 0;

  before(async () => {
    reg = await startRegistry();
    const layer = makeRandomLayer({ size: 3000, seed: 'wide', compression: 'gzip' });
    size = layer.size;
    const digest = await pushImage(reg, 'wide/app', 't0', makeImage({ layers: [layer] }));
    digests.set('t0', digest);
    for (let i = 1; i < TAGS; i++) digests.set(`t${i}`, await tagExisting(reg, 'wide/app', 't0', `t${i}`));
    // Held until more HEADs are in flight than one connection may carry: only a second connection gets there.
    proxy = await startInFlightProxy(reg.url, { gate: { path: /\/manifests\/t\d+$/, count: STREAMS + 1, giveUpMs: 10_000 }, h2: { maxConcurrentStreams: STREAMS } });
  });
  after(async () => {
    await proxy?.stop();
    await reg?.stop();
  });

  it('sends more than one connection takes, over a few connections, each held to the streams its server advertises', async () => {
    const saved = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // the proxy's self-signed certificate, this test only
    destroySharedDispatcher();
    try {
      const { client } = createSession({ logger: silentLogger });
      const repo = { registry: proxy.host, repository: 'wide/app', input: `${proxy.host}/wide/app` };
      const run = await sizeTags(client, repo, { platform: { os: 'linux', architecture: 'amd64' }, sort: 'name', force: false, logger: silentLogger });
      const got = run.result.tags.map((e) => ('error' in e ? [e.tag, e.error.message] : [e.tag, e.digest, e.compressedSize]));
      assert.deepEqual(new Map(got.map((g) => [g[0], g.slice(1)])), new Map([...digests].map(([t, d]) => [t, [d, size]])));
    } finally {
      destroySharedDispatcher();
      if (saved === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = saved;
    }
    const connections = proxy.connections();
    assert.ok(connections > 1 && connections <= H2_CONNECTIONS, `${connections} connections`);
    // Every tag sized above: no stream was refused, so no connection carried more than STREAMS.
    assert.ok(proxy.maxInFlight() > STREAMS && proxy.maxInFlight() <= STREAMS * connections, `${proxy.maxInFlight()} HEADs at once over ${connections} connections of ${STREAMS} streams`);
  });
});
