import assert from 'node:assert/strict';
import { mock, useMockAgent } from '../../helpers/mock-agent.js';
import { silentLogger } from '../../../src/log.js';
import { createSession } from '../../../src/session.js';
import { useEmptyDockerConfig } from '../../helpers/docker-config.js';
import { describe as describeRef, isDigest } from '../../../src/transport/registry/sender.js';

const REG = 'https://reg.example';
const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('RegistrySender', () => {
  useEmptyDockerConfig();
  useMockAgent();

  it('names images as users write them: Docker Hub short, digests with @', () => {
    assert.equal(describeRef({ registry: 'docker.io', repository: 'library/python' }, '3.12'), 'python:3.12');
    assert.equal(describeRef({ registry: 'ghcr.io', repository: 'org/app' }, DIGEST), `ghcr.io/org/app@${DIGEST}`);
    assert.equal(isDigest(DIGEST), true);
    assert.equal(isDigest('3.12-slim'), false);
  });

  it('signs requests to the registry, never a page on another origin, and retries a 401 once with a narrower token', async () => {
    const challenge = 'Bearer realm="https://auth.example/token",service="reg"';
    const seen: (string | undefined)[] = [];
    mock(REG).get('/v2/').reply(401, {}, { 'www-authenticate': challenge });
    mock('https://auth.example').get('/token').query(true).times(2).reply(200, () => ({ token: `tok-${seen.length}`, expires_in: 300 }));
    mock(REG)
      .get('/v2/org/app/tags/list')
      .query(true)
      .reply((req) => {
        seen.push(req.headers.authorization as string | undefined);
        return [401, {}, { 'www-authenticate': `${challenge},scope="repository:org/app:pull"` }];
      })
      .get('/v2/org/app/tags/list')
      .query(true)
      .reply((req) => {
        seen.push(req.headers.authorization as string | undefined);
        return [200, { tags: ['a'] }, { link: '<https://mirror.example/page2>; rel="next"' }];
      });
    mock('https://mirror.example')
      .get('/page2')
      .reply((req) => {
        seen.push(req.headers.authorization as string | undefined);
        return [200, { tags: ['b'] }];
      });
    const { client } = createSession({ logger: silentLogger, retries: 0 });
    assert.deepEqual(await client.tagList({ registry: 'reg.example', repository: 'org/app' }), ['a', 'b']);
    assert.equal(seen.length, 3);
    assert.match(seen[0] ?? '', /^Bearer tok-/);
    assert.match(seen[1] ?? '', /^Bearer tok-/);
    assert.equal(seen[2], undefined, 'the other origin never sees the token');
  });
});
