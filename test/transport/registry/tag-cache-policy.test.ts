import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskCache } from '../../../src/cache/disk.js';
import { type ContentCache, noCache } from '../../../src/cache/types.js';
import { silentLogger } from '../../../src/log.js';
import { MAX_PENDING, TagCachePolicy } from '../../../src/transport/registry/tag-cache-policy.js';

const repo = { registry: 'ghcr.io', repository: 'org/app' };
const digest = (i: number) => `sha256:${i.toString(16).padStart(64, '0')}`;

/** Tag files the disk cache holds (wherever its layout puts them). */
function tagFiles(dir: string): number {
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
  return walk(dir).filter((f) => /tags/.test(f)).length;
}

describe('TagCachePolicy', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'regsize-tagpolicy-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes nothing while answers come in, everything on flush, and a new policy reads them back', async () => {
    const cache = new DiskCache({ dir, tagTtlMs: 60_000, logger: silentLogger });
    const policy = new TagCachePolicy(cache);
    for (let i = 0; i < 50; i++) policy.remember(repo, `1.${i}`, digest(i));
    assert.deepEqual(await policy.lookup(repo, '1.7'), { digest: digest(7), fresh: true }, 'an answer not yet written is already known');
    assert.equal(tagFiles(dir), 0, 'no disk write per tag');
    await policy.flush();
    assert.equal(tagFiles(dir), 1, 'one entry for the repository');
    const later = new TagCachePolicy(new DiskCache({ dir, tagTtlMs: 60_000, logger: silentLogger }));
    assert.equal((await later.lookup(repo, '1.49'))?.digest, digest(49));
    assert.equal(await later.lookup(repo, 'never'), undefined);
  });

  it(`writes a batch by itself once ${MAX_PENDING} answers wait`, async () => {
    const written: string[] = [];
    const cache: ContentCache = { ...noCache, putTags: async (repoKey, answers) => void written.push(...[...answers.keys()].map((t) => `${repoKey}:${t}`)) };
    const policy = new TagCachePolicy(cache);
    for (let i = 0; i < MAX_PENDING - 1; i++) policy.remember(repo, `t${i}`, digest(i));
    await new Promise((r) => setImmediate(r));
    assert.equal(written.length, 0);
    policy.remember(repo, 'last', digest(MAX_PENDING));
    await policy.flush();
    assert.equal(written.length, MAX_PENDING);
    assert.ok(written.every((k) => k.startsWith('ghcr.io/org/app:')), 'keys hold the name only');
  });
});
