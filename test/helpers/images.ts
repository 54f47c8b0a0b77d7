/**
 * Builders for realistic image fixtures: real tar layers, real compression, configs and
 * manifests shaped like what BuildKit pushes to Docker Hub. The builders are pure (bytes in,
 * bytes out); only pushImage/pushIndex touch the network.
 *
 * Media types come from src/oci/media-types.ts, whose mirror test holds them to the spec
 * strings; the two regsize does not name (uncompressed Docker layers, in-toto) are here.
 */
import { spawnSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { MediaType } from '../../src/oci/media-types.js';
import { pushBlob, pushManifest, sha256, type RegistryTarget } from './push.js';

export type Format = 'oci' | 'docker';
export type Compression = 'gzip' | 'zstd' | 'none';

export const MT = {
  OCI_INDEX: MediaType.OCI_INDEX,
  OCI_MANIFEST: MediaType.OCI_MANIFEST,
  OCI_CONFIG: MediaType.OCI_CONFIG,
  OCI_LAYER: MediaType.OCI_LAYER,
  OCI_LAYER_GZIP: MediaType.OCI_LAYER_GZIP,
  OCI_LAYER_ZSTD: MediaType.OCI_LAYER_ZSTD,
  DOCKER_LIST: MediaType.DOCKER_MANIFEST_LIST,
  DOCKER_MANIFEST: MediaType.DOCKER_MANIFEST,
  DOCKER_CONFIG: MediaType.DOCKER_CONFIG,
  DOCKER_LAYER: 'application/vnd.docker.image.rootfs.diff.tar',
  DOCKER_LAYER_GZIP: MediaType.DOCKER_LAYER_GZIP,
  IN_TOTO: 'application/vnd.in-toto+json',
} as const;

/** A name ending in "/" is a directory (content ignored); anything else a regular file. */
export interface TarFile {
  name: string;
  content?: Buffer | string;
  mode?: number;
}

/** Anything pushed as a blob and referenced by a descriptor. */
export interface Blob {
  blob: Buffer;
  digest: string;
  size: number;
  mediaType: string;
  annotations?: Record<string, string>;
}

export interface Layer extends Blob {
  tar: Buffer;
  /** sha256 of the uncompressed tar, as listed in config.rootfs.diff_ids. */
  diffId: string;
  uncompressedSize: number;
  compression: Compression;
  createdBy?: string;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** A manifest plus every blob it references: what pushImage needs. */
export interface ManifestBundle {
  config: Buffer;
  configDigest: string;
  configMediaType: string;
  manifest: Buffer;
  manifestDigest: string;
  mediaType: string;
  layers: Blob[];
}

export interface Image extends ManifestBundle {
  layers: Layer[];
  platform: Platform;
}

export interface AttestationManifest extends ManifestBundle {
  /** Digest of the image manifest this attests (vnd.docker.reference.digest). */
  refersTo: string;
}

export interface Index {
  manifest: Buffer;
  digest: string;
  mediaType: string;
  images: Image[];
  attestationManifests: AttestationManifest[];
}

// Fixed timestamps keep every digest deterministic across runs.
const MTIME = 1_704_067_200; // 2024-01-01T00:00:00Z
const CREATED_MS = MTIME * 1000;
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const TAR_EOF = Buffer.alloc(1024);

// ---------------------------------------------------------------- tar

export function makeTar(files: TarFile[]): Buffer {
  return Buffer.concat([...files.map((f) => tarEntry(f).bytes), TAR_EOF]);
}

/** One ustar entry: header, then content padded to 512 bytes. */
function tarEntry(f: TarFile): { header: Buffer; payload: Buffer; bytes: Buffer; isDir: boolean; content: Buffer } {
  const isDir = f.name.endsWith('/');
  const content = isDir ? Buffer.alloc(0) : Buffer.from(f.content ?? '');
  const h = Buffer.alloc(512);
  const [prefix, name] = splitTarName(f.name);
  h.write(name, 0, 100, 'utf8');
  writeOctal(h, 100, 8, f.mode ?? (isDir ? 0o755 : 0o644));
  writeOctal(h, 108, 8, 0); // uid
  writeOctal(h, 116, 8, 0); // gid
  writeOctal(h, 124, 12, content.length);
  writeOctal(h, 136, 12, MTIME);
  h.write(isDir ? '5' : '0', 156, 'latin1');
  h.write('ustar\u000000', 257, 'latin1'); // POSIX magic "ustar\0" + version "00"
  h.write('root', 265, 'latin1');
  h.write('root', 297, 'latin1');
  h.write(prefix, 345, 155, 'utf8');
  // The checksum is computed with its own field read as eight spaces.
  h.fill(' ', 148, 156);
  const sum = h.reduce((a, b) => a + b, 0);
  h.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 'latin1');
  const payload = Buffer.concat([content, Buffer.alloc((512 - (content.length % 512)) % 512)]);
  return { header: h, payload, bytes: Buffer.concat([h, payload]), isDir, content };
}

function writeOctal(h: Buffer, offset: number, length: number, n: number): void {
  const s = n.toString(8);
  if (s.length > length - 1) throw new Error(`tar: ${n} does not fit a ${length}-byte field`);
  h.write(`${s.padStart(length - 1, '0')}\u0000`, offset, 'latin1');
}

/** ustar keeps long names as prefix (155 bytes) + "/" + name (100 bytes). */
function splitTarName(full: string): [string, string] {
  if (Buffer.byteLength(full) <= 100) return ['', full];
  for (let i = full.indexOf('/'); i !== -1; i = full.indexOf('/', i + 1)) {
    const prefix = full.slice(0, i);
    const rest = full.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100 && rest !== '') return [prefix, rest];
  }
  throw new Error(`tar: name too long for ustar: ${full}`);
}

