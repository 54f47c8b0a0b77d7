/**
 * The ECR API client: which region it talks to, what it refuses before loading the SDK, and that
 * --timeout bounds a request (the SDK alone only warns when its requestTimeout passes).
 */
import assert from 'node:assert/strict';
import { createEcrClient, validateEndpointUrl, validateRegion } from '../../src/ecr/client.js';
import { UsageError } from '../../src/errors.js';
import { describeImages, EcrApi } from '../../src/ecr/fetch-inventory.js';
import { FakeEcr, nockEcrApi, startEcrServer, useFakeAwsEnvironment } from './fake-ecr.js';
import { regsizeRejection } from '../helpers/rejection.js';

const caught = regsizeRejection;

const silent = { warn: () => {}, debug: () => {} };

describe('ECR client (src/ecr/client.ts)', function () {
  useFakeAwsEnvironment();

  it('accepts AWS region names and refuses anything else with exit 2', function () {
    for (const r of ['eu-west-1', 'us-gov-west-1', 'cn-north-1', 'us-isob-east-1']) assert.equal(validateRegion(r), r);
    for (const r of ['eu_west_1', 'EU-WEST-1', 'europe', 'eu-west-1; rm -rf /', '']) {
      assert.throws(() => validateRegion(r), (e: unknown) => e instanceof UsageError && e.code === 'INVALID_INPUT' && e.message.startsWith(`invalid --region "${r}"`));
    }
  });

  it('accepts http and https endpoint URLs only', function () {
    assert.equal(validateEndpointUrl('http://localhost:4566'), 'http://localhost:4566');
    assert.equal(validateEndpointUrl('https://vpce-0abc.api.ecr.eu-west-1.vpce.amazonaws.com'), 'https://vpce-0abc.api.ecr.eu-west-1.vpce.amazonaws.com');
    assert.throws(() => validateEndpointUrl('localhost:4566x'), /only http and https URLs are supported|give a full URL/);
    assert.throws(() => validateEndpointUrl('not a url'), /^UsageError: invalid --endpoint-url "not a url": give a full URL/);
    assert.throws(() => validateEndpointUrl('file:///etc/passwd'), /only http and https URLs are supported/);
  });

  it('refuses a bad --region before loading the SDK or calling AWS', async function () {
    const e = await caught(createEcrClient({ region: 'nowhere' }));
    assert.equal(e.code, 'INVALID_INPUT');
  });

  it('takes the region from AWS_REGION, and talks to that region\'s endpoint', async function () {
    process.env.AWS_REGION = 'eu-central-1';
    const fake = new FakeEcr([{ name: 'team/app', images: [] }], { region: 'eu-central-1' });
    const scope = nockEcrApi(fake);
    const handle = await createEcrClient();
    try {
      assert.equal(handle.region, 'eu-central-1');
      assert.deepEqual(await describeImages(new EcrApi(handle, silent, 1), { repositoryName: 'team/app' }), { images: [], registryId: undefined });
      scope.done();
    } finally {
      handle.client.destroy();
    }
  });

  it('refuses a malformed region from the environment, naming where it came from', async function () {
    process.env.AWS_REGION = 'europe';
    const e = await caught(createEcrClient());
    assert.equal(e.code, 'INVALID_INPUT');
    assert.match(e.message, /region "europe" from the AWS environment or profile/);
  });

  it('gives up on a request that outlives the timeout: NETWORK, retryable', async function () {
    const fake = new FakeEcr([{ name: 'team/app', images: [] }]);
    // The answer comes long after the timeout; only the client's timeout can end the call.
    const server = await startEcrServer(fake, { delayMs: 20_000 });
    const handle = await createEcrClient({ region: 'eu-west-1', endpointUrl: server.url, maxAttempts: 1, timeoutMs: 100 });
    try {
      const e = await caught(describeImages(new EcrApi(handle, silent, 1, server.url), { repositoryName: 'team/app' }));
      assert.equal(e.code, 'NETWORK');
      assert.equal(e.retryable, true);
      assert.match(e.message, /^cannot reach http:\/\/127\.0\.0\.1:\d+/);
    } finally {
      handle.client.destroy();
      await server.close();
    }
  });
});
