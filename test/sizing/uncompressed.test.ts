/**
 * Uncompressed sizes from a few bytes: the trailer and header parsers on real gzip and zstd
 * output, and (nock) the paths no local registry can play: a blob redirect to a CDN on
 * another host, which must never see the registry's token, and servers that ignore Range.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import nock from 'nock';
import { createSession } from '../../src/session.js';
import type { Descriptor } from '../../src/oci/manifest.js';
import type { Logger } from '../../src/log.js';
import {
  fromEstargzAnnotation,
  gunzipCounter,
  interpretIsize,
  interpretZstdHeader,
  parseZstdFrameHeader,
  readIsize,
  totalUncompressed,
  UncompressedSizer,
  zstdCounter,
  loadZstd,
} from '../../src/sizing/uncompressed.js';
import { makeTar, MT, seededBytes } from '../helpers/images.js';
import { sha256 } from '../helpers/push.js';

function zstd(input: Buffer, args: string[] = []): Buffer {
  const r = spawnSync('zstd', ['-q', '-c', ...args], { input, maxBuffer: 1 << 30 });
  assert.equal(r.status, 0, r.stderr?.toString());
  return r.stdout;
}

/** zstd reading a file (not stdin) knows the size and writes it into the frame header. */
function zstdFromFile(input: Buffer): Buffer {
  const file = join(mkdtempSync(join(tmpdir(), 'regsize-zstd-')), 'in');
  writeFileSync(file, input);
  const r = spawnSync('zstd', ['-q', '-c', file], { maxBuffer: 1 << 30 });
  assert.equal(r.status, 0, r.stderr?.toString());
  return r.stdout;
}

const tarOf = (size: number, seed: string) => makeTar([{ name: 'data.bin', content: seededBytes(size, seed) }]);
const desc = (blob: Buffer, mediaType: string, annotations?: Record<string, string>): Descriptor => ({ mediaType, digest: sha256(blob), size: blob.length, ...(annotations ? { annotations } : {}) });

