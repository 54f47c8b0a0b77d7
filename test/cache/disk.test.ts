/**
 * The on-disk cache by itself: digests verified on every read, tag answers that expire,
 * atomic writes shared by concurrent processes, the size cap, and failures that only cost speed.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DiskCache, defaultCacheDir } from '../../src/cache/disk.js';
import { MAX_REPO_TAGS_BYTES } from '../../src/cache/entry.js';
import { createCache } from '../../src/cache/factory.js';
import type { Logger } from '../../src/log.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

function sha256(b: Uint8Array): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

function capture(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug: () => {}, warn: (l) => warnings.push(l) };
}

/** Every regular file under dir, recursively. */
function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

/** One tag's answer (`registry/repository:tag`), read through the repository's entry. */
async function getTag(cache: DiskCache, name: string) {
  const at = name.lastIndexOf(':');
  return (await cache.getTags(name.slice(0, at))).get(name.slice(at + 1));
}

function putTag(cache: DiskCache, name: string, digest: string): Promise<void> {
  const at = name.lastIndexOf(':');
  return cache.putTags(name.slice(0, at), new Map([[name.slice(at + 1), digest]]));
}

describe('DiskCache', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'regsize-cache-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: {}, layers: [] }));
  const digest = sha256(manifest);

  it('keeps a manifest with its media type, by digest, in a private file', async () => {
    const cache = new DiskCache({ dir, tagTtlMs: 300_000, logger: capture() });
    assert.equal(await cache.getManifest(digest), undefined);
    await cache.putManifest(digest, { bytes: manifest, mediaType: OCI_MANIFEST });
    const again = new DiskCache({ dir, tagTtlMs: 300_000, logger: capture() });
    const hit = await again.getManifest(digest);
    assert.deepEqual(Buffer.from(hit!.bytes), manifest);
    assert.equal(hit!.mediaType, OCI_MANIFEST);
    const file = join(dir, 'v1', 'manifests', 'sha256', digest.slice(7));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(existsSync(join(dir, 'CACHEDIR.TAG')));
  });

  it('writes a burst of entries into a fresh cache whole: every folder made, marked as a cache, nothing left over', async () => {
    // A cold compare of 100 images writes its 200 manifests at once, into folders none of
    // which exist yet: each write waits for the one making its folder.
    const cache = new DiskCache({ dir: join(dir, 'new', 'cache'), tagTtlMs: 300_000, logger: capture() });
    const entries = Array.from({ length: 200 }, (_, i) => Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: {}, layers: [], n: i })));
    await Promise.all(entries.flatMap((b) => [cache.putManifest(sha256(b), { bytes: b, mediaType: OCI_MANIFEST }), cache.putBlob(sha256(b), b)]));
    const again = new DiskCache({ dir: join(dir, 'new', 'cache'), tagTtlMs: 300_000, logger: capture() });
    for (const b of entries) {
      assert.deepEqual(Buffer.from((await again.getManifest(sha256(b)))!.bytes), b);
      assert.deepEqual(Buffer.from((await again.getBlob(sha256(b)))!), b);
    }
    assert.equal(statSync(join(dir, 'new', 'cache', 'v1', 'manifests', 'sha256')).mode & 0o777, 0o700);
    assert.ok(existsSync(join(dir, 'new', 'cache', 'CACHEDIR.TAG')));
    assert.deepEqual(files(join(dir, 'new', 'cache')).filter((f) => f.includes('.tmp-') || f.endsWith('.tmp')), []);
  });

  it('writes an entry it found absent whole, also when another process wrote it meanwhile', async () => {
    const cache = new DiskCache({ dir, tagTtlMs: 300_000, logger: capture() });
    assert.equal(await cache.getManifest(digest), undefined);
    // Another regsize fills the same entry between this one's read and its write.
    await new DiskCache({ dir, tagTtlMs: 300_000, logger: capture() }).putManifest(digest, { bytes: manifest, mediaType: OCI_MANIFEST });
    await cache.putManifest(digest, { bytes: manifest, mediaType: OCI_MANIFEST });
    assert.deepEqual(Buffer.from((await cache.getManifest(digest))!.bytes), manifest);
    assert.deepEqual(files(dir).filter((f) => f.includes('.tmp-')), []);
    assert.equal(files(join(dir, 'v1', 'manifests')).length, 1);
  });

  for (const kind of ['manifest', 'blob'] as const) {
    it(`deletes a corrupt ${kind} entry and reports it absent, so it is fetched again`, async () => {
      const logger = capture();
      const cache = new DiskCache({ dir, tagTtlMs: 300_000, logger });
      if (kind === 'manifest') await cache.putManifest(digest, { bytes: manifest, mediaType: OCI_MANIFEST });
      else await cache.putBlob(digest, manifest);
      const file = join(dir, 'v1', `${kind}s`, 'sha256', digest.slice(7));
      const bytes = readFileSync(file);
      bytes[bytes.length - 3]! ^= 0x01; // one flipped bit in the body
      writeFileSync(file, bytes);
      assert.equal(kind === 'manifest' ? await cache.getManifest(digest) : await cache.getBlob(digest), undefined);
      assert.equal(existsSync(file), false, 'the corrupt entry is removed');
      assert.match(logger.warnings.join('\n'), new RegExp(`cache entry for ${digest} is corrupt`));
    });
  }

  it('refuses to name files after malformed digests (no path tricks)', async () => {
    const cache = new DiskCache({ dir, tagTtlMs: 300_000, logger: capture() });
    for (const bad of ['sha256:../../../etc/passwd', 'sha256:ABC', 'md5:d41d8cd98f00b204e9800998ecf8427e', `sha256:${'a'.repeat(63)}`]) {
      await cache.putBlob(bad, manifest);
      await cache.putManifest(bad, { bytes: manifest, mediaType: OCI_MANIFEST });
      assert.equal(await cache.getBlob(bad), undefined);
    }
    assert.deepEqual(files(join(dir, 'v1')), []);
  });

  it('answers a tag as fresh within the TTL, stale after it, never fresh with TTL 0', async () => {
    let now = 1_000_000;
    const cache = new DiskCache({ dir, tagTtlMs: 5 * 60_000, logger: capture(), now: () => now });
    assert.equal(await getTag(cache, 'ghcr.io/org/app:1.2'), undefined);
    await putTag(cache, 'ghcr.io/org/app:1.2', digest);
    now += 5 * 60_000 - 1;
    assert.deepEqual(await getTag(cache, 'ghcr.io/org/app:1.2'), { digest, fresh: true });
    now += 1;
    assert.deepEqual(await getTag(cache, 'ghcr.io/org/app:1.2'), { digest, fresh: false });
    // The clock set back: a timestamp from the future proves nothing.
    now -= 60 * 60_000;
    assert.equal((await getTag(cache, 'ghcr.io/org/app:1.2'))?.fresh, false);
    const zero = new DiskCache({ dir, tagTtlMs: 0, logger: capture(), now: () => 1_000_000 });
    assert.deepEqual(await getTag(zero, 'ghcr.io/org/app:1.2'), { digest, fresh: false });
    assert.equal(await getTag(cache, 'ghcr.io/org/app:1.3'), undefined, 'another tag is not answered');
  });

  it('treats an unreadable tag record as absent and removes it', async () => {
    const logger = capture();
    const cache = new DiskCache({ dir, tagTtlMs: 60_000, logger });
    await putTag(cache, 'r/x:1', digest);
    const [file] = files(join(dir, 'v1', 'repo-tags'));
    writeFileSync(file!, '{"key": "r/x:1", "digest": "sha256:zz", "storedAt"');
    assert.equal(await getTag(cache, 'r/x:1'), undefined);
    assert.equal(existsSync(file!), false);
  });

  it("keeps a repository's tag answers in one file, and keeps what another run wrote meanwhile", async () => {
    const d = (i: number) => `sha256:${String(i).padStart(64, '0')}`;
    const first = new DiskCache({ dir, tagTtlMs: 60_000, logger: capture() });
    const second = new DiskCache({ dir, tagTtlMs: 60_000, logger: capture() });
    await first.putTags('r/app', new Map(Array.from({ length: 500 }, (_, i) => [`1.${i}`, d(i % 7)])));
    await second.putTags('r/app', new Map([['2.0', d(9)]]));
    await second.putTags('r/other', new Map([['1.0', d(8)]]));
    assert.equal(files(join(dir, 'v1', 'repo-tags')).length, 2, 'one file per repository, not one per tag');
    const read = await new DiskCache({ dir, tagTtlMs: 60_000, logger: capture() }).getTags('r/app');
    assert.equal(read.size, 501);
    assert.deepEqual(read.get('1.10'), { digest: d(3), fresh: true });
    assert.deepEqual(read.get('2.0'), { digest: d(9), fresh: true });
    assert.equal(read.get('x'), undefined);
  });

  it("notes and ignores a repository's tag entry that is corrupt, misfiled or oversized, and removes it", async () => {
    const logger = capture();
    const cache = new DiskCache({ dir, tagTtlMs: 60_000, logger });
    await putTag(cache, 'r/x:1', digest);
    const [file] = files(join(dir, 'v1', 'repo-tags'));
    const valid = readFileSync(file!);
    // Another repository's entry under this one's name: not trusted.
    writeFileSync(file!, valid.toString().replace('"repo":"r/x"', '"repo":"r/y"'));
    assert.equal(await getTag(cache, 'r/x:1'), undefined);
    assert.equal(existsSync(file!), false);
    assert.match(logger.warnings.at(-1) ?? '', /cache entry for the tags of r\/x is corrupt/);
    // Larger than any entry regsize writes: not even read.
    writeFileSync(file!, Buffer.alloc(MAX_REPO_TAGS_BYTES + 1, 0x20));
    assert.equal(await getTag(cache, 'r/x:1'), undefined);
    assert.equal(existsSync(file!), false);
    assert.match(logger.warnings.at(-1) ?? '', /cache entry for the tags of r\/x is over \d+ bytes.*removed it/);
    assert.equal(logger.warnings.length, 2);
    // The next answers start a new, valid entry.
    await putTag(cache, 'r/x:2', digest);
    assert.deepEqual(await getTag(cache, 'r/x:2'), { digest, fresh: true });
  });

  it('evicts least recently used entries first once over the size cap', async () => {
    const entries = Array.from({ length: 10 }, (_, i) => Buffer.alloc(10_000, i));
    const writer = new DiskCache({ dir, tagTtlMs: 60_000, logger: capture() });
    for (const b of entries) await writer.putBlob(sha256(b), b);
    // Give the entries distinct ages: entry 0 oldest. Then read entry 1, which makes it recent.
    entries.forEach((b, i) => {
      const t = new Date(Date.now() - (100 - i) * 60_000);
      utimesSync(join(dir, 'v1', 'blobs', 'sha256', sha256(b).slice(7)), t, t);
    });
    assert.ok(await writer.getBlob(sha256(entries[1]!)));
    await new Promise((r) => setTimeout(r, 50)); // the read's mtime update is not awaited

    const capped = new DiskCache({ dir, tagTtlMs: 60_000, logger: capture(), maxBytes: 60_000 });
    await capped.walk();
    const left = new Set(files(join(dir, 'v1', 'blobs')).map((f) => `sha256:${f.split('/').pop()}`));
    const total = files(join(dir, 'v1')).reduce((s, f) => s + statSync(f).size, 0);
    assert.ok(total <= 60_000, `${total} bytes left`);
    // 80% of the cap holds 4 entries: the recently read one and the three youngest.
    assert.deepEqual([...left].sort(), [1, 7, 8, 9].map((i) => sha256(entries[i]!)).sort());
  });

  it('measures and evicts on the first write of a process when no walk happened for an hour', async () => {
    const cache = new DiskCache({ dir, tagTtlMs: 60_000, logger: capture(), maxBytes: 25_000 });
    const blobs = Array.from({ length: 5 }, (_, i) => Buffer.alloc(10_000, i + 1));
    for (const b of blobs) await cache.putBlob(sha256(b), b);
    const total = files(join(dir, 'v1', 'blobs')).reduce((s, f) => s + statSync(f).size, 0);
    assert.ok(total <= 25_000, `the cap holds: ${total} bytes`);
    assert.ok(await cache.getBlob(sha256(blobs[4]!)), 'the newest entry stays');
  });

  it('goes on uncached, with one warning, when the cache folder cannot be written', async function () {
    if (process.getuid?.() === 0) {
      // root ignores permissions: make the folder a file instead.
      rmSync(dir, { recursive: true });
      writeFileSync(dir, 'not a folder');
    } else {
      chmodSync(dir, 0o500);
    }
    const logger = capture();
    const cache = new DiskCache({ dir: join(dir, 'sub'), tagTtlMs: 60_000, logger });
    await cache.putManifest(digest, { bytes: manifest, mediaType: OCI_MANIFEST });
    await cache.putBlob(digest, manifest);
    await putTag(cache, 'r/x:1', digest);
    assert.equal(await cache.getManifest(digest), undefined);
    assert.equal(logger.warnings.length, 1, logger.warnings.join('\n'));
    assert.match(logger.warnings[0]!, /cannot write to the cache at .*going on without writing to it/);
    rmSync(dir, { force: true, recursive: true });
    mkdirSync(dir);
  });

  it('lives in $XDG_CACHE_HOME/regsize, else ~/.cache/regsize (a relative XDG_CACHE_HOME is ignored)', () => {
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/var/cache/me' }), '/var/cache/me/regsize');
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: 'relative/cache' }), join(homedir(), '.cache', 'regsize'));
    assert.equal(defaultCacheDir({}), join(homedir(), '.cache', 'regsize'));
    assert.ok(createCache({ dir, tagTtlMs: 1, logger: capture() }) instanceof DiskCache);
  });

  it('stays valid when several processes write the same entries at once', async function () {
    this.timeout(60_000);
    const writer = fileURLToPath(new URL('./cache-writer.js', import.meta.url));
    const count = 60;
    const run = () =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = execFile(process.execPath, [writer, dir, String(count), '3'], (err, _out, stderr) => resolve({ code: err ? (child.exitCode ?? 1) : 0, stderr }));
      });
    const results = await Promise.all([run(), run(), run()]);
    for (const r of results) assert.equal(r.code, 0, r.stderr);

    // Every entry is whole, and no temporary file is left behind.
    const logger = capture();
    const reader = new DiskCache({ dir, tagTtlMs: 60_000, logger });
    for (let i = 0; i < count; i++) {
      const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, entry: i, pad: createHash('sha256').update(String(i)).digest('hex').repeat(1000) }));
      const d = sha256(bytes);
      assert.deepEqual(Buffer.from((await reader.getManifest(d))!.bytes), bytes);
      assert.deepEqual(Buffer.from((await reader.getBlob(d))!), bytes);
      assert.equal((await getTag(reader, `127.0.0.1:5000/shared:t${i}`))?.digest, d);
    }
    assert.deepEqual(logger.warnings, []);
    assert.deepEqual(files(dir).filter((f) => f.includes('.tmp-')), []);
    assert.equal(files(join(dir, 'v1', 'manifests')).length, count);
  });
});
