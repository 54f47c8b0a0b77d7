/**
 * `docker-archive:PATH[:NAME:TAG]`: what `docker save` and `podman save` write. `manifest.json`
 * lists each image's config file and layer tars (`[{"Config", "RepoTags", "Layers"}]`); newer
 * Docker writes an OCI layout (index.json, blobs/) in the same tar, read as one when present.
 *
 * The layers are plain tars, so nothing in the archive says what a push would upload: each
 * layer is compressed as a push would (gzip-estimate.ts), in parallel, and its figure marked as
 * estimated. The image has no manifest until it is pushed, so its digest is the image ID (the
 * config's digest), as `docker images --digests` shows for unpushed images.
 * https://github.com/moby/moby/blob/master/image/spec/v1.2.md
 */
import { availableParallelism } from 'node:os';
import { RegsizeError } from '../errors.js';
import { sha256Digest } from '../oci/digest.js';
import type { LayerReader } from '../oci/layer-reader.js';
import type { ImageManifest } from '../oci/manifest.js';
import { MediaType } from '../oci/media-types.js';
import { formatReference, parseReference } from '../reference/reference.js';
import { MAX_CONFIG_BYTES, MAX_MANIFEST_BYTES } from '../transport/client.js';
import { mapLimit } from '../util/limit.js';
import type { FileStore } from './file-store.js';
import { estimateGzip, type TarEstimate } from './gzip-estimate.js';
import type { LocalImage } from './local-image.js';
import { openLayout, verifiedStream } from './oci-layout.js';

/** Docker's media type for a layer as the archive stores it: an uncompressed tar. */
export const DOCKER_LAYER_TAR = 'application/vnd.docker.image.rootfs.diff.tar';

interface ArchiveEntry {
  config: string;
  repoTags: string[];
  layers: string[];
}

export interface ArchiveOptions {
  /** Layer bytes read so far, and in all (a progress bar). */
  onProgress?: (done: number, total: number) => void;
  /** Layers compressed at once. @default the number of cores */
  concurrency?: number;
}

function notAnArchive(input: string, why: string): RegsizeError {
  return new RegsizeError('INVALID_INPUT', `${input} is not an image archive (${why}); give a file docker save or podman save wrote`);
}

function parseManifestJson(bytes: Buffer, input: string): ArchiveEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw notAnArchive(input, 'manifest.json is not valid JSON');
  }
  if (!Array.isArray(doc)) throw notAnArchive(input, 'manifest.json is not a list');
  return doc.map((e: unknown, i) => {
    const o = e as Record<string, unknown> | null;
    const strings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string');
    if (!o || typeof o.Config !== 'string' || !strings(o.Layers) || !(o.RepoTags === undefined || o.RepoTags === null || strings(o.RepoTags))) {
      throw notAnArchive(input, `manifest.json entry ${i} lacks Config or Layers`);
    }
    return { config: o.Config, repoTags: (o.RepoTags as string[] | null) ?? [], layers: o.Layers as string[] };
  });
}

/** NAME:TAG as docker compares it: `app:v1` is `docker.io/library/app:v1`. */
function sameName(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return formatReference(parseReference(a)) === formatReference(parseReference(b));
  } catch {
    return false;
  }
}

function chooseImage(entries: ArchiveEntry[], nameTag: string | undefined, input: string): ArchiveEntry {
  const listed = entries.map((e, i) => (e.repoTags.length ? e.repoTags.join(' ') : `@${i} (untagged)`)).join(', ');
  if (nameTag === undefined) {
    if (entries.length === 1) return entries[0] as ArchiveEntry;
    if (entries.length === 0) throw notAnArchive(input, 'manifest.json lists no image');
    throw new RegsizeError('INVALID_INPUT', `${input} holds ${entries.length} images; name one as ${input}:NAME:TAG, one of: ${listed}`);
  }
  const found = entries.find((e) => e.repoTags.some((t) => sameName(t, nameTag)));
  if (!found) throw new RegsizeError('INVALID_INPUT', `${input}: the archive has no image tagged ${nameTag}; it holds: ${listed}`);
  return found;
}

