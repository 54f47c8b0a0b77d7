/**
 * src/transport/body.ts: bodies read within bounds, on Node Readables (what undici's request
 * answers with) that count what was pulled from them, so "never buffered whole" is checked, not assumed.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { isTooLargeError, RegsizeError } from '../../src/errors.js';
import { MAX_ERROR_BODY, pipeBody, readBody, readCapped } from '../../src/transport/body.js';
import type { RawResponse } from '../../src/transport/body.js';
import type { HttpRequest } from '../../src/transport/request.js';

/** A body of `chunks` chunks of `size` bytes each, made as they are pulled; `pulled()` says how many were. */
function streamed(chunks: number, size: number, status = 200, headers: Record<string, string> = {}) {
  let pulled = 0;
  let cancelled = false;
  const body = new Readable({
    highWaterMark: 0,
    read() {
      if (pulled >= chunks) return void this.push(null);
      this.push(new Uint8Array(size).fill(pulled % 256));
      pulled++;
    },
    destroy(err, callback) {
      cancelled = true;
      callback(err);
    },
  });
  return { res: { status, headers: new Headers(headers), body } satisfies RawResponse, pulled: () => pulled, cancelled: () => cancelled };
}

/** A whole body in one piece (or none), as a response. */
function answer(bytes: string | Uint8Array | null, status: number): RawResponse {
  return { status, headers: new Headers(), body: Readable.from(bytes === null ? [] : [typeof bytes === 'string' ? Buffer.from(bytes) : bytes]) };
}

const GET = (extra: Partial<HttpRequest> = {}): HttpRequest => ({ method: 'GET', url: 'https://r.example/v2/a/manifests/1', maxBytes: 1000, ...extra });
const noChunk = () => {};
const describeUrl = () => 'https://r.example/v2/a/manifests/1';

describe('transport/body', () => {
  it('reads a body within its cap whole', async () => {
    const body = streamed(3, 100);
    const read = await readBody(GET(), body.res, noChunk, describeUrl);
    assert.equal(read.body.length, 300);
    assert.deepEqual([...new Set(read.body)], [0, 1, 2]);
  });

  it('stops reading past maxBytes and throws the too-large error with the caller\'s code and the bound', async () => {
    const body = streamed(1000, 100);
    await assert.rejects(readBody(GET({ tooLargeCode: 'BLOB_TOO_LARGE', what: 'blob app@sha256:x' }), body.res, noChunk, describeUrl), (e) => {
      assert.ok(isTooLargeError(e));
      assert.equal(e.code, 'BLOB_TOO_LARGE');
      assert.equal(e.limit, 1000);
      assert.match(e.message, /^blob app@sha256:x is larger than 1000 bytes; refusing to read it/);
      return true;
    });
    assert.ok(body.pulled() <= 12, `pulled ${body.pulled()} chunks of 100 bytes for a 1000-byte cap`);
    assert.ok(body.cancelled());
  });

  it('the default too-large code is MANIFEST_TOO_LARGE, naming the URL when the request names nothing', async () => {
    await assert.rejects(readBody(GET(), streamed(20, 100).res, noChunk, describeUrl), (e: RegsizeError) => e.code === 'MANIFEST_TOO_LARGE' && e.message.startsWith(`${describeUrl()} is larger`));
  });

  it('refuses a declared Content-Length over the cap without reading a byte', async () => {
    const body = streamed(1000, 100, 200, { 'content-length': String(100_000) });
    assert.deepEqual(await readCapped(body.res, 1000), { bytes: new Uint8Array(0), truncated: true });
    assert.equal(body.pulled(), 0);
  });

  it(`reads an error body up to ${MAX_ERROR_BODY} bytes only, and gives up on it without an error`, async () => {
    const small = await readBody(GET(), answer('{"errors":[]}', 500), noChunk, describeUrl);
    assert.equal(Buffer.from(small.body).toString(), '{"errors":[]}');
    const huge = streamed(1000, 1024, 500);
    const read = await readBody(GET(), huge.res, noChunk, describeUrl);
    assert.equal(read.body.length, 0);
    assert.ok(huge.pulled() <= MAX_ERROR_BODY / 1024 + 2, `pulled ${huge.pulled()} KiB`);
  });

  it('reads nothing of a HEAD, a 204, a 304 or a redirect', async () => {
    for (const [req, status] of [[GET({ method: 'HEAD' }), 200], [GET(), 204], [GET(), 304], [GET(), 302]] as const) {
      const body = status === 204 || status === 304 ? { res: answer(null, status), pulled: () => 0 } : streamed(5, 100, status);
      const read = await readBody(req, body.res, noChunk, describeUrl);
      assert.equal(read.body.length, 0);
      assert.equal(body.pulled(), 0, `${req.method} ${status}`);
    }
  });

  it('a 200 to a Range request that asked abortIfNotPartial is not read, and says the range was ignored', async () => {
    const body = streamed(1000, 1000);
    const read = await readBody(GET({ abortIfNotPartial: true, headers: { range: 'bytes=-4' } }), body.res, noChunk, describeUrl);
    assert.equal(read.rangeIgnored, true);
    assert.equal(body.pulled(), 0);
    const partial = await readBody(GET({ abortIfNotPartial: true, maxBytes: 4 }), answer(new Uint8Array(4), 206), noChunk, describeUrl);
    assert.deepEqual([partial.rangeIgnored, partial.body.length], [false, 4]);
  });

  it('streams a 2xx into the sink, chunk by chunk, whatever maxBytes says; an error body is not streamed', async () => {
    const got: number[] = [];
    let ticks = 0;
    const read = await readBody(GET({ maxBytes: 1, bodySink: () => ({ write: (c) => void got.push(c.length) }) }), streamed(5, 300).res, () => ticks++, describeUrl);
    assert.equal(read.streamedBytes, 1500);
    assert.deepEqual(got, [300, 300, 300, 300, 300]);
    assert.equal(ticks, 5, 'the stall timer is refreshed by every chunk');
    let sinks = 0;
    const failed = await readBody(GET({ bodySink: () => ({ write: () => void sinks++ }) }), answer('nope', 404), noChunk, describeUrl);
    assert.deepEqual([sinks, Buffer.from(failed.body).toString()], [0, 'nope']);
  });

  it('a sink that throws cancels the body and the error comes through', async () => {
    const body = streamed(100, 10);
    const boom = new Error('sink refused');
    await assert.rejects(pipeBody(body.res, { write: () => { throw boom; } }, noChunk), (e) => e === boom);
    assert.ok(body.cancelled());
    assert.ok(body.pulled() < 100);
  });
});
