/**
 * Media types: each layer type of the OCI image spec (media-types.md, layer.md) and Docker's
 * image manifest v2 schema 2 classified by compression, written out here from those documents,
 * not derived from the code's own suffix rules.
 */
import assert from 'node:assert/strict';
import {
  isForeignLayer,
  isImageManifestMediaType,
  isIndexMediaType,
  isSchema1MediaType,
  layerCompression,
  layerKindLabel,
  MANIFEST_ACCEPT,
  MANIFEST_MEDIA_TYPES,
  MediaType,
} from '../../src/oci/media-types.js';

describe('media types', () => {
  it('knows the compression of every layer type the specs define, and nothing else is a layer', () => {
    const table: [string, string, string, boolean][] = [
      // media type, compression, table label, foreign
      ['application/vnd.oci.image.layer.v1.tar', 'none', 'tar', false],
      ['application/vnd.oci.image.layer.v1.tar+gzip', 'gzip', 'gzip', false],
      ['application/vnd.oci.image.layer.v1.tar+zstd', 'zstd', 'zstd', false],
      ['application/vnd.oci.image.layer.nondistributable.v1.tar', 'none', 'foreign tar', true],
      ['application/vnd.oci.image.layer.nondistributable.v1.tar+gzip', 'gzip', 'foreign gzip', true],
      ['application/vnd.oci.image.layer.nondistributable.v1.tar+zstd', 'zstd', 'foreign zstd', true],
      ['application/vnd.docker.image.rootfs.diff.tar.gzip', 'gzip', 'gzip', false],
      ['application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', 'gzip', 'foreign gzip', true],
      ['application/vnd.in-toto+json', 'unknown', 'application/vnd.in-toto+json', false],
      ['application/vnd.oci.image.config.v1+json', 'unknown', 'application/vnd.oci.image.config.v1+json', false],
    ];
    for (const [mt, compression, label, foreign] of table) {
      assert.equal(layerCompression(mt), compression, mt);
      assert.equal(layerKindLabel(mt), label, mt);
      assert.equal(isForeignLayer(mt), foreign, mt);
    }
  });

  it('asks for every manifest type it decodes, in one Accept header, and no other', () => {
    const expected = [
      'application/vnd.oci.image.index.v1+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.docker.distribution.manifest.v2+json',
    ];
    assert.deepEqual([...MANIFEST_MEDIA_TYPES], expected);
    assert.deepEqual(MANIFEST_ACCEPT.split(', '), expected);
    assert.deepEqual(expected.map((t) => [isIndexMediaType(t), isImageManifestMediaType(t)]), [[true, false], [true, false], [false, true], [false, true]]);
  });

  it('recognises schema 1 in both spellings, and only those', () => {
    assert.ok(isSchema1MediaType('application/vnd.docker.distribution.manifest.v1+json'));
    assert.ok(isSchema1MediaType('application/vnd.docker.distribution.manifest.v1+prettyjws'));
    assert.ok(!isSchema1MediaType('application/vnd.docker.distribution.manifest.v2+json'));
    assert.ok(!isIndexMediaType(undefined) && !isImageManifestMediaType(undefined));
  });
});

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

describe('media types: the constants as the specs spell them', () => {
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
