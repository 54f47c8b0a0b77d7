/**
 * `regsize tags` for Docker Hub through hub.docker.com's tag list (undici's MockAgent, as no test reaches
 * Docker Hub): every tag and platform size from one request per 100 tags, no manifest GET
 * but the few that check the Hub's figures, and the registry path when the API fails.
 */
import assert from 'node:assert/strict';
import { mock, type MockScope, useMockAgent } from '../helpers/mock-agent.js';
import { parseRepository } from '../../src/reference/reference.js';
import { createSession } from '../../src/session.js';
import { hubTagList, HubUnavailable, MAX_HUB_PAGES } from '../../src/tags/hub-api.js';
import { isTagError, type TagEntry } from '../../src/tags/result.js';
import { sizeTags, type TagsOptions } from '../../src/tags/size.js';
import type { Logger } from '../../src/log.js';
import { imageManifest, manifestHeaders, OCI_MANIFEST, ociIndexWithAttestations, type Served } from '../fixtures/dockerhub.js';
import { useEmptyDockerConfig } from '../helpers/cli.js';

const HUB_API = 'https://hub.docker.com';
const TAGS = '/v2/namespaces/library/repositories/python/tags';
const REGISTRY = 'https://registry-1.docker.io';
const AUTH = 'https://auth.docker.io';
const CHALLENGE = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"';

function recorder() {
  const warnings: string[] = [];
  const logger: Logger = { debug: () => {}, warn: (l) => warnings.push(l) };
  return { warnings, logger };
}

