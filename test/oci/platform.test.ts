import assert from 'node:assert/strict';
import { allPlatforms, choosePlatform, formatPlatform, hostPlatform, normalizePlatform, parsePlatform } from '../../src/oci/platform.js';
import type { Descriptor, IndexManifest } from '../../src/oci/manifest.js';
import { RegsizeError } from '../../src/errors.js';

let n = 0;
function entry(platform: Descriptor['platform'], annotations?: Record<string, string>): Descriptor {
  n++;
  return { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${String(n).padStart(64, '0')}`, size: 500, ...(platform ? { platform } : {}), ...(annotations ? { annotations } : {}) };
}

describe('platform choice, as docker pull makes it', () => {
  const amd64 = entry({ os: 'linux', architecture: 'amd64' });
  const arm64 = entry({ os: 'linux', architecture: 'arm64', variant: 'v8' });
  const armv7 = entry({ os: 'linux', architecture: 'arm', variant: 'v7' });
  const armv6 = entry({ os: 'linux', architecture: 'arm', variant: 'v6' });
  const attAmd64 = entry({ os: 'unknown', architecture: 'unknown' }, { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': amd64.digest });
  const index: IndexManifest = { kind: 'index', mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [amd64, attAmd64, arm64, armv7, armv6] };

  it('parses and normalises platform strings', () => {
    assert.deepEqual(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
    assert.equal(formatPlatform(normalizePlatform(parsePlatform('linux/arm64'))), 'linux/arm64/v8');
    assert.equal(formatPlatform(normalizePlatform(parsePlatform('linux/aarch64'))), 'linux/arm64/v8');
    assert.equal(formatPlatform(normalizePlatform(parsePlatform('linux/x86_64'))), 'linux/amd64');
    assert.equal(formatPlatform(normalizePlatform(parsePlatform('linux/arm'))), 'linux/arm/v7');
    assert.throws(() => parsePlatform('linux'), /os\/arch/);
    assert.throws(() => parsePlatform('linux//v7'), /os\/arch/);
  });

  it('defaults to linux on the host architecture', () => {
    const p = hostPlatform();
    assert.equal(p.os, 'linux');
    assert.ok(p.architecture.length > 0);
  });

  it('matches arm64 with or without the v8 variant', () => {
    assert.equal(choosePlatform(index, parsePlatform('linux/arm64'), 'x').descriptor, arm64);
    assert.equal(choosePlatform(index, parsePlatform('linux/arm64/v8'), 'x').descriptor, arm64);
  });

  it('picks the exact arm variant, and falls back to older ones as containerd does', () => {
    assert.equal(choosePlatform(index, parsePlatform('linux/arm/v6'), 'x').descriptor, armv6);
    assert.equal(choosePlatform(index, parsePlatform('linux/arm/v7'), 'x').descriptor, armv7);
    const onlyV6: IndexManifest = { ...index, manifests: [amd64, armv6] };
    assert.equal(choosePlatform(onlyV6, parsePlatform('linux/arm/v7'), 'x').descriptor, armv6);
    assert.throws(() => choosePlatform({ ...index, manifests: [armv7] }, parsePlatform('linux/arm/v6'), 'x'), /PLATFORM|no linux\/arm\/v6/);
  });

  it('never treats attestation entries as platforms', () => {
    assert.deepEqual(allPlatforms(index).map((d) => formatPlatform(d.platform!)), ['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7', 'linux/arm/v6']);
    assert.throws(
      () => choosePlatform(index, parsePlatform('unknown/unknown'), 'img'),
      (e: unknown) => e instanceof RegsizeError && e.code === 'PLATFORM_NOT_FOUND',
    );
  });

  it('says which platforms exist when the wanted one does not', () => {
    assert.throws(
      () => choosePlatform(index, parsePlatform('linux/s390x'), 'python:3'),
      (e: unknown) => e instanceof RegsizeError && e.code === 'PLATFORM_NOT_FOUND' && /python:3: no linux\/s390x image; available: linux\/amd64, linux\/arm64\/v8, linux\/arm\/v7, linux\/arm\/v6/.test(e.message),
    );
  });

  it('treats a gzip and a zstd entry of one platform as one platform, the first as docker pulls it', () => {
    const gz = entry({ os: 'linux', architecture: 'amd64' });
    const zst = entry({ os: 'linux', architecture: 'amd64' }, { 'io.github.containers.compression.zstd': 'true' });
    const dup: IndexManifest = { ...index, manifests: [gz, zst, arm64] };
    const choice = choosePlatform(dup, parsePlatform('linux/amd64'), 'app');
    assert.equal(choice.descriptor, gz);
    assert.match(choice.note ?? '', /lists linux\/amd64 2 times \(gzip, zstd\); using the first/);
    assert.equal(allPlatforms(dup).length, 2);
  });
});
