/**
 * A child process for the shared-cache test: writes and immediately reads back the same
 * entries as its siblings, into the same folder, at the same time. It exits 1 when it ever
 * reads an entry it has just written as missing or corrupt (a torn write seen by a reader).
 * Usage: node cache-writer.js DIR COUNT ROUNDS
 */
import { createHash } from 'node:crypto';
import { DiskCache } from '../../src/cache/disk.js';

const [dir, countArg, roundsArg] = process.argv.slice(2) as [string, string, string];
const problems: string[] = [];
const cache = new DiskCache({ dir, tagTtlMs: 60_000, logger: { debug: () => {}, warn: (l) => problems.push(l) } });

/** Entry i: the same bytes in every process, large enough (~64 kB) that a write takes several syscalls. */
function entryBytes(i: number): Buffer {
  return Buffer.from(JSON.stringify({ schemaVersion: 2, entry: i, pad: createHash('sha256').update(String(i)).digest('hex').repeat(1000) }));
}

const digestOf = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

const repo = '127.0.0.1:5000/shared';
const tagDigests = new Map(Array.from({ length: Number(countArg) }, (_, i) => [`t${i}`, digestOf(entryBytes(i))]));

for (let round = 0; round < Number(roundsArg); round++) {
  await Promise.all(
    Array.from({ length: Number(countArg) }, async (_, i) => {
      const bytes = entryBytes(i);
      const digest = digestOf(bytes);
      await cache.putManifest(digest, { bytes, mediaType: 'application/vnd.oci.image.manifest.v1+json' });
      await cache.putBlob(digest, bytes);
      const m = await cache.getManifest(digest);
      const b = await cache.getBlob(digest);
      if (!m || !Buffer.from(m.bytes).equals(bytes)) problems.push(`manifest ${i} unreadable after writing it`);
      if (!b || !Buffer.from(b).equals(bytes)) problems.push(`blob ${i} unreadable after writing it`);
    }),
  );
  // The repository's tag entry, as `tags` writes it: every answer in one write, while the
  // sibling processes write theirs; whatever is read back must be whole and right.
  await cache.putTags(repo, tagDigests);
  const read = await cache.getTags(repo);
  if (read.size !== tagDigests.size) problems.push(`the tag entry holds ${read.size} answers after writing ${tagDigests.size}`);
  for (const [tag, t] of read) if (t.digest !== tagDigests.get(tag)) problems.push(`tag ${tag} reads back as ${t.digest}`);
}
if (problems.length) {
  process.stderr.write(problems.join('\n') + '\n');
  process.exit(1);
}
