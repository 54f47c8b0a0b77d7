/** Choosing the cache: a real folder gets the disk cache with the cap asked for; a kernel pseudo file system none, with one warning. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { DiskCache } from '../../src/cache/disk.js';
import { createCache } from '../../src/cache/factory.js';
import { noCache } from '../../src/cache/types.js';
import type { Logger } from '../../src/log.js';

function capture(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug: () => {}, warn: (l) => warnings.push(l) };
}

describe('cache factory', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'regsize-factory-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a real folder: a DiskCache that keeps to the cap given', async () => {
    const logger = capture();
    const cache = createCache({ dir: join(dir, 'c'), tagTtlMs: 1000, logger, maxBytes: 30_000 });
    assert.ok(cache instanceof DiskCache);
    for (let i = 0; i < 6; i++) {
      const b = Buffer.alloc(10_000, i);
      await cache.putBlob(`sha256:${createHash('sha256').update(b).digest('hex')}`, b);
    }
    const folder = join(dir, 'c', 'v1', 'blobs', 'sha256');
    const total = readdirSync(folder).reduce((s, f) => s + statSync(join(folder, f)).size, 0);
    assert.ok(total <= 30_000, `${total} bytes kept under a 30000-byte cap`);
    assert.deepEqual(logger.warnings, []);
  });

  it('a folder under /proc: no cache, one warning, nothing made', () => {
    const logger = capture();
    assert.equal(createCache({ dir: '/proc/self/regsize-x', tagTtlMs: 1, logger }), noCache);
    assert.equal(logger.warnings.length, 1);
    assert.equal(existsSync('/proc/self/regsize-x'), false);
  });
});
