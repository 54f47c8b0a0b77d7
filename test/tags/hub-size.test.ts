/**
 * tags/hub-size.ts: sizes from hub.docker.com's tag list. With --verify 0 the registry is never
 * asked (no ping, no token, no pull); tags sharing a digest are one image; --platform all gives
 * a row per platform from the Hub's list. (Fallbacks and checks: hub-api.test.ts, MockAgent.)
 */
import assert from 'node:assert/strict';
import { mock, useMockAgent } from '../helpers/mock-agent.js';
import { silentLogger } from '../../src/log.js';
import { parseRepository } from '../../src/reference/reference.js';
import { createSession } from '../../src/session.js';
import { isTagError, type TagEntry } from '../../src/tags/result.js';
import { sizeTags } from '../../src/tags/size.js';
import { fakeDigest } from '../fixtures/dockerhub.js';
import { useEmptyDockerConfig } from '../helpers/docker-config.js';

const HUB_API = 'https://hub.docker.com';
const TAGS = '/v2/namespaces/library/repositories/python/tags';

const image = (architecture: string, size: number, seed: string) => ({ architecture, os: 'linux', variant: architecture === 'arm64' ? 'v8' : null, digest: fakeDigest(seed), size });

describe('sizeFromHub', () => {
  useEmptyDockerConfig();
  useMockAgent();

  it('with --verify 0 asks hub.docker.com only, and groups tags of one digest', async () => {
    const index = fakeDigest('hs-index');
    const results = ['3.12', 'latest'].map((name) => ({ name, digest: index, media_type: 'application/vnd.oci.image.index.v1+json', images: [image('amd64', 1234, 'hs-amd'), image('arm64', 999, 'hs-arm')] }));
    const hub = mock(HUB_API).get(TAGS).query(true).reply(200, { next: null, results });
    const { client, http } = createSession({ logger: silentLogger, retries: 0 });
    const run = await sizeTags(client, parseRepository('python'), { platform: 'all', sort: 'size', force: false, logger: silentLogger, hub: { http, verify: 0 } });
    hub.done();
    assert.equal(run.digests, 1);
    const rows = run.result.tags.filter((e): e is TagEntry => !isTagError(e)).map((e) => [e.tag, e.platform, e.compressedSize, e.sizeSource]);
    assert.deepEqual(rows, [
      ['3.12', 'linux/amd64', 1234, 'hub-api'],
      ['3.12', 'linux/arm64/v8', 999, 'hub-api'],
      ['latest', 'linux/amd64', 1234, 'hub-api'],
      ['latest', 'linux/arm64/v8', 999, 'hub-api'],
    ]);
  });
});
