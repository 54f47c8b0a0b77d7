/**
 * Private ECR images beside public ones in one `regsize compare` table. The ECR API
 * (GetAuthorizationToken), the ECR registry host (Basic credentials from that token, blobs
 * redirected to S3), Docker Hub and ECR Public (anonymous tokens) are undici's MockAgent (the
 * ECR API, through the AWS SDK on node:https, is nock), so the command
 * runs in-process. A spawned CLI shows that the AWS SDK is loaded only when ECR is used.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import nock from 'nock';
import Compare from '../../commands/compare.js';
import { emptyDockerConfig, spawnCli } from '../helpers/cli.js';
import { makeImage, makeRandomLayer } from '../helpers/images.js';
import { dockerManifestList, imageManifest, manifestHeaders, OCI_MANIFEST, ociIndexWithAttestations } from '../fixtures/dockerhub.js';
import { ACCOUNT, FakeEcr, fakeAwsEnvironment, nockEcrApi } from '../ecr/fake-ecr.js';
import { mock, type MockScope, useMockAgent } from '../helpers/mock-agent.js';
import { runInProcess } from './run-in-process.js';

const ECR_HOST = `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com`;
const ECR_REF = `${ECR_HOST}/team/app:prod`;
const S3 = 'https://prod-eu-west-1-starport-layer-bucket.s3.eu-west-1.amazonaws.com';

describe('regsize compare with ECR images', function () {
  this.timeout(30_000);

  describe('in-process against nock (the ECR API) and a MockAgent (the registries)', function () {
    useMockAgent();
    let restoreEnv: () => void;
    const savedDockerConfig = process.env.DOCKER_CONFIG;
    beforeEach(function () {
      restoreEnv = fakeAwsEnvironment();
      process.env.DOCKER_CONFIG = emptyDockerConfig();
    });
    afterEach(function () {
      nock.cleanAll();
      restoreEnv();
      if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
      else process.env.DOCKER_CONFIG = savedDockerConfig;
    });

    // The private image: a real single-platform image whose config names its platform.
    const app = makeImage({
      layers: [makeRandomLayer({ size: 200_000, seed: 'ecr-base' }), makeRandomLayer({ size: 50_000, seed: 'ecr-app' })],
      platform: { os: 'linux', architecture: 'amd64' },
    });
    const appSize = app.layers.reduce((s, l) => s + l.size, 0);
    const pyAmd = imageManifest(OCI_MANIFEST, [29_780_765, 3_511_013, 12_220_136, 249], 'py312-amd64');
    const pyArm = imageManifest(OCI_MANIFEST, [28_040_000, 3_400_000, 12_100_000, 249], 'py312-arm64');
    const pyIndex = ociIndexWithAttestations([
      { served: pyAmd.served, platform: { os: 'linux', architecture: 'amd64' } },
      { served: pyArm.served, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    ]);
    const alpAmd = imageManifest('application/vnd.docker.distribution.manifest.v2+json', [3_624_262], 'public-alpine-amd64', 'application/vnd.docker.image.rootfs.diff.tar.gzip');
    const alpList = dockerManifestList([{ served: alpAmd.served, platform: { os: 'linux', architecture: 'amd64' } }]);

    function registries(fake: FakeEcr): MockScope[] {
      const basic = `Basic ${Buffer.from(`AWS:${fake.password}`).toString('base64')}`;
      // ECR answers the ping with a Basic challenge; the token from GetAuthorizationToken is the password.
      const ecrPing = mock(`https://${ECR_HOST}`, { badheaders: ['authorization'] })
        .get('/v2/')
        .reply(401, { errors: [{ code: 'DENIED', message: 'Not Authorized' }] }, { 'www-authenticate': `Basic realm="https://${ECR_HOST}/",service="ecr.amazonaws.com"` });
      const ecr = mock(`https://${ECR_HOST}`, { reqheaders: { authorization: basic } })
        .get('/v2/team/app/manifests/prod')
        .reply(200, app.manifest, { 'content-type': app.mediaType, 'docker-content-digest': app.manifestDigest })
        // ECR serves blobs from S3 through a redirect: the registry credentials must not follow it.
        .get(`/v2/team/app/blobs/${app.configDigest}`)
        .reply(307, '', { location: `${S3}/registry/config?X-Amz-Signature=abc` });
      const s3 = mock(S3, { badheaders: ['authorization'] }).get('/registry/config').query(true).reply(200, app.config);

      const hub = mock('https://registry-1.docker.io')
        .get('/v2/')
        .reply(401, {}, { 'www-authenticate': 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io"' })
        .get('/v2/library/python/manifests/3.12-slim')
        .reply(200, pyIndex.bytes, manifestHeaders(pyIndex))
        .get(`/v2/library/python/manifests/${pyAmd.served.digest}`)
        .reply(200, pyAmd.served.bytes, manifestHeaders(pyAmd.served));
      const hubToken = mock('https://auth.docker.io').get('/token').query(true).reply(200, { token: 'hub-anonymous-token' });

      // ECR Public: the generic anonymous token flow, no AWS involved.
      const pub = mock('https://public.ecr.aws')
        .get('/v2/')
        .reply(401, {}, { 'www-authenticate': 'Bearer realm="https://public.ecr.aws/token/",service="public.ecr.aws",scope="aws"' })
        .get('/token/')
        .query((q) => q.service === 'public.ecr.aws' && String(q.scope).includes('repository:docker/library/alpine:pull'))
        .reply(200, { token: 'public-anonymous-token' });
      const pubManifests = mock('https://public.ecr.aws', { reqheaders: { authorization: 'Bearer public-anonymous-token' } })
        .get('/v2/docker/library/alpine/manifests/3.20')
        .reply(200, alpList.bytes, manifestHeaders(alpList))
        .get(`/v2/docker/library/alpine/manifests/${alpAmd.served.digest}`)
        .reply(200, alpAmd.served.bytes, manifestHeaders(alpAmd.served));
      return [ecrPing, ecr, s3, hub, hubToken, pub, pubManifests];
    }

    const ARGS = [ECR_REF, 'python:3.12-slim', 'public.ecr.aws/docker/library/alpine:3.20', '--platform', 'linux/amd64', '--no-cache'];

    it('sizes a private ECR image, a Docker Hub image and an ECR Public image in one table', async function () {
      const fake = new FakeEcr([]);
      const api = nockEcrApi(fake);
      const scopes = registries(fake);
      const r = await runInProcess(Compare, ARGS);
      for (const s of [api, ...scopes]) s.done();
      assert.equal(r.exitCode, 0, r.stderr);
      // One token, for the private registry only.
      assert.equal(fake.count('GetAuthorizationToken'), 1);
      assert.equal(fake.calls.length, 1);
      const lines = r.stdout.split('\n');
      assert.match(lines[0] ?? '', /^IMAGE +PLATFORM +SIZE +LAYERS/);
      assert.match(lines[1] ?? '', new RegExp(`^${ECR_HOST.replace(/\./g, '\\.').slice(0, 30)}.* +linux/amd64 +${(appSize / 1000).toPrecision(3)} kB +2 `));
      assert.match(lines[2] ?? '', /^python:3\.12-slim +linux\/amd64 +45\.5 MB +4 /);
      assert.match(lines[3] ?? '', /^public\.ecr\.aws\/docker\/library\/alpine:3\.20 +linux\/amd64 +3\.62 MB +1 /);
      // The ECR password never shows.
      assert.ok(!r.stdout.includes(fake.password) && !r.stderr.includes(fake.password));
    });

    it('gives the exact bytes in --json', async function () {
      const fake = new FakeEcr([]);
      const api = nockEcrApi(fake);
      const scopes = registries(fake);
      const r = await runInProcess(Compare, [...ARGS, '--json']);
      for (const s of [api, ...scopes]) s.done();
      assert.equal(r.exitCode, 0, r.stderr);
      const images = JSON.parse(r.stdout).images as { reference: string; name: string; compressedSize: number; manifestDigest: string }[];
      assert.deepEqual(
        images.map((i) => [i.reference, i.compressedSize]),
        [
          [ECR_REF, appSize],
          ['python:3.12-slim', pyAmd.layers.reduce((s, l) => s + l.size, 0)],
          ['public.ecr.aws/docker/library/alpine:3.20', 3_624_262],
        ],
      );
      assert.equal(images[0]?.manifestDigest, app.manifestDigest);
      assert.equal(images[0]?.name, ECR_REF);
    });

    it('reports missing AWS credentials on the ECR image alone, and sizes the others', async function () {
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
      const fake = new FakeEcr([]);
      const [ecrPing, , , hub, hubToken] = registries(fake);
      const r = await runInProcess(Compare, [ECR_REF, 'python:3.12-slim', '--platform', 'linux/amd64', '--no-cache']);
      for (const s of [ecrPing, hub, hubToken] as MockScope[]) s.done();
      assert.equal(r.exitCode, 1);
      assert.match(r.stdout, /^python:3\.12-slim +linux\/amd64 +45\.5 MB/m);
      assert.match(r.stdout, /^\S+ +error: CREDENTIALS$/m);
      assert.match(r.stderr, /^regsize: \S+: no AWS credentials found .*or pass --profile \[CREDENTIALS\]$/m);
    });
  });

  describe('the real CLI: the AWS SDK loads only for ECR', function () {
    let dir: string;
    before(async function () {
      dir = await mkdtemp(path.join(os.tmpdir(), 'regsize-lazy-'));
      // A module resolve hook that writes down every @aws-sdk package the process imports.
      await writeFile(
        path.join(dir, 'hooks.mjs'),
        "import { appendFileSync } from 'node:fs';\nexport async function resolve(specifier, context, next) {\n  if (specifier.startsWith('@aws-sdk/')) appendFileSync(process.env.REGSIZE_LOAD_LOG, specifier + '\\n');\n  return next(specifier, context);\n}\n",
      );
      await writeFile(path.join(dir, 'register.mjs'), "import { register } from 'node:module';\nregister(new URL('./hooks.mjs', import.meta.url));\n");
    });
    after(async function () {
      await rm(dir, { recursive: true, force: true });
    });

    const env = (log: string) => ({
      NODE_OPTIONS: `--import=${path.join(dir, 'register.mjs')}`,
      REGSIZE_LOAD_LOG: log,
      AWS_CONFIG_FILE: '/nonexistent/regsize/config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/regsize/credentials',
      AWS_EC2_METADATA_DISABLED: 'true',
    });

    it('does not load it to compare images of other registries', async function () {
      const log = path.join(dir, 'compare.log');
      const r = await spawnCli(['compare', '127.0.0.1:9/app:1', '--timeout', '2', '--no-cache'], env(log));
      assert.equal(r.code, 1, r.stderr);
      assert.equal(existsSync(log) ? readFileSync(log, 'utf8') : '', '');
    });

    it('loads it when an ECR command runs (the hook does see it)', async function () {
      const log = path.join(dir, 'audit.log');
      const r = await spawnCli(['ecr', 'audit', 'team/app', '--region', 'eu-west-1'], env(log));
      assert.equal(r.code, 1);
      assert.match(r.stderr, /no AWS credentials found/);
      assert.match(readFileSync(log, 'utf8'), /^@aws-sdk\/client-ecr$/m);
    });
  });
});
