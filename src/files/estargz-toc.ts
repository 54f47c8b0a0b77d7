/**
 * eStargz layers listed from their table of contents with two Range requests instead of a
 * download (https://github.com/containerd/stargz-snapshotter/blob/main/docs/estargz.md):
 *
 *   1. the last 51 bytes: an empty gzip member whose extra field "SG" holds the TOC's offset
 *      as 16 hex digits followed by "STARGZ";
 *   2. from that offset to the footer: a gzip member holding a tar with one entry,
 *      stargz.index.json, the TOC: `{"version":1,"entries":[{"name","type","size","linkName"}]}`.
 *
 * The TOC is untrusted: it is bounded in size, must hash to the manifest's
 * `containerd.io/snapshot/stargz/toc.digest` annotation (the only thing tying it to the
 * digest-verified blob), and its entries must add up to no more than the annotated
 * uncompressed size. A TOC that fails any check is reported, and the layer is downloaded
 * instead. A TOC gives no file contents: with `packages`, the package databases it lists are
 * fetched by Range reads of their bytes alone (src/files/toc-packages.ts).
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { extract as tarExtract } from 'tar-stream';
import { RegsizeError } from '../errors.js';
import type { Descriptor } from '../oci/manifest.js';
import type { RegistryClient, RepoRef } from '../transport/client.js';
import { addEntry, type LayerListing, normalizeTarPath, warnings } from './tar-walk.js';
import { type EntryType } from './entry-list.js';
import { type RawTocEntry, readTocPackages, tocDatabases } from './toc-packages.js';

export interface TocOptions {
  /** Also read the package databases the TOC lists (Range reads of their bytes). */
  packages: boolean;
}

export interface TocListing {
  listing: LayerListing;
  /** Compressed bytes read: the footer, the TOC and any package databases. */
  bytesRead: number;
}

export const ESTARGZ_TOC_DIGEST = 'containerd.io/snapshot/stargz/toc.digest';
const UNCOMPRESSED_SIZE = 'io.containers.estargz.uncompressed-size';
export const ESTARGZ_FOOTER_SIZE = 51;
/** The most of a TOC read (compressed) or inflated; a bigger one is downloaded with the layer. */
export const MAX_TOC_BYTES = 32 * 1024 * 1024;

export function hasEstargzToc(d: Descriptor): boolean {
  return typeof d.annotations?.[ESTARGZ_TOC_DIGEST] === 'string' && d.size > ESTARGZ_FOOTER_SIZE;
}

/** The TOC offset from the 51-byte footer, or why it is not one. */
export function parseFooter(b: Uint8Array): number | string {
  const buf = Buffer.from(b);
  if (buf.length !== ESTARGZ_FOOTER_SIZE) return `the footer is ${buf.length} bytes, not 51`;
  if (buf[0] !== 0x1f || buf[1] !== 0x8b || buf[2] !== 8 || !((buf[3] as number) & 4)) return 'the footer is not a gzip member with an extra field';
  if (buf.readUInt16LE(10) !== 26 || buf.toString('latin1', 12, 14) !== 'SG' || buf.readUInt16LE(14) !== 22) return 'the footer has no "SG" extra field';
  const text = buf.toString('latin1', 16, 38);
  const m = /^([0-9a-f]{16})STARGZ$/.exec(text);
  if (!m) return 'the footer does not end in STARGZ';
  const offset = parseInt(m[1] as string, 16);
  return Number.isSafeInteger(offset) ? offset : 'the TOC offset is out of range';
}

const TOC_TYPES: Record<string, Exclude<EntryType, 'whiteout' | 'opaque'>> = { reg: 'file', dir: 'dir', symlink: 'symlink', hardlink: 'link', char: 'other', block: 'other', fifo: 'other' };

async function tocJsonFromTar(tar: Buffer): Promise<Buffer> {
  const ex = tarExtract();
  let found: Buffer | undefined;
  const done = (async () => {
    for await (const entry of ex) {
      if (entry.header.name === 'stargz.index.json' && entry.header.size <= MAX_TOC_BYTES) {
        const chunks: Buffer[] = [];
        for await (const c of entry) chunks.push(c as Buffer);
        found = Buffer.concat(chunks);
      } else entry.resume();
    }
  })();
  ex.end(tar);
  await done;
  if (!found) throw new Error('no stargz.index.json in the TOC member');
  return found;
}

