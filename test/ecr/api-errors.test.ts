/**
 * The ECR error table, row by row, at the AWS API's HTTP level: the fake answers a call with the
 * error the real service sends (`{"__type", "message"}` and its HTTP status), the SDK parses it,
 * and the RegsizeError that comes out has the row's code, message and retryability. Rows about
 * the SDK's own credential chain have no HTTP form: they are driven through the chain itself
 * (no credentials, an unknown profile) or, for the SSO session, in credentials.test.ts.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ECR_ERROR_RULES, ecrError } from '../../src/ecr/api-errors.js';
import { createEcrClient } from '../../src/ecr/client.js';
import { describeImages, EcrApi } from '../../src/ecr/fetch-inventory.js';
import { type RegsizeError, UsageError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { ACCOUNT, FakeEcr, nockEcrApi, useFakeAwsEnvironment } from './fake-ecr.js';
import { regsizeRejection } from '../helpers/rejection.js';

const silent: Logger = { warn: () => {}, debug: () => {} };
const REPO = 'team/app';

const caught = regsizeRejection;

/** DescribeImages of team/app answered by the fake with `type` (one attempt: the table, not the SDK's retries, is under test). */
async function describeFailing(type: string, message: string, status?: number): Promise<RegsizeError> {
  const fake = new FakeEcr([{ name: REPO, images: [] }]);
  fake.fail.set('DescribeImages', { type, message, ...(status ? { status } : {}) });
  const scope = nockEcrApi(fake);
  const handle = await createEcrClient({ region: 'eu-west-1', maxAttempts: 1 });
  try {
    return await caught(describeImages(new EcrApi(handle, silent, 1), { repositoryName: REPO }));
  } finally {
    handle.client.destroy();
    assert.equal(fake.count('DescribeImages'), 1, 'one request, as asked');
    scope.done();
  }
}

interface HttpCase {
  failure: string;
  type: string;
  message: string;
  status?: number;
  code: string;
  retryable: boolean;
  says: RegExp;
}

const PRINCIPAL = 'arn:aws:sts::123456789012:assumed-role/ReadOnly/alice';

const HTTP_CASES: HttpCase[] = [
  {
    failure: 'access denied',
    type: 'AccessDeniedException',
    message: `User: ${PRINCIPAL} is not authorized to perform: ecr:DescribeImages on resource: arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/${REPO}`,
    code: 'DENIED',
    retryable: false,
    says: /^access denied: arn:aws:sts::123456789012:assumed-role\/ReadOnly\/alice may not ecr:DescribeImages on repository team\/app; allow ecr:DescribeImages in its IAM policy/,
  },
  {
    failure: 'access denied',
    type: 'AccessDeniedException',
    message: 'User: arn:aws:iam::123456789012:user/bob is not authorized to perform: ecr:DescribeImages with an explicit deny in a service control policy',
    code: 'DENIED',
    retryable: false,
    says: /may not ecr:DescribeImages on repository team\/app \(an explicit deny applies: check service control and permission-boundary policies\)/,
  },
  {
    failure: 'repository not found',
    type: 'RepositoryNotFoundException',
    message: `The repository with name '${REPO}' does not exist in the registry with id '${ACCOUNT}'`,
    code: 'NAME_UNKNOWN',
    retryable: false,
    says: new RegExp(`^repository team/app not found in registry ${ACCOUNT} in eu-west-1; check the name, and the region`),
  },
  { failure: 'throttled', type: 'ThrottlingException', message: 'Rate exceeded', code: 'RATE_LIMITED', retryable: true, says: /^ECR throttled DescribeImages 1 times in a row; lower --concurrency/ },
  { failure: 'throttled', type: 'TooManyRequestsException', message: 'Too many requests', code: 'RATE_LIMITED', retryable: true, says: /^ECR throttled DescribeImages/ },
  { failure: 'invalid parameter', type: 'InvalidParameterException', message: 'Invalid parameter at maxResults', code: 'INVALID_INPUT', retryable: false, says: /^ECR rejected DescribeImages: Invalid parameter at maxResults$/ },
  { failure: 'invalid parameter', type: 'ValidationException', message: 'repositoryName failed to satisfy constraint', code: 'INVALID_INPUT', retryable: false, says: /^ECR rejected DescribeImages: repositoryName failed/ },
  { failure: 'service limit', type: 'LimitExceededException', message: 'The operation did not succeed because it would have exceeded a service limit', code: 'RATE_LIMITED', retryable: false, says: /^ECR service limit reached during DescribeImages: The operation/ },
  {
    failure: 'credentials expired',
    type: 'ExpiredTokenException',
    message: 'The security token included in the request is expired',
    code: 'CREDENTIALS',
    retryable: false,
    says: /^your AWS credentials have expired; refresh them \(aws sso login, or new temporary credentials\)$/,
  },
  {
    failure: 'credentials rejected',
    type: 'UnrecognizedClientException',
    message: 'The security token included in the request is invalid.',
    code: 'CREDENTIALS',
    retryable: false,
    says: /^AWS rejected your credentials in eu-west-1 \(UnrecognizedClientException\); check the access key or profile/,
  },
  { failure: 'credentials rejected', type: 'InvalidSignatureException', message: 'The request signature we calculated does not match', code: 'CREDENTIALS', retryable: false, says: /\(InvalidSignatureException\)/ },
  { failure: 'any other AWS error', type: 'ServerException', message: 'internal failure', status: 500, code: 'AWS', retryable: true, says: /^ECR DescribeImages failed with ServerException \(HTTP 500\): internal failure$/ },
  { failure: 'any other AWS error', type: 'KmsException', message: 'KMS key is disabled', code: 'AWS', retryable: false, says: /^ECR DescribeImages failed with KmsException \(HTTP 400\): KMS key is disabled$/ },
];

