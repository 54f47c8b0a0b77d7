/**
 * The media types as the specs spell them (OCI image-spec media-types.md, Docker's image
 * manifest v2 schema 2), written out here so that a typo in src/ cannot also be in the
 * fixtures built from it (test/helpers/images.ts imports them).
 */
import assert from 'node:assert/strict';
import { isForeignLayer, isImageManifestMediaType, isIndexMediaType, isSchema1MediaType, layerCompression, layerKindLabel, MANIFEST_ACCEPT, MediaType } from '../../src/oci/media-types.js';

const SPEC = {
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
};

describe('oci/media-types', () => {
  it('spells every media type as its spec does', () => {
    assert.deepEqual({ ...MediaType }, SPEC);
  });

  it('accepts the four manifest types, indexes first', () => {
    assert.deepEqual(MANIFEST_ACCEPT.split(', '), [SPEC.OCI_INDEX, SPEC.DOCKER_MANIFEST_LIST, SPEC.OCI_MANIFEST, SPEC.DOCKER_MANIFEST]);
  });

  it('classifies manifests: index, image, schema 1, and nothing else', () => {
    const all = Object.values(SPEC);
    assert.deepEqual(all.filter((mt) => isIndexMediaType(mt)), [SPEC.OCI_INDEX, SPEC.DOCKER_MANIFEST_LIST]);
    assert.deepEqual(all.filter((mt) => isImageManifestMediaType(mt)), [SPEC.OCI_MANIFEST, SPEC.DOCKER_MANIFEST]);
    assert.deepEqual(all.filter((mt) => isSchema1MediaType(mt)), [SPEC.DOCKER_SCHEMA1, SPEC.DOCKER_SCHEMA1_SIGNED]);
    assert.equal(isIndexMediaType(undefined), false);
    assert.equal(isImageManifestMediaType(undefined), false);
  });

  it('reads a layer compression and label from the media type', () => {
    const cases: [string, string, string][] = [
      [SPEC.OCI_LAYER, 'none', 'tar'],
      [SPEC.OCI_LAYER_GZIP, 'gzip', 'gzip'],
      [SPEC.OCI_LAYER_ZSTD, 'zstd', 'zstd'],
      [SPEC.DOCKER_LAYER_GZIP, 'gzip', 'gzip'],
      ['application/vnd.docker.image.rootfs.diff.tar', 'none', 'tar'],
      [SPEC.DOCKER_LAYER_FOREIGN_GZIP, 'gzip', 'foreign gzip'],
      [SPEC.OCI_LAYER_NONDIST_ZSTD, 'zstd', 'foreign zstd'],
      ['application/vnd.example.blob', 'unknown', 'application/vnd.example.blob'],
    ];
    for (const [mt, compression, label] of cases) {
      assert.equal(layerCompression(mt), compression, mt);
      assert.equal(layerKindLabel(mt), label, mt);
    }
    assert.deepEqual(Object.values(SPEC).filter((mt) => isForeignLayer(mt)), [SPEC.OCI_LAYER_NONDIST, SPEC.OCI_LAYER_NONDIST_GZIP, SPEC.OCI_LAYER_NONDIST_ZSTD, SPEC.DOCKER_LAYER_FOREIGN_GZIP]);
  });
});
