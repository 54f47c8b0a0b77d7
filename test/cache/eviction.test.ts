/**
 * One size cap for everything cached: layer listings count and are evicted with manifests and
 * configs, least recently used first; temporary files of dead writers are swept.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskCache } from '../../src/cache/disk.js';
import { CacheEviction } from '../../src/cache/eviction.js';
import { digestPath } from '../../src/cache/layout.js';
import { DiskListingCache } from '../../src/files/listing-cache.js';
import type { LayerListing } from '../../src/files/tar-walk.js';
import type { Logger } from '../../src/log.js';

const logger: Logger = { debug: () => {}, warn: () => {} };
const sha = (s: string | Buffer) => `sha256:${createHash('sha256').update(s).digest('hex')}`;
const listing = (n: number): LayerListing => ({ entries: Array.from({ length: n }, (_, i) => ({ path: `/f/${i}-${createHash('sha256').update(String(i)).digest('hex')}`, type: 'file' as const, size: i })), packages: [], warnings: [], tarBytes: 0 });

describe('cache eviction', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'regsize-evict-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('evicts layer listings and blobs together, least recently used first, to below the cap', async () => {
    const blobs = new DiskCache({ dir, tagTtlMs: 1, logger });
    const listings = new DiskListingCache(dir, logger);
    const files: string[] = [];
    for (let i = 0; i < 4; i++) {
      const b = Buffer.alloc(20_000, i + 1);
      await blobs.putBlob(sha(b), b);
      files.push(digestPath(dir, 'blobs', sha(b)) as string);
      const d = sha(`layer ${i}`);
      await listings.put(d, listing(2000));
      files.push(digestPath(dir, 'listings', d) as string);
    }
    // Ages: the order written, oldest first.
    files.forEach((f, i) => utimesSync(f, new Date(Date.now() - (100 - i) * 60_000), new Date(Date.now() - (100 - i) * 60_000)));
    const sizes = files.map((f) => statSync(f).size);
    const total = sizes.reduce((a, b) => a + b, 0);
    const cap = Math.floor(total * 0.6);
    await new CacheEviction(dir, cap, logger).walk();
    const kept = files.filter((f) => existsSync(f));
    assert.ok(kept.reduce((s, f) => s + statSync(f).size, 0) <= cap * 0.8, 'under the low-water mark');
    assert.deepEqual(kept, files.slice(files.length - kept.length), 'the oldest went first, listings and blobs alike');
    assert.ok(kept.some((f) => f.includes('/listings/')) && !existsSync(files[1] as string), 'an old listing was evicted');
  });

  it('sweeps temporary files a dead writer left an hour ago, not fresh ones', async () => {
    const folder = join(dir, 'v1', 'listings', 'sha256');
    mkdirSync(folder, { recursive: true });
    const stale = join(folder, '.tmp-1-old');
    const fresh = join(folder, '.tmp-2-new');
    writeFileSync(stale, 'x');
    writeFileSync(fresh, 'y');
    utimesSync(stale, new Date(Date.now() - 2 * 3600_000), new Date(Date.now() - 2 * 3600_000));
    await new CacheEviction(dir, 1_000_000, logger).walk();
    assert.equal(existsSync(stale), false);
    assert.equal(existsSync(fresh), true);
  });
});
