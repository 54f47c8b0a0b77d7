/**
 * Self-test of the integration-test helpers: if these fixtures were wrong, every
 * integration test built on them would be testing regsize against a fiction.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { makeImage, makeIndex, makeLayer, makeRandomLayer, makeTar, pushImage, pushIndex, type Compression, type Image } from './images.js';
import { deleteManifest, getBlob, getManifest, sha256, tagExisting } from './push.js';
import { startRegistry, type LocalRegistry } from './registry.js';
import { skopeoCopy, skopeoInspect, skopeoInspectRaw } from './skopeo.js';

/** GNU tar's listing of an archive file; it detects gzip and zstd from the content. */
function tarList(file: string): string {
  const r = spawnSync('tar', ['-tvf', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, `tar -tvf failed: ${r.stderr}`);
  return r.stdout;
}

describe('test helpers: real registry, real images', function () {
  let reg: LocalRegistry;
  let tmp: string;

  before(async function () {
    [reg, tmp] = await Promise.all([startRegistry(), mkdtemp(path.join(os.tmpdir(), 'regsize-helpers-'))]);
  });
  after(async function () {
    await reg?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('makeTar writes archives GNU tar lists, long names and modes included', async function () {
    const long = `usr/share/${'d'.repeat(90)}/${'f'.repeat(60)}.txt`;
    const file = path.join(tmp, 'plain.tar');
    await writeFile(file, makeTar([{ name: 'usr/' }, { name: 'usr/bin/tool', content: 'x'.repeat(700), mode: 0o755 }, { name: long, content: 'hi' }]));
    const listing = tarList(file);
    assert.match(listing, /^drwxr-xr-x root\/root +0 .* usr\/$/m);
    assert.match(listing, /^-rwxr-xr-x root\/root +700 .* usr\/bin\/tool$/m);
    assert.ok(listing.includes(long), listing);
  });

  it('builders are deterministic, and an estargz layer is a valid tar.gz with its TOC', async function () {
    const spec = { files: [{ name: 'app/' }, { name: 'app/main.js', content: 'console.log(1)\n'.repeat(200) }], compression: 'gzip' as const };
    assert.equal(makeImage({ layers: [makeLayer(spec)] }).manifestDigest, makeImage({ layers: [makeLayer(spec)] }).manifestDigest);
    const esgz = makeLayer({ ...spec, estargz: true });
    assert.deepEqual(gunzipSync(esgz.blob), esgz.tar);
    assert.equal(esgz.annotations?.['io.containers.estargz.uncompressed-size'], String(esgz.tar.length));
    // The 51-byte footer: an empty gzip member whose extra field is "%016x" TOC offset + "STARGZ".
    assert.match(esgz.blob.subarray(-51).subarray(16, 38).toString('latin1'), /^[0-9a-f]{16}STARGZ$/);
    await writeFile(path.join(tmp, 'esgz.tar.gz'), esgz.blob);
    assert.match(tarList(path.join(tmp, 'esgz.tar.gz')), /app\/main\.js\n.*stargz\.index\.json\n$/);
  });

  it('pushes a two-platform index with attestations that skopeo reads back', async function () {
    const amd64 = makeImage({
      layers: [
        makeRandomLayer({ size: 300_000, seed: 'amd64-base', createdBy: 'ADD rootfs.tar.gz /' }),
        makeLayer({ files: [{ name: 'srv/' }, { name: 'srv/app.sh', content: '#!/bin/sh\necho hi\n', mode: 0o755 }], compression: 'gzip', estargz: true }),
      ],
    });
    const arm64 = makeImage({
      layers: [makeRandomLayer({ size: 200_000, seed: 'arm64-base', compression: 'zstd' })],
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    });
    const index = makeIndex([{ image: amd64 }, { image: arm64 }], { attestations: true });
    assert.equal(await pushIndex(reg, 'multi', 'latest', index), index.digest);

    assert.deepEqual(await skopeoInspectRaw(reg, 'multi:latest'), index.manifest);
    const entries = JSON.parse(index.manifest.toString()).manifests;
    assert.equal(entries.length, 4);
    assert.deepEqual(entries[3].platform, { architecture: 'unknown', os: 'unknown' });
    assert.equal(entries[3].annotations['vnd.docker.reference.digest'], arm64.manifestDigest);
    assert.deepEqual(await skopeoInspectRaw(reg, `multi@${index.attestationManifests[0]!.manifestDigest}`), index.attestationManifests[0]!.manifest);

    for (const image of [amd64, arm64]) {
      const p = image.platform;
      const platform = { os: p.os, arch: p.architecture, ...(p.variant ? { variant: p.variant } : {}) };
      const info = await skopeoInspect(reg, 'multi:latest', platform);
      assert.equal(info.Architecture, p.architecture);
      assert.equal(info.Digest, index.digest); // skopeo reports the digest the tag resolves to
      assert.deepEqual(info.Layers, image.layers.map((l) => l.digest));
      // skopeo 1.9.3 reports no sizes; a copy downloads and digest-checks every blob instead.
      const copied = await skopeoCopy(reg, 'multi:latest', path.join(tmp, `copy-${p.architecture}`), platform);
      assert.deepEqual(copied.manifest, image.manifest);
      assert.equal(copied.blobSizes.get(image.configDigest), image.config.length);
      for (const l of image.layers) assert.equal(copied.blobSizes.get(l.digest), l.size);
    }
  });

  it('pushes a docker-format image with gzip, zstd and uncompressed layers', async function () {
    const layers = (['gzip', 'zstd', 'none'] as Compression[]).map((compression) =>
      makeLayer({
        files: [{ name: 'etc/' }, { name: `etc/${compression}.conf`, content: `layer=${compression}\n`.repeat(500) }],
        compression,
        format: 'docker',
        createdBy: `RUN build --${compression}`,
      }),
    );
    const image = makeImage({ layers, format: 'docker' });
    assert.deepEqual(layers.map((l) => l.mediaType), [
      'application/vnd.docker.image.rootfs.diff.tar.gzip',
      'application/vnd.oci.image.layer.v1.tar+zstd',
      'application/vnd.docker.image.rootfs.diff.tar',
    ]);
    assert.equal(await pushImage(reg, 'docker-mixed', 'v1', image), image.manifestDigest);

    // skopeo inspect/copy refuse the +zstd type in a Docker manifest (see skopeo.ts), so the
    // layers are checked through --raw and the blobs the registry serves.
    assert.deepEqual(await skopeoInspectRaw(reg, 'docker-mixed:v1'), image.manifest);
    for (const layer of layers) {
      const blob = await getBlob(reg, 'docker-mixed', layer.digest);
      assert.equal(blob.length, layer.size);
      assert.equal(sha256(blob), layer.digest);
      const file = path.join(tmp, `layer.${layer.compression}`);
      await writeFile(file, blob);
      assert.match(tarList(file), new RegExp(`etc/${layer.compression}\\.conf$`, 'm'));
    }
    const config = JSON.parse(image.config.toString());
    assert.deepEqual(config.rootfs.diff_ids, layers.map((l) => l.diffId));
    assert.equal(config.history.filter((h: { empty_layer?: boolean }) => !h.empty_layer).length, layers.length);
  });

  it('re-tags and deletes manifests', async function () {
    const image = makeImage({ layers: [makeRandomLayer({ size: 1000, seed: 'tagging' })] });
    await pushImage(reg, 'tags', 'v1', image);
    assert.equal(await tagExisting(reg, 'tags', 'v1', 'stable'), image.manifestDigest);
    assert.equal((await getManifest(reg, 'tags', 'stable')).digest, image.manifestDigest);
    await deleteManifest(reg, 'tags', 'stable');
    await assert.rejects(getManifest(reg, 'tags', 'v1'), /404/); // deleting by digest drops every tag
  });

  it('runs with htpasswd auth, which both clients use', async function () {
    const authReg = await startRegistry({ auth: { username: 'alice', password: 'correct horse' } });
    try {
      assert.equal((await fetch(`${authReg.url}/v2/`)).status, 401);
      const image: Image = makeImage({ layers: [makeRandomLayer({ size: 10_000, seed: 'auth' })] });
      await pushImage(authReg, 'private/app', '1.0', image);
      const info = await skopeoInspect(authReg, 'private/app:1.0');
      assert.deepEqual(info.Layers, [image.layers[0]!.digest]);
      const wrong = { ...authReg, auth: { username: 'alice', password: 'wrong' } };
      await assert.rejects(pushImage(wrong, 'private/app', '1.0', image), /401/);
      await assert.rejects(skopeoInspect({ host: authReg.host }, 'private/app:1.0'), /unauthorized|authentication required/i);
    } finally {
      await authReg.stop();
    }
  });

  it('stop() ends the registry and removes its directory, and can be called twice', async function () {
    const r = await startRegistry();
    await r.stop();
    assert.equal(existsSync(r.dir), false);
    await assert.rejects(fetch(`${r.url}/v2/`));
    await r.stop();
  });
});
