import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { closedPort } from '../helpers/loopback.js';

/** A loopback port nobody listens on. */

describe('network errors', () => {
  it('a refused connection fails at once, not retried, naming the request', async () => {
    const port = await closedPort();
    const r = await runCli([`127.0.0.1:${port}/app:1`, `127.0.0.1:${port}/other:2`, '--json', '--verbose']);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout) as { images: { reference: string; error: { code: string; message: string } }[] };
    assert.equal(doc.images.length, 2, 'both images keep an entry');
    for (const e of doc.images) {
      assert.equal(e.error.code, 'NETWORK');
      assert.match(e.error.message, new RegExp(`GET http://127\\.0\\.0\\.1:${port}/v2/ failed: .*ECONNREFUSED`));
    }
    assert.doesNotMatch(r.stderr, /retrying/);
  });
});
