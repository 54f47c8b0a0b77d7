import assert from 'node:assert/strict';
import { compressedSize, decodeManifest } from '../../src/oci/manifest.js';
import { RegsizeError } from '../../src/errors.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const enc = (o: unknown) => Buffer.from(JSON.stringify(o));
const image = {
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d('c'), size: 1234 },
  layers: [
    { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d('1'), size: 29780765 },
    { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d('2'), size: 15739982 },
  ],
};

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof RegsizeError) return e.code;
    throw e;
  }
  return 'no error';
}

describe('manifest decoding', () => {
  it('decodes an OCI image manifest and sums layers, config excluded', () => {
    const m = decodeManifest(enc(image), 'application/vnd.oci.image.manifest.v1+json', 'x');
    assert.equal(m.kind, 'image');
    assert.equal(compressedSize(m as never), 29780765 + 15739982);
  });

  it('decodes a Docker manifest list as an index', () => {
    const list = { schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json', manifests: [{ mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: d('a'), size: 10, platform: { os: 'linux', architecture: 'amd64' } }] };
    const m = decodeManifest(enc(list), 'application/vnd.docker.distribution.manifest.list.v2+json', 'x');
    assert.equal(m.kind, 'index');
  });

  it('infers the type when an OCI manifest omits mediaType and the server says application/json', () => {
    const { mediaType: _omit, ...bare } = image;
    assert.equal(decodeManifest(enc(bare), 'application/json', 'x').kind, 'image');
  });

  it('refuses schema 1 with a clear message', () => {
    assert.throws(() => decodeManifest(enc({ schemaVersion: 1, name: 'x', fsLayers: [] }), 'application/vnd.docker.distribution.manifest.v1+prettyjws', 'old:1'), /legacy schema 1 manifest is not supported/);
    assert.equal(code(() => decodeManifest(enc({ schemaVersion: 1 }), 'application/json', 'x')), 'UNSUPPORTED_MANIFEST');
  });

  it('gives typed errors for broken manifests, never a crash or a wrong sum', () => {
    assert.equal(code(() => decodeManifest(Buffer.from('{not json'), '', 'x')), 'MANIFEST_INVALID');
    assert.equal(code(() => decodeManifest(enc([1, 2]), '', 'x')), 'MANIFEST_INVALID');
    assert.equal(code(() => decodeManifest(enc({ ...image, layers: [{ ...image.layers[0], size: -1 }] }), '', 'x')), 'MANIFEST_INVALID');
    assert.equal(code(() => decodeManifest(enc({ ...image, layers: [{ ...image.layers[0], size: 1.5 }] }), '', 'x')), 'MANIFEST_INVALID');
    assert.equal(code(() => decodeManifest(enc({ ...image, layers: [{ ...image.layers[0], size: '12' }] }), '', 'x')), 'MANIFEST_INVALID');
    assert.equal(code(() => decodeManifest(enc({ ...image, layers: [{ ...image.layers[0], digest: 'nope' }] }), '', 'x')), 'MANIFEST_INVALID');
    assert.equal(code(() => decodeManifest(enc({ ...image, config: undefined }), '', 'x')), 'MANIFEST_INVALID');
    assert.equal(code(() => decodeManifest(enc(image), 'text/html', 'x')), 'MANIFEST_INVALID');
    assert.equal(code(() => decodeManifest(enc(image), 'application/vnd.oci.image.index.v1+json', 'x')), 'MANIFEST_INVALID');
    assert.equal(code(() => decodeManifest(enc({ ...image, mediaType: 'application/vnd.example+json' }), '', 'x')), 'UNSUPPORTED_MANIFEST');
  });
});
