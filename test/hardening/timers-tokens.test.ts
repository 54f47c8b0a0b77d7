/**
 * Timers and tokens against registries that are slow, huge or stingy: a request's timer starts
 * when it is sent, not while it waits for a connection; --timeout cannot overflow Node's timer;
 * a token that claims to live a second is used for a minute, as Docker does.
 */
import assert from 'node:assert/strict';
import Compare from '../../commands/compare.js';
import { runInProcess } from '../commands/run-in-process.js';
import type { CompareJson } from '../helpers/compare-json.js';
import { type HostileRegistry, startHostileRegistry } from '../helpers/hostile-registry.js';
import { type Image, makeImage, makeIndex, makeRandomLayer } from '../helpers/images.js';
import { isRegsizeError } from '../../src/errors.js';
import { parseReference } from '../../src/reference/reference.js';
import { createSession } from '../../src/session.js';
import { resolveImage } from '../../src/sizing/resolve.js';
import { Agent } from 'undici';
import { defaultHttpSettings, HttpClient, MAX_TIMEOUT_MS } from '../../src/transport/http.js';
import { silentLogger } from '../../src/log.js';

function client(timeoutMs: number) {
  return createSession({ timeoutMs, retries: 0, logger: silentLogger }).client;
}

describe('hardening: timers and tokens', function () {
  this.timeout(60_000);
  let reg: HostileRegistry;
  afterEach(async () => reg?.stop());

  describe('a request is timed from when it is sent', () => {
    it('60 requests at once over 2 connections all succeed, though the last is sent after 0.6 s and the timeout is 0.3 s', async () => {
      reg = await startHostileRegistry();
      // Each answer takes at least 20 ms; 30 rounds over 2 connections take at least 0.6 s, twice
      // the 0.3 s timeout that a request queued with its timer already running would hit (and
      // 15 times what one answer takes, so a slow machine does not time a sent request out).
      reg.on('/slow', { kind: 'delay', ms: 20, then: { kind: 'respond', body: 'ok' } });
      const dispatcher = new Agent({ connections: 2 });
      try {
        const http = new HttpClient(defaultHttpSettings(silentLogger, { timeoutMs: 300, retries: 0, dispatcher, maxInFlightPerOrigin: 2 }));
        const n = 60;
        const results = await Promise.allSettled(Array.from({ length: n }, () => http.send({ method: 'GET', url: `${reg.url}/slow`, maxBytes: 16 })));
        const failed = results.filter((r) => r.status === 'rejected');
        assert.deepEqual(failed.slice(0, 1), [], `${failed.length} of ${n} failed`);
        assert.equal(reg.hits('/slow').length, n);
        assert.equal(reg.peakInFlight(), 2);
      } finally {
        await dispatcher.close();
      }
    });

    it('--platform all on an index of 300 platforms resolves them all under a 1 s timeout', async () => {
      reg = await startHostileRegistry();
      const images: Image[] = Array.from({ length: 300 }, (_, i) => makeImage({ layers: [makeRandomLayer({ size: 64, seed: `p${i}` })], platform: { os: 'linux', architecture: `arch${i}` } }));
      const index = makeIndex(images.map((image) => ({ image })));
      reg.serveManifest('many', 'all', { manifest: index.manifest, mediaType: index.mediaType });
      // 300 answers of at least 50 ms, at most 8 at once (the session's default concurrency,
      // under the resolver's 16), take at least 1.9 s: were every timer started at once, the
      // late ones would time out unsent under the 1 s timeout. (1 s, not less: the registry
      // answers from this process, and with the suite's other worker on the second core a sent
      // request once took over 0.3 s.)
      for (const image of images) {
        reg.on(`/v2/many/manifests/${image.manifestDigest}`, { kind: 'delay', ms: 50, then: { kind: 'respond', body: image.manifest, headers: { 'content-type': image.mediaType } } });
      }
      const resolved = await resolveImage(client(1000), parseReference(`${reg.host}/many:all`), 'all', silentLogger);
      assert.deepEqual(
        resolved.map((r) => r.manifestDigest),
        images.map((i) => i.manifestDigest),
      );
      // Bounded fan-out: never more platform manifests asked at once than the limit (16), well
      // under the connections the transport would open.
      assert.ok(reg.peakInFlight() <= 16, `${reg.peakInFlight()} requests at once`);
    });
  });

  describe('--timeout past what Node timers hold', () => {
    const maxSeconds = Math.floor(MAX_TIMEOUT_MS / 1000);

    it(`--timeout ${maxSeconds + 1} is a usage error (exit 2, one line naming the maximum), before any request`, async () => {
      reg = await startHostileRegistry();
      const r = await runInProcess(Compare, [`${reg.host}/app:1`, '--timeout', String(maxSeconds + 1), '--no-cache']);
      assert.equal(r.exitCode, 2, r.stderr);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`--timeout.*${maxSeconds}`));
      assert.deepEqual(reg.requests, []);
    });

    it(`--timeout ${maxSeconds} works`, async () => {
      reg = await startHostileRegistry();
      const image = makeImage({ layers: [makeRandomLayer({ size: 500, seed: 'timeout-max' })] });
      reg.serveManifest('app', '1', image);
      reg.serveBlob('app', image.config);
      const r = await runInProcess(Compare, [`${reg.host}/app:1`, '--timeout', String(maxSeconds), '--no-cache', '--json', '--platform', 'linux/amd64']);
      assert.equal(r.exitCode, 0, r.stderr);
      const [entry] = (JSON.parse(r.stdout) as CompareJson).images;
      assert.equal(entry?.compressedSize, image.layers.reduce((s, l) => s + l.blob.length, 0));
    });

    it('a session refuses a timeout past 2^31-1 ms, naming the maximum', () => {
      assert.throws(
        () => createSession({ timeoutMs: MAX_TIMEOUT_MS + 1, logger: silentLogger }),
        (e) => isRegsizeError(e) && e.code === 'INVALID_INPUT' && e.message.includes(`at most ${maxSeconds} seconds`),
      );
      assert.doesNotThrow(() => createSession({ timeoutMs: MAX_TIMEOUT_MS, logger: silentLogger }));
    });
  });

  describe('short-lived tokens', () => {
    for (const expiresIn of [1, 5]) {
      it(`a token with expires_in ${expiresIn} serves 50 tags with one token request`, async () => {
        reg = await startHostileRegistry({ bearer: { token: 'short-lived-token', expiresIn } });
        const image = makeImage({ layers: [makeRandomLayer({ size: 100, seed: 'short' })] });
        const tags = Array.from({ length: 50 }, (_, i) => `t${i}`);
        for (const t of tags) reg.serveManifest('app', t, image);
        const c = client(10_000);
        const repo = { registry: reg.host, repository: 'app' };
        c.expect([repo]);
        for (const t of tags) assert.equal((await c.manifestHead(repo, t)).digest, image.manifestDigest);
        assert.equal(reg.hits('/token').length, 1, `${reg.hits('/token').length} token requests`);
        assert.equal(reg.requests.filter((q) => q.path.startsWith('/v2/app/manifests/')).length, tags.length, 'no request was refused and retried');
      });
    }
  });
});
