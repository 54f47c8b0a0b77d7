/**
 * Package databases of a layer listed from its table of contents (eStargz, zstd:chunked): the
 * TOC gives each file's name and size but not its contents, so the few databases packages are
 * read from (dpkg status, apk installed, dist-info RECORD, package.json: src/files/packages.ts)
 * are fetched by Range reads of just their bytes, never the whole layer.
 *
 *   1. from the TOC, each database file's compressed range: `offset` (where its content's
 *      gzip member or zstd frame starts) to `endOffset` (zstd:chunked says it), else to the
 *      next file's offset, else to the end of the data (the TOC's own offset);
 *   2. one Range read per database, decompressed, its first `size` bytes kept;
 *   3. those bytes must hash to the entry's `digest` (the TOC itself hashes to the manifest's
 *      annotation): a database that does not, or has no digest, is reported and not parsed.
 * Each database is bounded (its size by MAX_DB_BYTES, its range by that plus RANGE_SLACK).
 */
import { createHash } from 'node:crypto';
import type { Descriptor } from '../oci/manifest.js';
import { decompressSink, loadZstd } from '../sizing/decompress.js';
import type { RegistryClient, RepoRef } from '../transport/client.js';
import { type ListedPackage, packageDatabase, type PackageManager, parsePackageDatabase } from './packages.js';
import { printable } from './tar-walk.js';

/** A member holds the file's padding and the next headers too; a range longer than this past the file's size is refused. */
export const RANGE_SLACK = 1024 * 1024;

/** A TOC entry as eStargz and zstd:chunked write it (only what this file reads). */
export interface RawTocEntry {
  name?: unknown;
  type?: unknown;
  size?: unknown;
  offset?: unknown;
  endOffset?: unknown;
  digest?: unknown;
}

export interface TocDatabase {
  /** Absolute, normalised. */
  path: string;
  kind: PackageManager;
  maxBytes: number;
  size: number;
  /** Compressed byte range in the blob, end exclusive. */
  start: number;
  end: number;
  digest: string | undefined;
}

const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined);

/**
 * The database files among a TOC's entries, with their byte ranges; `pathOf` normalises a
 * name as the listing does (undefined: refused). `endOfData`: where the files' bytes end.
 */
export function tocDatabases(entries: readonly RawTocEntry[], endOfData: number, pathOf: (name: string) => string | undefined): TocDatabase[] {
  const offsets = [...new Set(entries.map((e) => int(e?.offset)).filter((o): o is number => o !== undefined && o > 0))].sort((a, b) => a - b);
  const nextOffset = (after: number) => {
    let lo = 0;
    let hi = offsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((offsets[mid] as number) <= after) lo = mid + 1;
      else hi = mid;
    }
    return offsets[lo] ?? endOfData;
  };
  const out: TocDatabase[] = [];
  entries.forEach((e, i) => {
    if (e?.type !== 'reg' || typeof e.name !== 'string') return;
    const path = pathOf(e.name);
    const db = path ? packageDatabase(path) : undefined;
    const start = int(e.offset);
    const size = int(e.size);
    if (!path || !db || start === undefined || size === undefined) return;
    // A chunked file's later chunks follow it as "chunk" entries: its bytes end after the last.
    let last: RawTocEntry = e;
    for (let j = i + 1; entries[j]?.type === 'chunk'; j++) last = entries[j] as RawTocEntry;
    const end = int(last.endOffset) ?? nextOffset(int(last.offset) ?? start);
    out.push({ path, kind: db.kind, maxBytes: db.maxBytes, size, start, end, digest: typeof e.digest === 'string' ? e.digest : undefined });
  });
  return out;
}

/** Reads and parses the databases by Range reads; what cannot be trusted is a warning, not a failure. */
export async function readTocPackages(
  client: RegistryClient,
  repo: RepoRef,
  d: Descriptor,
  databases: readonly TocDatabase[],
  compression: 'gzip' | 'zstd',
): Promise<{ packages: ListedPackage[]; warnings: string[]; bytesRead: number }> {
  const packages: ListedPackage[] = [];
  const warnings: string[] = [];
  let bytesRead = 0;
  if (compression === 'zstd' && databases.length) await loadZstd();
  for (const db of databases) {
    const what = printable(db.path);
    if (db.size > db.maxBytes) {
      warnings.push(`${what} is ${db.size} bytes, more than the ${db.maxBytes} read of a package database: its packages are not listed`);
      continue;
    }
    if (!db.digest) {
      warnings.push(`${what}: the table of contents gives no digest for it, so its bytes cannot be checked: its packages are not listed`);
      continue;
    }
    if (db.end <= db.start || db.end > d.size || db.end - db.start > db.size + RANGE_SLACK) {
      warnings.push(`${what}: the table of contents puts it at bytes ${db.start}-${db.end} of a ${d.size}-byte blob, not a range it can hold: its packages are not listed`);
      continue;
    }
    const r = await client.blobRange(repo, d, { start: db.start, end: db.end - 1 });
    bytesRead += r.bytes.length;
    if (r.rangeIgnored) {
      warnings.push(`${what}: the registry ignores Range requests: its packages are not listed`);
      continue;
    }
    const kept: Uint8Array[] = [];
    let have = 0;
    const sink = decompressSink(compression, d.digest, (c) => {
      if (have >= db.size) return;
      const part = c.subarray(0, db.size - have);
      kept.push(part);
      have += part.length;
    });
    try {
      await sink.write(r.bytes);
      await sink.end();
    } catch {
      // A range cut at the next member's start ends mid-stream for some writers: what was inflated is checked below.
    }
    const content = Buffer.concat(kept);
    const digest = `sha256:${createHash('sha256').update(content).digest('hex')}`;
    if (content.length !== db.size || digest !== db.digest) {
      warnings.push(`${what}: its bytes (${content.length}, ${digest}) are not what the table of contents says (${db.size}, ${db.digest}): its packages are not listed`);
      continue;
    }
    try {
      packages.push(...parsePackageDatabase(db.kind, content.toString('utf8'), db.path));
    } catch {
      warnings.push(`${what} could not be parsed as a ${db.kind} database`);
    }
  }
  return { packages, warnings, bytesRead };
}
