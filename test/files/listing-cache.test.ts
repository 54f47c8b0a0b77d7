/**
 * Layer listings on disk: a listing comes back as stored, filed by digest; a damaged entry or
 * one filed under another digest is never trusted (removed, read again); a listing counts
 * towards the cache folder's one size cap.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { digestPath } from '../../src/cache/layout.js';
import { EntryList } from '../../src/files/entry-list.js';
import { DiskListingCache } from '../../src/files/listing-cache.js';
import type { LayerListing } from '../../src/files/tar-walk.js';
import type { Logger } from '../../src/log.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const listing: LayerListing = { entries: [{ path: '/etc/motd', type: 'file', size: 7 }, { path: '/tmp/x', type: 'whiteout', size: 0 }], packages: [{ manager: 'apk', name: 'musl', version: '1', size: 9, source: '/lib/apk/db/installed' }], warnings: ['odd'], tarBytes: 2048 };

function capture(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug: () => {}, warn: (l) => warnings.push(l) };
}

describe('files: the listing cache', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'regsize-listings-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives back what was put, by digest, in a private file; nothing for another digest or a malformed one', async () => {
    const c = new DiskListingCache(dir, capture());
    await c.put(A, listing);
    assert.deepEqual(await new DiskListingCache(dir, capture()).get(A), listing);
    assert.equal(await c.get(B), undefined);
    await c.put('sha256:../../x', listing);
    assert.equal(await c.get('sha256:../../x'), undefined);
    assert.equal(statSync(digestPath(dir, 'listings', A) as string).mode & 0o777, 0o600);
  });

  it('a listing of thousands of entries, packed as the parser collects them, is written as the JSON of the whole and read back equal', async () => {
    const entries = new EntryList();
    const plain = Array.from({ length: 2500 }, (_, i) => ({ path: `/srv/"q"\\${i}\n`, type: i % 3 ? ('file' as const) : ('whiteout' as const), size: i % 3 ? i : 0 }));
    for (const e of plain) entries.push(e);
    const c = new DiskListingCache(dir, capture());
    await c.put(A, { ...listing, entries });
    const stored = gunzipSync(readFileSync(digestPath(dir, 'listings', A) as string)).toString('utf8');
    assert.equal(stored, JSON.stringify({ format: 1, digest: A, listing: { ...listing, entries: plain } }));
    assert.deepEqual(await c.get(A), { ...listing, entries: plain });
  });

  it('an entry that is damaged, or filed under another digest, is removed and read again', async () => {
    const logger = capture();
    const c = new DiskListingCache(dir, logger);
    await c.put(A, listing);
    const fileA = digestPath(dir, 'listings', A) as string;
    writeFileSync(fileA, Buffer.from('not gzip'));
    assert.equal(await c.get(A), undefined);
    assert.equal(existsSync(fileA), false);
    // A whole, valid entry copied under B's name says it is A's: not B's listing.
    await c.put(A, listing);
    const fileB = digestPath(dir, 'listings', B) as string;
    writeFileSync(fileB, gzipSync(JSON.stringify({ format: 1, digest: A, listing })));
    assert.equal(await c.get(B), undefined);
    assert.equal(logger.warnings.length, 2, logger.warnings.join('\n'));
    assert.match(logger.warnings[1] as string, /cached listing of layer sha256:b+ is corrupt \(unexpected shape\)/);
  });

  it('counts towards the cache folder\'s size cap', async () => {
    const big = (i: number): LayerListing => ({ ...listing, entries: Array.from({ length: 3000 }, (_, j) => ({ path: `/d${i}/${j}/${(j * 7919 + i) % 10007}`, type: 'file' as const, size: j })) });
    const c = new DiskListingCache(dir, capture(), 40_000);
    const digests = Array.from({ length: 6 }, (_, i) => `sha256:${String(i).repeat(64)}`);
    for (const [i, d] of digests.entries()) await c.put(d, big(i));
    const kept = digests.filter((d) => existsSync(digestPath(dir, 'listings', d) as string));
    const bytes = kept.reduce((s, d) => s + statSync(digestPath(dir, 'listings', d) as string).size, 0);
    assert.ok(kept.length < digests.length && bytes <= 40_000, `${kept.length} listings, ${bytes} bytes kept under a 40000-byte cap`);
  });
});
