/** Where the report's metrics are pushed (src/report/pushgateway.ts), checked before any request. */
import assert from 'node:assert/strict';
import { isRegsizeError } from '../../src/errors.js';
import { pushUrl } from '../../src/report/pushgateway.js';

describe('Pushgateway URL', function () {
  it('groups by job and instance, base64url-encoding a value with a slash or an empty one', function () {
    assert.deepEqual(pushUrl({ url: 'http://pg:9091/', job: 'regsize', instance: 'ci-1' }), { url: 'http://pg:9091/metrics/job/regsize/instance/ci-1' });
    assert.equal(pushUrl({ url: 'http://pg:9091', job: 'a/b', instance: '' }).url, `http://pg:9091/metrics/job@base64/${Buffer.from('a/b').toString('base64url')}/instance@base64/=`);
  });

  it('turns credentials in the URL into a Basic header, and drops them from the URL', function () {
    const t = pushUrl({ url: 'https://bob:s%40cret@pg.example', job: 'regsize', instance: 'x' });
    assert.equal(t.url, 'https://pg.example/metrics/job/regsize/instance/x');
    assert.equal(t.authorization, `Basic ${Buffer.from('bob:s@cret').toString('base64')}`);
  });

  it('refuses what is not an http(s) URL with exit 2, never echoing a password', function () {
    for (const url of ['pg:9091 x', 'ftp://bob:hunter2@pg/']) {
      assert.throws(
        () => pushUrl({ url, job: 'regsize', instance: 'x' }),
        (e: unknown) => isRegsizeError(e) && e.code === 'INVALID_INPUT' && !e.message.includes('hunter2'),
      );
    }
  });
});
