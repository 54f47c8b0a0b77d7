/** The tags table (src/render/tags.ts). */
import assert from 'node:assert/strict';
import { renderTags, tagFailures } from '../../src/render/tags.js';
import type { TagsResult } from '../../src/tags/result.js';
import { formatBytes } from '../../src/units.js';
import { SHA } from './report-fixture.js';

function result(): TagsResult {
  return {
    repository: 'docker.io/library/python',
    tags: [
      { tag: '3.12', digest: SHA('a'), platform: 'linux/amd64', compressedSize: 51_000_000 },
      { tag: '3.12-slim', digest: SHA('b'), platform: 'linux/amd64', compressedSize: 42_000_000 },
      { tag: 'latest', digest: SHA('a'), platform: 'linux/amd64', compressedSize: 51_000_000 },
      { tag: 'broken', error: { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' } },
    ],
  };
}

describe('tags table', function () {
  it('a row per tag with its size; a tag of an already-listed digest shows no figures twice', function () {
    const lines = renderTags(result(), { units: 'si', bandwidth: undefined, style: 'plain' }).trimEnd().split('\n');
    const row = (tag: string) => lines.find((l) => l.startsWith(`${tag} `));
    assert.ok(row('3.12')?.includes(formatBytes(51_000_000, 'si')));
    assert.ok(row('3.12-slim')?.includes(formatBytes(42_000_000, 'si')));
    assert.ok(row('latest') !== undefined && !row('latest')?.includes(formatBytes(51_000_000, 'si')), lines.join('\n'));
  });

  it('lists failed tags for stderr, naming the repository and the tag', function () {
    const failures = tagFailures(result(), 'python');
    assert.equal(failures.length, 1);
    assert.match(JSON.stringify(failures[0]), /python:broken/);
    assert.match(JSON.stringify(failures[0]), /manifest unknown/);
  });
});
