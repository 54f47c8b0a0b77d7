/**
 * The blob interfaces of oci/layer-reader.ts, filled by the registry client against a real
 * registry: the compiler checks that RegistryClient is a LayerBlobSource (a change to either
 * side breaks this file), and the reads give the very bytes that were pushed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/log.js';
import type { BlobRangeRead, ChunkSink, LayerBlobSource } from '../../src/oci/layer-reader.js';
import { createSession } from '../../src/session.js';
import type { RegistryClient } from '../../src/transport/client.js';
import { seededBytes } from '../helpers/images.js';
import { pushBlob, sha256 } from '../helpers/push.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';
import { type ByteCountingProxy, startByteCountingProxy } from '../sizing/layer-fixtures.js';

/** Compiles only while the registry client fills the interface the sizer depends on. */
const asSource = (client: RegistryClient): LayerBlobSource => client;

describe('layer blob sources: the registry client through LayerBlobSource', function () {
  this.timeout(60_000);
  let reg: LocalRegistry;
  let proxy: ByteCountingProxy;
  let dir: string;
  const savedDockerConfig = process.env.DOCKER_CONFIG;
  const blob = seededBytes(300_000, 'layer-reader');
  let pushed: { digest: string; size: number };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'regsize-dockercfg-'));
    writeFileSync(join(dir, 'config.json'), '{}');
    process.env.DOCKER_CONFIG = dir;
    reg = await startRegistry();
    proxy = await startByteCountingProxy(reg.url, { ignoreRange: true });
    pushed = await pushBlob(reg, 'team/blobs', blob);
    assert.equal(pushed.digest, sha256(blob));
  });
  after(async () => {
    await proxy?.stop();
    await reg?.stop();
    if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = savedDockerConfig;
    rmSync(dir, { recursive: true, force: true });
  });

  const source = () => asSource(createSession({ logger: silentLogger, retries: 0 }).client);

  it('a range is exactly those bytes of the blob', async () => {
    const repo = { registry: reg.host, repository: 'team/blobs' };
    for (const [start, end] of [[0, 17], [blob.length - 4, blob.length - 1], [1000, 70_000]] as const) {
      const r: BlobRangeRead = await source().blobRange(repo, pushed, { start, end });
      assert.equal(r.rangeIgnored, false);
      assert.ok(Buffer.from(r.bytes).equals(blob.subarray(start, end + 1)), `${start}-${end}`);
    }
  });

  it('a source that ignores the range says so, and hands over none of the blob', async () => {
    const r = await source().blobRange({ registry: proxy.host, repository: 'team/blobs' }, pushed, { start: 0, end: 17 });
    assert.equal(r.rangeIgnored, true);
    assert.equal(r.bytes.length, 0);
  });

  it('a stream hands every byte to the sink, in order, and refuses bytes that are not the blob', async () => {
    const chunks: Buffer[] = [];
    const sink = (): ChunkSink => ({ write: (c) => void chunks.push(Buffer.from(c)) });
    const repo = { registry: reg.host, repository: 'team/blobs' };
    const { bytes } = await source().blobStream(repo, pushed, sink);
    assert.equal(bytes, blob.length);
    assert.ok(Buffer.concat(chunks).equals(blob));
    // The same bytes under a descriptor that names a shorter blob are not that blob.
    await assert.rejects(source().blobStream(repo, { ...pushed, size: blob.length - 1 }, sink), { code: 'DIGEST_MISMATCH' });
  });
});
