/**
 * A cache folder on procfs or sysfs (issue #11): Node's recursive mkdir never returns there.
 * The run warns once and goes on uncached; a cache that meets such a file system anyway
 * (bypassing the check) fails its writes instead of looping.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskCache } from '../../src/cache/disk.js';
import { createCache } from '../../src/cache/factory.js';
import { makeFolder } from '../../src/cache/folder.js';
import { noCache } from '../../src/cache/types.js';
import type { Logger } from '../../src/log.js';
import Compare from '../../commands/compare.js';
import { runInProcess } from '../commands/run-in-process.js';
import { makeImage, makeRandomLayer, pushImage } from '../helpers/images.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';

function capture(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug: () => {}, warn: (l) => warnings.push(l) };
}

const manifest = Buffer.from('{"schemaVersion":2,"layers":[]}');
const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;

describe('a cache folder on a kernel pseudo file system', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'regsize-procfs-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const path of ['/proc/regsize-cache', '/proc/self/regsize/cache', '/sys/regsize-cache', '/proc']) {
    it(`${path}: one warning, and no cache`, () => {
      const logger = capture();
      const cache = createCache({ dir: path, tagTtlMs: 60_000, logger });
      assert.equal(cache, noCache);
      assert.equal(logger.warnings.length, 1);
      assert.match(logger.warnings[0] as string, new RegExp(`cache folder ${path} is on /(proc|sys).*running uncached`));
    });
  }

  it('sees through a symlink to /proc, also for a folder not made yet', () => {
    const link = join(dir, 'to-proc');
    symlinkSync('/proc/self', link);
    const logger = capture();
    assert.equal(createCache({ dir: join(link, 'not', 'yet'), tagTtlMs: 60_000, logger }), noCache);
    assert.match(logger.warnings[0] as string, /is on \/proc/);
  });

  it('keeps a real folder as the cache', () => {
    const logger = capture();
    assert.ok(createCache({ dir: join(dir, 'real'), tagTtlMs: 60_000, logger }) instanceof DiskCache);
    assert.deepEqual(logger.warnings, []);
  });

  it('a DiskCache put straight on procfs fails its write once instead of looping in mkdir', async () => {
    const logger = capture();
    const cache = new DiskCache({ dir: '/proc/self/regsize-cache', tagTtlMs: 60_000, logger });
    await cache.putManifest(digest, { bytes: manifest, mediaType: 'application/vnd.oci.image.manifest.v1+json' });
    await cache.putTags('r/app', new Map([['1', digest]]));
    assert.equal(logger.warnings.length, 1, logger.warnings.join('\n'));
    assert.match(logger.warnings[0] as string, /cannot write to the cache at \/proc\/self\/regsize-cache/);
    assert.equal(await cache.getManifest(digest), undefined);
  });

  it('makeFolder makes every missing component, and accepts folders that exist', async () => {
    const deep = join(dir, 'a', 'b', 'c');
    await makeFolder(deep, 0o700);
    assert.ok(existsSync(deep));
    await makeFolder(deep, 0o700);
    mkdirSync(join(dir, 'x'));
    await makeFolder(join(dir, 'x', 'y'), 0o700);
    assert.ok(existsSync(join(dir, 'x', 'y')));
  });

  describe('regsize compare --cache-dir /proc/...', () => {
    let reg: LocalRegistry;
    before(async () => {
      reg = await startRegistry();
      await pushImage(reg, 'team/app', '1', makeImage({ layers: [makeRandomLayer({ size: 10_000, seed: 'procfs', compression: 'gzip' })], platform: { os: 'linux', architecture: 'amd64' } }));
    });
    after(async () => reg?.stop());

    it('sizes the image, with one warning on stderr', async () => {
      const r = await runInProcess(Compare, [`${reg.host}/team/app:1`, '--json', '--cache-dir', '/proc/self/regsize-cache', '--platform', 'linux/amd64']);
      assert.equal(r.exitCode, 0, r.stderr);
      assert.ok((JSON.parse(r.stdout) as { images: { compressedSize: number }[] }).images[0]!.compressedSize > 0);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^regsize: warning: the cache folder \/proc\/self\/regsize-cache is on \/proc/);
    });
  });
});
