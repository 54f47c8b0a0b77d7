/**
 * Secrets go only where the registry itself sends them: a challenge from another origin (a
 * CDN a blob was redirected to, a host a ping was redirected to) is not the registry's, a
 * request carrying a secret is never replayed to another origin, and a secret echoed back in
 * any encoding is redacted. Each hostile host is a second loopback server on its own port (so
 * its own origin) that records every request it gets.
 */
import assert from 'node:assert/strict';
import { bearerChallenge, type HostileRegistry, sha256, startHostileRegistry } from '../helpers/hostile-registry.js';
import { createSession } from '../../src/session.js';
import type { Credentials } from '../../src/transport/credentials.js';
import type { RegistryClient } from '../../src/transport/client.js';
import { isRegsizeError } from '../../src/errors.js';

const USER = 'ci-robot';
const PASSWORD = 'p@ss/w0rd "quoted" & 42';
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
const TOKEN = 'tok-registry-7c1e9a';
const IDENTITY = 'idt-refresh/9f8e "7d6c"';

const credentialCases: [string, Credentials, string[]][] = [
  ['a password', { kind: 'basic', username: USER, password: PASSWORD }, [PASSWORD, BASIC, encodeURIComponent(PASSWORD)]],
  ['an identity token', { kind: 'identity', username: USER, identityToken: IDENTITY }, [IDENTITY, encodeURIComponent(IDENTITY), new URLSearchParams({ t: IDENTITY }).toString().slice(2)]],
];

interface Run {
  client: RegistryClient;
  log: string[];
}

/** A client for one test, holding `creds` for every registry, with its --verbose lines kept. */
function run(creds: Credentials | undefined): Run {
  const log: string[] = [];
  const { client } = createSession({
    timeoutMs: 10_000,
    retries: 0,
    logger: { debug: (l) => log.push(l), warn: (l) => log.push(l) },
    credentialStores: [{ get: async () => creds }],
  });
  return { client, log };
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    assert.ok(isRegsizeError(e), `not a RegsizeError: ${String(e)}`);
    return { code: e.code, message: e.message };
  }
  assert.fail('expected the request to fail');
}

/** Fails naming the request of `host` that carried any of `secrets` (header or body). */
function assertNothingReached(host: HostileRegistry, secrets: string[]): void {
  for (const q of host.requests) {
    assert.equal(q.authorization, undefined, `${q.method} ${q.path} carried Authorization: ${q.authorization}`);
    for (const s of secrets) assert.ok(!q.body.includes(s) && !q.path.includes(s), `${q.method} ${q.path} carried the secret ${s}`);
  }
}

