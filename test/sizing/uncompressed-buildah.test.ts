/**
 * Uncompressed sizes of images that Debian's buildah 1.28 pushed with gzip, zstd and
 * zstd:chunked (whose layers carry the older io.containers.zstd-chunked.* annotations), checked
 * layer by layer against the layer blob itself decompressed by gzip/zstd: never a figure that
 * differs, and --exact counts every layer a few bytes cannot settle.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createSession } from '../../src/session.js';
import { hostPlatform } from '../../src/oci/platform.js';
import { parseReference } from '../../src/reference/reference.js';
import { listLayers } from '../../src/sizing/layers.js';
import { UncompressedSizer } from '../../src/sizing/uncompressed.js';
import type { Logger } from '../../src/log.js';
import { inBackground } from '../helpers/background.js';
import { buildahStore, type Compression } from '../helpers/buildah.js';
import { emptyDockerConfig } from '../helpers/cli.js';
import { seededBytes } from '../helpers/images.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';

/** What the blob decompresses to, by the real tool: `zstd -dc | wc -c`, `gzip -dc | wc -c`. */
function decompressedLength(blob: Buffer, mediaType: string): number {
  const tool = mediaType.endsWith('zstd') ? ['zstd', ['-dc']] : mediaType.endsWith('gzip') ? ['gzip', ['-dc']] : undefined;
  if (!tool) return blob.length;
  const r = spawnSync(tool[0] as string, tool[1] as string[], { input: blob, maxBuffer: 1 << 30 });
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout.length;
}

const formats: Compression[] = ['gzip', 'zstd', 'zstd:chunked'];
// Built and pushed in the background from when mocha loads this file (../helpers/background.ts):
// the registry and the store are made now, the buildah runs wait their turn.
const registry = startRegistry();
registry.catch(() => undefined); // a failed start is reported by before(), not as unhandled
const store = buildahStore();
const pushed = inBackground(async () => {
  const reg = await registry;
  mkdirSync(reg.dir, { recursive: true });
  // A tiny layer (read whole), a compressible one, and an incompressible one over 64 KiB.
  await store.build('sizes', [
    { 'etc/motd': 'hello\n' },
    { 'usr/share/doc/big.txt': Array.from({ length: 40_000 }, (_, i) => `line ${i}\n`).join('') },
    { 'opt/blob.bin': seededBytes(300_000, 'buildah-random') },
  ]);
  for (const f of formats) await store.push('sizes', `${reg.host}/t/${f.replace(':', '-')}:1`, f);
});

describe('uncompressed sizes of images pushed by buildah (gzip, zstd, zstd:chunked)', function () {
  this.timeout(180_000);
  let reg: LocalRegistry;
  const savedDockerConfig = process.env.DOCKER_CONFIG;

  before(async () => {
    process.env.DOCKER_CONFIG = emptyDockerConfig();
    reg = await registry;
    await pushed;
  });
  after(async () => {
    store.remove();
    await (await registry.catch(() => undefined))?.stop();
    if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = savedDockerConfig;
  });

  const quiet: Logger = { debug: () => {}, warn: () => {} };

  async function layersOf(f: Compression, exact: boolean) {
    const { client } = createSession({ logger: quiet });
    const ref = parseReference(`${reg.host}/t/${f.replace(':', '-')}:1`);
    const r = await listLayers(client, ref, { platform: hostPlatform(), logger: quiet, uncompressed: new UncompressedSizer(client, { exact }) });
    const blobs = await Promise.all(
      r.layers.map(async (l) => Buffer.from(await (await fetch(`${reg.url}/v2/t/${f.replace(':', '-')}/blobs/${l.digest}`)).arrayBuffer())),
    );
    return r.layers.map((l, i) => ({ ...l, truth: decompressedLength(blobs[i] as Buffer, l.mediaType) }));
  }

  for (const f of formats) {
    it(`${f}: every figure is the decompressed size or "unknown" with a reason, and --exact settles them all`, async () => {
      const estimated = await layersOf(f, false);
      assert.equal(estimated.length, 3);
      if (f !== 'gzip') assert.ok(estimated.every((l) => l.mediaType.endsWith('+zstd')), `buildah pushed zstd (${estimated.map((l) => l.mediaType)})`);
      for (const l of estimated) {
        if (l.uncompressedSize === null) assert.ok(l.uncompressedNote, `an unknown size says why (${l.digest})`);
        else assert.equal(l.uncompressedSize, l.truth, `${f} layer ${l.digest}: ${l.uncompressedNote ?? ''}`);
        if (f === 'zstd:chunked' && l.size <= 64 * 1024) assert.equal(l.uncompressedSize, l.truth, `a small chunked layer is counted: ${l.uncompressedNote ?? ''}`);
      }
      const exact = await layersOf(f, true);
      assert.deepEqual(exact.map((l) => l.uncompressedSize), exact.map((l) => l.truth));
    });
  }

  it('zstd:chunked layers carry the older annotation keys, and even the tiny one is not taken from its first frame', async () => {
    const layers = await layersOf('zstd:chunked', false);
    const { client } = createSession({ logger: quiet });
    const m = await client.manifestGet({ registry: reg.host, repository: 't/zstd-chunked' }, '1');
    assert.equal(m.manifest.kind, 'image');
    const annotated = m.manifest.kind === 'image' ? m.manifest.layers.filter((l) => Object.keys(l.annotations ?? {}).some((k) => k.startsWith('io.containers.zstd-chunked.'))) : [];
    assert.equal(annotated.length, 3, 'buildah 1.28 writes io.containers.zstd-chunked.* on every layer');
    const tiny = layers[0];
    assert.ok(tiny && tiny.size <= 64 * 1024);
    assert.equal(tiny.uncompressedSize, tiny.truth, 'the small chunked layer is read whole and counted');
  });
});
