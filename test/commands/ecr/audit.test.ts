/**
 * `regsize ecr audit` as a user runs it. The ECR API is nock (in-process, so the command
 * class runs in this process) or a loopback server; what needs no AWS at all (usage errors,
 * missing credentials, an expired SSO session) runs the real CLI.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import nock from 'nock';
import EcrAudit from '../../../commands/ecr/audit.js';
import { runCli, spawnCli } from '../../helpers/cli.js';
import { ACCOUNT, digestOf, FakeEcr, type FakeImage, fakeAwsEnvironment, imageManifest, indexManifest, layerDigest, nockEcrApi, startEcrServer } from '../../ecr/fake-ecr.js';
import { runInProcess } from '../run-in-process.js';

const MB = 1_000_000;
const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY);
const SIZES: Record<string, number> = { a1: 100 * MB, a2: 50 * MB, a3: 30 * MB, a4: 20 * MB, a5: 7 * MB, a6: 3 * MB, a7: 11 * MB, a8: 13 * MB, a9: 17 * MB };
const layers = (...names: string[]) => names.map((n) => ({ digest: layerDigest(n), size: SIZES[n] as number }));

/*
 * The repository of test/ecr/audit.test.ts, in megabytes:
 *   A  v1    a1 a2 a3                       pushed 400d, pulled 2d
 *   B  v2    index -> B1 (a1 a2 a4), B2 (a5 a6)   pushed 30d, B1 pulled 10d
 *   C  -     a1 a7                          pushed 200d, never pulled
 *   D  -     index -> D1 (a3 a8), B2        pushed 5d, never pulled
 *   E  old   a9 a7                          pushed 300d, pulled 120d
 * By hand: stored a1..a9 = 251 MB; untagged frees a8 = 13 MB; stale C and E free a7 a9 = 28 MB;
 * API sum 180 + 170 + 170 + 10 + 111 + 43 + 43 + 28 = 755 MB.
 */
