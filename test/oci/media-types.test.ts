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
