/**
 * The Docker Hub flow through the real client code path (undici request on the session dispatcher,
 * answered by undici MockAgent): ping 401 challenge, one token for every repository, index, platform
 * manifest. Every mock scope is checked with scope.done().
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mock, mocksDone, useMockAgent } from '../helpers/mock-agent.js';
import { parseReference } from '../../src/reference/reference.js';
import { createSession } from '../../src/session.js';
import { compareImages, type ImageEntry, isErrorEntry } from '../../src/sizing/compare.js';
import type { Logger } from '../../src/log.js';
import { DOCKER_MANIFEST, dockerManifestList, imageManifest, manifestHeaders, OCI_MANIFEST, ociIndexWithAttestations, serve, fakeDigest } from '../fixtures/dockerhub.js';

const HUB = 'https://registry-1.docker.io';
const AUTH = 'https://auth.docker.io';
const CHALLENGE = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"';
const TOKEN = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.secret-token-value.sig';

function capture(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, debug: (l) => lines.push(l), warn: (l) => lines.push(`warning: ${l}`) };
}

function emptyDockerConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'regsize-dockercfg-'));
  writeFileSync(join(dir, 'config.json'), '{}');
  return dir;
}

describe('Docker Hub flow (MockAgent)', () => {
  useMockAgent();
  const savedDockerConfig = process.env.DOCKER_CONFIG;
  beforeEach(() => {
    process.env.DOCKER_CONFIG = emptyDockerConfig();
  });
  afterEach(() => {
    if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = savedDockerConfig;
  });

  const pyAmd = imageManifest(OCI_MANIFEST, [29780765, 3511013, 12220136, 249], 'py-amd64');
  const pyArm = imageManifest(OCI_MANIFEST, [28040000, 3400000, 12100000, 249], 'py-arm64');
  const pyIndex = ociIndexWithAttestations([
    { served: pyAmd.served, platform: { os: 'linux', architecture: 'amd64' } },
    { served: pyArm.served, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
  ]);
  const alpAmd = imageManifest(DOCKER_MANIFEST, [3624262], 'alpine-amd64', 'application/vnd.docker.image.rootfs.diff.tar.gzip');
  const alpList = dockerManifestList([{ served: alpAmd.served, platform: { os: 'linux', architecture: 'amd64' } }]);

  it('sizes an OCI index and a Docker manifest list with one ping and one token for both', async () => {
    const token = mock(AUTH)
      .get('/token')
      .query((q) => q.service === 'registry.docker.io' && Array.isArray(q.scope) && q.scope.includes('repository:library/python:pull') && q.scope.includes('repository:library/alpine:pull'))
      .once()
      .reply(200, { token: TOKEN, access_token: TOKEN, expires_in: 300, issued_at: new Date().toISOString() });
    const hub = mock(HUB)
      .get('/v2/').reply(401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, { 'www-authenticate': CHALLENGE });
    const acceptsAllFour = (v: string) => ['oci.image.index', 'manifest.list.v2', 'oci.image.manifest', 'distribution.manifest.v2'].every((t) => v.includes(t));
    const manifests = mock(HUB, { reqheaders: { authorization: `Bearer ${TOKEN}`, accept: acceptsAllFour } })
      .get('/v2/library/python/manifests/3.11-slim').reply(200, pyIndex.bytes, manifestHeaders(pyIndex, { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '97;w=21600' }))
      .get(`/v2/library/python/manifests/${pyAmd.served.digest}`).reply(200, pyAmd.served.bytes, manifestHeaders(pyAmd.served))
      .get('/v2/library/alpine/manifests/3.20').reply(200, alpList.bytes, manifestHeaders(alpList))
      .get(`/v2/library/alpine/manifests/${alpAmd.served.digest}`).reply(200, alpAmd.served.bytes, manifestHeaders(alpAmd.served));

    const log = capture();
    const { client } = createSession({ logger: log, verbose: true });
    const refs = ['python:3.11-slim', 'alpine:3.20'].map(parseReference);
    const result = await compareImages(client, refs, { platform: { os: 'linux', architecture: 'amd64' }, concurrency: 8, logger: log });

    token.done();
    hub.done();
    manifests.done();
    const [py, alp] = result.images as ImageEntry[];
    assert.equal(py!.reference, 'python:3.11-slim');
    assert.equal(py!.name, 'docker.io/library/python:3.11-slim');
    assert.equal(py!.digest, pyIndex.digest);
    assert.equal(py!.manifestDigest, pyAmd.served.digest);
    assert.equal(py!.platform, 'linux/amd64');
    assert.equal(py!.compressedSize, pyAmd.layers.reduce((s, l) => s + l.size, 0));
    assert.deepEqual(py!.layers.map((l) => l.digest), pyAmd.layers.map((l) => l.digest));
    assert.equal(alp!.compressedSize, 3624262);
    assert.equal(alp!.layers[0]!.mediaType, 'application/vnd.docker.image.rootfs.diff.tar.gzip');
    assert.deepEqual(client.rateLimit('docker.io'), { limit: 100, remaining: 97 });
    // --verbose logs every request, and never a secret.
    assert.ok(log.lines.some((l) => /GET https:\/\/registry-1\.docker\.io\/v2\/library\/python\/manifests\/3\.11-slim 200 \d+ms .* ratelimit-remaining=97;w=21600/.test(l)));
    assert.ok(log.lines.every((l) => !l.includes('secret-token-value')));
  });

  it('picks arm64 from the index with --platform linux/arm64 and lists every platform with "all"', async () => {
    mock(HUB).get('/v2/').reply(401, '', { 'www-authenticate': CHALLENGE });
    mock(AUTH).get('/token').query(true).reply(200, { token: TOKEN, expires_in: 300 });
    const scope = mock(HUB)
      .get('/v2/library/python/manifests/3.11-slim').twice().reply(200, pyIndex.bytes, manifestHeaders(pyIndex))
      .get(`/v2/library/python/manifests/${pyArm.served.digest}`).reply(200, pyArm.served.bytes, manifestHeaders(pyArm.served))
      .get(`/v2/library/python/manifests/${pyAmd.served.digest}`).reply(200, pyAmd.served.bytes, manifestHeaders(pyAmd.served));
    const log = capture();
    const { client } = createSession({ logger: log });
    const arm = await compareImages(client, [parseReference('python:3.11-slim')], { platform: { os: 'linux', architecture: 'arm64' }, concurrency: 1, logger: log });
    assert.equal((arm.images[0] as ImageEntry).manifestDigest, pyArm.served.digest);
    assert.equal((arm.images[0] as ImageEntry).platform, 'linux/arm64/v8');
    // A second client: nothing is shared across sessions, so the index is fetched again.
    const { client: c2 } = createSession({ logger: log });
    mock(HUB).get('/v2/').reply(401, '', { 'www-authenticate': CHALLENGE });
    mock(AUTH).get('/token').query(true).reply(200, { token: TOKEN, expires_in: 300 });
    mock(HUB).get(`/v2/library/python/manifests/${pyArm.served.digest}`).reply(200, pyArm.served.bytes, manifestHeaders(pyArm.served));
    const all = await compareImages(c2, [parseReference('python:3.11-slim')], { platform: 'all', concurrency: 1, logger: log });
    assert.deepEqual(all.images.map((e) => (e as ImageEntry).platform), ['linux/amd64', 'linux/arm64/v8']);
    scope.done();
  });

  it('sizes a single-platform image from its config, and refuses a schema 1 manifest clearly', async () => {
    const single = imageManifest(DOCKER_MANIFEST, [1000, 2000], 'user-app', 'application/vnd.docker.image.rootfs.diff.tar.gzip');
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
    const configDigest = JSON.parse(single.served.bytes.toString()).config.digest as string;
    // The fixture's config digest is fake; serve a manifest whose config digest matches these bytes.
    const doc = JSON.parse(single.served.bytes.toString());
    doc.config.digest = `sha256:${(await import('node:crypto')).createHash('sha256').update(config).digest('hex')}`;
    doc.config.size = config.length;
    const fixed = serve(doc, DOCKER_MANIFEST);
    const schema1 = Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'user/old', tag: 'v1', fsLayers: [] }));
    mock(HUB).get('/v2/').reply(401, '', { 'www-authenticate': CHALLENGE });
    mock(AUTH).get('/token').query(true).once().reply(200, { token: TOKEN, expires_in: 300 });
    const scope = mock(HUB)
      .get('/v2/user/app/manifests/1').reply(200, fixed.bytes, manifestHeaders(fixed))
      .get(`/v2/user/app/blobs/${doc.config.digest}`).reply(200, config)
      .get('/v2/user/old/manifests/v1').reply(200, schema1, { 'content-type': 'application/vnd.docker.distribution.manifest.v1+prettyjws' });
    const log = capture();
    const { client } = createSession({ logger: log });
    const result = await compareImages(client, ['user/app:1', 'user/old:v1'].map(parseReference), { platform: { os: 'linux', architecture: 'amd64' }, concurrency: 2, logger: log });
    scope.done();
    assert.notEqual(configDigest, doc.config.digest);
    const [app, old] = result.images;
    assert.equal((app as ImageEntry).compressedSize, 3000);
    assert.equal((app as ImageEntry).platform, 'linux/amd64');
    assert.ok(old && isErrorEntry(old));
    assert.equal(old.error.code, 'UNSUPPORTED_MANIFEST');
    assert.match(old.error.message, /legacy schema 1 manifest is not supported/);
  });

  it('reports a manifest whose bytes do not match the announced digest, and keeps the other image', async () => {
    const tampered = Buffer.from(pyAmd.served.bytes.toString().replace('29780765', '29780766'));
    mock(HUB).get('/v2/').reply(401, '', { 'www-authenticate': CHALLENGE });
    mock(AUTH).get('/token').query(true).reply(200, { token: TOKEN, expires_in: 300 });
    mock(HUB)
      .get('/v2/library/python/manifests/evil').reply(200, tampered, manifestHeaders(pyAmd.served, { 'content-length': String(tampered.length) }))
      .get('/v2/library/alpine/manifests/3.20').reply(200, alpList.bytes, manifestHeaders(alpList))
      .get(`/v2/library/alpine/manifests/${alpAmd.served.digest}`).reply(200, alpAmd.served.bytes, manifestHeaders(alpAmd.served));
    const log = capture();
    const { client } = createSession({ logger: log });
    const result = await compareImages(client, ['python:evil', 'alpine:3.20'].map(parseReference), { platform: { os: 'linux', architecture: 'amd64' }, concurrency: 2, logger: log });
    const [bad, good] = result.images;
    assert.ok(bad && isErrorEntry(bad));
    assert.equal(bad.error.code, 'DIGEST_MISMATCH');
    assert.equal((good as ImageEntry).compressedSize, 3624262);
  });

  it('passes the registry error codes through: unknown tag, unauthorized private repo', async () => {
    mock(HUB).get('/v2/').reply(401, '', { 'www-authenticate': CHALLENGE });
    mock(AUTH).get('/token').query(true).times(2).reply(200, { token: TOKEN, expires_in: 300 });
    mock(HUB)
      .get('/v2/library/python/manifests/no-such-tag').reply(404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: 'unknown tag=no-such-tag' }] })
      // Docker Hub answers a private or missing repository with 401 even with a token.
      .get('/v2/someone/private/manifests/latest').twice().reply(401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, { 'www-authenticate': `${CHALLENGE},scope="repository:someone/private:pull",error="insufficient_scope"` });
    const log = capture();
    const { client } = createSession({ logger: log });
    const result = await compareImages(client, ['python:no-such-tag', 'someone/private'].map(parseReference), { platform: { os: 'linux', architecture: 'amd64' }, concurrency: 2, logger: log });
    const codes = result.images.map((e) => (isErrorEntry(e) ? e.error.code : 'ok'));
    assert.deepEqual(codes, ['MANIFEST_UNKNOWN', 'UNAUTHORIZED']);
    const msg = (result.images[1] as { error: { message: string } }).error.message;
    assert.match(msg, /docker login docker\.io/);
    assert.ok(!msg.includes('secret-token-value'));
    assert.ok(mocksDone());
  });

  it('logs in with docker config credentials: Basic at the token realm, never in logs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'regsize-dockercfg-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: Buffer.from('alice:hunter2-password').toString('base64') } } }));
    process.env.DOCKER_CONFIG = dir;
    mock(HUB).get('/v2/').reply(401, '', { 'www-authenticate': CHALLENGE });
    const token = mock(AUTH, { reqheaders: { authorization: `Basic ${Buffer.from('alice:hunter2-password').toString('base64')}` } })
      .get('/token').query(true).reply(200, { token: TOKEN, expires_in: 300 });
    const private_ = mock(HUB, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
      .get('/v2/alice/private/manifests/1').reply(200, alpList.bytes, manifestHeaders(alpList))
      .get(`/v2/alice/private/manifests/${alpAmd.served.digest}`).reply(200, alpAmd.served.bytes, manifestHeaders(alpAmd.served));
    const log = capture();
    const { client } = createSession({ logger: log, verbose: true });
    const result = await compareImages(client, [parseReference('alice/private:1')], { platform: 'all', concurrency: 1, logger: log });
    token.done();
    private_.done();
    assert.equal((result.images[0] as ImageEntry).compressedSize, 3624262);
    assert.ok(log.lines.every((l) => !l.includes('hunter2') && !l.includes(Buffer.from('alice:hunter2-password').toString('base64'))));
  });

  it('exchanges an identity token with an OAuth2 refresh-token POST', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'regsize-dockercfg-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { 'https://index.docker.io/v1/': { identitytoken: 'refresh-me-secret' } } }));
    process.env.DOCKER_CONFIG = dir;
    mock(HUB).get('/v2/').reply(401, '', { 'www-authenticate': CHALLENGE });
    const token = mock(AUTH)
      .post('/token', (body) => body.grant_type === 'refresh_token' && body.refresh_token === 'refresh-me-secret' && body.service === 'registry.docker.io' && /repository:library\/alpine:pull/.test(String(body.scope)))
      .reply(200, { access_token: TOKEN, expires_in: 300 });
    mock(HUB, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
      .get('/v2/library/alpine/manifests/3.20').reply(200, alpList.bytes, manifestHeaders(alpList))
      .get(`/v2/library/alpine/manifests/${alpAmd.served.digest}`).reply(200, alpAmd.served.bytes, manifestHeaders(alpAmd.served));
    const log = capture();
    const { client } = createSession({ logger: log });
    const result = await compareImages(client, [parseReference('alpine:3.20')], { platform: { os: 'linux', architecture: 'amd64' }, concurrency: 1, logger: log });
    token.done();
    assert.equal((result.images[0] as ImageEntry).compressedSize, 3624262);
  });

  it('retries once with a token for exactly the repository when the batch token lacked its scope', async () => {
    const narrow = 'narrow-token';
    mock(HUB).get('/v2/').reply(401, '', { 'www-authenticate': CHALLENGE });
    mock(AUTH).get('/token').query((q) => Array.isArray(q.scope)).reply(200, { token: TOKEN, expires_in: 300 });
    mock(AUTH).get('/token').query((q) => q.scope === 'repository:library/alpine:pull').reply(200, { token: narrow, expires_in: 300 });
    mock(HUB)
      .get('/v2/library/alpine/manifests/3.20').matchHeader('authorization', `Bearer ${TOKEN}`).reply(401, '', { 'www-authenticate': `${CHALLENGE},error="insufficient_scope"` })
      .get('/v2/library/alpine/manifests/3.20').matchHeader('authorization', `Bearer ${narrow}`).reply(200, alpList.bytes, manifestHeaders(alpList))
      .get(`/v2/library/alpine/manifests/${alpAmd.served.digest}`).reply(200, alpAmd.served.bytes, manifestHeaders(alpAmd.served))
      .get('/v2/library/python/manifests/3.11-slim').reply(404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] });
    const log = capture();
    const { client } = createSession({ logger: log });
    const result = await compareImages(client, ['alpine:3.20', 'python:3.11-slim'].map(parseReference), { platform: { os: 'linux', architecture: 'amd64' }, concurrency: 1, logger: log });
    assert.equal((result.images[0] as ImageEntry).compressedSize, 3624262);
    assert.ok(mocksDone());
  });

  it('never fetches the same digest twice in one run', async () => {
    mock(HUB).get('/v2/').reply(401, '', { 'www-authenticate': CHALLENGE });
    mock(AUTH).get('/token').query(true).reply(200, { token: TOKEN, expires_in: 300 });
    // Two tags of one image: two tag GETs, but the platform manifest only once.
    const scope = mock(HUB)
      .get('/v2/library/alpine/manifests/3.20').reply(200, alpList.bytes, manifestHeaders(alpList))
      .get('/v2/library/alpine/manifests/latest').reply(200, alpList.bytes, manifestHeaders(alpList))
      .get(`/v2/library/alpine/manifests/${alpAmd.served.digest}`).once().reply(200, alpAmd.served.bytes, manifestHeaders(alpAmd.served));
    const log = capture();
    const { client } = createSession({ logger: log });
    const result = await compareImages(client, ['alpine:3.20', 'alpine:latest'].map(parseReference), { platform: { os: 'linux', architecture: 'amd64' }, concurrency: 2, logger: log });
    scope.done();
    assert.deepEqual(result.images.map((e) => (e as ImageEntry).compressedSize), [3624262, 3624262]);
    void fakeDigest;
  });
});
