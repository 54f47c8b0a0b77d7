/** Choosing and ordering tags: decided from names alone, before any request. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { UsageError } from '../../src/errors.js';
import { orderEntries, type TagsEntry } from '../../src/tags/result.js';
import { compareRank, compareVersions, isSignatureTag, selectTags } from '../../src/tags/select.js';

const HEX = 'ab'.repeat(32);

describe('tag selection', () => {
  it('hides cosign signature, attestation and SBOM tags and OCI referrers tags unless asked', () => {
    for (const t of [`sha256-${HEX}.sig`, `sha256-${HEX}.att`, `sha256-${HEX}.sbom`, `sha256-${HEX}`]) assert.ok(isSignatureTag(t), t);
    for (const t of ['latest', 'sha256', `sha256-${HEX.slice(2)}x.sig`, '3.12-slim', `v1-${HEX}.sig`]) assert.ok(!isSignatureTag(t), t);
    const all = ['1.0', `sha256-${HEX}.sig`, '1.1', `sha256-${HEX}.att`];
    assert.deepEqual(selectTags(all, {}), { tags: ['1.0', '1.1'], hidden: 2, matched: 2 });
    assert.deepEqual(selectTags(all, { allTags: true }).tags.length, 4);
    // Hidden counts only signature tags the filters would have let through.
    assert.equal(selectTags(all, { filter: ['1.*'] }).hidden, 0);
  });

  it('keeps tags matching any --filter glob and the --regex, both when given', () => {
    const tags = ['3.11-slim', '3.12', '3.12-slim', '3.12-alpine', '3.12.7-slim', '3.13-slim', 'latest'];
    assert.deepEqual(selectTags(tags, { filter: ['3.12-*'] }).tags, ['3.12-alpine', '3.12-slim']);
    assert.deepEqual(selectTags(tags, { filter: ['3.12-*', 'latest'] }).tags, ['3.12-alpine', '3.12-slim', 'latest']);
    assert.deepEqual(selectTags(tags, { regex: 'slim$' }).tags, ['3.11-slim', '3.12-slim', '3.12.7-slim', '3.13-slim']);
    assert.deepEqual(selectTags(tags, { filter: ['3.12*'], regex: 'slim$' }).tags, ['3.12-slim', '3.12.7-slim']);
  });

  it('--limit keeps the N highest tags in version order', () => {
    const tags = ['1.9', '1.10', '1.2', '1.11', '1.1'];
    assert.deepEqual(selectTags(tags, { limit: 2 }), { tags: ['1.10', '1.11'], hidden: 0, matched: 5 });
    assert.deepEqual(selectTags(tags, { limit: 10 }).tags, ['1.1', '1.2', '1.9', '1.10', '1.11']);
  });

  it('--limit ranks version-like tags as versions: 1.19.2 > 1.9.10, a pre-release below its release', () => {
    const tags = ['1.9.10', '1.19.2', '1.2.0-rc1', '1.2.0', '1.19.2-rc3', 'v1.20.0-beta.1'];
    assert.deepEqual(selectTags(tags, { limit: 1 }).tags, ['v1.20.0-beta.1']);
    assert.deepEqual(selectTags(tags, { limit: 2 }).tags.sort(compareRank), ['1.19.2', 'v1.20.0-beta.1']);
    assert.deepEqual([...tags].sort(compareRank), ['1.2.0-rc1', '1.2.0', '1.9.10', '1.19.2-rc3', '1.19.2', 'v1.20.0-beta.1']);
    assert.ok(compareRank('3.13.0a1', '3.13.0') < 0);
    assert.ok(compareRank('1.0-dev', '1.0') < 0);
    // A variant (slim, alpine) is not a pre-release: it ranks with its release.
    assert.ok(compareRank('1.2.0-rc1', '1.2.0-slim') < 0);
    assert.ok(compareRank('1.2.0-slim', '1.9') < 0);
  });

  it('--limit never counts a non-version tag among the highest', () => {
    const tags = ['latest', 'slim', 'windowsservercore-ltsc2022', 'cmp-8', '1.25.3', '1.9.1', 'edge', '1.25.3-alpine'];
    assert.deepEqual(selectTags(tags, { limit: 2 }).tags.sort(compareRank), ['1.25.3', '1.25.3-alpine']);
    assert.deepEqual(selectTags(tags, { limit: 3 }).tags.sort(compareRank), ['1.9.1', '1.25.3', '1.25.3-alpine']);
    // Only when there are fewer versions than N do other tags fill the rest.
    assert.equal(selectTags(tags, { limit: 4 }).tags.length, 4);
    assert.ok(selectTags(tags, { limit: 4 }).tags.includes('1.9.1'));
  });

  it('refuses a broken --regex as a usage error that says what to write', () => {
    assert.throws(() => selectTags(['a'], { regex: '3.12-(' }), (e: UsageError) => e instanceof UsageError && /^invalid --regex "3\.12-\(": .*such as/.test(e.message));
  });

  it('orders versions numerically, segment by segment', () => {
    const sorted = ['3.9', '3.10', '3.10.1', '3.12', '3.12-alpine', '3.12-slim', '3.12.1', '10', 'alpine', 'latest'];
    assert.deepEqual([...sorted].reverse().sort(compareVersions), sorted);
  });

  it('is a total order (antisymmetric, transitive, equal only for equal tags)', () => {
    const tag = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,12}$/);
    fc.assert(
      fc.property(tag, tag, tag, (a, b, c) => {
        assert.equal(Math.sign(compareVersions(a, b)) + Math.sign(compareVersions(b, a)), 0);
        assert.equal(compareVersions(a, b) === 0, a === b);
        if (compareVersions(a, b) <= 0 && compareVersions(b, c) <= 0) assert.ok(compareVersions(a, c) <= 0);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('tag result order', () => {
  const e = (tag: string, digest: string, size: number, platform = 'linux/amd64'): TagsEntry => ({ tag, digest, platform, compressedSize: size });
  const entries: TagsEntry[] = [
    e('latest', 'sha256:b', 200),
    { tag: '0.9', error: { code: 'MANIFEST_UNKNOWN', message: 'gone' } },
    e('1.0', 'sha256:a', 300),
    e('2.0', 'sha256:b', 200),
    e('1', 'sha256:a', 300),
    e('1.10', 'sha256:c', 100),
  ];

  it('keeps tags of one digest together, groups smallest first, errors last', () => {
    assert.deepEqual(orderEntries(entries, 'size').map((x) => x.tag), ['1.10', '2.0', 'latest', '1', '1.0', '0.9']);
  });

  it('orders groups by their first tag in version or name order', () => {
    assert.deepEqual(orderEntries(entries, 'version').map((x) => x.tag), ['1', '1.0', '1.10', '2.0', 'latest', '0.9']);
    assert.deepEqual(orderEntries(entries, 'name').map((x) => x.tag), ['1', '1.0', '1.10', '2.0', 'latest', '0.9']);
    const names = [e('a10', 'sha256:x', 1), e('a9', 'sha256:y', 1)];
    assert.deepEqual(orderEntries(names, 'name').map((x) => x.tag), ['a10', 'a9']);
    assert.deepEqual(orderEntries(names, 'version').map((x) => x.tag), ['a9', 'a10']);
  });

  it('keeps each tag\'s platforms together in the order given', () => {
    const multi = [e('2', 'sha256:m', 50, 'linux/arm64'), e('1', 'sha256:m', 40, 'linux/amd64'), e('1', 'sha256:m', 50, 'linux/arm64'), e('2', 'sha256:m', 40, 'linux/amd64')];
    assert.deepEqual(orderEntries(multi, 'size').map((x) => `${x.tag} ${'platform' in x ? x.platform : ''}`), ['1 linux/amd64', '1 linux/arm64', '2 linux/arm64', '2 linux/amd64']);
  });
});
