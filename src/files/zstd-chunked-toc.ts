/**
 * zstd:chunked layers listed from their table of contents by one Range read instead of a
 * download (containers/storage pkg/chunked): the manifest annotation
 * `io.github.containers.zstd-chunked.manifest-position` (or the older
 * `io.containers.zstd-chunked.manifest-position`, which Debian's buildah 1.28 writes) is
 * `offset:length:uncompressedLength:type`; those `length` bytes are a zstd frame holding the
 * TOC JSON, in the format eStargz uses. The compressed bytes must hash to the
 * `...zstd-chunked.manifest-checksum` annotation, and the JSON is bounded and checked entry by
 * entry (src/files/estargz-toc.ts); a TOC that fails is reported and the layer downloaded.
 * With `packages`, the package databases it lists are fetched by Range reads (src/files/toc-packages.ts).
 */
import { createHash } from 'node:crypto';
import { RegsizeError } from '../errors.js';
import type { Descriptor } from '../oci/manifest.js';
import { decompressSink, loadZstd } from '../sizing/decompress.js';
import type { RegistryClient, RepoRef } from '../transport/client.js';
import { listingFromToc, MAX_TOC_BYTES, type TocListing, type TocOptions, tocEntries, withTocPackages } from './estargz-toc.js';

const PREFIXES = ['io.github.containers.zstd-chunked.', 'io.containers.zstd-chunked.'];

/** The position and checksum annotations, under whichever prefix the layer uses. */
export function zstdChunkedAnnotations(d: Descriptor): { position: string; checksum: string } | undefined {
  for (const p of PREFIXES) {
    const position = d.annotations?.[`${p}manifest-position`];
    const checksum = d.annotations?.[`${p}manifest-checksum`];
    if (position && checksum) return { position, checksum };
  }
  return undefined;
}

export function parsePosition(text: string, blobSize: number): { offset: number; length: number; uncompressed: number } | string {
  const m = /^(\d{1,15}):(\d{1,15}):(\d{1,15}):(\d{1,3})$/.exec(text);
  if (!m) return `the manifest-position annotation "${text.slice(0, 60)}" is not offset:length:uncompressedLength:type`;
  const [offset, length, uncompressed] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (length === 0 || offset + length > blobSize) return `the TOC at ${offset}+${length} lies outside the ${blobSize}-byte blob`;
  if (length > MAX_TOC_BYTES || uncompressed > MAX_TOC_BYTES) return `the TOC is larger than ${MAX_TOC_BYTES} bytes`;
  return { offset, length, uncompressed };
}

export async function listFromZstdChunkedToc(client: RegistryClient, repo: RepoRef, d: Descriptor, options: TocOptions = { packages: false }): Promise<TocListing> {
  const fail = (why: string) => new RegsizeError('REGISTRY_ERROR', `layer ${d.digest}: zstd:chunked table of contents not used: ${why}`);
  const ann = zstdChunkedAnnotations(d);
  if (!ann) throw fail('no manifest-position and manifest-checksum annotations');
  const pos = parsePosition(ann.position, d.size);
  if (typeof pos === 'string') throw fail(pos);
  const r = await client.blobRange(repo, d, { start: pos.offset, end: pos.offset + pos.length - 1 });
  if (r.rangeIgnored) throw fail('the registry ignores Range requests');
  const digest = `sha256:${createHash('sha256').update(r.bytes).digest('hex')}`;
  if (digest !== ann.checksum) throw fail(`it hashes to ${digest}, not to its manifest-checksum annotation: it lies about the layer`);
  await loadZstd();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const sink = decompressSink('zstd', d.digest, (c) => {
    size += c.length;
    if (size <= MAX_TOC_BYTES) chunks.push(c);
  });
  try {
    await sink.write(r.bytes);
    await sink.end();
  } catch (e) {
    throw fail(`the TOC is not a zstd frame (${(e as Error).message})`);
  }
  if (size > MAX_TOC_BYTES) throw fail(`the TOC inflates past ${MAX_TOC_BYTES} bytes`);
  const entries = tocEntries(Buffer.concat(chunks), fail);
  const listing = listingFromToc(entries, d, fail);
  // zstd:chunked entries say where their frames end (endOffset); the files' bytes end at the TOC.
  return withTocPackages(client, repo, d, { listing, bytesRead: r.bytes.length }, entries, pos.offset, 'zstd', options);
}
