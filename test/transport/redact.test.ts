/** src/transport/redact.ts: URLs and texts scrubbed of secrets before any log line or error. */
import assert from 'node:assert/strict';
import { redactSecrets, redactUrl } from '../../src/transport/redact.js';

describe('transport/redact', () => {
  it('redactUrl: userinfo and token-like query values go, the rest stays readable', () => {
    assert.equal(redactUrl('https://user:pa55@r.example/v2/?scope=repository:a/b:pull&token=abc&X-Amz-Signature=def&n=10'), 'https://***@r.example/v2/?scope=repository:a/b:pull&token=***&X-Amz-Signature=***&n=10');
    assert.equal(redactUrl('https://r.example/v2/a/blobs/sha256:0?access_key=k&code=c&password=p'), 'https://r.example/v2/a/blobs/sha256:0?access_key=***&code=***&password=***');
    assert.equal(redactUrl('not a url //user:pw@host/x'), 'not a url //***@host/x');
  });

  it('redactSecrets: the secret raw, base64, percent-encoded (either case, + for space) and JSON-escaped', () => {
    const secret = 'p@ss w/rd"é';
    const texts = [
      secret,
      Buffer.from(secret).toString('base64'),
      encodeURIComponent(secret),
      encodeURIComponent(secret).toLowerCase(),
      encodeURIComponent(secret).replace('%20', '+'),
      JSON.stringify(secret).slice(1, -1),
      JSON.stringify(secret).slice(1, -1).replace('/', '\\/').replace('é', '\\u00e9'),
    ];
    for (const t of texts) assert.equal(redactSecrets(`before ${t} after`, [secret]), 'before *** after', t);
  });

  it('the longest secret first, so one inside another does not break it', () => {
    const basic = Buffer.from('user:hunter22').toString('base64');
    assert.equal(redactSecrets(`Basic ${basic} / hunter22`, ['hunter22', basic]), 'Basic *** / ***');
  });

  it('leaves short or empty "secrets" alone (they would redact ordinary words)', () => {
    assert.equal(redactSecrets('a cat sat', ['', 'a', 'cat']), 'a cat sat');
  });
});
