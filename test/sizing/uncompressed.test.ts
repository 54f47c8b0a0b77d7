/**
 * The uncompressed sizer over a blob source (undici MockAgent): the paths no local registry can play, a
 * blob redirect to a CDN on another host, which must never see the registry's token, and
 * servers that ignore Range. The readers it runs are tested at their own paths (gzip-isize,
 * zstd-layer, counters). Last, what is "unknown, because" and what is a bug: a real corrupt
 * layer served by a real registry is unknown; an exception that is no known failure propagates.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { mock, useMockAgent } from '../helpers/mock-agent.js';
import Compare from '../../commands/compare.js';
import { RegsizeError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import type { ChunkSink, LayerBlobSource } from '../../src/oci/layer-reader.js';
import { createSession } from '../../src/session.js';
import { RegistryClient } from '../../src/transport/client.js';
import type { Descriptor } from '../../src/oci/manifest.js';
import type { Logger } from '../../src/log.js';
import { UncompressedSizer } from '../../src/sizing/uncompressed.js';
import { parseZstdFrameHeader } from '../../src/sizing/zstd-frame.js';
import { type Layer, makeImage, makeLayer, makeTar, MT, pushImage, seededBytes } from '../helpers/images.js';
import { pushBlob, sha256 } from '../helpers/push.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';
import { runInProcess } from '../commands/run-in-process.js';
import { skippableFrame, zstd, zstdFromFile } from './zstd-cli.js';
import { useEmptyDockerConfig } from '../helpers/cli.js';

const tarOf = (size: number, seed: string) => makeTar([{ name: 'data.bin', content: seededBytes(size, seed) }]);
const desc = (blob: Buffer, mediaType: string, annotations?: Record<string, string>): Descriptor => ({ mediaType, digest: sha256(blob), size: blob.length, ...(annotations ? { annotations } : {}) });

describe('uncompressed sizes through a CDN redirect and servers that ignore Range (MockAgent)', () => {
  useMockAgent();
  const REGISTRY = 'https://registry.example.test';
  const AUTH = 'https://auth.example.test';
  const CDN = 'https://cdn.example.test';
  const TOKEN = 'registry-token-that-must-stay-home';
  const repo = { registry: 'registry.example.test', repository: 'team/app' };
  useEmptyDockerConfig();

  function client() {
    const lines: string[] = [];
    const logger: Logger = { debug: (l) => lines.push(l), warn: (l) => lines.push(`warning: ${l}`) };
    return { ...createSession({ logger, retries: 0, timeoutMs: 10_000 }), lines };
  }

  /** The registry's token dance, then a blob GET answered with a redirect to the CDN. */
  function registryRedirecting(digest: string, times: number, reqheaders: Record<string, string | ((v: string) => boolean)> = {}) {
    const auth = mock(AUTH).get('/token').query({ service: 'registry.example.test', scope: 'repository:team/app:pull' }).reply(200, { token: TOKEN, expires_in: 300 });
    const registry = mock(REGISTRY, { reqheaders: { authorization: `Bearer ${TOKEN}`, ...reqheaders } })
      .get(`/v2/team/app/blobs/${digest}`)
      .times(times)
      .reply(307, '', { location: `${CDN}/blobs/${digest.replace(':', '/')}/data?X-Amz-Signature=abc123&X-Amz-Expires=1200` });
    const ping = mock(REGISTRY).get('/v2/').reply(401, { errors: [{ code: 'UNAUTHORIZED' }] }, { 'www-authenticate': `Bearer realm="${AUTH}/token",service="registry.example.test"` });
    return [auth, registry, ping];
  }

  it('follows the redirect for the 4-byte range, and the CDN never sees the registry token', async () => {
    const tar = tarOf(40_000, 'cdn');
    const blob = gzipSync(tar);
    const d = desc(blob, MT.DOCKER_LAYER_GZIP);
    const seen: Record<string, unknown>[] = [];
    const scopes = registryRedirecting(d.digest, 1, { range: `bytes=${blob.length - 4}-${blob.length - 1}` });
    const cdn = mock(CDN, { badheaders: ['authorization'] })
      .get(`/blobs/${d.digest.replace(':', '/')}/data`)
      .query({ 'X-Amz-Signature': 'abc123', 'X-Amz-Expires': '1200' })
      .reply((req) => {
        seen.push({ ...req.headers });
        return [206, blob.subarray(-4), { 'content-range': `bytes ${blob.length - 4}-${blob.length - 1}/${blob.length}` }];
      });
    const { client: c, lines } = client();
    const r = await new UncompressedSizer(c).layer(repo, d);
    assert.deepEqual(r, { size: tar.length, method: 'gzip-isize', bytesRead: 4 });
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.authorization, undefined);
    assert.equal(seen[0]?.range, `bytes=${blob.length - 4}-${blob.length - 1}`, 'the Range header travels on to the CDN');
    assert.ok(!lines.join('\n').includes(TOKEN), 'no token in the verbose log');
    for (const s of [...scopes, cdn]) s.done();
  });

  it('--exact streams a whole blob from the CDN, without the token, and checks its digest', async () => {
    const tar = tarOf(120_000, 'stream');
    const blob = zstd(tar);
    const d = desc(blob, MT.OCI_LAYER_ZSTD);
    const seen: Record<string, unknown>[] = [];
    const scopes = registryRedirecting(d.digest, 4);
    const tampered = Buffer.from(blob);
    tampered[tampered.length - 1]! ^= 0xff;
    const path = `/blobs/${d.digest.replace(':', '/')}/data`;
    const cdn = mock(CDN, { badheaders: ['authorization'] })
      .get(path).query(true)
      .reply((req) => {
        seen.push({ ...req.headers });
        return [206, blob.subarray(0, 18), { 'content-range': `bytes 0-17/${blob.length}` }];
      })
      .get(path).query(true)
      .reply((req) => {
        seen.push({ ...req.headers });
        return [200, blob];
      })
      .get(path).query(true).reply(206, blob.subarray(0, 18), { 'content-range': `bytes 0-17/${blob.length}` })
      .get(path).query(true).reply(200, tampered);
    const { client: c } = client();
    const r = await new UncompressedSizer(c, { exact: true }).layer(repo, d);
    assert.deepEqual(r, { size: tar.length, method: 'streamed', bytesRead: 18 + blob.length });
    assert.deepEqual(seen.map((h) => h.authorization), [undefined, undefined]);
    assert.equal(seen[1]?.range, undefined, 'the full count asks for the whole blob');

    // A CDN that serves other bytes than the digest names: no figure from them.
    const bad = await new UncompressedSizer(c, { exact: true }).layer(repo, d);
    assert.equal(bad.size, null);
    assert.match(bad.note ?? '', /could not count the layer: .*does not match/);
    for (const s of [...scopes, cdn]) s.done();
  });

  it('a CDN that ignores Range (200) is hung up on: unknown, and the body is not read', async () => {
    // The mock hands over its whole reply whatever the client does, so the bytes that reach the
    // wire are measured against the real registry (layers-diff.test.ts); here: what regsize read.
    const blob = gzipSync(Buffer.concat([tarOf(2000, 'head'), seededBytes(8 * 1024 * 1024, 'tail')]));
    const d = desc(blob, MT.OCI_LAYER_GZIP);
    const scopes = registryRedirecting(d.digest, 1);
    const cdn = mock(CDN, { badheaders: ['authorization'] }).get(`/blobs/${d.digest.replace(':', '/')}/data`).query(true).reply(200, blob);
    const { client: c, lines } = client();
    const r = await new UncompressedSizer(c).layer(repo, d);
    assert.equal(r.size, null);
    assert.match(r.note ?? '', /ignored the Range request \(answered 200\), so the body was not read/);
    assert.equal(r.bytesRead, 0);
    assert.match(lines.join('\n'), /GET https:\/\/cdn\.example\.test\/\S+ 200 \d+ms 0 B/);
    for (const s of [...scopes, cdn]) s.done();
  });

  it('reads a small zstd blob whole and counts it: three frames and two skippable ones are not the first frame\'s size', async () => {
    // The shape of a small zstd:chunked layer: frames of 1024, 1024 and 512 tar bytes, each with
    // its content size in the header, and skippable frames between them.
    const tar = tarOf(1500, 'chunked');
    const parts = [tar.subarray(0, 1024), tar.subarray(1024, 2048), tar.subarray(2048)];
    const blob = Buffer.concat([zstdFromFile(parts[0] as Buffer), skippableFrame(3), zstdFromFile(parts[1] as Buffer), skippableFrame(5), zstdFromFile(parts[2] as Buffer)]);
    assert.equal(parseZstdFrameHeader(blob).kind, 'frame');
    assert.equal((parseZstdFrameHeader(blob) as { contentSize: bigint }).contentSize, 1024n, 'the first header tells only of its own 1024 bytes');
    const d = desc(blob, MT.OCI_LAYER_ZSTD, { 'io.containers.zstd-chunked.manifest-checksum': 'sha256:x' });
    const ping = mock(REGISTRY).get('/v2/').reply(200, {});
    const registry = mock(REGISTRY)
      .get(`/v2/team/app/blobs/${d.digest}`)
      .matchHeader('range', `bytes=0-${blob.length - 1}`)
      .reply(206, blob, { 'content-range': `bytes 0-${blob.length - 1}/${blob.length}` });
    const { client: c } = client();
    const r = await new UncompressedSizer(c).layer(repo, d);
    assert.deepEqual(r, { size: tar.length, method: 'counted', bytesRead: blob.length });
    ping.done();
    registry.done();
  });

  it('--exact counts an eStargz layer too, and says when its annotation was wrong', async () => {
    const tar = tarOf(30_000, 'estargz');
    const blob = Buffer.concat([gzipSync(tar), gzipSync(Buffer.alloc(0))]);
    const d = desc(blob, MT.OCI_LAYER_GZIP, { 'io.containers.estargz.uncompressed-size': String(tar.length - 512) });
    const ping = mock(REGISTRY).get('/v2/').reply(200, {});
    const registry = mock(REGISTRY).get(`/v2/team/app/blobs/${d.digest}`).reply(200, blob);
    const { client: c } = client();
    assert.deepEqual(await new UncompressedSizer(c).layer(repo, d), { size: tar.length - 512, method: 'estargz-annotation', bytesRead: 0 }, 'without --exact the annotation is read');
    const r = await new UncompressedSizer(c, { exact: true }).layer(repo, d);
    assert.equal(r.size, tar.length);
    assert.equal(r.note, `counted ${tar.length} bytes; the io.containers.estargz.uncompressed-size annotation says ${tar.length - 512}`);
    ping.done();
    registry.done();
  });

  it('a registry that ignores Range for a zstd head is unknown too, and a 404 blob marks the layer, not the run', async () => {
    const blob = zstd(tarOf(3000, 'zhead'));
    const d = desc(blob, MT.OCI_LAYER_ZSTD);
    const missing: Descriptor = { mediaType: MT.OCI_LAYER_GZIP, digest: sha256(Buffer.from('gone')), size: 5000 };
    const ping = mock(REGISTRY).get('/v2/').reply(200, {});
    const registry = mock(REGISTRY)
      .get(`/v2/team/app/blobs/${d.digest}`).matchHeader('range', `bytes=0-${blob.length - 1}`).reply(200, blob)
      .get(`/v2/team/app/blobs/${missing.digest}`).reply(404, { errors: [{ code: 'BLOB_UNKNOWN', message: 'blob unknown to registry' }] });
    const { client: c } = client();
    const sizer = new UncompressedSizer(c);
    const [a, b] = await Promise.all([sizer.layer(repo, d), sizer.layer(repo, missing)]);
    assert.equal(a.size, null);
    assert.match(a.note ?? '', /ignored the Range request/);
    assert.equal(b.size, null);
    assert.match(b.note ?? '', /could not read the layer: .*blob unknown/);
    ping.done();
    registry.done();
  });
});

