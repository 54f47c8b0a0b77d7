/** src/transport/not-registry.ts: a ping answer that shows the host is a web server, not a registry. */
import assert from 'node:assert/strict';
import { notARegistry } from '../../src/transport/not-registry.js';

const answer = (status: number, contentType?: string) => ({ status, headers: new Headers(contentType ? { 'content-type': contentType } : {}) });

describe('transport/not-registry', () => {
  it('a 404, or a web page answering 2xx, is no registry: REGISTRY_ERROR saying what answered', () => {
    const e = notARegistry('example.com', answer(404, 'text/plain'));
    assert.equal(e?.code, 'REGISTRY_ERROR');
    assert.equal(e?.message, 'example.com is not an OCI registry (GET /v2/ returned 404 text/plain); check the host and port');
    assert.match(notARegistry('example.com', answer(200, 'text/html; charset=utf-8'))?.message ?? '', /returned 200 text\/html\)/);
    assert.ok(notARegistry('example.com', answer(200, 'application/xhtml+xml')));
  });

  it('200 and 401 with a registry\'s answer are registries (the spec\'s ping)', () => {
    for (const a of [answer(200, 'application/json'), answer(200), answer(401, 'application/json'), answer(401, 'text/html'), answer(500, 'text/html')]) assert.equal(notARegistry('r', a), undefined);
  });

  it('quotes the content type safely: control characters replaced, cut short', () => {
    const e = notARegistry('r', { status: 404, headers: { get: () => `text/\u001b[31m${'x'.repeat(200)}` } as unknown as Headers });
    assert.ok(!(e?.message ?? '').includes('\u001b'));
    assert.ok((/returned ([^)]*)\)/.exec(e?.message ?? '')?.[1] ?? '').length <= 80);
  });
});