describe('uncompressed sizes: parsers', () => {
  it('reads ISIZE from the last 4 bytes of a real gzip blob', () => {
    const tar = makeTar([{ name: 'etc/motd', content: 'welcome\n'.repeat(5000) }]);
    const blob = gzipSync(tar);
    const isize = readIsize(blob.subarray(-4));
    assert.equal(isize, tar.length);
    assert.deepEqual(interpretIsize(isize, blob.length), { size: tar.length, method: 'gzip-isize' });
  });

  it('never takes ISIZE for the size when it cannot be the whole tar', () => {
    const zero = interpretIsize(0, 5000);
    assert.equal(zero.size, null);
    assert.match((zero as { note: string }).note, /reads 0/);
    assert.equal(interpretIsize(1000, 600).size, null, 'not a whole number of 512-byte blocks');
    // A 10 MB blob cannot inflate to 1 KiB: the 32-bit field wrapped past 4 GiB.
    const wrapped = interpretIsize(1024, 10_000_000);
    assert.equal(wrapped.size, null);
    assert.match((wrapped as { note: string }).note, /^uncertain: the layer is over 4 GiB/);
    // 300 MB compressed reading 600 MB could as well be 4.9 GB (16:1): uncertain.
    const mayWrap = interpretIsize(600 * 1024 * 1024, 300_000_000);
    assert.equal(mayWrap.size, null);
    assert.match((mayWrap as { note: string }).note, /^uncertain: the layer could be over 4 GiB/);
    // 100 MB reading 300 MB: 4.6 GB would take 46:1, so 300 MB it is.
    assert.deepEqual(interpretIsize(300 * 1024 * 1024, 100_000_000), { size: 300 * 1024 * 1024, method: 'gzip-isize' });
    assert.equal(interpretIsize(1024, 10).size, null, 'too short to be gzip');
  });

  it('uses the eStargz uncompressed-size annotation only when it is a positive integer', () => {
    const d = (v: string) => desc(Buffer.from('x'), MT.OCI_LAYER_GZIP, { 'io.containers.estargz.uncompressed-size': v });
    assert.deepEqual(fromEstargzAnnotation(d('123904')), { size: 123904, method: 'estargz-annotation' });
    assert.equal(fromEstargzAnnotation(d('0')), undefined);
    assert.equal(fromEstargzAnnotation(d('12kB')), undefined);
    assert.equal(fromEstargzAnnotation(desc(Buffer.from('x'), MT.OCI_LAYER_GZIP)), undefined);
  });

  it('reads Frame_Content_Size from real zstd frame headers of every field width', () => {
    for (const size of [100, 300, 70_000, 2_000_000]) {
      const input = seededBytes(size, `fcs-${size}`);
      const h = parseZstdFrameHeader(zstdFromFile(input).subarray(0, 18));
      assert.equal(h.kind, 'frame');
      assert.equal((h as { contentSize?: bigint }).contentSize, BigInt(size), `${size} bytes`);
    }
    // 8-byte field (files over 4 GiB), hand-made: FHD 0xC0 = FCS flag 3, window byte, 8 bytes LE.
    const big = Buffer.alloc(14);
    big.writeUInt32LE(0xfd2fb528, 0);
    big[4] = 0xc0;
    big[5] = 0x58;
    big.writeBigUInt64LE(5_000_000_000n, 6);
    assert.deepEqual(parseZstdFrameHeader(big), { kind: 'frame', contentSize: 5_000_000_000n, headerSize: 14 });
  });

  it('knows when a zstd frame does not record its size, or is not a frame', () => {
    const streamed = zstd(tarOf(5000, 'stdin'));
    assert.deepEqual(parseZstdFrameHeader(streamed.subarray(0, 18)), { kind: 'frame', contentSize: undefined, headerSize: 6 });
    const skippable = Buffer.alloc(8);
    skippable.writeUInt32LE(0x184d2a5e, 0);
    assert.equal(parseZstdFrameHeader(skippable).kind, 'skippable');
    assert.equal(parseZstdFrameHeader(gzipSync(Buffer.from('x'))).kind, 'invalid');
    const reserved = Buffer.from(zstdFromFile(Buffer.from('abc')).subarray(0, 18));
    reserved[4] = (reserved[4] as number) | 0x08;
    assert.equal(parseZstdFrameHeader(reserved).kind, 'invalid');
  });

  it('never takes a zstd frame header for the size of a blob too large to read whole', () => {
    const tar = tarOf(200_000, 'frames');
    const one = zstd(tar, [`--stream-size=${tar.length}`]);
    const single = interpretZstdHeader(parseZstdFrameHeader(one), desc(one, MT.OCI_LAYER_ZSTD));
    assert.equal(single.size, null, 'one frame, but nothing short of reading the blob proves it');
    assert.match((single as { note: string }).note, /first zstd frame records 201728 bytes, but a frame speaks only for itself/);
    // Two frames back to back: the first header speaks for half the blob.
    const two = Buffer.concat([one, zstd(tarOf(200_000, 'second'), ['--stream-size=201728'])]);
    assert.equal(interpretZstdHeader(parseZstdFrameHeader(two), desc(two, MT.OCI_LAYER_ZSTD)).size, null);
    for (const key of ['io.github.containers.zstd-chunked.manifest-position', 'io.containers.zstd-chunked.manifest-position']) {
      const chunked = interpretZstdHeader(parseZstdFrameHeader(one), desc(one, MT.OCI_LAYER_ZSTD, { [key]: '1:2:3:1' }));
      assert.equal(chunked.size, null);
      assert.match((chunked as { note: string }).note, /zstd:chunked layer is many frames/, key);
    }
  });

  it('counts decompressed bytes of a stream fed in small chunks, gzip (multi-member too) and zstd', async () => {
    const tar = tarOf(300_000, 'count');
    const feed = async (sink: ReturnType<typeof gunzipCounter>, blob: Buffer) => {
      for (let i = 0; i < blob.length; i += 7919) await sink.write(blob.subarray(i, i + 7919));
      return sink.end();
    };
    assert.equal(await feed(gunzipCounter('g'), gzipSync(tar)), tar.length);
    assert.equal(await feed(gunzipCounter('m'), Buffer.concat([gzipSync(tar), gzipSync(tar)])), 2 * tar.length);
    await loadZstd();
    assert.equal(await feed(zstdCounter('z'), zstd(tar)), tar.length);
    await assert.rejects(feed(gunzipCounter('sha256:bad'), Buffer.concat([gzipSync(tar).subarray(0, 100), Buffer.alloc(5000, 7)])), /layer sha256:bad is not valid gzip data/);
    await assert.rejects(feed(zstdCounter('sha256:bad'), Buffer.from('not zstd at all, not at all')), /layer sha256:bad is not valid zstd data/);
  });

  it('an image total is unknown as soon as one layer is', () => {
    assert.equal(totalUncompressed([{ size: 3 }, { size: 4 }]), 7);
    assert.equal(totalUncompressed([{ size: 3 }, { size: null }]), null);
    assert.equal(totalUncompressed([]), 0);
  });
});