// ---------------------------------------------------------------- layers

export interface LayerSpec {
  files: TarFile[];
  compression: Compression;
  format?: Format;
  createdBy?: string;
  /** eStargz (gzip only): one gzip member per payload, a TOC entry, and the 51-byte footer. */
  estargz?: boolean;
}

export function makeLayer(spec: LayerSpec): Layer {
  const format = spec.format ?? 'oci';
  let tar: Buffer;
  let blob: Buffer;
  let annotations: Record<string, string> | undefined;
  if (spec.estargz) {
    if (spec.compression !== 'gzip') throw new Error('estargz layers are gzip-compressed');
    ({ tar, blob, annotations } = makeEstargz(spec.files));
  } else {
    tar = makeTar(spec.files);
    blob = compress(tar, spec.compression);
  }
  return {
    tar,
    blob,
    digest: sha256(blob),
    size: blob.length,
    diffId: sha256(tar),
    uncompressedSize: tar.length,
    compression: spec.compression,
    mediaType: layerMediaType(spec.compression, format),
    ...(annotations ? { annotations } : {}),
    ...(spec.createdBy !== undefined ? { createdBy: spec.createdBy } : {}),
  };
}

/** A layer holding one file of `size` seeded pseudo-random bytes: incompressible, so the blob
 * is about as big as `size` (realistic sizes without building megabytes of real files). */
export function makeRandomLayer(spec: {
  size: number;
  seed?: string | number;
  compression?: Compression;
  format?: Format;
  createdBy?: string;
  path?: string;
}): Layer {
  const seed = spec.seed ?? 0;
  return makeLayer({
    files: [{ name: spec.path ?? `opt/random-${seed}.bin`, content: seededBytes(spec.size, seed) }],
    compression: spec.compression ?? 'gzip',
    ...(spec.format ? { format: spec.format } : {}),
    ...(spec.createdBy !== undefined ? { createdBy: spec.createdBy } : {}),
  });
}

