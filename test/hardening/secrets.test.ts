/**
 * Secrets never escape: tokens, passwords and identity tokens appear in no output, no
 * --verbose log, no error message and no cache file, even when a registry echoes them back;
 * Authorization never follows a redirect to another origin; credentials are never sent over
 * plain HTTP to a host outside loopback.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mock, useMockAgent } from '../helpers/mock-agent.js';
import { emptyDockerConfig, runCli, type CliResult } from '../helpers/cli.js';
import type { AnyEntry as Entry, CompareJson } from '../helpers/compare-json.js';
import { type HostileRegistry, startHostileRegistry } from '../helpers/hostile-registry.js';
import { type Image, makeImage, makeRandomLayer, pushImage } from '../helpers/images.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';
import { HttpClient, defaultHttpSettings } from '../../src/transport/http.js';
import { silentLogger } from '../../src/log.js';

const USER = 'ci-robot';
const PASSWORD = 'pw-Zq8!hunter2-secret';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.tok-4b1d5e.signature';
const IDENTITY = 'idt-9f8e7d6c5b4a-refresh';
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');

function image(seed: string): Image {
  return makeImage({ layers: [makeRandomLayer({ size: 2000, seed })], platform: { os: 'linux', architecture: 'amd64' } });
}
const sizeOf = (img: Image) => img.layers.reduce((s, l) => s + l.blob.length, 0);

/** Every file under `dir`, recursively. */
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** Fails naming the place where any secret shows up. */
function assertNoSecrets(secrets: string[], places: Record<string, string | Buffer>): void {
  for (const [place, text] of Object.entries(places)) {
    for (const s of secrets) assert.ok(!text.includes(s), `${place} contains the secret ${s}`);
  }
}

function cacheFiles(dir: string): Record<string, Buffer> {
  const all = files(dir);
  return Object.fromEntries(all.map((f) => [f, readFileSync(f)]));
}

function entries(r: CliResult): Entry[] {
  return (JSON.parse(r.stdout) as CompareJson).images;
}

