/**
 * session.ts: options checked before any request, --concurrency as the HTTP/1.1 bound, and
 * HEADs that keep their connection (undici closes one after every HEAD unless told not to).
 */
import assert from 'node:assert/strict';
import { isRegsizeError } from '../src/errors.js';
import { silentLogger } from '../src/log.js';
import { createSession } from '../src/session.js';
import { useEmptyDockerConfig } from './helpers/docker-config.js';
import { makeImage, makeRandomLayer, pushImage } from './helpers/images.js';
import { type InFlightProxy, startInFlightProxy } from './helpers/in-flight-proxy.js';
import { type LocalRegistry, startRegistry } from './helpers/registry.js';

describe('createSession', function () {
  this.timeout(60_000);
  useEmptyDockerConfig();

  it('refuses a timeout or concurrency that cannot work, saying what to give', () => {
    for (const [options, message] of [
      [{ timeoutMs: 0 }, /invalid timeout 0: give a positive number of seconds/],
      [{ timeoutMs: 2 ** 32 }, /at most 2147483 seconds/],
      [{ concurrency: 0 }, /invalid concurrency 0: give a whole number/],
      [{ concurrency: 2.5 }, /invalid concurrency 2.5/],
    ] as const) {
      assert.throws(() => createSession({ logger: silentLogger, ...options }), (e) => isRegsizeError(e) && e.code === 'INVALID_INPUT' && message.test(e.message));
    }
  });

  describe('against a real registry', () => {
    let reg: LocalRegistry;
    let proxy: InFlightProxy;
    const TAGS = 20;
    before(async () => {
      reg = await startRegistry();
      const img = makeImage({ layers: [makeRandomLayer({ size: 500, seed: 'session', compression: 'gzip' })] });
      for (let i = 0; i < TAGS; i++) await pushImage(reg, 'sess/app', `t${i}`, img);
      proxy = await startInFlightProxy(reg.url, { gate: { path: /\/manifests\//, count: 1, giveUpMs: 1000 } });
    });
    after(async () => {
      await proxy?.stop();
      await reg?.stop();
    });

    it(`sends ${TAGS} HEADs over the connection already open, not one connection each`, async () => {
      const { client } = createSession({ logger: silentLogger, concurrency: 1, retries: 0 });
      const repo = { registry: proxy.host, repository: 'sess/app' };
      assert.equal((await client.tagList(repo)).length, TAGS);
      const before = proxy.connections();
      for (let i = 0; i < TAGS; i++) await client.manifestHead(repo, `t${i}`);
      assert.equal(proxy.requests.filter((r) => r.method === 'HEAD').length, TAGS);
      assert.equal(proxy.connections(), before);
    });
  });
});