function pyImage(seed: string, amd64: number[]) {
  const amd = imageManifest(OCI_MANIFEST, amd64, `${seed}-amd64`);
  const arm = imageManifest(OCI_MANIFEST, amd64.map((s) => s - 1000), `${seed}-arm64`);
  const index = ociIndexWithAttestations([
    { served: amd.served, platform: { os: 'linux', architecture: 'amd64' } },
    { served: arm.served, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
  ]);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return { index, amd: amd.served, arm: arm.served, amdSize: sum(amd64), armSize: sum(amd64.map((s) => s - 1000)) };
}

/** A tag as hub.docker.com lists it: the index digest, and per platform its image (attestations too). */
function hubTag(name: string, img: ReturnType<typeof pyImage>, sizes: { amd?: number; arm?: number } = {}) {
  return {
    name,
    digest: img.index.digest,
    media_type: img.index.mediaType,
    images: [
      { architecture: 'amd64', os: 'linux', variant: null, digest: img.amd.digest, size: sizes.amd ?? img.amdSize, status: 'active' },
      { architecture: 'arm64', os: 'linux', variant: 'v8', digest: img.arm.digest, size: sizes.arm ?? img.armSize, status: 'active' },
      { architecture: 'unknown', os: 'unknown', variant: null, digest: `sha256:${'a'.repeat(64)}`, size: 840, status: 'active' },
    ],
  };
}

function registryServes(images: Served[]): MockScope[] {
  const ping = mock(REGISTRY).get('/v2/').reply(401, { errors: [{ code: 'UNAUTHORIZED' }] }, { 'www-authenticate': CHALLENGE });
  const token = mock(AUTH).get('/token').query(true).reply(200, { token: 'hub-registry-token', expires_in: 300 });
  const reg = mock(REGISTRY);
  for (const s of images) reg.get(`/v2/library/python/manifests/${s.digest}`).reply(200, s.bytes, manifestHeaders(s));
  return [ping, token, reg];
}

describe('regsize tags through the Docker Hub API (MockAgent)', function () {
  this.timeout(20_000);
  useMockAgent();
  useEmptyDockerConfig();

  const py312 = pyImage('py312', [29_000_000, 3_500_000, 12_000_000]);
  const py311 = pyImage('py311', [29_000_000, 3_400_000, 11_000_000]);
  const py310 = pyImage('py310', [29_000_000, 3_300_000, 10_000_000]);
  const repo = parseRepository('python');

  function options(logger: Logger, extra: Partial<TagsOptions> = {}): TagsOptions {
    const { http } = createSession({ logger, retries: 0 });
    return { platform: { os: 'linux', architecture: 'amd64' }, sort: 'size', force: false, logger, hub: { http, verify: 1 }, ...extra };
  }

  it('sizes every page of tags from hub.docker.com, with one pull spent checking the first image shown', async () => {
    const hub = mock(HUB_API)
      .get(TAGS).query({ page_size: '100' })
      .reply(200, { count: 3, next: `${HUB_API}${TAGS}?page=2&page_size=100`, results: [hubTag('3.12', py312), hubTag('3.11', py311)] })
      .get(TAGS).query({ page: '2', page_size: '100' })
      .reply(200, { count: 3, next: null, results: [hubTag('3.10', py310)] });
    // The smallest image is shown first: only 3.10's index and amd64 image are fetched (one pull).
    const registry = registryServes([py310.index, py310.amd]);
    const { warnings, logger } = recorder();
    const { client } = createSession({ logger });
    const run = await sizeTags(client, repo, options(logger));
    for (const s of [hub, ...registry]) s.done();
    assert.deepEqual(
      run.result.tags.map((e) => [e.tag, (e as TagEntry).digest, (e as TagEntry).platform, (e as TagEntry).compressedSize, (e as TagEntry).sizeSource, (e as TagEntry).verified]),
      [
        ['3.10', py310.index.digest, 'linux/amd64', py310.amdSize, 'hub-api', true],
        ['3.11', py311.index.digest, 'linux/amd64', py311.amdSize, 'hub-api', undefined],
        ['3.12', py312.index.digest, 'linux/amd64', py312.amdSize, 'hub-api', undefined],
      ],
    );
    assert.deepEqual(warnings, []);
  });

  it('shows the manifest\'s layer sum where the Hub\'s figure differs, and says so', async () => {
    const hub = mock(HUB_API).get(TAGS).query(true).reply(200, { next: null, results: [hubTag('3.12', py312, { amd: py312.amdSize + 7000 })] });
    const registry = registryServes([py312.index, py312.amd]);
    const { warnings, logger } = recorder();
    const { client } = createSession({ logger });
    const run = await sizeTags(client, repo, options(logger));
    for (const s of [hub, ...registry]) s.done();
    const [e] = run.result.tags as TagEntry[];
    assert.equal(e?.compressedSize, py312.amdSize);
    assert.equal(e?.sizeSource, 'manifest');
    assert.deepEqual(warnings, [`python:3.12 (linux/amd64): Docker Hub's API says ${py312.amdSize + 7000} bytes, the manifest's layers sum to ${py312.amdSize}; showing the manifest's`]);
  });

  it('chooses platforms from the Hub list as from an index: --platform all skips attestations, a missing platform is that tag\'s entry', async () => {
    const armOnly = { name: 'arm-only', digest: py311.arm.digest, media_type: OCI_MANIFEST, images: [{ architecture: 'arm64', os: 'linux', variant: 'v8', digest: py311.arm.digest, size: py311.armSize }] };
    const hub = mock(HUB_API).get(TAGS).query(true).times(2).reply(200, { next: null, results: [hubTag('3.12', py312), armOnly] });
    const { logger } = recorder();
    const { client } = createSession({ logger });
    const all = await sizeTags(client, repo, options(logger, { platform: 'all', hub: { http: createSession({ logger }).http, verify: 0 } }));
    // Smallest group first; inside a tag, platforms in the Hub's (index) order; no unknown/unknown.
    assert.deepEqual(all.result.tags.map((e) => [e.tag, (e as TagEntry).platform]), [['arm-only', 'linux/arm64/v8'], ['3.12', 'linux/amd64'], ['3.12', 'linux/arm64/v8']]);
    const amd = await sizeTags(client, repo, options(logger, { hub: { http: createSession({ logger }).http, verify: 0 } }));
    hub.done();
    const missing = amd.result.tags.find((e) => e.tag === 'arm-only');
    assert.ok(missing && isTagError(missing) && missing.error.code === 'PLATFORM_NOT_FOUND');
  });

  it('falls back to the registry when the Hub API is rate limited, and says so', async () => {
    const hub = mock(HUB_API).get(TAGS).query(true).reply(429, { message: 'slow down' }, { 'x-ratelimit-reset': '1767225600' });
    const ping = mock(REGISTRY).get('/v2/').reply(401, { errors: [{ code: 'UNAUTHORIZED' }] }, { 'www-authenticate': CHALLENGE });
    const token = mock(AUTH).get('/token').query(true).reply(200, { token: 't', expires_in: 300 });
    const reg = mock(REGISTRY)
      .get('/v2/library/python/tags/list').query(true).reply(200, { tags: ['3.12'] })
      .head('/v2/library/python/manifests/3.12').reply(200, undefined, manifestHeaders(py312.index))
      .get(`/v2/library/python/manifests/${py312.index.digest}`).reply(200, py312.index.bytes, manifestHeaders(py312.index))
      .get(`/v2/library/python/manifests/${py312.amd.digest}`).reply(200, py312.amd.bytes, manifestHeaders(py312.amd));
    const { warnings, logger } = recorder();
    const { client } = createSession({ logger });
    const run = await sizeTags(client, repo, options(logger));
    for (const s of [hub, ping, token, reg]) s.done();
    assert.deepEqual(run.result.tags, [{ tag: '3.12', digest: py312.index.digest, platform: 'linux/amd64', compressedSize: py312.amdSize }], 'registry figures carry no sizeSource');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] as string, /^hub\.docker\.com's tag list is unavailable: rate limited \(HTTP 429, until 2026-01-01T00:00:00\.000Z\); sizing through the registry instead/);
  });

  it('never follows a next page to another host, nor pages without end', async () => {
    const { logger } = recorder();
    const { http } = createSession({ logger, retries: 0 });
    mock(HUB_API).get(TAGS).query(true).reply(200, { next: 'https://evil.example/steal?page=2', results: [hubTag('3.12', py312)] });
    await assert.rejects(hubTagList(http, 'library', 'python'), (e: unknown) => e instanceof HubUnavailable && /points to another host \(https:\/\/evil\.example\)/.test(e.message));
    let n = 0;
    const scope = mock(HUB_API).get(TAGS).query(true).times(MAX_HUB_PAGES).reply(200, () => ({ next: `${HUB_API}${TAGS}?page=${++n + 1}&page_size=100`, results: [] }));
    await assert.rejects(hubTagList(http, 'library', 'python'), (e: unknown) => e instanceof HubUnavailable && e.message.includes(`more than ${MAX_HUB_PAGES} pages`));
    scope.done();
    assert.equal(n, MAX_HUB_PAGES);
  });
});
