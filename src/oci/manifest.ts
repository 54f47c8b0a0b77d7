/**
 * Manifests as a tagged union decided by media type: `index` (OCI image index, Docker manifest
 * list) or `image` (OCI image manifest, Docker v2 schema 2). The decoder validates everything a
 * size calculation relies on, so a hostile or broken registry yields a typed error, never a
 * crash or a wrong sum. The raw bytes are kept: digests come from what the registry sent.
 */
import { RegsizeError } from '../errors.js';
import { DIGEST_RE } from './digest.js';
import { isImageManifestMediaType, isIndexMediaType, isSchema1MediaType, MediaType } from './media-types.js';
import type { Platform } from './platform.js';

export interface Descriptor {
  mediaType: string;
  digest: string;
  /** Bytes of the blob or manifest the descriptor points at. */
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
  artifactType?: string;
}

export interface ImageManifest {
  kind: 'image';
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
  subject?: Descriptor;
}

export interface IndexManifest {
  kind: 'index';
  mediaType: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export type Manifest = ImageManifest | IndexManifest;

/** A manifest with the exact bytes it was decoded from and the digest of those bytes. */
export interface FetchedManifest {
  digest: string;
  bytes: Uint8Array;
  manifest: Manifest;
}

function bad(what: string, why: string): RegsizeError {
  return new RegsizeError('MANIFEST_INVALID', `${what}: ${why}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringMap(v: unknown, what: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw bad(what, 'annotations must be an object of strings');
  for (const val of Object.values(v)) if (typeof val !== 'string') throw bad(what, 'annotations must be an object of strings');
  return v as Record<string, string>;
}

function decodePlatform(v: unknown, what: string): Platform | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v) || typeof v.os !== 'string' || typeof v.architecture !== 'string') {
    throw bad(what, 'platform must name "os" and "architecture"');
  }
  const p: Platform = { os: v.os, architecture: v.architecture };
  if (typeof v.variant === 'string' && v.variant !== '') p.variant = v.variant;
  if (typeof v['os.version'] === 'string' && v['os.version'] !== '') p.osVersion = v['os.version'];
  const features = v['os.features'];
  if (features !== undefined && features !== null) {
    if (!Array.isArray(features) || features.some((f) => typeof f !== 'string')) throw bad(what, 'platform "os.features" must be a list of strings');
    if (features.length > 0) p.osFeatures = features as string[];
  }
  return p;
}

export function decodeDescriptor(v: unknown, what: string): Descriptor {
  if (!isObject(v)) throw bad(what, 'descriptor is not an object');
  const { mediaType, digest, size } = v;
  if (typeof mediaType !== 'string' || mediaType === '') throw bad(what, 'descriptor has no mediaType');
  if (typeof digest !== 'string' || !DIGEST_RE.test(digest)) throw bad(what, `descriptor has an invalid digest ${JSON.stringify(digest)}`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw bad(what, `descriptor ${digest} has an invalid size ${JSON.stringify(size)} (must be a non-negative integer)`);
  }
  const d: Descriptor = { mediaType, digest, size };
  if (Array.isArray(v.urls) && v.urls.every((u) => typeof u === 'string')) d.urls = v.urls as string[];
  const annotations = stringMap(v.annotations, what);
  if (annotations) d.annotations = annotations;
  const platform = decodePlatform(v.platform, what);
  if (platform) d.platform = platform;
  if (typeof v.artifactType === 'string') d.artifactType = v.artifactType;
  return d;
}

/** Content types that are plainly not a manifest (an HTML login page from a proxy, say). */
function isForeignContentType(ct: string): boolean {
  return /^(text\/|image\/)/.test(ct);
}

/**
 * Decodes manifest bytes. `contentType` is the registry's Content-Type header (may be empty);
 * `what` names the manifest in error messages (usually the reference or digest).
 */
export function decodeManifest(bytes: Uint8Array, contentType: string, what: string): Manifest {
  const ct = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (isSchema1MediaType(ct)) throw schema1(what);
  if (isForeignContentType(ct)) throw bad(what, `the registry answered with ${ct}, not a manifest`);

  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw bad(what, 'the manifest is not valid JSON');
  }
  if (!isObject(doc)) throw bad(what, 'the manifest is not a JSON object');
  if (doc.schemaVersion === 1) throw schema1(what);
  if (doc.schemaVersion !== 2) throw bad(what, `unexpected schemaVersion ${JSON.stringify(doc.schemaVersion)}`);

  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  const known = (mt: string) => isIndexMediaType(mt) || isImageManifestMediaType(mt);
  if (declared !== undefined && known(ct) && declared !== ct) {
    throw bad(what, `Content-Type ${ct} does not match the manifest's mediaType ${declared}`);
  }
  // OCI allows mediaType to be absent; then trust a manifest Content-Type, else the structure.
  let mediaType = declared ?? (known(ct) ? ct : undefined);
  if (mediaType === undefined) {
    if (Array.isArray(doc.manifests)) mediaType = MediaType.OCI_INDEX;
    else if (Array.isArray(doc.layers)) mediaType = MediaType.OCI_MANIFEST;
    else throw bad(what, 'neither an image manifest nor an index');
  }

  const annotations = stringMap(doc.annotations, what);
  if (isIndexMediaType(mediaType)) {
    if (!Array.isArray(doc.manifests)) throw bad(what, 'the index has no "manifests" list');
    const manifests = doc.manifests.map((m, i) => decodeDescriptor(m, `${what} manifests[${i}]`));
    return { kind: 'index', mediaType, manifests, ...(annotations ? { annotations } : {}) };
  }
  if (isImageManifestMediaType(mediaType)) {
    if (!isObject(doc.config)) throw bad(what, 'the image manifest has no config descriptor');
    if (!Array.isArray(doc.layers)) throw bad(what, 'the image manifest has no "layers" list');
    const config = decodeDescriptor(doc.config, `${what} config`);
    const layers = doc.layers.map((l, i) => decodeDescriptor(l, `${what} layers[${i}]`));
    // Each size is a safe integer, but the sum must be one too, or the total printed is wrong.
    if (!Number.isSafeInteger(layers.reduce((sum, l) => sum + l.size, 0))) throw bad(what, `the layer sizes add up to more than ${Number.MAX_SAFE_INTEGER} bytes`);
    const m: ImageManifest = { kind: 'image', mediaType, config, layers };
    if (annotations) m.annotations = annotations;
    if (doc.subject !== undefined) m.subject = decodeDescriptor(doc.subject, `${what} subject`);
    return m;
  }
  if (isSchema1MediaType(mediaType)) throw schema1(what);
  throw new RegsizeError('UNSUPPORTED_MANIFEST', `${what}: unsupported manifest media type ${mediaType}`);
}

function schema1(what: string): RegsizeError {
  return new RegsizeError(
    'UNSUPPORTED_MANIFEST',
    `${what}: legacy schema 1 manifest is not supported (it carries no layer sizes); re-push the image with a current Docker or skopeo`,
  );
}

/** Compressed size as Docker Hub and regctl count it: the sum of layer sizes, config excluded. */
export function compressedSize(m: ImageManifest): number {
  return m.layers.reduce((sum, l) => sum + l.size, 0);
}
