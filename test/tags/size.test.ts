/**
 * `regsize tags` against Docker Hub's behaviour, which cannot run here (undici's MockAgent): tag lists in
 * several pages joined by `Link` headers, the pull allowance in `ratelimit-remaining`, and
 * 429 answers with Retry-After. Every mock scope is checked with scope.done().
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mock, type MockScope, useMockAgent } from '../helpers/mock-agent.js';
import { DiskCache } from '../../src/cache/disk.js';
import { type ContentCache } from '../../src/cache/types.js';
import { RegsizeError } from '../../src/errors.js';
import { parseRepository } from '../../src/reference/reference.js';
import { createSession } from '../../src/session.js';
import { RegistryClient } from '../../src/transport/client.js';
import { defaultHttpSettings, HttpClient } from '../../src/transport/http.js';
import { isTagError, type TagEntry } from '../../src/tags/result.js';
import { sizeTags, type TagsOptions } from '../../src/tags/size.js';
import type { Logger } from '../../src/log.js';
import { makeImage, makeRandomLayer, pushImage } from '../helpers/images.js';
import { type InFlightProxy, startInFlightProxy } from '../helpers/in-flight-proxy.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';
import { imageManifest, manifestHeaders, OCI_MANIFEST, ociIndexWithAttestations, type Served } from '../fixtures/dockerhub.js';
import { useEmptyDockerConfig } from '../helpers/cli.js';

const HUB = 'https://registry-1.docker.io';
const AUTH = 'https://auth.docker.io';
const CHALLENGE = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"';
const TOKEN = 'hub-token-for-tags-tests';
const LIMIT = (remaining: number) => ({ 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': `${remaining};w=21600` });

const silent: Logger = { debug: () => {}, warn: () => {} };

function options(extra: Partial<TagsOptions> = {}): TagsOptions {
  return { platform: { os: 'linux', architecture: 'amd64' }, sort: 'size', force: false, logger: silent, ...extra };
}

function session(cache?: ContentCache) {
  return createSession({ logger: silent, ...(cache ? { cache } : {}) });
}

/** A client whose retry waits are recorded instead of slept (the retry wrapper's injected sleep). */
function recordingWaits() {
  const waits: number[] = [];
  const http = new HttpClient(defaultHttpSettings(silent, { sleep: async (ms) => void waits.push(ms) }));
  const client = new RegistryClient({ http, credentials: { get: async () => undefined }, scheme: { plainHttp: false } });
  return { client, waits };
}

/** Ping (401 with the challenge) and one anonymous token, as Docker Hub answers them. */
function hubAuth(): MockScope[] {
  const ping = mock(HUB).get('/v2/').reply(401, { errors: [{ code: 'UNAUTHORIZED' }] }, { 'www-authenticate': CHALLENGE });
  const token = mock(AUTH)
    .get('/token')
    .query((q) => q.service === 'registry.docker.io' && q.scope === 'repository:library/python:pull')
    .reply(200, { token: TOKEN, expires_in: 300 });
  return [ping, token];
}

