/**
 * `oci:PATH[:REF]` and `oci-archive:PATH[:REF]`: an OCI image layout, as a directory or as a
 * tar of one (read by offset, never unpacked).
 * https://github.com/opencontainers/image-spec/blob/main/image-layout.md
 *
 * index.json lists the images; REF picks one by its `org.opencontainers.image.ref.name`
 * annotation (what skopeo, buildx and podman write for the tag) or by digest. Without REF the
 * layout must hold exactly one image. Blobs are read from `blobs/<alg>/<hex>` and checked
 * against their digest and descriptor size.
 */
import { createHash } from 'node:crypto';
import { RegsizeError } from '../errors.js';
import { computeDigest } from '../oci/digest.js';
import type { LayerBlob, LayerReader } from '../oci/layer-reader.js';
import { decodeManifest, type Descriptor, type FetchedManifest } from '../oci/manifest.js';
import { MAX_CONFIG_BYTES, MAX_MANIFEST_BYTES } from '../transport/client.js';
import type { FileStore } from './file-store.js';
import type { LocalImage, ManifestStore } from './local-image.js';
import { DIGEST_RE, verifiableAlgorithm } from '../oci/digest.js';

export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

export function blobPath(digest: string): string {
  const [alg, hex] = digest.split(':');
  if (!alg || !hex || !DIGEST_RE.test(digest)) throw new RegsizeError('MANIFEST_INVALID', `invalid blob digest ${JSON.stringify(digest)}`);
  return `blobs/${alg}/${hex}`;
}

/** Reads blobs of a layout by digest, verified. */
export function layoutStore(files: FileStore, what: string, mediaTypes: Map<string, string>): ManifestStore {
  const readVerified = async (digest: string, max: number, kind: string) => {
    const p = blobPath(digest);
    if ((await files.size(p)) === undefined) throw new RegsizeError('BLOB_UNKNOWN', `${what}: the ${kind} ${digest} is missing from ${files.where} (no ${p}); the layout is incomplete`);
    const bytes = await files.read(p, max);
    const actual = computeDigest(digest.split(':')[0] ?? '', bytes);
    if (actual !== digest) throw new RegsizeError('DIGEST_MISMATCH', `${what}: ${p} hashes to ${actual}, not ${digest}; the layout is corrupt`);
    return bytes;
  };
  return {
    async manifestGet(digest) {
      const bytes = await readVerified(digest, MAX_MANIFEST_BYTES, 'manifest');
      return { digest, bytes, manifest: decodeManifest(bytes, mediaTypes.get(digest) ?? '', `${what} ${digest}`) };
    },
    blobGet: (digest) => readVerified(digest, MAX_CONFIG_BYTES, 'config'),
  };
}

/** Streams a blob, checking its length and digest by the end. */
export function verifiedStream(files: FileStore, path: string, blob: LayerBlob, what: string): AsyncIterable<Uint8Array> {
  return {
    async *[Symbol.asyncIterator]() {
      const alg = verifiableAlgorithm(blob.digest, what);
      const hash = createHash(alg);
      let n = 0;
      for await (const chunk of files.stream(path)) {
        const c = chunk as Uint8Array;
        n += c.length;
        hash.update(c);
        yield c;
      }
      const actual = `${alg}:${hash.digest('hex')}`;
      if (n !== blob.size || actual !== blob.digest) {
        throw new RegsizeError('DIGEST_MISMATCH', `${what}: layer ${blob.digest} reads as ${n} bytes with digest ${actual} (expected ${blob.size} bytes); the image is corrupt`);
      }
    },
  };
}

function layoutReader(files: FileStore, what: string): LayerReader {
  return { openLayer: (blob) => verifiedStream(files, blobPath(blob.digest), blob, what) };
}

function describeEntry(d: Descriptor): string {
  const name = d.annotations?.[REF_NAME_ANNOTATION];
  return name ? `${name} (${d.digest})` : d.digest;
}

/** Picks the image REF names from index.json (see the file comment). */
export function chooseEntry(entries: Descriptor[], ref: string | undefined, input: string): Descriptor {
  const listed = entries.map(describeEntry).join(', ');
  if (ref === undefined) {
    if (entries.length === 1) return entries[0] as Descriptor;
    if (entries.length === 0) throw new RegsizeError('INVALID_INPUT', `${input}: the layout's index.json lists no image`);
    throw new RegsizeError('INVALID_INPUT', `${input} holds ${entries.length} images; name one as ${input}:REF, REF one of: ${listed}`);
  }
  const byDigest = ref.includes(':') ? entries.filter((d) => d.digest === ref) : [];
  const matches = byDigest.length ? byDigest : entries.filter((d) => d.annotations?.[REF_NAME_ANNOTATION] === ref);
  if (matches.length === 1) return matches[0] as Descriptor;
  if (matches.length > 1 && matches.every((d) => d.digest === (matches[0] as Descriptor).digest)) return matches[0] as Descriptor;
  if (matches.length > 1) throw new RegsizeError('INVALID_INPUT', `${input}: several images are named ${ref}: ${matches.map(describeEntry).join(', ')}; name one by digest`);
  throw new RegsizeError('INVALID_INPUT', `${input}: the layout has no image named ${ref}; it holds: ${listed || 'nothing'}`);
}

/** Opens an OCI layout (directory or tar) and the image REF names in it. */
export async function openLayout(files: FileStore, ref: string | undefined, input: string, name: string): Promise<LocalImage> {
  if ((await files.size('index.json')) === undefined) {
    throw new RegsizeError('INVALID_INPUT', `${input}: ${files.where} is not an OCI image layout (no index.json); give a directory or tar that skopeo, buildx or podman wrote with an OCI layout`);
  }
  const indexBytes = await files.read('index.json', MAX_MANIFEST_BYTES);
  const index = decodeManifest(indexBytes, '', `${input} index.json`);
  if (index.kind !== 'index') throw new RegsizeError('MANIFEST_INVALID', `${input}: index.json is not an image index`);
  const chosen = chooseEntry(index.manifests, ref, input);
  const mediaTypes = new Map(index.manifests.map((d) => [d.digest, d.mediaType]));
  const store = layoutStore(files, input, mediaTypes);
  // Nested indexes name their children's media types too: remember them as they are read.
  const remembering: ManifestStore = {
    async manifestGet(digest) {
      const m: FetchedManifest = await store.manifestGet(digest);
      if (m.manifest.kind === 'index') for (const d of m.manifest.manifests) mediaTypes.set(d.digest, d.mediaType);
      return m;
    },
    blobGet: store.blobGet,
  };
  const top = await remembering.manifestGet(chosen.digest);
  if (top.bytes.length !== chosen.size) throw new RegsizeError('DIGEST_MISMATCH', `${input}: manifest ${chosen.digest} is ${top.bytes.length} bytes, index.json says ${chosen.size}`);
  return { input, name, top, store: remembering, reader: layoutReader(files, input) };
}