export function diffIdsOf(config: Buffer, input: string): string[] {
  try {
    const ids = (JSON.parse(config.toString('utf8')) as { rootfs?: { diff_ids?: unknown } }).rootfs?.diff_ids;
    if (Array.isArray(ids) && ids.every((d) => typeof d === 'string')) return ids as string[];
  } catch {
    // reported below
  }
  throw new RegsizeError('MANIFEST_INVALID', `${input}: the image config lists no usable rootfs.diff_ids`);
}

export async function openDockerArchive(files: FileStore, nameTag: string | undefined, input: string, name: string, options: ArchiveOptions = {}): Promise<LocalImage> {
  if ((await files.size('manifest.json')) === undefined) {
    if ((await files.size('index.json')) !== undefined) return openLayout(files, nameTag, input, name);
    throw notAnArchive(input, 'no manifest.json in the tar');
  }
  const entry = chooseImage(parseManifestJson(await files.read('manifest.json', MAX_MANIFEST_BYTES), input), nameTag, input);
  const configBytes = await files.read(entry.config, MAX_CONFIG_BYTES);
  const diffIds = diffIdsOf(configBytes, input);
  if (diffIds.length !== entry.layers.length) {
    throw new RegsizeError('MANIFEST_INVALID', `${input}: manifest.json lists ${entry.layers.length} layers, the config ${diffIds.length} diff_ids`);
  }
  const sizes = await Promise.all(entry.layers.map(async (p) => (await files.size(p)) ?? Promise.reject(notAnArchive(input, `manifest.json names ${p}, which the tar lacks`))));
  const total = sizes.reduce((s, n) => s + n, 0);
  let done = 0;
  options.onProgress?.(0, total);
  const estimates = await mapLimit(entry.layers, options.concurrency ?? availableParallelism(), async (p, i) => {
    const e = await estimateGzip(files.stream(p), (n) => options.onProgress?.((done += n), total));
    if (e.digest !== diffIds[i]) throw new RegsizeError('DIGEST_MISMATCH', `${input}: layer ${p} hashes to ${e.digest}, the config says ${diffIds[i]}; the archive is corrupt`);
    return e;
  });
  const paths = new Map(estimates.map((e, i) => [e.digest, entry.layers[i] as string]));
  return tarLayersImage(input, name, configBytes, estimates, {
    openLayer(blob) {
      const p = paths.get(blob.digest);
      if (!p) throw new RegsizeError('BLOB_UNKNOWN', `${input}: no layer ${blob.digest} in the archive`);
      return verifiedStream(files, p, blob, input);
    },
  });
}

/**
 * An image whose layers are plain tars (docker save, the Docker Engine), as sizing sees it: a
 * manifest made up from the config and the layers' estimates, named by the image ID.
 */
export function tarLayersImage(input: string, name: string, configBytes: Buffer, estimates: TarEstimate[], reader: LayerReader): LocalImage {
  const configDigest = sha256Digest(configBytes);
  const manifest: ImageManifest = {
    kind: 'image',
    mediaType: MediaType.DOCKER_MANIFEST,
    config: { mediaType: MediaType.DOCKER_CONFIG, digest: configDigest, size: configBytes.length },
    layers: estimates.map((e) => ({ mediaType: DOCKER_LAYER_TAR, digest: e.digest, size: e.tar })),
  };
  const top = { digest: configDigest, bytes: Buffer.from(JSON.stringify(manifest)), manifest };
  return {
    input,
    name,
    top,
    store: {
      async manifestGet(ref) {
        if (ref !== configDigest) throw new RegsizeError('MANIFEST_UNKNOWN', `${input}: no manifest ${ref} in the image`);
        return top;
      },
      async blobGet(digest) {
        if (digest !== configDigest) throw new RegsizeError('BLOB_UNKNOWN', `${input}: no blob ${digest} in the image`);
        return configBytes;
      },
    },
    reader,
    estimated: new Map(estimates.map((e) => [e.digest, { compressed: e.compressed, tar: e.tar }])),
  };
}
