/**
 * `auditRepositories` against the ECR API (nock at api.ecr.<region>.amazonaws.com answering
 * the AWS JSON 1.1 protocol): pages, batches, the order of calls, throttling, the errors an
 * ECR user meets, and --endpoint-url pointed at a loopback server.
 */
import { rejectionOf } from '../helpers/rejection.js';
import assert from 'node:assert/strict';
import { type AuditResult, auditRepositories, type EcrAuditOptions, isAuditError, type RepositoryAudit } from '../../src/ecr/audit.js';
import { silentLogger } from '../../src/log.js';
import { ACCOUNT, digestOf, FAKE_ACCESS_KEY, FakeEcr, type FakeImage, type FakeRepository, imageManifest, useFakeAwsEnvironment, indexManifest, layerDigest, nockEcrApi, startEcrServer } from './fake-ecr.js';

const NOW = new Date('2025-06-01T00:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000);
const MT = {
  OCI_INDEX: 'application/vnd.oci.image.index.v1+json',
  DOCKER_LIST: 'application/vnd.docker.distribution.manifest.list.v2+json',
  OCI_MANIFEST: 'application/vnd.oci.image.manifest.v1+json',
  DOCKER_MANIFEST: 'application/vnd.docker.distribution.manifest.v2+json',
};

/** What the test knows about each image it builds, independent of the code under test. */
interface Truth {
  tagged: boolean;
  layers: Set<string>;
  stale: boolean;
}

/**
 * A repository of `singles` single-platform images and `multis` two-platform images (an index
 * plus two untagged children each, so 3 manifests), sharing layers from a small pool:
 * every image has the base layer of its family and a few of its own.
 */
function buildRepository(name: string, singles: number, multis: number): { repo: FakeRepository; truth: Truth[]; sizes: Map<string, number> } {
  const sizes = new Map<string, number>();
  const layer = (id: string) => {
    const digest = layerDigest(`${name}/${id}`);
    if (!sizes.has(digest)) sizes.set(digest, 1000 + sizes.size * 7919);
    return { digest, size: sizes.get(digest) as number };
  };
  const images: FakeImage[] = [];
  const truth: Truth[] = [];
  for (let i = 0; i < singles; i++) {
    const layers = [layer(`base-${i % 5}`), layer(`deps-${i % 17}`), layer(`app-${i}`)];
    const tagged = i % 3 !== 0;
    const pulled = i % 4 === 0 ? undefined : daysAgo((i * 13) % 200);
    const pushed = daysAgo(2 + ((i * 7) % 300));
    const mediaType = i % 2 ? MT.DOCKER_MANIFEST : MT.OCI_MANIFEST;
    images.push({ manifest: imageManifest(layers, mediaType), mediaType, tags: tagged ? [`s${i}`] : [], pushedAt: pushed, ...(pulled ? { lastPulledAt: pulled } : {}) });
    const cutoff = daysAgo(90).getTime();
    truth.push({ tagged, layers: new Set(layers.map((l) => l.digest)), stale: pulled ? pulled.getTime() < cutoff : pushed.getTime() < cutoff });
  }
  for (let i = 0; i < multis; i++) {
    const docker = i % 2 === 1;
    const childType = docker ? MT.DOCKER_MANIFEST : MT.OCI_MANIFEST;
    const amd = [layer(`base-${i % 5}`), layer(`m-amd-${i}`)];
    const arm = [layer(`arm-base-${i % 3}`), layer(`m-arm-${i}`)];
    const amdManifest = imageManifest(amd, childType);
    const armManifest = imageManifest(arm, childType);
    const indexType = docker ? MT.DOCKER_LIST : MT.OCI_INDEX;
    const tagged = i % 4 !== 1;
    const pushed = daysAgo(20 + ((i * 11) % 250));
    // Pulls are recorded on the platform manifest the client chose, not always on the index.
    const pulled = i % 5 === 0 ? undefined : daysAgo((i * 17) % 180);
    const sumAmd = amd.reduce((s, l) => s + l.size, 0);
    const sumArm = arm.reduce((s, l) => s + l.size, 0);
    images.push({ manifest: indexManifest([digestOf(amdManifest), digestOf(armManifest)], indexType), mediaType: indexType, tags: tagged ? [`m${i}`, `m${i}-latest`] : [], size: Math.max(sumAmd, sumArm), pushedAt: pushed });
    images.push({ manifest: amdManifest, mediaType: childType, pushedAt: pushed, ...(pulled ? { lastPulledAt: pulled } : {}) });
    images.push({ manifest: armManifest, mediaType: childType, pushedAt: pushed });
    const cutoff = daysAgo(90).getTime();
    truth.push({ tagged, layers: new Set([...amd, ...arm].map((l) => l.digest)), stale: pulled ? pulled.getTime() < cutoff : pushed.getTime() < cutoff });
  }
  // ECR lists images in no particular order; interleave children away from their index.
  images.sort((a, b) => digestOf(a.manifest).localeCompare(digestOf(b.manifest)));
  return { repo: { name, images }, truth, sizes };
}

/** Bytes of the layers held only by images that `doomed` selects. */
function freedBy(truth: Truth[], sizes: Map<string, number>, doomed: (t: Truth) => boolean): number {
  const kept = new Set(truth.filter((t) => !doomed(t)).flatMap((t) => [...t.layers]));
  const freed = new Set(truth.filter(doomed).flatMap((t) => [...t.layers]).filter((d) => !kept.has(d)));
  return [...freed].reduce((s, d) => s + (sizes.get(d) as number), 0);
}

function base(o: Partial<EcrAuditOptions> = {}): EcrAuditOptions {
  return {
    repositories: [],
    all: false,
    region: 'eu-west-1',
    staleDays: 90,
    top: 10,
    pricePerGbMonth: 0.1,
    readLayers: true,
    suggestLifecycle: false,
    concurrency: 4,
    logger: silentLogger,
    now: () => NOW,
    ...o,
  };
}

const rejects = rejectionOf;

const repoOf = (r: AuditResult, i = 0) => {
  const e = r.repositories[i];
  assert.ok(e && !isAuditError(e), JSON.stringify(e));
  return e as RepositoryAudit;
};

describe('ecr audit against the ECR API (nock)', function () {
  useFakeAwsEnvironment();

  it('audits hundreds of images over several pages, exactly, with at most ceil(images/100) BatchGetImage calls', async function () {
    const { repo, truth, sizes } = buildRepository('team/app', 130, 40); // 130 + 40 * 3 = 250 manifests
    assert.equal(repo.images.length, 250);
    const fake = new FakeEcr([repo], { imagesPerPage: 100 });
    const scope = nockEcrApi(fake);
    const result = await auditRepositories(base({ repositories: ['team/app'] }));
    scope.done();

    assert.equal(fake.count('DescribeImages'), 3); // 100 + 100 + 50
    assert.ok(fake.count('BatchGetImage') <= Math.ceil(250 / 100), `BatchGetImage called ${fake.count('BatchGetImage')} times`);
    for (const c of fake.calls.filter((x) => x.operation === 'BatchGetImage')) {
      assert.ok((c.body.imageIds as unknown[]).length <= 100);
      assert.deepEqual([...(c.body.acceptedMediaTypes as string[])].sort(), Object.values(MT).sort());
    }
    // Every pull time is read before the first manifest (reading one records a pull).
    const ops = fake.calls.map((c) => c.operation);
    assert.ok(ops.lastIndexOf('DescribeImages') < ops.indexOf('BatchGetImage'), ops.join(' '));
    // Signed with the credentials from the environment (the standard chain).
    assert.match(fake.calls[0]?.authorization ?? '', new RegExp(`^AWS4-HMAC-SHA256 Credential=${FAKE_ACCESS_KEY}/\\d{8}/eu-west-1/ecr/aws4_request`));

    const r = repoOf(result);
    const allLayers = new Set(truth.flatMap((t) => [...t.layers]));
    assert.equal(r.registryId, ACCOUNT);
    assert.equal(r.region, 'eu-west-1');
    assert.equal(r.imageCount, 170);
    assert.equal(r.taggedCount, truth.filter((t) => t.tagged).length);
    assert.equal(r.untaggedCount, truth.filter((t) => !t.tagged).length);
    assert.equal(r.totalSize, repo.images.reduce((s, i) => s + (i.size ?? (JSON.parse(i.manifest).layers as { size: number }[]).reduce((a, l) => a + l.size, 0)), 0));
    assert.equal(r.uniqueSize, [...allLayers].reduce((s, d) => s + (sizes.get(d) as number), 0));
    assert.equal(r.reclaimableUntaggedSize, freedBy(truth, sizes, (t) => !t.tagged));
    assert.equal(r.staleCount, truth.filter((t) => t.stale).length);
    assert.equal(r.reclaimableStaleSize, freedBy(truth, sizes, (t) => t.stale));
    assert.equal(r.monthlyCost, Math.round(((r.uniqueSize as number) / 2 ** 30) * 0.1 * 10_000) / 10_000);
    assert.equal(r.largest.length, 10);
    const biggest = Math.max(...truth.map((t) => [...t.layers].reduce((s, d) => s + (sizes.get(d) as number), 0)));
    assert.equal(r.largest[0]?.size, biggest);
    // Sanity of the fixture itself: sharing and staleness both present, so the figures differ.
    assert.ok((r.reclaimableUntaggedSize as number) > 0 && (r.reclaimableUntaggedSize as number) < (r.uniqueSize as number));
    assert.ok(r.staleCount > 0 && r.staleCount < r.imageCount);
  });

  it('audits from DescribeImages alone with --no-layers: no BatchGetImage at all', async function () {
    const { repo } = buildRepository('team/app', 10, 4);
    const fake = new FakeEcr([repo]);
    const scope = nockEcrApi(fake);
    const r = repoOf(await auditRepositories(base({ repositories: ['team/app'], readLayers: false })));
    scope.done();
    assert.equal(fake.count('BatchGetImage'), 0);
    assert.equal(r.layersRead, false);
    assert.equal(r.imageCount, 22); // every manifest listed: 10 + 4 * 3
    assert.equal(r.uniqueSize, null);
    assert.equal(r.reclaimableUntaggedSize, null);
    assert.equal(r.monthlyCost, null);
  });

  it('absorbs ThrottlingException with the SDK adaptive retry', async function () {
    this.timeout(60_000);
    const { repo, truth } = buildRepository('team/app', 6, 2);
    const fake = new FakeEcr([repo]);
    fake.throttle.set('DescribeImages', 1);
    fake.throttle.set('BatchGetImage', 1);
    const scope = nockEcrApi(fake);
    const r = repoOf(await auditRepositories(base({ repositories: ['team/app'] })));
    scope.done();
    assert.equal(fake.count('DescribeImages'), 2); // throttled, then the one page
    assert.equal(fake.count('BatchGetImage'), 2); // one throttled, then the one batch
    assert.equal(r.imageCount, truth.length);
  });

  it('walks every repository with --all (DescribeRepositories, all pages) with bounded concurrency', async function () {
    const repos = Array.from({ length: 5 }, (_, i) => buildRepository(`svc-${i}`, 3 + i, 1).repo);
    const fake = new FakeEcr(repos, { repositoriesPerPage: 2 });
    const scope = nockEcrApi(fake);
    const progress: [number, number][] = [];
    const result = await auditRepositories(base({ all: true, concurrency: 2, onProgress: (d, t) => progress.push([d, t]) }));
    scope.done();
    assert.equal(fake.count('DescribeRepositories'), 3); // 2 + 2 + 1
    assert.deepEqual(result.repositories.map((r) => r.repositoryName), ['svc-0', 'svc-1', 'svc-2', 'svc-3', 'svc-4']);
    assert.deepEqual(result.repositories.map((r) => (isAuditError(r) ? -1 : r.imageCount)), [4, 5, 6, 7, 8]);
    assert.deepEqual(progress.at(-1), [5, 5]);
    // Per repository, its pull times are still read before its manifests.
    for (const name of ['svc-0', 'svc-4']) {
      const ops = fake.calls.filter((c) => c.body.repositoryName === name).map((c) => c.operation);
      assert.deepEqual(ops, ['DescribeImages', 'BatchGetImage']);
    }
  });

  it('keeps at most --concurrency requests in flight', async function () {
    const fake = new FakeEcr(Array.from({ length: 6 }, (_, i) => buildRepository(`svc-${i}`, 150, 0).repo));
    const server = await startEcrServer(fake, { delayMs: 30 });
    try {
      const result = await auditRepositories(base({ all: true, concurrency: 3, endpointUrl: server.url }));
      assert.equal(result.repositories.filter(isAuditError).length, 0);
      // 6 repositories of 150 images: 2 BatchGetImage batches each, which a repository sends together.
      assert.equal(fake.count('BatchGetImage'), 12);
      assert.equal(server.maxInFlight, 3);
    } finally {
      await server.close();
    }
  });

  it('says which permission is missing on AccessDenied, and keeps the other repositories', async function () {
    const fake = new FakeEcr([buildRepository('team/app', 3, 0).repo, buildRepository('team/web', 2, 0).repo]);
    fake.deny.set('BatchGetImage', 'arn:aws:iam::123456789012:user/ci');
    const scope = nockEcrApi(fake);
    const result = await auditRepositories(base({ repositories: ['team/app', 'team/web'] }));
    scope.done();
    for (const e of result.repositories) {
      assert.ok(isAuditError(e));
      assert.equal(e.error.code, 'DENIED');
      assert.match(e.error.message, /ecr:BatchGetImage/);
      assert.match(e.error.message, /arn:aws:iam::123456789012:user\/ci/);
      assert.doesNotMatch(e.error.message, /\n/);
    }
    // With --no-layers no BatchGetImage is needed: the audit works.
    const ok = await auditRepositories(base({ repositories: ['team/app'], readLayers: false }));
    assert.equal(repoOf(ok).imageCount, 3);
  });

  it('reports a repository that does not exist in the region, beside one that does', async function () {
    const fake = new FakeEcr([buildRepository('team/app', 2, 0).repo]);
    const scope = nockEcrApi(fake);
    const result = await auditRepositories(base({ repositories: ['team/gone', 'team/app'] }));
    scope.done();
    const [gone, app] = result.repositories;
    assert.ok(gone && isAuditError(gone));
    assert.equal(gone.error.code, 'NAME_UNKNOWN');
    assert.match(gone.error.message, /team\/gone not found in .*eu-west-1.*check the name, and the region/);
    assert.ok(app && !isAuditError(app));
  });

  it('takes the registry, region and account from an ECR repository URL', async function () {
    const fake = new FakeEcr([buildRepository('team/app', 2, 1).repo], { region: 'us-east-2' });
    const scope = nockEcrApi(fake);
    const result = await auditRepositories(base({ region: undefined, repositories: [`${ACCOUNT}.dkr.ecr.us-east-2.amazonaws.com/team/app`] }));
    scope.done();
    assert.equal(repoOf(result).region, 'us-east-2');
    assert.ok(fake.calls.every((c) => c.body.registryId === ACCOUNT));
  });

  it('refuses contradictory or malformed input before any call (usage errors)', async function () {
    const cases: [Partial<EcrAuditOptions>, RegExp][] = [
      [{ repositories: [] }, /no repositories given/],
      [{ repositories: ['a/b'], all: true }, /not both/],
      [{ repositories: ['team/app:v1'] }, /is an image, not a repository/],
      [{ repositories: ['Team/App'] }, /invalid repository name/],
      [{ repositories: ['public.ecr.aws/docker/library/alpine'] }, /ECR Public/],
      [{ repositories: ['team/app'], region: 'eu-west' }, /invalid --region "eu-west"/],
      [{ repositories: ['team/app'], registryId: '1234' }, /invalid --registry-id/],
      [{ repositories: [`${ACCOUNT}.dkr.ecr.us-east-2.amazonaws.com/team/app`], region: 'eu-west-1' }, /several regions/],
      [{ repositories: ['team/app'], endpointUrl: 'localhost:4566' }, /invalid --endpoint-url/],
    ];
    for (const [o, re] of cases) {
      const e = await rejects(auditRepositories(base(o)));
      assert.match(e.message, re);
      assert.ok(['INVALID_INPUT', 'INVALID_REFERENCE'].includes(e.code), e.code);
    }
  });

  it('stops with one message when no AWS credentials can be found', async function () {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    const e = await rejects(auditRepositories(base({ repositories: ['team/app', 'team/web'] })));
    assert.equal(e.code, 'CREDENTIALS');
    assert.match(e.message, /^no AWS credentials found .*aws sso login.*--profile/);
  });

  it('stops with one message when there is no region', async function () {
    const e = await rejects(auditRepositories(base({ region: undefined, repositories: ['team/app'] })));
    assert.equal(e.code, 'INVALID_INPUT');
    assert.match(e.message, /^no AWS region: pass --region/);
  });

  it('talks to --endpoint-url instead of the regional endpoint (VPC endpoints, LocalStack)', async function () {
    const { repo, truth } = buildRepository('team/app', 4, 2);
    const fake = new FakeEcr([repo]);
    const server = await startEcrServer(fake);
    try {
      // No nock interceptor for api.ecr.eu-west-1.amazonaws.com: a request there would fail.
      const result = await auditRepositories(base({ repositories: ['team/app'], endpointUrl: server.url }));
      assert.equal(repoOf(result).imageCount, truth.length);
      assert.deepEqual(fake.calls.map((c) => c.operation), ['DescribeImages', 'BatchGetImage']);
    } finally {
      await server.close();
    }
  });

  it('suggests a lifecycle policy with the bytes it frees', async function () {
    const { repo, truth, sizes } = buildRepository('team/app', 12, 4);
    const fake = new FakeEcr([repo]);
    const scope = nockEcrApi(fake);
    const r = repoOf(await auditRepositories(base({ repositories: ['team/app'], suggestLifecycle: true })));
    scope.done();
    // Every untagged image of the fixture was pushed days ago: the rule expires them all.
    assert.equal(r.lifecycle?.expiresCount, truth.filter((t) => !t.tagged).length);
    assert.equal(r.lifecycle?.freesBytes, freedBy(truth, sizes, (t) => !t.tagged));
    assert.equal(r.lifecycle?.freesBytes, r.reclaimableUntaggedSize);
  });
});