describe('hardening: secrets and redirects to other origins', function () {
  this.timeout(30_000);
  let reg: HostileRegistry;
  let cdn: HostileRegistry;
  afterEach(async () => {
    await reg?.stop();
    await cdn?.stop();
  });

  for (const [kind, creds, secrets] of credentialCases) {
    it(`a blob redirected to a CDN whose 401 names its own realm: ${kind} never reaches the CDN`, async () => {
      cdn = await startHostileRegistry();
      reg = await startHostileRegistry({ bearer: { token: TOKEN, credentials: { username: USER, password: PASSWORD }, identityToken: IDENTITY } });
      const blob = Buffer.from('{"os":"linux","architecture":"amd64"}');
      const digest = sha256(blob);
      reg.on(`/v2/app/blobs/${digest}`, { kind: 'redirect', location: `${cdn.url}/blob/${digest}` });
      cdn.on(`/blob/${digest}`, bearerChallenge(`${cdn.url}/steal`));
      cdn.on('/steal', { kind: 'respond', body: JSON.stringify({ token: 'stolen', expires_in: 300 }) });

      const { client, log } = run(creds);
      const err = await failure(client.blobGet({ registry: reg.host, repository: 'app' }, digest));
      assert.equal(err.code, 'UNAUTHORIZED', err.message);
      // The secret was really in play: the registry's own realm earned a token with it, which the
      // blob request carried to the registry.
      assert.ok(reg.hits('/token').length > 0, 'the registry realm was asked for a token');
      assert.ok(reg.hits(`/v2/app/blobs/${digest}`).some((q) => q.authorization === `Bearer ${TOKEN}`));
      assert.equal(cdn.hits(`/blob/${digest}`).length, 1, 'the CDN was asked once');
      assert.deepEqual(cdn.hits('/steal'), [], "the CDN's realm was never asked for a token");
      assertNothingReached(cdn, [...secrets, TOKEN]);
      for (const s of secrets) assert.ok(!log.join('\n').includes(s), `the log shows ${s}`);
    });
  }

  for (const [kind, creds, secrets] of credentialCases) {
    it(`a ping redirected to another origin whose 401 names its realm: ${kind} never goes to that realm`, async () => {
      cdn = await startHostileRegistry();
      reg = await startHostileRegistry();
      reg.on('/v2/', { kind: 'redirect', location: `${cdn.url}/v2/` });
      cdn.on('/v2/', bearerChallenge(`${cdn.url}/steal`));
      cdn.on('/steal', { kind: 'respond', body: JSON.stringify({ token: 'stolen', expires_in: 300 }) });

      const { client } = run(creds);
      const err = await failure(client.manifestGet({ registry: reg.host, repository: 'app' }, '1'));
      assert.equal(err.code, 'UNAUTHORIZED');
      assert.equal(err.message.split('\n').length, 1);
      assert.match(err.message, new RegExp(`GET /v2/ was redirected to ${cdn.url.replace(/\./g, '\\.')}, which asked for credentials`));
      assert.deepEqual(cdn.hits('/steal'), []);
      assertNothingReached(cdn, secrets);
      assertNothingReached(reg, secrets);
    });
  }

  it('an identity token POSTed to the realm is not replayed after a 307 to plain HTTP on another origin', async () => {
    cdn = await startHostileRegistry();
    const realm = await startHostileRegistry();
    try {
      reg = await startHostileRegistry({ bearer: { token: TOKEN, realm: `${realm.url}/token` } });
      realm.on('/token', { kind: 'redirect', status: 307, location: `${cdn.url}/steal` });
      cdn.on('/steal', { kind: 'respond', body: JSON.stringify({ token: TOKEN, expires_in: 300 }) });

      const { client } = run({ kind: 'identity', username: USER, identityToken: IDENTITY });
      const err = await failure(client.manifestGet({ registry: reg.host, repository: 'app' }, '1'));
      assert.equal(err.code, 'UNAUTHORIZED');
      assert.match(err.message, /answered 307 to http:\/\/127\.0\.0\.1:\d+; refusing to resend the request, which carries a secret, to another origin/);
      assert.ok(realm.hits('/token').some((q) => q.method === 'POST' && new URLSearchParams(q.body).get('refresh_token') === IDENTITY), 'the realm got the refresh token');
      assert.deepEqual(cdn.requests, [], 'the other origin got nothing');
      assert.ok(!err.message.includes(IDENTITY));
    } finally {
      await realm.stop();
    }
  });

  it('a token POST redirected 308 within the realm origin is followed and still earns the token', async () => {
    const realm = await startHostileRegistry();
    try {
      realm.on('/auth', { kind: 'redirect', status: 308, location: '/token' });
      realm.on('/token', {
        kind: 'fn',
        answer: (q) =>
          q.method === 'POST' && new URLSearchParams(q.body).get('refresh_token') === IDENTITY
            ? { kind: 'respond', body: JSON.stringify({ token: TOKEN, expires_in: 300 }) }
            : { kind: 'respond', status: 401, body: '{}' },
      });
      reg = await startHostileRegistry({ bearer: { token: TOKEN, realm: `${realm.url}/auth` } });
      const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(Buffer.from('{}')), size: 2 }, layers: [] }));
      reg.serveManifest('app', '1', { manifest, mediaType: 'application/vnd.oci.image.manifest.v1+json' });
      const { client } = run({ kind: 'identity', username: USER, identityToken: IDENTITY });
      const got = await client.manifestGet({ registry: reg.host, repository: 'app' }, '1');
      assert.equal(got.digest, sha256(manifest));
      assert.equal(realm.hits('/token').filter((q) => q.method === 'POST').length, 1);
    } finally {
      await realm.stop();
    }
  });

  it('redacts a password the registry echoes raw, percent-encoded, form-encoded, JSON-escaped or in base64', async () => {
    reg = await startHostileRegistry({ basic: { username: USER, password: PASSWORD } });
    const echoes = [PASSWORD, encodeURIComponent(PASSWORD), encodeURIComponent(PASSWORD).toLowerCase(), new URLSearchParams({ p: PASSWORD }).toString().slice(2), JSON.stringify(PASSWORD).slice(1, -1), JSON.stringify(PASSWORD).slice(1, -1).replace(/\//g, '\\/'), Buffer.from(PASSWORD).toString('base64'), BASIC];
    reg.on('/v2/app/manifests/1', {
      kind: 'respond',
      status: 403,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ errors: [{ code: 'DENIED', message: `user ${USER} with ${echoes.map((e, i) => `[${i}:${e}]`).join(' ')} may not pull` }] }),
    });
    const { client } = run({ kind: 'basic', username: USER, password: PASSWORD });
    const err = await failure(client.manifestGet({ registry: reg.host, repository: 'app' }, '1'));
    assert.equal(err.code, 'DENIED');
    assert.ok(reg.hits('/v2/app/manifests/1').some((q) => q.authorization === `Basic ${BASIC}`), 'the password was in play');
    // Every echo is gone, and only the echoes: the rest of the registry's message stays.
    assert.match(err.message, new RegExp(`access denied \\(user ${USER} with ${echoes.map((_, i) => `\\[${i}:\\*\\*\\*\\]`).join(' ')} may not pull\\)`));
    for (const e of echoes) assert.ok(!err.message.includes(e), `the message shows ${e}`);
  });

  it('a redirect whose Location echoes the password leaves it out of --verbose lines and errors', async () => {
    cdn = await startHostileRegistry();
    reg = await startHostileRegistry({ basic: { username: USER, password: PASSWORD } });
    const blob = Buffer.from('{"os":"linux","architecture":"amd64"}');
    const digest = sha256(blob);
    const echo = `${cdn.url}/blob/${encodeURIComponent(PASSWORD)}/${BASIC}?x=${encodeURIComponent(PASSWORD)}`;
    reg.on(`/v2/app/blobs/${digest}`, { kind: 'redirect', location: echo });
    cdn.on(`/blob/${encodeURIComponent(PASSWORD)}/${BASIC}`, { kind: 'respond', status: 500, body: 'no' });
    const { client, log } = run({ kind: 'basic', username: USER, password: PASSWORD });
    const err = await failure(client.blobGet({ registry: reg.host, repository: 'app' }, digest));
    assert.equal(cdn.hits(`/blob/${encodeURIComponent(PASSWORD)}/${BASIC}`).length, 1, 'the redirect was followed');
    assert.ok(log.some((l) => l.includes(`${cdn.url}/blob/***/***`)), log.join('\n'));
    for (const s of [PASSWORD, encodeURIComponent(PASSWORD), BASIC]) {
      assert.ok(!log.join('\n').includes(s), `the log shows ${s}`);
      assert.ok(!err.message.includes(s), `the error shows ${s}`);
    }
  });
});
