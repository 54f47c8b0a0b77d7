/** Layers read from a real registry as an async iterable: the bytes are the blob's, and a consumer that stops early stops the download. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { RegistryLayerReader } from '../../src/files/registry-layer-reader.js';
import { createSession } from '../../src/session.js';
import { makeImage, makeRandomLayer, pushImage } from '../helpers/images.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';

describe('files: the registry layer reader', function () {
  this.timeout(60_000);
  let reg: LocalRegistry;
  const layer = makeRandomLayer({ size: 3_000_000, seed: 'rlr' });
  before(async () => {
    reg = await startRegistry();
    await pushImage(reg, 'team/big', '1', makeImage({ layers: [layer] }));
  });
  after(async () => reg?.stop());

  const reader = () => {
    const { client } = createSession({ logger: { debug: () => {}, warn: () => {} }, timeoutMs: 20_000, retries: 0 });
    return new RegistryLayerReader(client, { registry: reg.host, repository: 'team/big' });
  };

  it('yields exactly the blob\'s bytes, verified', async () => {
    const hash = createHash('sha256');
    let n = 0;
    for await (const c of reader().openLayer(layer)) {
      hash.update(c);
      n += c.length;
    }
    assert.equal(n, layer.size);
    assert.equal(`sha256:${hash.digest('hex')}`, layer.digest);
  });

  it('a consumer that stops early ends the read without waiting for the rest', async () => {
    let n = 0;
    for await (const c of reader().openLayer(layer)) {
      n += c.length;
      if (n > 100_000) break;
    }
    assert.ok(n < layer.size, `stopped after ${n} of ${layer.size} bytes`);
  });

  it('a blob the registry does not have fails the iteration', async () => {
    const missing = { ...layer, digest: `sha256:${'9'.repeat(64)}` };
    await assert.rejects((async () => {
      for await (const c of reader().openLayer(missing)) void c;
    })());
  });
});