describe('hardening: secrets', function () {
  this.timeout(60_000);

  describe('a Bearer registry whose token realm is itself', () => {
    let reg: HostileRegistry;
    const ok = image('secret-ok');
    before(async () => {
      reg = await startHostileRegistry({ bearer: { token: TOKEN, credentials: { username: USER, password: PASSWORD }, identityToken: IDENTITY } });
      reg.serveManifest('app', '1', ok);
      reg.serveBlob('app', ok.config);
      // A registry that echoes every secret it was given in its error message.
      reg.on('/v2/leaky/manifests/1', {
        kind: 'respond',
        status: 403,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ errors: [{ code: 'DENIED', message: `token ${TOKEN} for ${USER}:${PASSWORD} (${BASIC}) refresh ${IDENTITY} may not pull`, detail: { authorization: `Bearer ${TOKEN}` } }] }),
      });
    });
    after(async () => reg?.stop());

    // Each run knows the token and its own credential; the registry echoes them all back.
    for (const [kind, auth, secrets] of [
      ['a password', { auth: BASIC }, [TOKEN, PASSWORD, BASIC]],
      ['an identity token', { username: USER, identitytoken: IDENTITY }, [TOKEN, IDENTITY]],
    ] as const) {
      it(`never shows ${kind} or the token in output, --verbose logs, error messages or the cache`, async () => {
        const cacheDir = mkdtempSync(join(tmpdir(), 'regsize-secret-cache-'));
        const env = { DOCKER_CONFIG: emptyDockerConfig({ [reg.host]: auth }) };
        const args = [`${reg.host}/app:1`, `${reg.host}/leaky:1`, '--platform', 'linux/amd64', '--verbose', '--cache-dir', cacheDir];
        const json = await runCli([...args, '--json'], env);
        const table = await runCli([...args, '--tag-ttl', '0'], env);
        const debug = await runCli([`${reg.host}/leaky:1`, '--debug', '--json'], env);

        assert.equal(json.code, 1, json.stderr);
        const [a, b] = entries(json);
        assert.equal(a?.compressedSize, sizeOf(ok));
        assert.equal(b?.error?.code, 'DENIED');
        assert.match(b?.error?.message ?? '', /access denied \(token \*\*\* for ci-robot:.* may not pull\)/);
        assert.equal(table.code, 1);
        // The failed image keeps its row on stdout; the why is on stderr.
        assert.match(table.stdout, /leaky:1 +error: DENIED/);
        assert.match(table.stderr, /leaky:1: access denied/);

        // The secrets were really in play: the token was earned with them and then used.
        const tokenRequests = reg.requests.filter((q) => q.path.startsWith('/token'));
        if (kind === 'a password') assert.ok(tokenRequests.some((q) => q.authorization === `Basic ${BASIC}`));
        else assert.ok(tokenRequests.some((q) => q.method === 'POST' && q.body.includes(IDENTITY)));
        assert.ok(reg.hits('/v2/app/manifests/1').some((q) => q.authorization === `Bearer ${TOKEN}`));
        // The cache was written (so grepping it proves something) and holds none of them.
        const cached = cacheFiles(cacheDir);
        assert.ok(Object.keys(cached).some((f) => f.includes('manifests')), `cache files: ${Object.keys(cached).join(', ')}`);
        assertNoSecrets([...secrets], {
          'json stdout': json.stdout,
          'json stderr (--verbose)': json.stderr,
          'table stdout': table.stdout,
          'table stderr (--verbose)': table.stderr,
          'stdout with --debug': debug.stdout,
          'stderr with --debug': debug.stderr,
          ...cached,
        });
      });
    }
  });

  describe('a real registry with Basic auth (htpasswd)', () => {
    let reg: LocalRegistry;
    const img = image('basic-real');
    before(async () => {
      reg = await startRegistry({ auth: { username: USER, password: PASSWORD } });
      await pushImage(reg, 'private/app', '1', img);
    });
    after(async () => reg?.stop());

    it('sizes a private image and leaves the password in no output, log or cache file', async () => {
      const cacheDir = mkdtempSync(join(tmpdir(), 'regsize-secret-cache-'));
      const env = { DOCKER_CONFIG: emptyDockerConfig({ [reg.host]: { auth: BASIC } }) };
      const r = await runCli([`${reg.host}/private/app:1`, `${reg.host}/private/none:1`, '--json', '--verbose', '--cache-dir', cacheDir], env);
      assert.equal(r.code, 1, r.stderr);
      const [a, b] = entries(r);
      assert.equal(a?.compressedSize, sizeOf(img));
      assert.ok(b?.error, 'the missing image is an error entry');
      assert.match(r.stderr, /GET http:\/\/127\.0\.0\.1:\d+\/v2\/private\/app\/manifests\/1 200/);
      assertNoSecrets([PASSWORD, BASIC], { stdout: r.stdout, stderr: r.stderr, ...cacheFiles(cacheDir) });
    });

    it('says the credentials were rejected without echoing them', async () => {
      const wrong = 'not-the-pw-1234';
      const env = { DOCKER_CONFIG: emptyDockerConfig({ [reg.host]: { auth: Buffer.from(`${USER}:${wrong}`).toString('base64') } }) };
      const r = await runCli([`${reg.host}/private/app:1`, '--json', '--verbose'], env);
      assert.equal(r.code, 1);
      const [e] = entries(r);
      assert.equal(e?.error?.code, 'UNAUTHORIZED');
      assert.match(e?.error?.message ?? '', /authentication required.*run docker login 127\.0\.0\.1:\d+/);
      assertNoSecrets([wrong, Buffer.from(`${USER}:${wrong}`).toString('base64')], { stdout: r.stdout, stderr: r.stderr });
    });
  });

  describe('plain HTTP to a host outside loopback', () => {
    // The registry answers as registry.example.test through HTTP_PROXY: a non-loopback name
    // without any internet.
    const HOST = 'registry.example.test';
    const img = image('remote');
    const run = (reg: HostileRegistry, auths: Record<string, unknown>) =>
      runCli([`${HOST}/app:1`, '--plain-http', '--json', '--platform', 'linux/amd64', '--timeout', '5'], { HTTP_PROXY: reg.url, DOCKER_CONFIG: emptyDockerConfig(auths) });

    it('works anonymously with --plain-http (the proxy route is real)', async () => {
      const reg = await startHostileRegistry();
      try {
        reg.serveManifest('app', '1', img);
        reg.serveBlob('app', img.config);
        const r = await run(reg, {});
        assert.equal(r.code, 0, r.stderr);
        assert.equal(entries(r)[0]?.compressedSize, sizeOf(img));
        assert.ok(reg.tunnels.length > 0 && reg.tunnels.every((t) => t.startsWith(`${HOST}:`)), reg.tunnels.join(', '));
        assert.ok(reg.requests.every((q) => q.host === HOST));
      } finally {
        await reg.stop();
      }
    });

    const REGISTRY_TOKEN = 'rt-5e6f7a8b9c0d-long-lived';
    const cases: [string, Parameters<typeof startHostileRegistry>[0], Record<string, string>][] = [
      ['a Basic challenge', { basic: { username: USER, password: PASSWORD } }, { auth: BASIC }],
      ['a Bearer realm on plain HTTP', { bearer: { token: TOKEN, credentials: { username: USER, password: PASSWORD }, realm: `http://${HOST}/token` } }, { auth: BASIC }],
      ['a registry token from the Docker config', { bearer: { token: REGISTRY_TOKEN, realm: 'https://auth.example.test/token' } }, { registrytoken: REGISTRY_TOKEN }],
    ];
    for (const [what, opts, auth] of cases) {
      it(`refuses to send credentials for ${what}, naming --plain-http`, async () => {
        const reg = await startHostileRegistry(opts);
        try {
          reg.serveManifest('app', '1', img);
          const r = await run(reg, { [HOST]: auth });
          assert.equal(r.code, 1, r.stderr);
          const [e] = entries(r);
          assert.equal(e?.error?.code, 'INSECURE');
          assert.equal(e?.error?.message, `refusing to send credentials for ${HOST} over plain HTTP; use HTTPS, or --plain-http only for a registry on a trusted network without credentials`);
          assert.ok(reg.requests.length > 0, 'the registry was asked (anonymously)');
          assert.deepEqual(reg.requests.filter((q) => q.authorization !== undefined), [], 'no request carried credentials');
          assertNoSecrets([PASSWORD, BASIC, REGISTRY_TOKEN], { stdout: r.stdout, stderr: r.stderr });
        } finally {
          await reg.stop();
        }
      });
    }
  });

  describe('redirects (in process; a MockAgent stands in for hosts that cannot run here)', () => {
    useMockAgent();

    for (const [what, from, to] of [
      ['to another host (a CDN)', 'https://registry.example.test', 'https://cdn.example.test'],
      ['from https to plain http on the same host', 'https://registry.example.test', 'http://registry.example.test'],
    ] as const) {
      it(`drops Authorization on a redirect ${what}`, async () => {
        let seen: string | undefined = 'not asked';
        const scope = mock(from).get('/v2/app/blobs/sha256:abc').matchHeader('authorization', `Bearer ${TOKEN}`).reply(307, '', { location: `${to}/blob?sig=s3cr3t` });
        const target = mock(to)
          .get('/blob')
          .query(true)
          .reply((req) => {
            seen = req.headers.authorization as string | undefined;
            return [200, 'blob'];
          });
        const lines: string[] = [];
        const http = new HttpClient(defaultHttpSettings({ debug: (l) => lines.push(l), warn: () => {} }, { retries: 0 }));
        const res = await http.send({ method: 'GET', url: `${from}/v2/app/blobs/sha256:abc`, headers: { authorization: `Bearer ${TOKEN}` }, maxBytes: 1024 });
        assert.equal(res.status, 200);
        assert.equal(Buffer.from(res.body).toString(), 'blob');
        assert.equal(seen, undefined);
        scope.done();
        target.done();
        assert.ok(lines.some((l) => l.includes('sig=***')), lines.join('\n'));
        assertNoSecrets([TOKEN, 's3cr3t'], { log: lines.join('\n') });
      });
    }

    it('keeps Authorization on a redirect within the same origin', async () => {
      const scope = mock('https://registry.example.test')
        .get('/v2/app/blobs/sha256:abc')
        .reply(307, '', { location: '/v2/app/blobs/elsewhere' })
        .get('/v2/app/blobs/elsewhere')
        .matchHeader('authorization', `Bearer ${TOKEN}`)
        .reply(200, 'blob');
      const http = new HttpClient(defaultHttpSettings(silentLogger, { retries: 0 }));
      const res = await http.send({ method: 'GET', url: 'https://registry.example.test/v2/app/blobs/sha256:abc', headers: { authorization: `Bearer ${TOKEN}` }, maxBytes: 1024 });
      assert.equal(res.status, 200);
      scope.done();
    });
  });
});
