/**
 * Package databases of TOC-listed layers: their byte ranges from the TOC entries, and the
 * checks before a database read by Range is believed (its digest, its bounds). The registry
 * is a stub that serves ranges of a blob built here and counts them.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Descriptor } from '../../src/oci/manifest.js';
import { normalizeTarPath } from '../../src/files/tar-walk.js';
import { type RawTocEntry, readTocPackages, tocDatabases } from '../../src/files/toc-packages.js';
import type { RegistryClient } from '../../src/transport/client.js';

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const status = 'Package: zlib1g-dev\nStatus: install ok installed\nVersion: 1.2.13\nInstalled-Size: 600\n';

function blobWith(parts: Buffer[]): { blob: Buffer; offsets: number[] } {
  const offsets: number[] = [];
  let at = 0;
  for (const p of parts) {
    offsets.push(at);
    at += p.length;
  }
  return { blob: Buffer.concat(parts), offsets };
}

function stub(blob: Buffer): { client: RegistryClient; ranges: [number, number][] } {
  const ranges: [number, number][] = [];
  const client = {
    async blobRange(_repo: unknown, _d: unknown, r: { start: number; end: number }) {
      ranges.push([r.start, r.end]);
      return { bytes: blob.subarray(r.start, r.end + 1), rangeIgnored: false };
    },
  } as unknown as RegistryClient;
  return { client, ranges };
}

describe('files: package databases from a table of contents', () => {
  const members = [gzipSync('header bytes'), gzipSync(Buffer.from(status)), gzipSync(Buffer.alloc(5000, 7)), gzipSync('toc')];
  const { blob, offsets } = blobWith(members);
  const d: Descriptor = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(blob), size: blob.length };
  const entries = (digest: string | undefined): RawTocEntry[] => [
    { name: 'var/', type: 'dir' },
    { name: 'var/lib/dpkg/status', type: 'reg', size: status.length, offset: offsets[1], ...(digest ? { digest } : {}) },
    { name: 'usr/lib/big.so', type: 'reg', size: 5000, offset: offsets[2] },
  ];

  it('a database runs from its offset to the next file\'s (or its endOffset, or the end of the data)', () => {
    assert.deepEqual(tocDatabases(entries(sha(status)), offsets[3] as number, normalizeTarPath).map((x) => [x.path, x.kind, x.start, x.end]), [['/var/lib/dpkg/status', 'dpkg', offsets[1], offsets[2]]]);
    const last: RawTocEntry[] = [{ name: 'lib/apk/db/installed', type: 'reg', size: 10, offset: 100 }, { name: 'lib/apk/db/installed', type: 'chunk', offset: 200 }];
    assert.deepEqual(tocDatabases(last, 900, normalizeTarPath).map((x) => [x.start, x.end]), [[100, 900]]);
    assert.deepEqual(tocDatabases([{ name: 'var/lib/dpkg/status', type: 'reg', size: 10, offset: 100, endOffset: 150 }], 900, normalizeTarPath).map((x) => [x.start, x.end]), [[100, 150]]);
    assert.deepEqual(tocDatabases([{ name: '../var/lib/dpkg/status', type: 'reg', size: 10, offset: 100 }], 900, normalizeTarPath), []);
  });

  it('reads just the database\'s range, checks it against its digest, and parses it', async () => {
    const { client, ranges } = stub(blob);
    const r = await readTocPackages(client, { registry: 'r', repository: 'x' }, d, tocDatabases(entries(sha(status)), offsets[3] as number, normalizeTarPath), 'gzip');
    assert.deepEqual(r.packages.map((p) => [p.name, p.size]), [['zlib1g-dev', 600 * 1024]]);
    assert.deepEqual(ranges, [[offsets[1], (offsets[2] as number) - 1]]);
    assert.equal(r.bytesRead, members[1]?.length);
    assert.deepEqual(r.warnings, []);
  });

  it('a database whose bytes do not match the TOC, or that the TOC gives no digest for, is reported and not parsed', async () => {
    const { client, ranges } = stub(blob);
    const lying = await readTocPackages(client, { registry: 'r', repository: 'x' }, d, tocDatabases(entries(sha('something else')), offsets[3] as number, normalizeTarPath), 'gzip');
    assert.deepEqual(lying.packages, []);
    assert.match(lying.warnings[0] as string, /"\/var\/lib\/dpkg\/status": its bytes .* are not what the table of contents says/);
    const none = await readTocPackages(client, { registry: 'r', repository: 'x' }, d, tocDatabases(entries(undefined), offsets[3] as number, normalizeTarPath), 'gzip');
    assert.match(none.warnings[0] as string, /gives no digest for it/);
    const huge = await readTocPackages(client, { registry: 'r', repository: 'x' }, d, [{ path: '/var/lib/dpkg/status', kind: 'dpkg', maxBytes: 1000, size: 10, start: 0, end: blob.length + 5, digest: sha(status) }], 'gzip');
    assert.match(huge.warnings[0] as string, /not a range it can hold/);
    assert.equal(ranges.length, 1, 'only the lying database was requested; the others were refused before any request');
  });
});