/** Deterministic random-looking bytes: AES-CTR keystream keyed by the seed (fast, unlike a JS PRNG). */
export function seededBytes(size: number, seed: string | number): Buffer {
  const key = createHash('sha256').update(String(seed)).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

function compress(tar: Buffer, compression: Compression): Buffer {
  if (compression === 'none') return tar;
  if (compression === 'gzip') return gzipSync(tar);
  const r = spawnSync('zstd', ['-q', '-c'], { input: tar, maxBuffer: 1 << 30 });
  if (r.error) throw new Error(`zstd: ${r.error.message} (is the zstd CLI installed?)`);
  if (r.status !== 0) throw new Error(`zstd exited ${r.status}: ${r.stderr.toString()}`);
  return r.stdout;
}

function layerMediaType(compression: Compression, format: Format): string {
  if (format === 'docker' && compression === 'gzip') return MT.DOCKER_LAYER_GZIP;
  if (format === 'docker' && compression === 'none') return MT.DOCKER_LAYER;
  // Docker's schema 2 has no zstd layer type: BuildKit uses the OCI one even there.
  return { gzip: MT.OCI_LAYER_GZIP, zstd: MT.OCI_LAYER_ZSTD, none: MT.OCI_LAYER }[compression];
}

/**
 * eStargz as stargz-snapshotter writes it: each file's payload starts a new gzip member (so
 * it can be fetched with a range request), the TOC (stargz.index.json) is the last tar entry
 * in its own member, and a 51-byte empty gzip member whose extra field holds the TOC offset
 * ends the blob. The result is still a valid tar.gz.
 */
function makeEstargz(files: TarFile[]): { tar: Buffer; blob: Buffer; annotations: Record<string, string> } {
  const members: Buffer[] = [];
  const tarParts: Buffer[] = [];
  let blobLength = 0;
  let pending: Buffer[] = [];
  const flush = (): void => {
    const member = gzipSync(Buffer.concat(pending));
    members.push(member);
    blobLength += member.length;
    pending = [];
  };
  const entries = files.map((f) => {
    const e = tarEntry(f);
    tarParts.push(e.bytes);
    pending.push(e.header); // a header rides in the previous member...
    const toc: Record<string, unknown> = {
      name: f.name.replace(/\/$/, ''),
      type: e.isDir ? 'dir' : 'reg',
      modtime: new Date(MTIME * 1000).toISOString().replace('.000', ''),
      mode: f.mode ?? (e.isDir ? 0o755 : 0o644),
      uid: 0,
      gid: 0,
      userName: 'root',
      groupName: 'root',
    };
    if (!e.isDir) toc.size = e.content.length;
    if (e.content.length > 0) {
      flush(); // ...and a payload starts its own
      toc.offset = blobLength;
      toc.digest = toc.chunkDigest = sha256(e.content);
      pending.push(e.payload);
    }
    return toc;
  });
  const tocJson = Buffer.from(JSON.stringify({ version: 1, entries }));
  if (pending.length) flush();
  const tocOffset = blobLength;
  const tocTar = Buffer.concat([tarEntry({ name: 'stargz.index.json', content: tocJson }).bytes, TAR_EOF]);
  tarParts.push(tocTar);
  pending.push(tocTar);
  flush();
  members.push(estargzFooter(tocOffset));
  const tar = Buffer.concat(tarParts);
  return {
    tar,
    blob: Buffer.concat(members),
    annotations: {
      'containerd.io/snapshot/stargz/toc.digest': sha256(tocJson),
      'io.containers.estargz.uncompressed-size': String(tar.length),
    },
  };
}

/** Empty gzip member with FEXTRA subfield "SG" = "%016x" (TOC offset) + "STARGZ". */
function estargzFooter(tocOffset: number): Buffer {
  const extra = Buffer.from(`${tocOffset.toString(16).padStart(16, '0')}STARGZ`, 'latin1');
  return Buffer.concat([
    Buffer.from([0x1f, 0x8b, 0x08, 0x04, 0, 0, 0, 0, 0, 0xff]), // magic, deflate, FEXTRA, mtime 0, OS unknown
    Buffer.from([26, 0, 0x53, 0x47, 22, 0]), // XLEN=26, SI1 'S' SI2 'G', LEN=22
    extra,
    Buffer.from([0x01, 0x00, 0x00, 0xff, 0xff]), // final stored block, empty
    Buffer.alloc(8), // CRC32 and ISIZE of nothing
  ]);
}

// ---------------------------------------------------------------- images and indexes

export interface HistoryEntry {
  created_by: string;
  empty_layer?: boolean;
  comment?: string;
}

export interface ImageSpec {
  layers: Layer[];
  platform?: Platform;
  /** Manifest and config media types only: layers keep the types they were made with. */
  format?: Format;
  /** Default: one entry per layer (its createdBy), then empty_layer ENV and CMD entries. */
  history?: HistoryEntry[];
  annotations?: Record<string, string>;
  /** Shallow-merged over the generated config: a top-level key replaces the generated one. */
  configOverride?: Record<string, unknown>;
}

export function makeImage(spec: ImageSpec): Image {
  const format = spec.format ?? 'oci';
  const platform = spec.platform ?? { os: 'linux', architecture: 'amd64' };
  const history = (
    spec.history ?? [
      ...spec.layers.map((l, i) => ({ created_by: l.createdBy ?? `COPY rootfs-${i}/ / # buildkit` })),
      { created_by: `ENV ${PATH_ENV}`, empty_layer: true },
      { created_by: 'CMD ["/bin/sh"]', empty_layer: true },
    ]
  ).map((h, i) => ({ created: timestamp(i), ...h }));
  const config = Buffer.from(
    JSON.stringify({
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant ? { variant: platform.variant } : {}),
      created: timestamp(Math.max(history.length - 1, 0)),
      config: { Env: [PATH_ENV], Cmd: ['/bin/sh'], WorkingDir: '/' },
      rootfs: { type: 'layers', diff_ids: spec.layers.map((l) => l.diffId) },
      history,
      ...spec.configOverride,
    }),
  );
  const configMediaType = format === 'oci' ? MT.OCI_CONFIG : MT.DOCKER_CONFIG;
  const mediaType = format === 'oci' ? MT.OCI_MANIFEST : MT.DOCKER_MANIFEST;
  const manifest = manifestBytes({
    schemaVersion: 2,
    mediaType,
    config: { mediaType: configMediaType, digest: sha256(config), size: config.length },
    layers: spec.layers.map(descriptor),
    ...(spec.annotations ? { annotations: spec.annotations } : {}),
  });
  return {
    config,
    configDigest: sha256(config),
    configMediaType,
    manifest,
    manifestDigest: sha256(manifest),
    mediaType,
    layers: spec.layers,
    platform,
  };
}