function handRepository(): FakeImage[] {
  const OCI = 'application/vnd.oci.image.manifest.v1+json';
  const b1 = imageManifest(layers('a1', 'a2', 'a4'));
  const b2 = imageManifest(layers('a5', 'a6'));
  const d1 = imageManifest(layers('a3', 'a8'), 'application/vnd.docker.distribution.manifest.v2+json');
  return [
    { manifest: imageManifest(layers('a1', 'a2', 'a3')), mediaType: OCI, tags: ['v1'], pushedAt: daysAgo(400), lastPulledAt: daysAgo(2) },
    { manifest: indexManifest([digestOf(b1), digestOf(b2)]), mediaType: 'application/vnd.oci.image.index.v1+json', tags: ['v2'], size: 170 * MB, pushedAt: daysAgo(30) },
    { manifest: b1, mediaType: OCI, pushedAt: daysAgo(30), lastPulledAt: daysAgo(10) },
    { manifest: b2, mediaType: OCI, pushedAt: daysAgo(30) },
    { manifest: imageManifest(layers('a1', 'a7')), mediaType: OCI, pushedAt: daysAgo(200) },
    { manifest: indexManifest([digestOf(d1), digestOf(b2)], 'application/vnd.docker.distribution.manifest.list.v2+json'), mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json', size: 43 * MB, pushedAt: daysAgo(5) },
    { manifest: d1, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', pushedAt: daysAgo(5) },
    { manifest: imageManifest(layers('a9', 'a7')), mediaType: OCI, tags: ['old'], pushedAt: daysAgo(300), lastPulledAt: daysAgo(120) },
  ];
}

/** A clean environment for the real CLI: no AWS credentials, config, or instance metadata. */
function noAwsEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { AWS_CONFIG_FILE: '/nonexistent/regsize/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/regsize/credentials', AWS_EC2_METADATA_DISABLED: 'true', ...extra };
}

describe('regsize ecr audit', function () {
  // Spawned CLIs take a second or two each; more on a loaded two-core machine.
  this.timeout(60_000);

  describe('against the ECR API (nock, in-process)', function () {
    let restoreEnv: () => void;
    let fake: FakeEcr;
    let scope: nock.Scope;
    beforeEach(function () {
      restoreEnv = fakeAwsEnvironment();
      fake = new FakeEcr([{ name: 'team/app', images: handRepository() }, { name: 'team/web', images: [handRepository()[0] as FakeImage] }], { imagesPerPage: 3 });
      scope = nockEcrApi(fake);
    });
    afterEach(function () {
      nock.cleanAll();
      restoreEnv();
    });

    it('prints the figures worked out by hand in a table', async function () {
      const r = await runInProcess(EcrAudit, ['team/app', '--region', 'eu-west-1', '--top', '3']);
      scope.done();
      assert.equal(r.exitCode, 0, r.stderr);
      assert.equal(r.stderr, '');
      const lines = r.stdout.split('\n');
      assert.match(lines[0] ?? '', /^REPOSITORY +IMAGES +TAGGED +UNTAGGED +API SUM +STORED +UNTAGGED FREES +STALE >90D +STALE FREES +\$\/MONTH$/);
      // 251 MB at $0.10 per 2^30 bytes: 251e6 / 1073741824 * 0.10 = $0.0234
      assert.match(lines[1] ?? '', /^team\/app +5 +3 +2 +755 MB +251 MB +13 MB +2 +28 MB +\$0\.02$/);
      assert.match(r.stdout, /Largest images in team\/app \(3 of 5\):/);
      // B (a1 a2 a4 a5 a6 = 180 MB, pushed 30d ago) before A (180 MB, pushed 400d ago), then C (111 MB).
      const largest = r.stdout.slice(r.stdout.indexOf('Largest images'));
      const rows = largest.split('\n').slice(2, 5);
      assert.match(rows[0] ?? '', new RegExp(`^${digestOf(handRepository()[1]?.manifest as string).slice(0, 19)} +v2 +180 MB +\\d{4}-\\d\\d-\\d\\d +${daysAgo(10).toISOString().slice(0, 10)}$`));
      assert.match(rows[1] ?? '', / v1 +180 MB /);
      assert.match(rows[2] ?? '', / \(untagged\) +111 MB +\S+ +never$/);
      assert.equal(fake.count('DescribeImages'), 3); // 8 images, 3 per page
      assert.equal(fake.count('BatchGetImage'), 1);
    });

    it('prints the JSON contract with exact bytes', async function () {
      const r = await runInProcess(EcrAudit, ['team/app', 'team/web', '--region', 'eu-west-1', '--json', '--top', '2']);
      scope.done();
      assert.equal(r.exitCode, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as { repositories: Record<string, unknown>[] };
      const app = doc.repositories[0] as Record<string, unknown>;
      assert.deepEqual(Object.keys(app).slice(0, 13), ['registryId', 'repositoryName', 'region', 'imageCount', 'taggedCount', 'untaggedCount', 'totalSize', 'uniqueSize', 'reclaimableUntaggedSize', 'staleCount', 'reclaimableStaleSize', 'monthlyCost', 'largest']);
      assert.deepEqual(
        { ...app, largest: undefined },
        {
          registryId: ACCOUNT,
          repositoryName: 'team/app',
          region: 'eu-west-1',
          imageCount: 5,
          taggedCount: 3,
          untaggedCount: 2,
          totalSize: 755 * MB,
          uniqueSize: 251 * MB,
          reclaimableUntaggedSize: 13 * MB,
          staleCount: 2,
          reclaimableStaleSize: 28 * MB,
          monthlyCost: Math.round(((251 * MB) / 2 ** 30) * 0.1 * 10_000) / 10_000,
          largest: undefined,
          layersRead: true,
          staleDays: 90,
        },
      );
      const largest = app.largest as { digest: string; tags: string[]; size: number; pushedAt: string; lastPulledAt: string | null }[];
      assert.deepEqual(largest.map((l) => [l.tags, l.size]), [[['v2'], 180 * MB], [['v1'], 180 * MB]]);
      assert.deepEqual(Object.keys(largest[0] as object), ['digest', 'tags', 'size', 'pushedAt', 'lastPulledAt']);
      assert.equal((doc.repositories[1] as { imageCount: number }).imageCount, 1);
    });

    it('writes CSV with exact bytes, and markdown tables', async function () {
      const csv = await runInProcess(EcrAudit, ['team/app', '--region', 'eu-west-1', '--format', 'csv']);
      assert.equal(csv.exitCode, 0, csv.stderr);
      assert.deepEqual(csv.stdout.trimEnd().split('\r\n'), [
        'registryId,repositoryName,region,imageCount,taggedCount,untaggedCount,totalSize,uniqueSize,reclaimableUntaggedSize,staleCount,reclaimableStaleSize,monthlyCost,error',
        `${ACCOUNT},team/app,eu-west-1,5,3,2,${755 * MB},${251 * MB},${13 * MB},2,${28 * MB},${Math.round(((251 * MB) / 2 ** 30) * 0.1 * 10_000) / 10_000},`,
      ]);
      const md = await runInProcess(EcrAudit, ['team/app', '--region', 'eu-west-1', '--format', 'markdown', '--units', 'iec']);
      assert.equal(md.exitCode, 0, md.stderr);
      assert.match(md.stdout, /^\| REPOSITORY \| IMAGES \|/);
      // 251e6 bytes = 239 MiB
      assert.match(md.stdout, /\| team\/app \| 5 \| 3 \| 2 \| 720 MiB \| 239 MiB \| 12\.4 MiB \| 2 \| 26\.7 MiB \| \$0\.02 \|/);
      scope.done();
    });

    it('suggests a lifecycle policy with the bytes it frees', async function () {
      const r = await runInProcess(EcrAudit, ['team/app', '--region', 'eu-west-1', '--suggest-lifecycle', '--top', '0']);
      scope.done();
      assert.equal(r.exitCode, 0, r.stderr);
      assert.match(r.stdout, /Lifecycle policy for team\/app: expires 2 untagged images and frees 13 MB:/);
      const json = r.stdout.slice(r.stdout.indexOf('{'), r.stdout.lastIndexOf('}') + 1);
      assert.deepEqual(JSON.parse(json).rules[0].selection, { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 });
      assert.match(r.stdout, /aws ecr put-lifecycle-policy --repository-name 'team\/app' --registry-id '123456789012' --region 'eu-west-1' --lifecycle-policy-text file:\/\/policy\.json/);
      assert.doesNotMatch(r.stdout, /Largest images/);
    });

    it('audits from DescribeImages alone with --no-layers, and says so', async function () {
      const r = await runInProcess(EcrAudit, ['team/app', '--region', 'eu-west-1', '--no-layers']);
      assert.equal(r.exitCode, 0, r.stderr);
      assert.equal(fake.count('BatchGetImage'), 0);
      assert.match(r.stdout.split('\n')[1] ?? '', /^team\/app +8 +3 +5 +755 MB +n\/a +n\/a +2 +n\/a +n\/a$/);
      assert.match(r.stdout, /--no-layers: figures from DescribeImages alone/);
    });

    it('fails one repository in one line with exit 1, and still reports the others', async function () {
      const r = await runInProcess(EcrAudit, ['team/gone', 'team/web', '--region', 'eu-west-1']);
      scope.done();
      assert.equal(r.exitCode, 1);
      assert.equal(r.stderr, "regsize: repository team/gone not found in registry 123456789012 in eu-west-1; check the name, and the region (--region, AWS_REGION or the profile's region)\n");
      assert.match(r.stdout, /^team\/web +1 +1 +0 /m);
    });

    it('names the missing permission on AccessDenied, exit 1', async function () {
      fake.deny.set('DescribeImages', 'arn:aws:iam::123456789012:user/ci');
      const r = await runInProcess(EcrAudit, ['team/app', '--region', 'eu-west-1']);
      assert.equal(r.exitCode, 1);
      assert.equal(r.stdout, '');
      assert.equal(
        r.stderr,
        'regsize: access denied: arn:aws:iam::123456789012:user/ci may not ecr:DescribeImages on repository team/app; allow ecr:DescribeImages in its IAM policy (or the repository policy)\n',
      );
      const json = await runInProcess(EcrAudit, ['team/app', '--region', 'eu-west-1', '--json']);
      assert.equal(json.exitCode, 1);
      const entry = JSON.parse(json.stdout).repositories[0];
      assert.equal(entry.error.code, 'DENIED');
      assert.equal(entry.repositoryName, 'team/app');
    });

    it('walks every repository with --all', async function () {
      const r = await runInProcess(EcrAudit, ['--all', '--region', 'eu-west-1', '--top', '0']);
      scope.done();
      assert.equal(r.exitCode, 0, r.stderr);
      assert.match(r.stdout, /^team\/app +5 /m);
      assert.match(r.stdout, /^team\/web +1 /m);
      // team/web holds A only (a1 a2 a3 = 180 MB), stored in its own repository.
      assert.match(r.stdout, /^TOTAL \(2 repositories\) +6 +4 +2 +935 MB +431 MB +13 MB +2 +28 MB +\$0\.04$/m);
      assert.equal(fake.count('DescribeRepositories'), 1);
    });

    it('talks to --endpoint-url (a loopback server) instead of AWS', async function () {
      nock.cleanAll();
      const server = await startEcrServer(fake);
      try {
        const r = await runInProcess(EcrAudit, ['team/app', '--region', 'eu-west-1', '--endpoint-url', server.url, '--json']);
        assert.equal(r.exitCode, 0, r.stderr);
        assert.equal(JSON.parse(r.stdout).repositories[0].uniqueSize, 251 * MB);
        assert.ok(fake.count('BatchGetImage') === 1 && fake.count('DescribeImages') === 3);
      } finally {
        await server.close();
      }
    });
  });

  describe('the real CLI, where no AWS is needed', function () {
    it('refuses bad input with exit 2 and one line', async function () {
      const cases: [string[], RegExp][] = [
        [['--region', 'eu-west-1'], /^regsize: no repositories given: regsize ecr audit REPOSITORY\.\.\./],
        [['team/app', '--region', 'eu-west'], /^regsize: invalid --region "eu-west": AWS regions look like eu-west-1/],
        [['team/app:v1', '--region', 'eu-west-1'], /^regsize: "team\/app:v1" is an image, not a repository/],
        [['team/app', '--stale-days', '0'], /^regsize: .*stale-days/],
        [['team/app', '--format', 'csv', '--suggest-lifecycle'], /^regsize: --suggest-lifecycle prints JSON policies/],
        [['team/app', '--price-per-gb-month', 'cheap'], /^regsize: .*invalid --price-per-gb-month "cheap"/],
        [['team/app'], /^regsize: no AWS region: pass --region/],
      ];
      const restore = fakeAwsEnvironment();
      try {
        for (const [args, re] of cases) {
          const r = await runInProcess(EcrAudit, args);
          assert.equal(r.exitCode, 2, `${args.join(' ')}: ${r.stderr}`);
          assert.match(r.stderr, re, args.join(' '));
          assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
          assert.equal(r.stdout, '');
        }
      } finally {
        restore();
      }
      // The same through the real CLI: an oclif flag error and one of regsize's own.
      for (const [args, re] of [
        [['ecr', 'audit', 'team/app', '--top', '-1'], /^regsize: .*--top/],
        [['ecr', 'audit', 'team/app', '--region', 'eu-west'], /^regsize: invalid --region "eu-west"/],
      ] as [string[], RegExp][]) {
        const r = await runCli(args, noAwsEnv({ AWS_ACCESS_KEY_ID: 'AKIAREGSIZETESTKEY01', AWS_SECRET_ACCESS_KEY: 'not-a-real-secret' }));
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, re);
        assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      }
    });

    it('says there are no AWS credentials in one line, exit 1', async function () {
      const r = await runCli(['ecr', 'audit', 'team/app', 'team/web', '--region', 'eu-west-1'], noAwsEnv());
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, 'regsize: no AWS credentials found (environment, shared config and SSO profiles, container or instance role); run "aws configure" or "aws sso login", or pass --profile\n');
    });

    it('says the SSO session expired and how to log in again, exit 1', async function () {
      const home = await mkdtemp(path.join(os.tmpdir(), 'regsize-sso-cli-'));
      try {
        const config = path.join(home, 'config');
        await writeFile(config, '[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\nregion = eu-west-1\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n');
        const cache = path.join(home, '.aws', 'sso', 'cache');
        await mkdir(cache, { recursive: true });
        await writeFile(path.join(cache, `${createHash('sha1').update('corp').digest('hex')}.json`), JSON.stringify({ startUrl: 'https://corp.awsapps.com/start', region: 'eu-west-1', accessToken: 'x', expiresAt: new Date(Date.now() - DAY).toISOString() }));
        const r = await runCli(['ecr', 'audit', 'team/app', '--profile', 'dev'], noAwsEnv({ HOME: home, AWS_CONFIG_FILE: config }));
        assert.equal(r.code, 1);
        assert.equal(r.stderr, 'regsize: the AWS SSO session of profile dev has expired or is invalid; run: aws sso login --profile dev\n');
      } finally {
        await rm(home, { recursive: true, force: true });
      }
    });

    it('audits end to end through --endpoint-url, and exits when done', async function () {
      const fake = new FakeEcr([{ name: 'team/app', images: handRepository() }]);
      const server = await startEcrServer(fake);
      try {
        const r = await spawnCli(
          ['ecr', 'audit', 'team/app', '--region', 'eu-west-1', '--endpoint-url', server.url, '--json'],
          noAwsEnv({ AWS_ACCESS_KEY_ID: 'AKIAREGSIZETESTKEY01', AWS_SECRET_ACCESS_KEY: 'not-a-real-secret' }),
        );
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stderr, '');
        const entry = JSON.parse(r.stdout).repositories[0];
        assert.deepEqual([entry.imageCount, entry.uniqueSize, entry.reclaimableUntaggedSize, entry.reclaimableStaleSize], [5, 251 * MB, 13 * MB, 28 * MB]);
      } finally {
        await server.close();
      }
    });

    it('documents the command in --help', async function () {
      const r = await runCli(['ecr', 'audit', '--help'], noAwsEnv());
      assert.equal(r.code, 0);
      for (const flag of ['--all', '--region', '--profile', '--registry-id', '--endpoint-url', '--stale-days', '--top', '--price-per-gb-month', '--[no-]layers', '--suggest-lifecycle', '--format', '--json']) {
        assert.ok(r.stdout.includes(flag), `--help lacks ${flag}`);
      }
      assert.match(r.stdout, /ecr:DescribeImages, ecr:BatchGetImage/);
    });
  });
});
