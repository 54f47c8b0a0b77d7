import assert from 'node:assert/strict';
import { parseRateLimit, RateLimits } from '../../../src/transport/registry/rate-limit-headers.js';

describe('rate-limit headers', () => {
  it("reads Docker Hub's allowance, ignoring the window after ';'", () => {
    assert.deepEqual(parseRateLimit(new Headers({ 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '76;w=21600' })), { limit: 100, remaining: 76 });
    assert.deepEqual(parseRateLimit(new Headers({ 'ratelimit-remaining': '0' })), { remaining: 0 });
  });

  it('reports nothing when the answer carries no (or no numeric) allowance', () => {
    assert.equal(parseRateLimit(new Headers({})), undefined);
    assert.equal(parseRateLimit(new Headers({ 'ratelimit-remaining': 'lots' })), undefined);
  });

  it('keeps the latest answer per registry', () => {
    const limits = new RateLimits();
    limits.note('docker.io', new Headers({ 'ratelimit-remaining': '10' }));
    limits.note('docker.io', new Headers({ 'ratelimit-remaining': '9' }));
    limits.note('docker.io', new Headers({}));
    limits.note('ghcr.io', new Headers({ 'ratelimit-remaining': '3' }));
    assert.deepEqual(limits.get('docker.io'), { remaining: 9 });
    assert.deepEqual(limits.get('ghcr.io'), { remaining: 3 });
    assert.equal(limits.get('quay.io'), undefined);
  });
});
