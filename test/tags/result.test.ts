/** tags/result.ts: tags of one digest stay together, groups ordered by size, name or version, errors last. */
import assert from 'node:assert/strict';
import { isMissingPlatform, orderEntries, type TagsEntry } from '../../src/tags/result.js';

const ok = (tag: string, digest: string, compressedSize: number): TagsEntry => ({ tag, digest, platform: 'linux/amd64', compressedSize });
const err = (tag: string, code: 'PLATFORM_NOT_FOUND' | 'MANIFEST_UNKNOWN'): TagsEntry => ({ tag, error: { code, message: `${tag}: ${code}` } });

describe('orderEntries', () => {
  const entries = [ok('3.10', 'd1', 300), err('broken', 'MANIFEST_UNKNOWN'), ok('3.9', 'd2', 200), ok('latest', 'd1', 300), ok('3.12', 'd3', 100), err('win', 'PLATFORM_NOT_FOUND'), ok('3.11', 'd1', 300)];

  it('by size: smallest group first, a group in version order, errors last in version order', () => {
    assert.deepEqual(orderEntries(entries, 'size').map((e) => e.tag), ['3.12', '3.9', '3.10', '3.11', 'latest', 'broken', 'win']);
  });

  it('by version: groups ordered by their first tag (3.9 < 3.10: numbers as numbers)', () => {
    assert.deepEqual(orderEntries(entries, 'version').map((e) => e.tag), ['3.9', '3.10', '3.11', 'latest', '3.12', 'broken', 'win']);
  });

  it('by name: plain text order (3.10 < 3.9)', () => {
    assert.deepEqual(orderEntries(entries, 'name').map((e) => e.tag), ['3.10', '3.11', 'latest', '3.12', '3.9', 'broken', 'win']);
  });

  it('a missing platform is not a failure of the run; other errors are', () => {
    assert.equal(isMissingPlatform(err('win', 'PLATFORM_NOT_FOUND')), true);
    assert.equal(isMissingPlatform(err('broken', 'MANIFEST_UNKNOWN')), false);
    assert.equal(isMissingPlatform(ok('1', 'd', 1)), false);
  });
});
