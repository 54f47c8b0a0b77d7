/** src/transport/content-range.ts: a 206 counts only when its Content-Range says it holds exactly the bytes asked. */
import assert from 'node:assert/strict';
import { checkContentRange } from '../../src/transport/content-range.js';
import type { HttpResponse } from '../../src/transport/request.js';

const partial = (contentRange: string | undefined, bodyLength: number): HttpResponse => ({
  status: 206,
  headers: new Headers(contentRange !== undefined ? { 'content-range': contentRange } : {}),
  body: new Uint8Array(bodyLength),
  url: 'https://r/v2/a/blobs/sha256:x',
});
const BLOB = { size: 1000 };

describe('transport/content-range', () => {
  it('accepts the suffix asked (the last 4 bytes of 1000 are 996-999)', () => {
    assert.doesNotThrow(() => checkContentRange(partial('bytes 996-999/1000', 4), BLOB, { suffix: 4 }, 'blob'));
  });

  it('accepts a start-end range, an end past the blob clipped to its last byte', () => {
    assert.doesNotThrow(() => checkContentRange(partial('bytes 0-17/1000', 18), BLOB, { start: 0, end: 17 }, 'blob'));
    assert.doesNotThrow(() => checkContentRange(partial('bytes 990-999/1000', 10), BLOB, { start: 990, end: 2000 }, 'blob'));
    assert.doesNotThrow(() => checkContentRange(partial('bytes 0-9/10', 10), { size: 10 }, { suffix: 64 }, 'blob'));
  });

  it('refuses another range, another total, an unknown total, no header, or a body of another length', () => {
    const bad: [string | undefined, number][] = [
      ['bytes 995-998/1000', 4],
      ['bytes 996-999/2000', 4],
      ['bytes 996-999/*', 4],
      [undefined, 4],
      ['bytes 996-999/1000', 3],
      ['bytes=996-999/1000', 4],
    ];
    for (const [header, length] of bad) {
      assert.throws(() => checkContentRange(partial(header, length), BLOB, { suffix: 4 }, 'range of blob app@sha256:x'), (e: { code: string; message: string }) => {
        assert.equal(e.code, 'REGISTRY_ERROR');
        assert.match(e.message, /^range of blob app@sha256:x: the registry answered 206 with .* not bytes 996-999\/1000; its bytes cannot be trusted/);
        return true;
      }, String(header));
    }
  });

  it('quotes the registry\'s header, escaped and cut short', () => {
    assert.throws(() => checkContentRange(partial(`bytes \u001b[2J${'9'.repeat(300)}`, 4), BLOB, { suffix: 4 }, 'blob'), (e: Error) => !e.message.includes('\u001b') && e.message.length < 300);
  });
});
