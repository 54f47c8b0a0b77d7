/**
 * Media types of the OCI image spec and Docker's image manifest v2 schema 2, and the
 * predicates that classify them. One Accept list for every manifest request.
 */
export const MediaType = {
  OCI_INDEX: 'application/vnd.oci.image.index.v1+json',
  OCI_MANIFEST: 'application/vnd.oci.image.manifest.v1+json',
  OCI_CONFIG: 'application/vnd.oci.image.config.v1+json',
  OCI_LAYER: 'application/vnd.oci.image.layer.v1.tar',
  OCI_LAYER_GZIP: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OCI_LAYER_ZSTD: 'application/vnd.oci.image.layer.v1.tar+zstd',
  OCI_LAYER_NONDIST: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  OCI_LAYER_NONDIST_GZIP: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  OCI_LAYER_NONDIST_ZSTD: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  DOCKER_MANIFEST_LIST: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DOCKER_MANIFEST: 'application/vnd.docker.distribution.manifest.v2+json',
  DOCKER_CONFIG: 'application/vnd.docker.container.image.v1+json',
  DOCKER_LAYER_GZIP: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  DOCKER_LAYER_FOREIGN_GZIP: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  DOCKER_SCHEMA1: 'application/vnd.docker.distribution.manifest.v1+json',
  DOCKER_SCHEMA1_SIGNED: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/** Every manifest type regsize reads, most specific first (ECR's BatchGetImage takes the list). */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [MediaType.OCI_INDEX, MediaType.DOCKER_MANIFEST_LIST, MediaType.OCI_MANIFEST, MediaType.DOCKER_MANIFEST];

/** The same types as one Accept header, for every manifest request. */
export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

export function isIndexMediaType(mt: string | undefined): boolean {
  return mt === MediaType.OCI_INDEX || mt === MediaType.DOCKER_MANIFEST_LIST;
}

export function isImageManifestMediaType(mt: string | undefined): boolean {
  return mt === MediaType.OCI_MANIFEST || mt === MediaType.DOCKER_MANIFEST;
}

export function isSchema1MediaType(mt: string | undefined): boolean {
  return mt === MediaType.DOCKER_SCHEMA1 || mt === MediaType.DOCKER_SCHEMA1_SIGNED;
}

/** Layers that registries may not serve (Windows base layers): counted, and marked. */
export function isForeignLayer(mt: string): boolean {
  return mt === MediaType.DOCKER_LAYER_FOREIGN_GZIP || mt.startsWith('application/vnd.oci.image.layer.nondistributable.');
}

export type LayerCompression = 'gzip' | 'zstd' | 'none' | 'unknown';

/** How a layer blob is compressed, from its media type alone. */
export function layerCompression(mt: string): LayerCompression {
  if (mt.endsWith('+gzip') || mt.endsWith('.tar.gzip') || mt === MediaType.DOCKER_LAYER_GZIP) return 'gzip';
  if (mt.endsWith('+zstd')) return 'zstd';
  if (mt.endsWith('.tar') || mt.endsWith('.v1.tar')) return 'none';
  return 'unknown';
}

/** Short label for tables: gzip, zstd, tar, foreign, or the media type itself. */
export function layerKindLabel(mt: string): string {
  const c = layerCompression(mt);
  const base = c === 'none' ? 'tar' : c === 'unknown' ? mt : c;
  return isForeignLayer(mt) ? `foreign ${base}` : base;
}
