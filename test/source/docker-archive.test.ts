/**
 * `docker-archive:` read from archives built here (docker save's layout: layer tars, config,
 * manifest.json): diff_ids checked, the estimate within 5% of `gzip -6` (the real tool) per
 * layer, progress counted over the layers' bytes, and bad archives refused with one line.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRegsizeError } from '../../src/errors.js';
import { openDockerArchive } from '../../src/source/docker-archive.js';
import { tarStore } from '../../src/source/file-store.js';
import { makeTar, seededBytes, type TarFile } from '../helpers/images.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function archive(layers: Buffer[], tags: string[][], diffIds = layers.map((l) => `sha256:${sha(l)}`)): Buffer {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds }, history: layers.map((_, i) => ({ created_by: `RUN step ${i}` })) }));
  const files: TarFile[] = layers.map((l) => ({ name: `${sha(l)}/layer.tar`, content: l }));
  files.push({ name: `${sha(config)}.json`, content: config });
  files.push({ name: 'manifest.json', content: JSON.stringify(tags.map((t) => ({ Config: `${sha(config)}.json`, RepoTags: t, Layers: layers.map((l) => `${sha(l)}/layer.tar`) }))) });
  return makeTar(files);
}

describe('docker-archive', () => {
  let dir: string;
  const text = Buffer.from(Array.from({ length: 20_000 }, (_, i) => `row ${i % 97},${(i * 31) % 1009}`).join('\n'));
  const layers = [makeTar([{ name: 'etc/data.csv', content: text }]), makeTar([{ name: 'bin/tool', content: seededBytes(150_000, 'da-tool') }])];
  const file = (name: string, bytes: Buffer) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };
  before(() => (dir = mkdtempSync(join(tmpdir(), 'regsize-docker-archive-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('names each layer by its diff_id, with exact tar sizes and a push estimate within 5% of gzip -6', async () => {
    const p = file('one.tar', archive(layers, [['app:v1']]));
    const progress: [number, number][] = [];
    const img = await openDockerArchive(await tarStore(p), undefined, `docker-archive:${p}`, 'app', { onProgress: (d, t) => progress.push([d, t]), concurrency: 2 });
    assert.equal(img.top.manifest.kind, 'image');
    const m = img.top.manifest.kind === 'image' ? img.top.manifest : undefined;
    assert.deepEqual(m?.layers.map((l) => [l.digest, l.size]), layers.map((l) => [`sha256:${sha(l)}`, l.length]));
    layers.forEach((l) => {
      const est = img.estimated?.get(`sha256:${sha(l)}`);
      const gzip = execFileSync('gzip', ['-6', '-c', '-n'], { input: l }).length;
      assert.ok(est && Math.abs(est.compressed - gzip) / gzip <= 0.05, `estimate ${est?.compressed}, gzip -6 ${gzip}`);
      assert.equal(est?.tar, l.length);
    });
    const total = layers.reduce((s, l) => s + l.length, 0);
    assert.deepEqual(progress.at(-1), [total, total]);
  });

  it('picks an image by NAME:TAG; several without one, or an unknown tag, is one line listing them', async () => {
    const p = file('two.tar', archive(layers, [['app:v1'], ['app:v2', 'app:latest']]));
    const store = await tarStore(p);
    const img = await openDockerArchive(store, 'docker.io/library/app:v2', 'x', 'x');
    assert.ok(img.top.digest.startsWith('sha256:'));
    await assert.rejects(openDockerArchive(store, undefined, 'in', 'in'), /in holds 2 images; name one as in:NAME:TAG, one of: app:v1, app:v2 app:latest/);
    await assert.rejects(openDockerArchive(store, 'app:v9', 'in', 'in'), /the archive has no image tagged app:v9; it holds: app:v1, app:v2 app:latest/);
  });

  it('a layer that does not hash to its diff_id is a corrupt archive', async () => {
    const p = file('bad.tar', archive(layers, [['app:v1']], [`sha256:${sha(layers[0] as Buffer)}`, `sha256:${'0'.repeat(64)}`]));
    await assert.rejects(openDockerArchive(await tarStore(p), undefined, 'in', 'in'), (e: unknown) => {
      assert.ok(isRegsizeError(e));
      assert.equal(e.code, 'DIGEST_MISMATCH');
      assert.match(e.message, /hashes to sha256:[0-9a-f]{64}, the config says sha256:0{64}; the archive is corrupt/);
      return true;
    });
  });

  it('a tar without manifest.json or index.json is not an image archive', async () => {
    const p = file('plain.tar', makeTar([{ name: 'etc/hostname', content: 'box\n' }]));
    await assert.rejects(openDockerArchive(await tarStore(p), undefined, 'in', 'in'), /is not an image archive \(no manifest\.json in the tar\)/);
  });
});
