import assert from 'node:assert/strict';
import { mock, useMockAgent } from '../../helpers/mock-agent.js';
import { isRegistryError, isRegsizeError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { createSession } from '../../../src/session.js';
import { imageManifest, manifestHeaders, OCI_MANIFEST, ociIndexWithAttestations, serve } from '../../fixtures/dockerhub.js';
import { noCache, type ContentCache } from '../../../src/cache/types.js';
import { resolveImage } from '../../../src/sizing/resolve.js';
import { useEmptyDockerConfig } from '../../helpers/docker-config.js';

const REG = 'https://reg.example';
const repo = { registry: 'reg.example', repository: 'org/app' };

describe('Manifests', () => {
  useEmptyDockerConfig();
  useMockAgent();

  it('GETs a tag once, then answers its digest from this process, and HEAD tells a tag\'s digest without a GET', async () => {
    const { served } = imageManifest(OCI_MANIFEST, [100, 200], 'm1');
    const scope = mock(REG)
      .get('/v2/')
      .reply(200, {})
      .get('/v2/org/app/manifests/1.0')
      .reply(200, served.bytes, manifestHeaders(served))
      .head('/v2/org/app/manifests/2.0')
      .reply(200, undefined, manifestHeaders(served, { 'content-type': `${OCI_MANIFEST}; charset=utf-8` }));
    const { client } = createSession({ logger: silentLogger, retries: 0 });
    const byTag = await client.manifestGet(repo, '1.0');
    assert.equal(byTag.digest, served.digest);
    const byDigest = await client.manifestGet(repo, served.digest);
    assert.deepEqual(Buffer.from(byDigest.bytes), served.bytes);
    assert.equal(await client.manifestCached(repo, served.digest), true);
    const head = await client.tagDigest(repo, '2.0');
    assert.deepEqual(head, { digest: served.digest, mediaType: OCI_MANIFEST, source: 'head' });
    assert.deepEqual(await client.tagDigest(repo, '2.0'), { digest: served.digest, source: 'cache' }, 'a tag answered in this run is not asked again');
    scope.done();
  });

  it('refuses bytes that are not the digest asked for, and reports a failed HEAD as a HEAD', async () => {
    const { served } = imageManifest(OCI_MANIFEST, [100], 'm2');
    const other = serve({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'x', digest: served.digest, size: 1 }, layers: [] }, OCI_MANIFEST);
    mock(REG)
      .get('/v2/')
      .reply(200, {})
      .get(`/v2/org/app/manifests/${served.digest}`)
      .reply(200, other.bytes, manifestHeaders(other, { 'docker-content-digest': served.digest }))
      .head('/v2/org/app/manifests/gone')
      .reply(404);
    const { client } = createSession({ logger: silentLogger, retries: 0 });
    await assert.rejects(client.manifestGet(repo, served.digest), (e) => isRegsizeError(e) && e.code === 'DIGEST_MISMATCH');
    await assert.rejects(client.manifestHead(repo, 'gone'), (e) => isRegistryError(e) && e.code === 'MANIFEST_UNKNOWN' && e.method === 'HEAD');
  });

  it("asks the cache for an index's platform manifest before writing the index to it", async () => {
    // A cold compare of 100 images: each platform request waits for its cache lookup, which
    // must not queue behind the writes of the indexes answered before it (libuv's threads).
    const { served: amd64 } = imageManifest(OCI_MANIFEST, [100], 'm-amd64');
    const index = ociIndexWithAttestations([{ served: amd64, platform: { os: 'linux', architecture: 'amd64' } }]);
    mock(REG)
      .get('/v2/')
      .reply(200, {})
      .get('/v2/org/app/manifests/1.0')
      .reply(200, index.bytes, manifestHeaders(index))
      .get(`/v2/org/app/manifests/${amd64.digest}`)
      .reply(200, amd64.bytes, manifestHeaders(amd64));
    const calls: string[] = [];
    const cache: ContentCache = {
      ...noCache,
      getManifest: async (d) => void calls.push(`get ${d}`),
      putManifest: async (d) => void calls.push(`put ${d}`),
    };
    const { client } = createSession({ logger: silentLogger, retries: 0, cache });
    const [image] = await resolveImage(client, { input: 'reg.example/org/app:1.0', registry: repo.registry, repository: repo.repository, tag: '1.0', digest: undefined }, { os: 'linux', architecture: 'amd64' }, silentLogger);
    assert.equal(image?.manifestDigest, amd64.digest);
    await client.flushTags();
    assert.deepEqual(calls, [`get ${amd64.digest}`, `put ${index.digest}`, `put ${amd64.digest}`]);
  });
});
