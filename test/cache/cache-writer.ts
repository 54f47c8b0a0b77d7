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

for (let round = 0; round < Number(roundsArg); round++) {
  await Promise.all(
    Array.from({ length: Number(countArg) }, async (_, i) => {
      const bytes = entryBytes(i);
      const digest = digestOf(bytes);
      await cache.putManifest(digest, { bytes, mediaType: 'application/vnd.oci.image.manifest.v1+json' });
      await cache.putBlob(digest, bytes);
      await cache.putTag(`127.0.0.1:5000/shared:t${i}`, digest);
      const m = await cache.getManifest(digest);
      const b = await cache.getBlob(digest);
      const t = await cache.getTag(`127.0.0.1:5000/shared:t${i}`);
      if (!m || !Buffer.from(m.bytes).equals(bytes)) problems.push(`manifest ${i} unreadable after writing it`);
      if (!b || !Buffer.from(b).equals(bytes)) problems.push(`blob ${i} unreadable after writing it`);
      if (t?.digest !== digest) problems.push(`tag t${i} unreadable after writing it`);
    }),
  );
}
if (problems.length) {
  process.stderr.write(problems.join('\n') + '\n');
  process.exit(1);
}