describe('uncompressed sizes: known failures are "unknown, because", bugs are not', function () {
  this.timeout(60_000);
  let reg: LocalRegistry;
  let dir: string;
  const savedDockerConfig = process.env.DOCKER_CONFIG;
  const repoName = 'team/broken';
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'regsize-dockercfg-'));
    writeFileSync(join(dir, 'config.json'), '{}');
    process.env.DOCKER_CONFIG = dir;
    reg = await startRegistry();
  });
  after(async () => {
    await reg?.stop();
    if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = savedDockerConfig;
    rmSync(dir, { recursive: true, force: true });
  });

  /** A gzip blob whose deflate data is garbage, with a trailer that --exact must check by counting. */
  function corruptGzip(): Buffer {
    const good = gzipSync(tarOf(50_000, 'corrupt'));
    const bad = Buffer.from(good);
    bad.fill(0xff, 20, bad.length - 8);
    bad.writeUInt32LE(1000, bad.length - 4); // not whole tar blocks: ISIZE cannot settle it
    return bad;
  }

  it('a real corrupt layer from a real registry is unknown, because it is not valid gzip or zstd', async () => {
    const gz = corruptGzip();
    const zs = Buffer.concat([zstdFromFile(tarOf(2000, 'z')).subarray(0, 12), Buffer.alloc(200, 0xee)]);
    const [g, z] = await Promise.all([pushBlob(reg, repoName, gz), pushBlob(reg, repoName, zs)]);
    const { client } = createSession({ logger: silentLogger, retries: 0 });
    const repo = { registry: reg.host, repository: repoName };
    const sizer = new UncompressedSizer(client, { exact: true });
    const rg = await sizer.layer(repo, { mediaType: MT.OCI_LAYER_GZIP, ...g });
    assert.equal(rg.size, null);
    assert.match(rg.note ?? '', new RegExp(`^could not count the layer: layer ${g.digest} is not valid gzip data`));
    const rz = await sizer.layer(repo, { mediaType: MT.OCI_LAYER_ZSTD, ...z });
    assert.equal(rz.size, null);
    assert.match(rz.note ?? '', new RegExp(`^could not read the layer: layer ${z.digest} is not valid zstd data`));
  });

  /** A blob source whose range read or stream fails with `e`, as a bug in regsize would. */
  function failing(e: unknown, where: 'range' | 'stream' | 'sink'): LayerBlobSource {
    return {
      blobRange: async (_r, blob, range) => {
        if (where === 'range') throw e;
        return { bytes: new Uint8Array(range.end - range.start + 1), rangeIgnored: blob.size > 0 };
      },
      blobStream: async (_r, _b, sink: () => ChunkSink) => {
        if (where === 'stream') throw e;
        await sink().write(undefined as unknown as Uint8Array); // a bug handing the counter no chunk
        return { bytes: 0 };
      },
    };
  }
  const layer = { mediaType: MT.OCI_LAYER_GZIP, digest: sha256(Buffer.from('l')), size: 5000 };
  const repo = { registry: 'registry.example.test', repository: 'a/b' };

  it('an exception that is no known failure propagates from the sizer, as it was thrown', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'length')");
    await assert.rejects(new UncompressedSizer(failing(bug, 'range')).layer(repo, layer), (e) => e === bug);
    await assert.rejects(new UncompressedSizer(failing(bug, 'stream'), { exact: true }).layer(repo, layer), (e) => e === bug);
    const internal = new RegsizeError('INTERNAL', 'a state that cannot happen');
    await assert.rejects(new UncompressedSizer(failing(internal, 'range')).layer(repo, layer), (e) => e === internal);
    // The counter itself handed a non-chunk: node:zlib's own TypeError, a bug, not a corrupt layer.
    await assert.rejects(new UncompressedSizer(failing(bug, 'sink'), { exact: true }).layer(repo, layer), (e) => !(e instanceof RegsizeError));
  });

  it('the failures the source reports are unknown, because ...', async () => {
    for (const code of ['NETWORK', 'TIMEOUT', 'BLOB_UNKNOWN', 'DIGEST_MISMATCH', 'REGISTRY_ERROR'] as const) {
      const r = await new UncompressedSizer(failing(new RegsizeError(code, `${code} happened`), 'range')).layer(repo, layer);
      assert.deepEqual(r, { size: null, note: `could not read the layer: ${code} happened`, bytesRead: 0 }, code);
    }
    // A range ignored: unknown without --exact.
    const ignored = await new UncompressedSizer(failing(null, 'stream')).layer(repo, layer);
    assert.match(ignored.note ?? '', /ignored the Range request/);
  });

  it('compare --uncompressed: a bug in the sizer exits 1 saying it is a bug, not 0 with "unknown"', async () => {
    const image = makeImage({ layers: [makeLayer({ files: [{ name: 'a', content: seededBytes(3000, 'bug') }], compression: 'gzip' }) as Layer] });
    await pushImage(reg, 'team/app', '1', image);
    const ref = `${reg.host}/team/app:1`;
    const ok = await runInProcess(Compare, [ref, '--uncompressed', '--json', '--no-cache']);
    assert.equal(ok.exitCode, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).images[0].uncompressedSize, image.layers[0]?.tar.length);

    const original = Object.getOwnPropertyDescriptor(RegistryClient.prototype, 'blobRange');
    assert.ok(original);
    Object.defineProperty(RegistryClient.prototype, 'blobRange', {
      ...original,
      value: () => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'bytes')")),
    });
    try {
      const r = await runInProcess(Compare, [ref, '--uncompressed', '--json', '--no-cache']);
      assert.equal(r.exitCode, 1, r.stderr);
      assert.equal(JSON.parse(r.stdout).error.code, 'INTERNAL');
      assert.match(r.stderr, /this is a bug; run again with --debug and report the trace/);
      assert.doesNotMatch(r.stdout + r.stderr, /unknown/);
      const debug = await runInProcess(Compare, [ref, '--uncompressed', '--no-cache', '--debug']);
      assert.equal(debug.exitCode, 1);
      assert.match(debug.stderr, /TypeError: Cannot read properties of undefined \(reading 'bytes'\)\n\s+at /);
    } finally {
      Object.defineProperty(RegistryClient.prototype, 'blobRange', original);
    }
  });
});