/** The listing from the TOC, with the bytes read; throws (a RegsizeError) when the TOC is not to be trusted. */
export async function listFromEstargzToc(client: RegistryClient, repo: RepoRef, d: Descriptor, options: TocOptions = { packages: false }): Promise<TocListing> {
  const fail = (why: string) => new RegsizeError('REGISTRY_ERROR', `layer ${d.digest}: eStargz table of contents not used: ${why}`);
  const footer = await client.blobRange(repo, d, { start: d.size - ESTARGZ_FOOTER_SIZE, end: d.size - 1 });
  if (footer.rangeIgnored) throw fail('the registry ignores Range requests');
  const offset = parseFooter(footer.bytes);
  if (typeof offset === 'string') throw fail(offset);
  const tocEnd = d.size - ESTARGZ_FOOTER_SIZE;
  if (offset >= tocEnd) throw fail(`the footer puts the TOC at ${offset}, past the end of the blob`);
  if (tocEnd - offset > MAX_TOC_BYTES) throw fail(`the TOC is ${tocEnd - offset} bytes, more than ${MAX_TOC_BYTES}`);
  const member = await client.blobRange(repo, d, { start: offset, end: tocEnd - 1 });
  if (member.rangeIgnored) throw fail('the registry ignores Range requests');
  const bytesRead = footer.bytes.length + member.bytes.length;
  let json: Buffer;
  try {
    json = await tocJsonFromTar(gunzipSync(member.bytes, { maxOutputLength: MAX_TOC_BYTES + 4096 }));
  } catch (e) {
    throw fail(`the TOC does not decompress to a tar holding stargz.index.json (${(e as Error).message})`);
  }
  const digest = `sha256:${createHash('sha256').update(json).digest('hex')}`;
  if (digest !== d.annotations?.[ESTARGZ_TOC_DIGEST]) throw fail(`it hashes to ${digest}, not to its ${ESTARGZ_TOC_DIGEST} annotation: it lies about the layer`);
  const entries = tocEntries(json, fail);
  const listing = listingFromToc(entries, d, fail);
  // The files' bytes end where the TOC's member starts.
  return withTocPackages(client, repo, d, { listing, bytesRead }, entries, offset, 'gzip', options);
}

/** Adds the packages of the databases a TOC lists, when asked (src/files/toc-packages.ts). */
export async function withTocPackages(
  client: RegistryClient,
  repo: RepoRef,
  d: Descriptor,
  toc: TocListing,
  entries: RawTocEntry[],
  endOfData: number,
  compression: 'gzip' | 'zstd',
  options: TocOptions,
): Promise<TocListing> {
  if (!options.packages) return toc;
  const dbs = tocDatabases(entries, endOfData, normalizeTarPath);
  const read = await readTocPackages(client, repo, d, dbs, compression);
  toc.listing.packages.push(...read.packages);
  toc.listing.warnings.push(...read.warnings);
  return { listing: toc.listing, bytesRead: toc.bytesRead + read.bytesRead };
}

/** The entries of a TOC's JSON (the format eStargz and zstd:chunked share), or the failure. */
export function tocEntries(json: Buffer, fail: (why: string) => RegsizeError): RawTocEntry[] {
  let doc: { entries?: unknown };
  try {
    doc = JSON.parse(json.toString('utf8'));
  } catch {
    throw fail('the TOC is not JSON');
  }
  if (!Array.isArray(doc?.entries)) throw fail('the TOC has no entries');
  return doc.entries as RawTocEntry[];
}

/**
 * A listing from a TOC's entries, the format eStargz and zstd:chunked share
 * (`{"version":1,"entries":[{"name","type":"reg|dir|symlink|hardlink|chunk|...","size","linkName"}]}`),
 * checked entry by entry; `fail` makes the error for a TOC not to be trusted.
 */
export function listingFromToc(entries: RawTocEntry[], d: Descriptor, fail: (why: string) => RegsizeError): LayerListing {
  const listing: LayerListing = { entries: [], packages: [], warnings: [], tarBytes: 0 };
  const { warn, finish } = warnings(listing);
  let total = 0;
  for (const raw of entries) {
    const e = raw as RawTocEntry & { linkName?: unknown };
    if (e?.type === 'chunk') continue; // a later chunk of a file already listed
    const type = typeof e?.type === 'string' ? TOC_TYPES[e.type] : undefined;
    if (typeof e?.name !== 'string' || !type) throw fail(`an entry has no valid name or type (${JSON.stringify(raw).slice(0, 100)})`);
    const size = e.size === undefined ? 0 : (e.size as number);
    if (!Number.isSafeInteger(size) || size < 0) throw fail(`${JSON.stringify(e.name)} has an impossible size`);
    total += type === 'file' ? size : 0;
    addEntry(listing, warn, e.name, type, size, typeof e.linkName === 'string' ? e.linkName : undefined);
  }
  const claimed = Number(d.annotations?.[UNCOMPRESSED_SIZE] ?? NaN);
  if (Number.isSafeInteger(claimed) && total > claimed) throw fail(`its files add up to ${total} bytes, more than the layer's ${claimed}: it lies about the layer`);
  listing.tarBytes = Number.isSafeInteger(claimed) ? claimed : 0;
  finish();
  return listing;
}
