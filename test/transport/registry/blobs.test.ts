import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mock, useMockAgent } from '../../helpers/mock-agent.js';
import { isRegsizeError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { createSession } from '../../../src/session.js';
import { useEmptyDockerConfig } from '../../helpers/docker-config.js';

const REG = 'https://reg.example';
const repo = { registry: 'reg.example', repository: 'org/app' };
const bytes = Buffer.from('0123456789abcdefghij');
const blob = { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length };
const path = `/v2/org/app/blobs/${blob.digest}`;

describe('Blobs', () => {
  useEmptyDockerConfig();
  useMockAgent();

  it('blobGet fetches a digest once for concurrent askers and verifies it', async () => {
    const scope = mock(REG).get('/v2/').reply(200, {}).get(path).once().reply(200, bytes);
    const { client } = createSession({ logger: silentLogger, retries: 0 });
    const [a, b] = await Promise.all([client.blobGet(repo, blob.digest), client.blobGet(repo, blob.digest)]);
    assert.deepEqual(Buffer.from(a), bytes);
    assert.equal(a, b);
    scope.done();
  });

  it('blobRange takes a 206 only when Content-Range says it holds exactly the bytes asked for', async () => {
    mock(REG)
      .get('/v2/')
      .reply(200, {})
      .get(path)
      .matchHeader('range', 'bytes=-4')
      .reply(206, bytes.subarray(16), { 'content-range': `bytes 16-19/${bytes.length}` })
      .get(path)
      .matchHeader('range', 'bytes=-4')
      .reply(206, bytes.subarray(0, 4), { 'content-range': `bytes 0-3/${bytes.length}` });
    const { client } = createSession({ logger: silentLogger, retries: 0 });
    const r = await client.blobRange(repo, blob, { suffix: 4 });
    assert.equal(Buffer.from(r.bytes).toString(), 'ghij');
    await assert.rejects(client.blobRange(repo, blob, { suffix: 4 }), isRegsizeError);
  });

  it('blobStream hands every byte to the sink and refuses altered bytes after reading them', async () => {
    mock(REG).get('/v2/').reply(200, {}).get(path).reply(200, bytes).get(path).reply(200, Buffer.from('0123456789abcdefghiX'));
    const { client } = createSession({ logger: silentLogger, retries: 0 });
    const got: Buffer[] = [];
    const r = await client.blobStream(repo, blob, () => ({ write: (c) => void got.push(Buffer.from(c)) }));
    assert.equal(r.bytes, bytes.length);
    assert.deepEqual(Buffer.concat(got), bytes);
    await assert.rejects(client.blobStream(repo, blob, () => ({ write: () => {} })), (e) => isRegsizeError(e) && e.code === 'DIGEST_MISMATCH');
  });
});
