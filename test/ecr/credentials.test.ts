/**
 * The GetAuthorizationToken credential store: which API endpoint answers for an ECR host,
 * how long a token is kept, and the messages when AWS credentials are missing or expired.
 * (Which hosts are ECR: hosts.test.ts.)
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { EcrCredentialStore } from '../../src/ecr/credentials.js';
import { isRegsizeError } from '../../src/errors.js';
import type { CredentialStore } from '../../src/transport/credentials.js';
import type { Logger } from '../../src/log.js';
import { ACCOUNT, FakeEcr, nockEcrApi, startEcrServer, useFakeAwsEnvironment } from './fake-ecr.js';

const HOST = `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com`;

function recordingLogger(): Logger & { warnings: string[]; debugs: string[] } {
  const warnings: string[] = [];
  const debugs: string[] = [];
  return { warnings, debugs, warn: (l) => warnings.push(l), debug: (l) => debugs.push(l) };
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    assert.ok(isRegsizeError(e), String(e));
    return { code: e.code, message: e.message };
  }
  assert.fail('expected a rejection');
}

describe('ECR credentials from GetAuthorizationToken (nock)', function () {
  useFakeAwsEnvironment();

  it('answers nothing for other registries, without loading the SDK or calling AWS', async function () {
    const store = new EcrCredentialStore({ clientFor: () => assert.fail('no client for a non-ECR host') });
    assert.equal(await store.get('public.ecr.aws'), undefined);
    assert.equal(await store.get('docker.io'), undefined);
    assert.equal(store.tokenRequests, 0);
  });

  it('decodes the token into Basic credentials and keeps it until it expires', async function () {
    const fake = new FakeEcr([]);
    fake.tokenLifetimeMs = 3600_000;
    const scope = nockEcrApi(fake);
    let now = Date.now();
    const logger = recordingLogger();
    const store = new EcrCredentialStore({ now: () => now, logger });
    assert.deepEqual(await store.get(HOST), { kind: 'basic', username: 'AWS', password: fake.password });
    // The same region serves every account: one token.
    await store.get(`210987654321.dkr.ecr.eu-west-1.amazonaws.com`);
    now += 50 * 60_000;
    await store.get(HOST);
    assert.equal(fake.count('GetAuthorizationToken'), 1);
    // Past expiresAt (less the safety margin) a new token is fetched.
    now += 6 * 60_000;
    fake.password = 'ecr-password-renewed';
    assert.deepEqual(await store.get(HOST), { kind: 'basic', username: 'AWS', password: 'ecr-password-renewed' });
    assert.equal(fake.count('GetAuthorizationToken'), 2);
    scope.done();
    // The token never reaches the logs.
    assert.ok(logger.debugs.length > 0);
    assert.ok(logger.debugs.every((l) => !l.includes(fake.password) && !l.includes('ecr-password')));
  });

  it('asks the API of the host\'s own region, FIPS and China endpoints included', async function () {
    const cases: [string, string][] = [
      [`${ACCOUNT}.dkr.ecr-fips.us-east-1.amazonaws.com`, 'https://api.ecr-fips.us-east-1.amazonaws.com'],
      [`${ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com.cn`, 'https://api.ecr.cn-north-1.amazonaws.com.cn'],
      [`${ACCOUNT}.dkr.ecr.ap-southeast-2.amazonaws.com`, 'https://api.ecr.ap-southeast-2.amazonaws.com'],
    ];
    for (const [host, origin] of cases) {
      const fake = new FakeEcr([]);
      const scope = nockEcrApi(fake, origin);
      const logger = recordingLogger();
      // A --region for another region does not apply to a host that names its own.
      const creds = await new EcrCredentialStore({ region: 'eu-west-1', logger }).get(host);
      assert.equal(creds?.kind, 'basic', host);
      scope.done();
      assert.equal(fake.count('GetAuthorizationToken'), 1);
      assert.match(logger.warnings.join('\n'), /--region eu-west-1 does not apply/);
      nock.cleanAll();
    }
  });

  it('asks the endpoint in AWS_ENDPOINT_URL_ECR (a VPC endpoint) when it is set', async function () {
    const fake = new FakeEcr([]);
    const server = await startEcrServer(fake);
    try {
      process.env.AWS_ENDPOINT_URL_ECR = server.url;
      assert.equal((await new EcrCredentialStore().get(HOST))?.kind, 'basic');
      assert.equal(fake.count('GetAuthorizationToken'), 1);
    } finally {
      await server.close();
    }
  });

  it('says so in one line when there are no AWS credentials, and falls back to a docker login', async function () {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    const e = await failure(new EcrCredentialStore().get(HOST));
    assert.equal(e.code, 'CREDENTIALS');
    assert.match(e.message, /^no AWS credentials found \(environment, shared config and SSO profiles, container or instance role\); run "aws configure" or "aws sso login", or pass --profile$/);

    const docker: CredentialStore = { get: async (r) => (r === HOST ? { kind: 'basic', username: 'AWS', password: 'from-docker-login' } : undefined) };
    assert.deepEqual(await new EcrCredentialStore({ fallback: docker }).get(HOST), { kind: 'basic', username: 'AWS', password: 'from-docker-login' });
  });

  it('tells an expired SSO session apart, and names the login command', async function () {
    const home = await mkdtemp(path.join(os.tmpdir(), 'regsize-sso-'));
    const saved = { HOME: process.env.HOME, USERPROFILE: process.env.USERPROFILE };
    try {
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
      process.env.HOME = home;
      process.env.USERPROFILE = home;
      process.env.AWS_CONFIG_FILE = path.join(home, 'config');
      await writeFile(
        process.env.AWS_CONFIG_FILE,
        [
          '[profile dev]',
          'sso_session = corp',
          'sso_account_id = 123456789012',
          'sso_role_name = ReadOnly',
          'region = eu-west-1',
          '[sso-session corp]',
          'sso_start_url = https://corp.awsapps.com/start',
          'sso_region = eu-west-1',
          'sso_registration_scopes = sso:account:access',
          '',
        ].join('\n'),
      );
      // What `aws sso login` left behind, expired yesterday; its refresh token has expired too,
      // so the SDK's refresh at the SSO OIDC endpoint is refused.
      const cache = path.join(home, '.aws', 'sso', 'cache');
      await mkdir(cache, { recursive: true });
      const file = path.join(cache, `${createHash('sha1').update('corp').digest('hex')}.json`);
      const token = { startUrl: 'https://corp.awsapps.com/start', region: 'eu-west-1', accessToken: 'expired-token', expiresAt: new Date(Date.now() - 86_400_000).toISOString() };
      await writeFile(file, JSON.stringify({ ...token, clientId: 'client-id', clientSecret: 'client-secret', refreshToken: 'refresh-token', registrationExpiresAt: new Date(Date.now() + 86_400_000).toISOString() }));
      const oidc = nock('https://oidc.eu-west-1.amazonaws.com')
        .post('/token')
        .reply(400, { error: 'invalid_grant', error_description: 'Refresh token has expired' }, { 'x-amzn-errortype': 'InvalidGrantException', 'content-type': 'application/json' });
      const e = await failure(new EcrCredentialStore({ profile: 'dev' }).get(HOST));
      oidc.done();
      assert.equal(e.code, 'CREDENTIALS');
      assert.equal(e.message, 'the AWS SSO session of profile dev has expired or is invalid; run: aws sso login --profile dev');
      // So does a cache entry with nothing to refresh it with.
      await writeFile(file, JSON.stringify(token));
      const again = await failure(new EcrCredentialStore({ profile: 'dev' }).get(HOST));
      assert.equal(again.message, e.message);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await rm(home, { recursive: true, force: true });
    }
  });

  it('names the profile that holds no credentials', async function () {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    const e = await failure(new EcrCredentialStore({ profile: 'nope', fallback: { get: async () => assert.fail('no fallback when a profile is named') } }).get(HOST));
    assert.equal(e.code, 'CREDENTIALS');
    assert.match(e.message, /^no AWS credentials for profile nope: check that the profile exists in the shared config .*aws sso login --profile nope\)$/);
  });

  it('says expired or rejected credentials in one line each', async function () {
    const cases: [string, string, RegExp][] = [
      ['ExpiredTokenException', 'The security token included in the request is expired', /^your AWS credentials have expired; refresh them/],
      ['UnrecognizedClientException', 'The security token included in the request is invalid.', /^AWS rejected your credentials in eu-west-1 \(UnrecognizedClientException\); check the access key or profile/],
    ];
    for (const [type, message, re] of cases) {
      const fake = new FakeEcr([]);
      fake.fail.set('GetAuthorizationToken', { type, message });
      const scope = nockEcrApi(fake);
      const e = await failure(new EcrCredentialStore().get(HOST));
      scope.done();
      nock.cleanAll();
      assert.equal(e.code, 'CREDENTIALS');
      assert.match(e.message, re);
    }
  });

  it('names the missing permission when GetAuthorizationToken is denied', async function () {
    const fake = new FakeEcr([]);
    fake.deny.set('GetAuthorizationToken', 'arn:aws:sts::123456789012:assumed-role/ReadOnly/alice');
    const scope = nockEcrApi(fake);
    const e = await failure(new EcrCredentialStore().get(HOST));
    scope.done();
    assert.equal(e.code, 'DENIED');
    assert.match(e.message, /^access denied: arn:aws:sts::123456789012:assumed-role\/ReadOnly\/alice may not ecr:GetAuthorizationToken; allow ecr:GetAuthorizationToken/);
  });
});