/** An index (amd64 + arm64, with attestations) whose amd64 image weighs the sum of `amd64`. */
function pyIndex(seed: string, amd64: number[]) {
  const amd = imageManifest(OCI_MANIFEST, amd64, `${seed}-amd64`);
  const arm = imageManifest(OCI_MANIFEST, amd64.map((s) => s - 1000), `${seed}-arm64`);
  const index = ociIndexWithAttestations([
    { served: amd.served, platform: { os: 'linux', architecture: 'amd64' } },
    { served: arm.served, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
  ]);
  return { index, amd: amd.served, size: amd64.reduce((a, b) => a + b, 0) };
}

const head = (scope: MockScope, tag: string, s: Served, extra: Record<string, string> = {}) =>
  scope.head(`/v2/library/python/manifests/${tag}`).reply(200, undefined, manifestHeaders(s, extra));
const get = (scope: MockScope, ref: string, s: Served, extra: Record<string, string> = {}) =>
  scope.get(`/v2/library/python/manifests/${ref}`).reply(200, s.bytes, manifestHeaders(s, extra));

describe('regsize tags with Docker Hub (MockAgent)', function () {
  this.timeout(20_000);
  useMockAgent();
  const dockerConfig = useEmptyDockerConfig();

  const py312 = pyIndex('py312', [29_000_000, 3_500_000, 12_000_000]);
  const py311 = pyIndex('py311', [29_000_000, 3_400_000, 11_000_000]);
  const repo = parseRepository('python');

  it('reads every page of the tag list by following Link headers, and filters before resolving', async () => {
    const auth = hubAuth();
    const hub = mock(HUB)
      .get('/v2/library/python/tags/list')
      .query({ n: '1000' })
      .reply(200, { name: 'library/python', tags: ['2.7', '3.11', `sha256-${'c'.repeat(64)}.sig`] }, { link: '</v2/library/python/tags/list?last=3.11&n=1000>; rel="next"' })
      .get('/v2/library/python/tags/list')
      .query({ last: '3.11', n: '1000' })
      .reply(200, { name: 'library/python', tags: ['3.11-slim', '3.12'] }, { link: '<https://registry-1.docker.io/v2/library/python/tags/list?last=3.12&n=1000>; rel="next"' })
      .get('/v2/library/python/tags/list')
      .query({ last: '3.12', n: '1000' })
      .reply(200, { name: 'library/python', tags: ['3.12-slim', 'latest'] });
    // Only tags matching '3.1*' are resolved: no HEAD for 2.7, latest or the signature tag.
    head(hub, '3.11', py311.index);
    head(hub, '3.11-slim', py311.index);
    head(hub, '3.12', py312.index);
    head(hub, '3.12-slim', py312.index);
    get(hub, py311.index.digest, py311.index);
    get(hub, py311.amd.digest, py311.amd);
    get(hub, py312.index.digest, py312.index);
    get(hub, py312.amd.digest, py312.amd);

    const { client } = session();
    const run = await sizeTags(client, repo, options({ filter: ['3.1*'] }));
    for (const s of [...auth, hub]) s.done();
    assert.equal(run.result.repository, 'docker.io/library/python');
    assert.deepEqual(
      run.result.tags.map((e) => [e.tag, (e as TagEntry).digest, (e as TagEntry).compressedSize]),
      [
        ['3.11', py311.index.digest, py311.size],
        ['3.11-slim', py311.index.digest, py311.size],
        ['3.12', py312.index.digest, py312.size],
        ['3.12-slim', py312.index.digest, py312.size],
      ],
    );
    assert.equal(run.digests, 2);
  });

  it('stops before any manifest GET when more are needed than the pull allowance has left', async () => {
    const auth = hubAuth();
    const hub = mock(HUB).get('/v2/library/python/tags/list').query(true).reply(200, { tags: ['3.11', '3.12', '3.12-slim'] });
    head(hub, '3.11', py311.index, LIMIT(1));
    head(hub, '3.12', py312.index, LIMIT(1));
    head(hub, '3.12-slim', py312.index, LIMIT(1));

    const { client } = session();
    await assert.rejects(sizeTags(client, repo, options()), (e: RegsizeError) => {
      assert.equal(e.code, 'RATE_LIMITED');
      // Two indexes, each with its amd64 image: four GETs, two pulls as Docker Hub counts them; one remains.
      assert.match(e.message, /^python: sizing these tags needs 2 pulls \(4 manifest GETs\), but docker\.io allows only 1 more now \(ratelimit-remaining 1 of 100\); .*--force/);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
    for (const s of [...auth, hub]) s.done();
  });

  it('spends the allowance anyway with --force', async () => {
    const auth = hubAuth();
    const hub = mock(HUB).get('/v2/library/python/tags/list').query(true).reply(200, { tags: ['3.11', '3.12'] });
    head(hub, '3.11', py311.index, LIMIT(1));
    head(hub, '3.12', py312.index, LIMIT(1));
    get(hub, py311.index.digest, py311.index, LIMIT(0));
    get(hub, py311.amd.digest, py311.amd, LIMIT(0));
    get(hub, py312.index.digest, py312.index, LIMIT(0));
    get(hub, py312.amd.digest, py312.amd, LIMIT(0));
    const { client } = session();
    const run = await sizeTags(client, repo, options({ force: true }));
    for (const s of [...auth, hub]) s.done();
    assert.deepEqual(run.result.tags.map((e) => e.tag), ['3.11', '3.12']);
  });

  it('counts manifests already in the cache as free', async () => {
    const cache = new DiskCache({ dir: join(dockerConfig.dir, 'cache'), tagTtlMs: 0, logger: silent });
    await cache.putManifest(py312.index.digest, { bytes: py312.index.bytes, mediaType: py312.index.mediaType });
    await cache.putManifest(py312.amd.digest, { bytes: py312.amd.bytes, mediaType: py312.amd.mediaType });
    const auth = hubAuth();
    const hub = mock(HUB).get('/v2/library/python/tags/list').query(true).reply(200, { tags: ['3.11', '3.12'] });
    head(hub, '3.11', py311.index, LIMIT(2));
    head(hub, '3.12', py312.index, LIMIT(2));
    // Only 3.11's index and image are fetched: two GETs, exactly what remains.
    get(hub, py311.index.digest, py311.index, LIMIT(1));
    get(hub, py311.amd.digest, py311.amd, LIMIT(0));
    const { client } = session(cache);
    const run = await sizeTags(client, repo, options());
    for (const s of [...auth, hub]) s.done();
    assert.deepEqual(run.result.tags.map((e) => [e.tag, (e as TagEntry).compressedSize]), [['3.11', py311.size], ['3.12', py312.size]]);
  });

  it('waits as long as Retry-After says after a 429, then goes on', async () => {
    const auth = hubAuth();
    const hub = mock(HUB).get('/v2/library/python/tags/list').query(true).reply(200, { tags: ['3.12'] });
    hub.head('/v2/library/python/manifests/3.12').reply(429, undefined, { 'retry-after': '1' });
    head(hub, '3.12', py312.index);
    hub.get(`/v2/library/python/manifests/${py312.index.digest}`).reply(429, { errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] }, { 'retry-after': '1' });
    get(hub, py312.index.digest, py312.index);
    get(hub, py312.amd.digest, py312.amd);
    const { client, waits } = recordingWaits();
    const run = await sizeTags(client, repo, options());
    for (const s of [...auth, hub]) s.done();
    assert.deepEqual(waits, [1000, 1000], 'one wait of Retry-After: 1 second before each retry');
    assert.deepEqual(run.result.tags, [{ tag: '3.12', digest: py312.index.digest, platform: 'linux/amd64', compressedSize: py312.size }]);
  });

  it('gives up on a tag at once when Retry-After is hours away, and still sizes the others', async () => {
    const auth = hubAuth();
    const hub = mock(HUB).get('/v2/library/python/tags/list').query(true).reply(200, { tags: ['3.11', '3.12'] });
    head(hub, '3.11', py311.index);
    hub.head('/v2/library/python/manifests/3.12').reply(429, undefined, { 'retry-after': '7200' });
    get(hub, py311.index.digest, py311.index);
    get(hub, py311.amd.digest, py311.amd);
    const { client, waits } = recordingWaits();
    const run = await sizeTags(client, repo, options());
    for (const s of [...auth, hub]) s.done();
    assert.deepEqual(waits, [], 'a Retry-After past the 60 s cap is reported, not waited for');
    const [ok, failed] = run.result.tags;
    assert.equal(ok?.tag, '3.11');
    assert.ok(failed && isTagError(failed));
    assert.equal(failed.tag, '3.12');
    assert.equal(failed.error.code, 'TOOMANYREQUESTS');
    assert.match(failed.error.message, /rate limit reached; it lifts at .* \(in 2h 0m\)/);
    assert.doesNotMatch(JSON.stringify(run.result), new RegExp(TOKEN));
  });
});

describe('regsize tags at a real registry (in-flight counting proxy)', function () {
  this.timeout(60_000);
  const TAGS = 40;
  const IMAGES = 5;
  const CONCURRENCY = 4;
  let reg: LocalRegistry;
  let proxy: InFlightProxy;
  let cacheDir: string;
  const sizes: number[] = [];

  before(async () => {
    reg = await startRegistry();
    cacheDir = mkdtempSync(join(tmpdir(), 'regsize-tags-cache-'));
    for (let i = 0; i < IMAGES; i++) {
      const layer = makeRandomLayer({ size: 700 + i * 10, seed: `tags-fan-${i}`, compression: 'gzip' });
      const img = makeImage({ layers: [layer] });
      sizes.push(layer.size);
      for (let t = i; t < TAGS; t += IMAGES) await pushImage(reg, 'fan/tags', `1.${t}`, img);
    }
    proxy = await startInFlightProxy(reg.url, { gate: { path: /\/manifests\//, count: CONCURRENCY, giveUpMs: 10_000 } });
  });
  after(async () => {
    await proxy?.stop();
    await reg?.stop();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it(`HEADs every tag at --concurrency ${CONCURRENCY} to an HTTP/1.1 registry, GETs each image once, and a second run asks no tag again`, async () => {
    const tagsRepo = parseRepository(`${proxy.host}/fan/tags`);
    const cache = () => new DiskCache({ dir: cacheDir, tagTtlMs: 60_000, logger: silent });
    const first = await sizeTags(createSession({ logger: silent, cache: cache(), concurrency: CONCURRENCY }).client, tagsRepo, options());
    const heads = proxy.requests.filter((r) => r.method === 'HEAD');
    const gets = proxy.requests.filter((r) => r.method === 'GET' && /\/manifests\//.test(r.path));
    assert.equal(heads.length, TAGS);
    assert.equal(gets.length, IMAGES, 'one manifest GET per distinct image');
    assert.equal(proxy.maxInFlight(), CONCURRENCY);
    assert.equal(first.digests, IMAGES);
    assert.deepEqual([...new Set(first.result.tags.map((e) => (isTagError(e) ? -1 : e.compressedSize)))], [...sizes].sort((a, b) => a - b));

    proxy.requests.length = 0;
    const second = await sizeTags(createSession({ logger: silent, cache: cache(), concurrency: CONCURRENCY }).client, tagsRepo, options());
    assert.deepEqual(proxy.requests.filter((r) => /\/manifests\//.test(r.path)), [], 'every tag answer and manifest came from the cache');
    assert.deepEqual(second.result, first.result);
  });
});