export function makeIndex(
  entries: { image: Image; platform?: Platform }[],
  opts: { format?: Format; attestations?: boolean; annotations?: Record<string, string> } = {},
): Index {
  const mediaType = (opts.format ?? 'oci') === 'oci' ? MT.OCI_INDEX : MT.DOCKER_LIST;
  const attestationManifests = opts.attestations ? entries.map((e) => makeAttestation(e.image, e.platform ?? e.image.platform)) : [];
  const manifest = manifestBytes({
    schemaVersion: 2,
    mediaType,
    manifests: [
      ...entries.map((e) => ({
        mediaType: e.image.mediaType,
        digest: e.image.manifestDigest,
        size: e.image.manifest.length,
        platform: e.platform ?? e.image.platform,
      })),
      // Docker Hub lists one of these per platform after the images; clients that pick a
      // platform must skip them, and size totals must not count them as images.
      ...attestationManifests.map((a) => ({
        mediaType: a.mediaType,
        digest: a.manifestDigest,
        size: a.manifest.length,
        annotations: { 'vnd.docker.reference.digest': a.refersTo, 'vnd.docker.reference.type': 'attestation-manifest' },
        platform: { architecture: 'unknown', os: 'unknown' },
      })),
    ],
    ...(opts.annotations ? { annotations: opts.annotations } : {}),
  });
  return { manifest, digest: sha256(manifest), mediaType, images: entries.map((e) => e.image), attestationManifests };
}

/** BuildKit's provenance attestation: an OCI manifest with one in-toto statement layer. */
function makeAttestation(image: Image, platform: Platform): AttestationManifest {
  const platformId = [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
  const statement = Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v0.1',
      predicateType: 'https://slsa.dev/provenance/v0.2',
      subject: [
        {
          name: `pkg:docker/regsize-fixture@latest?platform=${encodeURIComponent(platformId)}`,
          digest: { sha256: image.manifestDigest.replace(/^sha256:/, '') },
        },
      ],
      predicate: {
        builder: { id: '' },
        buildType: 'https://mobyproject.org/buildkit@v1',
        metadata: { buildStartedOn: timestamp(0), buildFinishedOn: timestamp(1), completeness: {}, reproducible: false },
      },
    }),
  );
  const layer: Blob = {
    blob: statement,
    digest: sha256(statement),
    size: statement.length,
    mediaType: MT.IN_TOTO,
    annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' },
  };
  const config = Buffer.from(
    JSON.stringify({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [layer.digest] } }),
  );
  const manifest = manifestBytes({
    schemaVersion: 2,
    mediaType: MT.OCI_MANIFEST,
    config: { mediaType: MT.OCI_CONFIG, digest: sha256(config), size: config.length },
    layers: [descriptor(layer)],
  });
  return {
    config,
    configDigest: sha256(config),
    configMediaType: MT.OCI_CONFIG,
    manifest,
    manifestDigest: sha256(manifest),
    mediaType: MT.OCI_MANIFEST,
    layers: [layer],
    refersTo: image.manifestDigest,
  };
}

function descriptor(b: Blob): Record<string, unknown> {
  return { mediaType: b.mediaType, digest: b.digest, size: b.size, ...(b.annotations ? { annotations: b.annotations } : {}) };
}

/** Indented like `docker push` output, so code that re-serialises JSON instead of hashing the
 * bytes it received gets a different digest and fails loudly. */
function manifestBytes(obj: object): Buffer {
  return Buffer.from(JSON.stringify(obj, null, 3));
}

function timestamp(i: number): string {
  return new Date(CREATED_MS + i * 60_000).toISOString();
}

// ---------------------------------------------------------------- push

/** Pushes config and layer blobs, then the manifest under `tag` (a tag, or its own digest). */
export async function pushImage(reg: RegistryTarget, repo: string, tag: string, image: ManifestBundle): Promise<string> {
  await Promise.all([image.config, ...image.layers.map((l) => l.blob)].map((b) => pushBlob(reg, repo, b)));
  return pushManifest(reg, repo, tag, image.manifest, image.mediaType);
}

/** Pushes every child (images and attestations) by digest, then the index under `tag`:
 * the registry refuses an index whose children it does not have. */
export async function pushIndex(reg: RegistryTarget, repo: string, tag: string, index: Index, images: ManifestBundle[] = index.images): Promise<string> {
  for (const child of [...images, ...index.attestationManifests]) {
    await pushImage(reg, repo, child.manifestDigest, child);
  }
  return pushManifest(reg, repo, tag, index.manifest, index.mediaType);
}
