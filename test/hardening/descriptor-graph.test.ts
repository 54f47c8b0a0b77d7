/**
 * Loops in the descriptor graph. Through the real client a loop cannot happen (every manifest
 * is checked against its digest, and no index can contain its own digest), so the loop guard
 * in resolveImage is shown here with a client that does not verify, as a broken cache or a
 * future code path might be: it must end in a typed error, never recurse forever.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { RegsizeError } from '../../src/errors.js';
import { decodeManifest, type FetchedManifest } from '../../src/oci/manifest.js';
import { parseReference } from '../../src/reference/reference.js';
import { resolveImage } from '../../src/sizing/resolve.js';
import type { RegistryClient } from '../../src/transport/client.js';
import { silentLogger } from '../../src/log.js';

const INDEX = 'application/vnd.oci.image.index.v1+json';
const AMD64 = { os: 'linux', architecture: 'amd64' };
const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** An index with one amd64 entry naming `digest` as an index of `size` bytes. */
function indexOf(digest: string, size: number): Buffer {
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [{ mediaType: INDEX, digest, size, platform: AMD64 }] }));
}

/** Every such index is this long (a three-digit size), so each entry's size can be right. */
const INDEX_BYTES = indexOf(sha256(Buffer.from('')), 100).length;
const pointingAt = (digest: string) => indexOf(digest, INDEX_BYTES);

/** A client answering from `table` by tag or digest, trusting every digest it is told. */
function unverifyingClient(table: Map<string, { digest: string; bytes: Buffer }>, calls: string[]): RegistryClient {
  return {
    expect: () => {},
    manifestGet: async (_repo: unknown, reference: string): Promise<FetchedManifest & { mediaType: string }> => {
      calls.push(reference);
      const hit = table.get(reference);
      if (!hit) throw new RegsizeError('MANIFEST_UNKNOWN', `no ${reference}`);
      const manifest = decodeManifest(hit.bytes, INDEX, reference);
      return { digest: hit.digest, bytes: hit.bytes, manifest, mediaType: manifest.mediaType };
    },
  } as unknown as RegistryClient;
}

async function resolveError(table: Map<string, { digest: string; bytes: Buffer }>, calls: string[]): Promise<RegsizeError> {
  const ref = parseReference('registry.example.test/app:1');
  const e = await resolveImage(unverifyingClient(table, calls), ref, AMD64, silentLogger).then(
    () => assert.fail('resolved a looping graph'),
    (err: unknown) => err,
  );
  assert.ok(e instanceof RegsizeError, String(e));
  return e;
}

describe('hardening: descriptor graphs that loop', () => {
  it('refuses an index that names itself', async () => {
    // The index claims digest D and lists D; the same bytes are served for the tag and for D.
    const D = sha256(Buffer.from('claimed'));
    const bytes = pointingAt(D);
    const table = new Map([['1', { digest: D, bytes }], [D, { digest: D, bytes }]]);
    const calls: string[] = [];
    const e = await resolveError(table, calls);
    assert.equal(e.code, 'MANIFEST_INVALID');
    assert.equal(e.message, `registry.example.test/app:1: the index refers to itself (${D}); the descriptor graph loops`);
    assert.deepEqual(calls, ['1']);
  });

  it('refuses two indexes that name each other', async () => {
    const A = sha256(Buffer.from('a'));
    const B = sha256(Buffer.from('b'));
    const table = new Map([
      ['1', { digest: A, bytes: pointingAt(B) }],
      [A, { digest: A, bytes: pointingAt(B) }],
      [B, { digest: B, bytes: pointingAt(A) }],
    ]);
    assert.equal(pointingAt(A).length, INDEX_BYTES);
    const calls: string[] = [];
    const e = await resolveError(table, calls);
    assert.equal(e.code, 'MANIFEST_INVALID');
    assert.equal(e.message, `registry.example.test/app:1: the index refers to itself (${A}); the descriptor graph loops`);
    assert.deepEqual(calls, ['1', B]);
  });
});
