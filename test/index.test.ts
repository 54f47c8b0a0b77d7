/**
 * index.ts, the library entry: what package.json's `main` names really exists and sizes an
 * image from a registry, as the README's library example does.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { useEmptyDockerConfig } from './helpers/docker-config.js';
import { makeImage, makeRandomLayer, pushImage } from './helpers/images.js';
import { type LocalRegistry, startRegistry } from './helpers/registry.js';
import { ROOT } from './commands/run-in-process.js';

type Library = typeof import('../src/index.js');

describe('the library entry (package.json main)', function () {
  this.timeout(30_000);
  useEmptyDockerConfig();
  let reg: LocalRegistry;
  after(async () => reg?.stop());

  it('exists with its types, and sizes an image exactly, a failing one as an entry with a stable code', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string; types: string };
    assert.ok(existsSync(join(ROOT, pkg.types)), `${pkg.types} exists`);
    const lib = (await import(pathToFileURL(join(ROOT, pkg.main)).href)) as Library;

    reg = await startRegistry();
    const layers = [makeRandomLayer({ size: 4000, seed: 'lib-a', compression: 'gzip' }), makeRandomLayer({ size: 900, seed: 'lib-b', compression: 'zstd' })];
    await pushImage(reg, 'lib/app', '1.0', makeImage({ layers }));

    const { client, logger } = lib.createSession({ timeoutMs: 30_000, logger: { debug: () => {}, warn: () => {} } });
    const refs = [`${reg.host}/lib/app:1.0`, `${reg.host}/lib/app:nope`].map(lib.parseReference);
    const { images } = await lib.compareImages(client, refs, { platform: lib.parsePlatform('linux/amd64'), concurrency: 8, logger });
    const [ok, failed] = images;
    assert.ok(ok && !lib.isErrorEntry(ok));
    assert.equal(ok.compressedSize, layers.reduce((s, l) => s + l.blob.length, 0));
    assert.ok(failed && lib.isErrorEntry(failed) && failed.error.code === 'MANIFEST_UNKNOWN');
    assert.throws(() => lib.parseReference('Not A Reference'), (e) => lib.isRegsizeError(e));
  });
});
