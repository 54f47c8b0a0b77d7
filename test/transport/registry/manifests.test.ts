import assert from 'node:assert/strict';
import { mock, useMockAgent } from '../../helpers/mock-agent.js';
import { isRegistryError, isRegsizeError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { createSession } from '../../../src/session.js';
import { imageManifest, manifestHeaders, OCI_MANIFEST, serve } from '../../fixtures/dockerhub.js';
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
});
