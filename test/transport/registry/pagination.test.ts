import assert from 'node:assert/strict';
import { mock, useMockAgent } from '../../helpers/mock-agent.js';
import { isRegsizeError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { createSession } from '../../../src/session.js';
import { useEmptyDockerConfig } from '../../helpers/docker-config.js';
import { nextLink } from '../../../src/transport/registry/pagination.js';

const REG = 'https://reg.example';
const repo = { registry: 'reg.example', repository: 'org/app' };

describe('tag list pagination', () => {
  useEmptyDockerConfig();
  useMockAgent();

  it('nextLink: a same-origin target becomes a path, another origin stays a full URL, no rel="next" ends', () => {
    assert.equal(nextLink('</v2/org/app/tags/list?n=2&last=b>; rel="next"', REG), '/v2/org/app/tags/list?n=2&last=b');
    assert.equal(nextLink('<https://cdn.example/page2>; rel="next"', REG), 'https://cdn.example/page2');
    assert.equal(nextLink('</v2/x>; rel="prev"', REG), undefined);
    assert.equal(nextLink(null, REG), undefined);
  });

  it('reads every page in order and refuses a link it has already followed', async () => {
    const scope = mock(REG)
      .get('/v2/')
      .reply(200, {})
      .get('/v2/org/app/tags/list')
      .query({ n: '2' })
      .reply(200, { tags: ['a', 'b'] }, { link: '</v2/org/app/tags/list?n=2&last=b>; rel="next"' })
      .get('/v2/org/app/tags/list')
      .query({ n: '2', last: 'b' })
      .reply(200, { tags: ['c', 7, 'd'] });
    const { client } = createSession({ logger: silentLogger, retries: 0 });
    assert.deepEqual(await client.tagList(repo, 2), ['a', 'b', 'c', 'd']);
    scope.done();

    mock(REG)
      .get('/v2/org/app/tags/list')
      .query({ n: '2' })
      .reply(200, { tags: ['a'] }, { link: '</v2/org/app/tags/list?n=2&last=a>; rel="next"' })
      .get('/v2/org/app/tags/list')
      .query({ n: '2', last: 'a' })
      .reply(200, { tags: ['b'] }, { link: '</v2/org/app/tags/list?n=2>; rel="next"' });
    await assert.rejects(client.tagList(repo, 2), (e) => isRegsizeError(e) && e.code === 'REGISTRY_ERROR' && /pagination loops/.test(e.message));
  });
});