describe('ECR API errors: one table (src/ecr/api-errors.ts)', function () {
  useFakeAwsEnvironment();

  for (const c of HTTP_CASES) {
    it(`${c.type}${c.status ? ` (HTTP ${c.status})` : ''} -> ${c.code}, ${c.retryable ? '' : 'not '}retryable`, async function () {
      const e = await describeFailing(c.type, c.message, c.status);
      assert.equal(e.code, c.code);
      assert.equal(e.retryable, c.retryable);
      assert.match(e.message, c.says);
      assert.doesNotMatch(e.message, /\n/);
      // A bad argument is the user's to fix (exit 2); everything else is a failure of the run.
      assert.equal(e instanceof UsageError, c.failure === 'invalid parameter');
    });
  }

  it('an unreachable endpoint -> NETWORK, retryable, naming the endpoint and the code', async function () {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const endpoint = `http://127.0.0.1:${port}`;
    const handle = await createEcrClient({ region: 'eu-west-1', endpointUrl: endpoint, maxAttempts: 1 });
    try {
      const e = await caught(describeImages(new EcrApi(handle, silent, 1, endpoint), { repositoryName: REPO }));
      assert.equal(e.code, 'NETWORK');
      assert.equal(e.retryable, true);
      assert.equal(e.message, `cannot reach ${endpoint} (ECONNREFUSED); check the network, --region and --endpoint-url`);
    } finally {
      handle.client.destroy();
    }
  });

  it('no region anywhere -> INVALID_INPUT (exit 2), saying where a region can come from', async function () {
    const e = await caught(createEcrClient({}));
    assert.ok(e instanceof UsageError);
    assert.equal(e.code, 'INVALID_INPUT');
    assert.equal(e.message, 'no AWS region: pass --region (e.g. --region eu-west-1), set AWS_REGION, or set "region" in your AWS profile');
  });

  it('no credentials in the chain -> CREDENTIALS; with --profile, naming the profile', async function () {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    const anonymous = await createEcrClient({ region: 'eu-west-1' });
    const named = await createEcrClient({ region: 'eu-west-1', profile: 'nope' });
    // The SDK's own error, not yet a RegsizeError: what ecrError is given.
    const raw = async (p: Promise<unknown>): Promise<unknown> => p.then(() => assert.fail('expected no credentials'), (e: unknown) => e);
    const none = ecrError(await raw(anonymous.client.config.credentials()), { operation: 'credentials' });
    assert.equal(none.code, 'CREDENTIALS');
    assert.equal(none.retryable, false);
    assert.match(none.message, /^no AWS credentials found \(environment, shared config and SSO profiles, container or instance role\)/);
    const profile = ecrError(await raw(named.client.config.credentials()), { operation: 'credentials', profile: 'nope' });
    assert.equal(profile.code, 'CREDENTIALS');
    assert.match(profile.message, /^no AWS credentials for profile nope: check that the profile exists/);
    anonymous.client.destroy();
    named.client.destroy();
  });

  it('a credential provider failing otherwise -> CREDENTIALS, with its reason', function () {
    const e = Object.assign(new Error('Profile dev requires a credential_process that exited with 1'), { name: 'CredentialsProviderError' });
    const mapped = ecrError(e, { operation: 'credentials', profile: 'dev' });
    assert.equal(mapped.code, 'CREDENTIALS');
    assert.equal(mapped.message, 'cannot load AWS credentials of profile dev: Profile dev requires a credential_process that exited with 1');
  });

  it('passes a RegsizeError through as it is', function () {
    const own = new UsageError('INVALID_INPUT', 'already said');
    assert.equal(ecrError(own, { operation: 'DescribeImages' }), own);
  });

  it('every row of the table has a case here (or in credentials.test.ts for the SSO session)', function () {
    const covered = new Set([
      ...HTTP_CASES.map((c) => c.failure),
      'network',
      'no region',
      'no credentials',
      'profile without credentials',
      'credentials unreadable',
      'SSO session expired',
    ]);
    assert.deepEqual(ECR_ERROR_RULES.map((r) => r.failure).filter((f) => !covered.has(f)), []);
  });
});
