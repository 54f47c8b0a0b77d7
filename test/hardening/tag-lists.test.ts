/**
 * Tag lists that are too big: one page of 140,000 tags is read (no call-stack overflow), and
 * endless or enormous pagination stops at a cap on tags and on bytes with a REGISTRY_ERROR
 * saying how much was read, instead of growing until the process dies.
 */
import assert from 'node:assert/strict';
import { type HostileRegistry, startHostileRegistry } from '../helpers/hostile-registry.js';
import { isRegsizeError } from '../../src/errors.js';
import { createSession } from '../../src/session.js';
import { MAX_TAG_LIST_BYTES, MAX_TAGS } from '../../src/transport/client.js';
import { silentLogger } from '../../src/log.js';
import { orderEntries, type TagEntry } from '../../src/tags/result.js';

function page(tags: string[]): Buffer {
  return Buffer.from(JSON.stringify({ name: 'app', tags }));
}

/** Every request to the tag list answers `body`, with a Link to a page never seen before. */
function endless(reg: HostileRegistry, body: Buffer): void {
  reg.on('/v2/app/tags/list', {
    kind: 'fn',
    answer: (_q, n) => ({ kind: 'respond', body, headers: { 'content-type': 'application/json', link: `</v2/app/tags/list?n=1000&last=p${n}>; rel="next"` } }),
  });
}

describe('hardening: tag lists', function () {
  this.timeout(60_000);
  let reg: HostileRegistry;
  afterEach(async () => reg?.stop());
  const client = () => createSession({ retries: 0, logger: silentLogger }).client;
  const repo = () => ({ registry: reg.host, repository: 'app' });

  it('reads one page of 140,000 tags', async () => {
    reg = await startHostileRegistry();
    const tags = Array.from({ length: 140_000 }, (_, i) => `1.${i}`);
    const body = page(tags);
    assert.ok(body.length > 1_000_000, `the page is ${body.length} bytes`);
    reg.on('/v2/app/tags/list', { kind: 'respond', body, headers: { 'content-type': 'application/json' } });
    assert.deepEqual(await client().tagList(repo()), tags);
  });

  it(`stops endless pages of 140,000 tags past ${MAX_TAGS} tags, saying how many were read`, async () => {
    reg = await startHostileRegistry();
    const body = page(Array.from({ length: 140_000 }, (_, i) => `t${i}`));
    endless(reg, body);
    const pages = Math.ceil((MAX_TAGS + 1) / 140_000);
    await assert.rejects(client().tagList(repo()), (e) => {
      assert.ok(isRegsizeError(e));
      assert.equal(e.code, 'REGISTRY_ERROR');
      assert.equal(e.message, `${reg.host}/app: the tag list runs past ${MAX_TAGS} tags (read ${pages * 140_000} tags in ${pages * body.length} bytes over ${pages} pages); regsize stops there rather than exhaust memory`);
      return true;
    });
    assert.equal(reg.hits('/v2/app/tags/list').length, pages);
  });

  it(`stops endless 15 MB pages past ${MAX_TAG_LIST_BYTES} bytes, saying how many were read`, async () => {
    reg = await startHostileRegistry();
    // Long tags (tags may have 128 characters), so the byte cap comes before the tag cap.
    const tags = Array.from({ length: 120_000 }, (_, i) => `${'x'.repeat(120)}${i}`);
    const body = page(tags);
    assert.ok(body.length > 15_000_000 && body.length < 16 * 1024 * 1024, `the page is ${body.length} bytes`);
    endless(reg, body);
    const pages = Math.floor(MAX_TAG_LIST_BYTES / body.length) + 1;
    await assert.rejects(client().tagList(repo()), (e) => {
      assert.ok(isRegsizeError(e));
      assert.equal(e.code, 'REGISTRY_ERROR');
      assert.equal(e.message, `${reg.host}/app: the tag list runs past ${MAX_TAG_LIST_BYTES} bytes (read ${pages * tags.length} tags in ${pages * body.length} bytes over ${pages} pages); regsize stops there rather than exhaust memory`);
      return true;
    });
    assert.equal(reg.hits('/v2/app/tags/list').length, pages);
  });
});

describe('hardening: ordering 140,000 tags of one digest', () => {
  it('groups and orders them (no call-stack overflow, no quadratic matching)', () => {
    const entries: TagEntry[] = Array.from({ length: 140_000 }, (_, i) => ({ tag: `1.${139_999 - i}`, digest: 'sha256:one', platform: 'linux/amd64', compressedSize: 1000 + (i % 7) }));
    const ordered = orderEntries(entries, 'version');
    assert.equal(ordered.length, entries.length);
    assert.deepEqual(
      ordered.slice(0, 3).map((e) => e.tag),
      ['1.0', '1.1', '1.2'],
    );
    assert.equal(ordered.at(-1)?.tag, '1.139999');
  });
});
