/**
 * sizing/resolve.ts over an in-memory RepositoryReader (the shape a local source fills): an
 * index resolves to the platform docker would pull, a single image names its platform in its
 * config, and a descriptor graph that lies (wrong size, a loop) is refused.
 */
import assert from 'node:assert/strict';
import { isRegsizeError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { decodeManifest, type FetchedManifest } from '../../src/oci/manifest.js';
import { resolveManifest } from '../../src/sizing/resolve.js';
import type { RepositoryReader } from '../../src/transport/registry-api.js';
import { imageManifest, OCI_INDEX, OCI_MANIFEST, serve, type Served } from '../fixtures/dockerhub.js';

function reader(manifests: Served[], blobs: Record<string, object> = {}): RepositoryReader & { gets: string[] } {
  const gets: string[] = [];
  return {
    gets,
    manifestGet: async (ref) => {
      gets.push(ref);
      const s = manifests.find((m) => m.digest === ref);
      if (!s) throw new Error(`no manifest ${ref}`);
      return { digest: s.digest, bytes: s.bytes, manifest: decodeManifest(s.bytes, s.mediaType, ref) };
    },
    blobGet: async (d) => Buffer.from(JSON.stringify(blobs[d] ?? {})),
  };
}

const fetched = (s: Served): FetchedManifest => ({ digest: s.digest, bytes: s.bytes, manifest: decodeManifest(s.bytes, s.mediaType, 'x') });
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('resolveManifest', () => {
  const amd = imageManifest(OCI_MANIFEST, [100, 250], 'amd');
  const arm = imageManifest(OCI_MANIFEST, [300], 'arm');
  const index = serve(
    {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        { mediaType: OCI_MANIFEST, digest: amd.served.digest, size: amd.served.bytes.length, platform: { os: 'linux', architecture: 'amd64' } },
        { mediaType: OCI_MANIFEST, digest: arm.served.digest, size: arm.served.bytes.length, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      ],
    },
    OCI_INDEX,
  );

  it('picks the platform asked for from an index, or every platform with "all"', async () => {
    const store = reader([index, amd.served, arm.served]);
    const [one] = await resolveManifest(store, fetched(index), { os: 'linux', architecture: 'arm64' }, 'app', silentLogger);
    assert.equal(one?.platform, 'linux/arm64/v8');
    assert.equal(one?.manifestDigest, arm.served.digest);
    assert.equal(one?.digest, index.digest);
    const all = await resolveManifest(store, fetched(index), 'all', 'app', silentLogger);
    assert.deepEqual(all.map((r) => [r.platform, sum(r.manifest.layers.map((l) => l.size))]), [['linux/amd64', 350], ['linux/arm64/v8', 300]]);
  });

  it('reads a single image\'s platform from its config, and refuses another platform', async () => {
    const config = JSON.parse(amd.served.bytes.toString()).config.digest as string;
    const store = reader([amd.served], { [config]: { os: 'linux', architecture: 'amd64' } });
    const [r] = await resolveManifest(store, fetched(amd.served), { os: 'linux', architecture: 'amd64' }, 'app', silentLogger);
    assert.equal(r?.platform, 'linux/amd64');
    await assert.rejects(resolveManifest(store, fetched(amd.served), { os: 'linux', architecture: 'arm64' }, 'app', silentLogger), (e) => isRegsizeError(e) && e.code === 'PLATFORM_NOT_FOUND');
  });

  it('refuses an index entry whose size is not its manifest\'s, and an index that names itself', async () => {
    const lying = serve({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: amd.served.digest, size: 1, platform: { os: 'linux', architecture: 'amd64' } }] }, OCI_INDEX);
    await assert.rejects(resolveManifest(reader([amd.served]), fetched(lying), { os: 'linux', architecture: 'amd64' }, 'app', silentLogger), (e) => isRegsizeError(e) && e.code === 'DIGEST_MISMATCH');
    // An index (as the store names it) that lists itself: the descriptor graph loops.
    const self = `sha256:${'1'.repeat(64)}`;
    const loop = serve({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_INDEX, digest: self, size: 10, platform: { os: 'linux', architecture: 'amd64' } }] }, OCI_INDEX);
    const named = { ...loop, digest: self };
    await assert.rejects(resolveManifest(reader([named]), fetched(named), { os: 'linux', architecture: 'amd64' }, 'app', silentLogger), (e) => isRegsizeError(e) && e.code === 'MANIFEST_INVALID' && /loops/.test(e.message));
  });
});