describe('uncompressed sizes through a CDN redirect and servers that ignore Range (nock)', () => {
  const REGISTRY = 'https://registry.example.test';
  const AUTH = 'https://auth.example.test';
  const CDN = 'https://cdn.example.test';
  const TOKEN = 'registry-token-that-must-stay-home';
  const repo = { registry: 'registry.example.test', repository: 'team/app' };
  const savedDockerConfig = process.env.DOCKER_CONFIG;

  beforeEach(() => {
    const dir = mkdtempSync(join(tmpdir(), 'regsize-dockercfg-'));
    writeFileSync(join(dir, 'config.json'), '{}');
    process.env.DOCKER_CONFIG = dir;
  });
  afterEach(() => {
    nock.cleanAll();
    if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = savedDockerConfig;
  });

  function client() {
    const lines: string[] = [];
    const logger: Logger = { debug: (l) => lines.push(l), warn: (l) => lines.push(`warning: ${l}`) };
    return { ...createSession({ logger, retries: 0, timeoutMs: 10_000 }), lines };
  }

  /** The registry's token dance, then a blob GET answered with a redirect to the CDN. */
  function registryRedirecting(digest: string, times: number, reqheaders: Record<string, string | ((v: string) => boolean)> = {}) {
    const auth = nock(AUTH).get('/token').query({ service: 'registry.example.test', scope: 'repository:team/app:pull' }).reply(200, { token: TOKEN, expires_in: 300 });
    const registry = nock(REGISTRY, { reqheaders: { authorization: `Bearer ${TOKEN}`, ...reqheaders } })
      .get(`/v2/team/app/blobs/${digest}`)
      .times(times)
      .reply(307, '', { location: `${CDN}/blobs/${digest.replace(':', '/')}/data?X-Amz-Signature=abc123&X-Amz-Expires=1200` });
    const ping = nock(REGISTRY).get('/v2/').reply(401, { errors: [{ code: 'UNAUTHORIZED' }] }, { 'www-authenticate': `Bearer realm="${AUTH}/token",service="registry.example.test"` });
    return [auth, registry, ping];
  }

  it('follows the redirect for the 4-byte range, and the CDN never sees the registry token', async () => {
    const tar = tarOf(40_000, 'cdn');
    const blob = gzipSync(tar);
    const d = desc(blob, MT.DOCKER_LAYER_GZIP);
    const seen: Record<string, unknown>[] = [];
    const scopes = registryRedirecting(d.digest, 1, { range: `bytes=${blob.length - 4}-${blob.length - 1}` });
    const cdn = nock(CDN, { badheaders: ['authorization'] })
      .get(`/blobs/${d.digest.replace(':', '/')}/data`)
      .query({ 'X-Amz-Signature': 'abc123', 'X-Amz-Expires': '1200' })
      .reply(function () {
        seen.push({ ...this.req.headers });
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
    const cdn = nock(CDN, { badheaders: ['authorization'] })
      .get(path).query(true)
      .reply(function () {
        seen.push({ ...this.req.headers });
        return [206, blob.subarray(0, 18), { 'content-range': `bytes 0-17/${blob.length}` }];
      })
      .get(path).query(true)
      .reply(function () {
        seen.push({ ...this.req.headers });
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
    // nock itself drains a reply stream whatever the client does, so the bytes that reach the
    // wire are measured against the real registry (layers-diff.test.ts); here: what regsize read.
    const blob = gzipSync(Buffer.concat([tarOf(2000, 'head'), seededBytes(8 * 1024 * 1024, 'tail')]));
    const d = desc(blob, MT.OCI_LAYER_GZIP);
    const scopes = registryRedirecting(d.digest, 1);
    const cdn = nock(CDN, { badheaders: ['authorization'] }).get(`/blobs/${d.digest.replace(':', '/')}/data`).query(true).reply(200, blob);
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
    const skippable = (n: number) => {
      const b = Buffer.alloc(8 + n);
      b.writeUInt32LE(0x184d2a50, 0);
      b.writeUInt32LE(n, 4);
      return b;
    };
    const blob = Buffer.concat([zstdFromFile(parts[0] as Buffer), skippable(3), zstdFromFile(parts[1] as Buffer), skippable(5), zstdFromFile(parts[2] as Buffer)]);
    assert.equal(parseZstdFrameHeader(blob).kind, 'frame');
    assert.equal((parseZstdFrameHeader(blob) as { contentSize: bigint }).contentSize, 1024n, 'the first header tells only of its own 1024 bytes');
    const d = desc(blob, MT.OCI_LAYER_ZSTD, { 'io.containers.zstd-chunked.manifest-checksum': 'sha256:x' });
    const ping = nock(REGISTRY).get('/v2/').reply(200, {});
    const registry = nock(REGISTRY)
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
    const ping = nock(REGISTRY).get('/v2/').reply(200, {});
    const registry = nock(REGISTRY).get(`/v2/team/app/blobs/${d.digest}`).reply(200, blob);
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
    const ping = nock(REGISTRY).get('/v2/').reply(200, {});
    const registry = nock(REGISTRY)
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
