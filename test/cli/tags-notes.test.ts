/** tagsNotes (src/cli/tags-notes.ts): what `regsize tags` tells people on stderr beside the table. */
import assert from 'node:assert/strict';
import { tagsNotes, type TagsNotesContext } from '../../src/cli/tags-notes.js';
import type { TagsResult } from '../../src/tags/result.js';

const context: TagsNotesContext = { repository: 'python', filtered: false, platform: { os: 'linux', architecture: 'arm64' } };
const empty: TagsResult = { repository: 'docker.io/library/python', tags: [] };
const missing = (tag: string) => ({ tag, error: { code: 'PLATFORM_NOT_FOUND' as const, message: 'no linux/arm64 image' } });

describe('tagsNotes (src/cli/tags-notes.ts)', () => {
  it('nothing to size: says why, and how many signature tags were hidden', () => {
    assert.deepEqual(tagsNotes(empty, { tags: [], hidden: 0, matched: 0 }, context), ['python has no tags to size']);
    assert.deepEqual(tagsNotes(empty, { tags: [], hidden: 2, matched: 0 }, { ...context, filtered: true }), [
      'no tags of python match the filters (2 signature/attestation tags hidden; --all-tags shows them)',
    ]);
  });

  it('hidden tags, --limit and tags without the platform, one note each', () => {
    const result: TagsResult = { repository: 'docker.io/library/python', tags: [{ tag: '3.12', digest: `sha256:${'c'.repeat(64)}`, platform: 'linux/arm64', compressedSize: 1 }, missing('2.7'), missing('2.6')] };
    assert.deepEqual(tagsNotes(result, { tags: ['3.12', '2.7', '2.6'], hidden: 1, matched: 10 }, { ...context, limit: 3 }), [
      '1 signature/attestation tag hidden (--all-tags shows them)',
      '10 tags match; sized the 3 highest in version order (--limit 3)',
      '2 tags have no linux/arm64 image (see --platform)',
    ]);
  });

  it('one tag without the platform, in the singular; with --platform all no platform is named', () => {
    const result: TagsResult = { repository: 'docker.io/library/python', tags: [missing('2.7')] };
    assert.deepEqual(tagsNotes(result, { tags: ['2.7'], hidden: 0, matched: 1 }, context), ['1 tag has no linux/arm64 image (see --platform)']);
    assert.deepEqual(tagsNotes(result, { tags: ['2.7'], hidden: 0, matched: 1 }, { ...context, platform: 'all' }), ['1 tag has no image (see --platform)']);
  });

  it('a plain run says nothing', () => {
    const result: TagsResult = { repository: 'docker.io/library/python', tags: [{ tag: '3.12', digest: `sha256:${'c'.repeat(64)}`, platform: 'linux/arm64', compressedSize: 1 }] };
    assert.deepEqual(tagsNotes(result, { tags: ['3.12'], hidden: 0, matched: 1 }, context), []);
  });
});
