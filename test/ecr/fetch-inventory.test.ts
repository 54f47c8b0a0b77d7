/**
 * The ECR API calls of an audit (src/ecr/fetch-inventory.ts), one by one against the fake ECR
 * API: every page followed, BatchGetImage in batches of at most 100, the children of indexes
 * read in a further round, failures kept per manifest, and a listing whose nextToken repeats
 * refused instead of followed forever.
 */
import assert from 'node:assert/strict';
import nock from 'nock';
import { createEcrClient, type EcrClientHandle } from '../../src/ecr/client.js';
import { BATCH_GET_IMAGE_MAX_IDS, describeImages, EcrApi, listRepositories, readManifests } from '../../src/ecr/fetch-inventory.js';
import { isRegsizeError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { ACCOUNT, digestOf, FakeEcr, type FakeImage, imageManifest, indexManifest, layerDigest, nockEcrApi, TARGET_PREFIX, useFakeAwsEnvironment } from './fake-ecr.js';

const OCI = 'application/vnd.oci.image.manifest.v1+json';

function single(i: number, tags: string[] = []): FakeImage {
  return { manifest: imageManifest([{ digest: layerDigest(`l${i}`), size: 1000 + i }]), mediaType: OCI, tags };
}

describe('ECR inventory calls (src/ecr/fetch-inventory.ts)', function () {
  useFakeAwsEnvironment();
  let handle: EcrClientHandle;
  beforeEach(async function () {
    handle = await createEcrClient({ region: 'eu-west-1', maxAttempts: 1 });
  });
  afterEach(function () {
    handle.client.destroy();
  });

  it('describes every image over every page, with tags sorted and sizes as listed', async function () {
    const images = Array.from({ length: 25 }, (_, i) => single(i, i % 2 ? [`v${i}`, `a${i}`] : []));
    const fake = new FakeEcr([{ name: 'team/app', images }], { imagesPerPage: 10 });
    const scope = nockEcrApi(fake);
    const api = new EcrApi(handle, silentLogger, 2);
    const got = await describeImages(api, { repositoryName: 'team/app' });
    scope.done();
    assert.equal(fake.count('DescribeImages'), 3);
    assert.equal(api.calls.get('DescribeImages'), 3);
    assert.equal(got.registryId, ACCOUNT);
    assert.deepEqual(
      got.images.map((i) => [i.digest, i.tags, i.sizeInBytes]),
      images.map((img, i) => [digestOf(img.manifest), [...(img.tags ?? [])].sort(), 1000 + i]),
    );
  });

  it('lists every repository of the registry over every page', async function () {
    const names = Array.from({ length: 7 }, (_, i) => `team/app-${i}`);
    const fake = new FakeEcr(names.map((name) => ({ name, images: [] })), { repositoriesPerPage: 3 });
    const scope = nockEcrApi(fake);
    const got = await listRepositories(new EcrApi(handle, silentLogger, 1));
    scope.done();
    assert.equal(fake.count('DescribeRepositories'), 3);
    assert.deepEqual(got, names.map((repositoryName) => ({ repositoryName, registryId: ACCOUNT })));
  });

  it('reads manifests in batches of at most 100, then the children of indexes it was not asked for', async function () {
    const singles = Array.from({ length: 230 }, (_, i) => single(i));
    const children = [single(1000), single(1001)];
    const index: FakeImage = { manifest: indexManifest(children.map((c) => digestOf(c.manifest))), mediaType: 'application/vnd.oci.image.index.v1+json', tags: ['multi'] };
    const fake = new FakeEcr([{ name: 'team/app', images: [...singles, index, ...children] }]);
    const scope = nockEcrApi(fake);
    const asked = [...singles, index].map((i) => digestOf(i.manifest));
    const got = await readManifests(new EcrApi(handle, silentLogger, 4), { repositoryName: 'team/app' }, [...asked, asked[0] as string]);
    scope.done();
    const batches = fake.calls.filter((c) => c.operation === 'BatchGetImage').map((c) => (c.body.imageIds as unknown[]).length);
    // 231 distinct digests in round 0 (the repeat is asked once), then the index's 2 children.
    assert.deepEqual(batches.sort((a, b) => b - a), [BATCH_GET_IMAGE_MAX_IDS, BATCH_GET_IMAGE_MAX_IDS, 31, 2]);
    assert.equal(got.failures.length, 0);
    assert.equal(got.manifests.size, 233);
    const child = got.manifests.get(digestOf((children[0] as FakeImage).manifest));
    assert.deepEqual(child, { kind: 'image', layers: [{ digest: layerDigest('l1000'), size: 2000 }] });
    assert.deepEqual(got.manifests.get(digestOf(index.manifest)), { kind: 'index', children: children.map((c) => digestOf(c.manifest)) });
  });

  it('keeps going past a manifest it cannot read, and says which and why', async function () {
    const ok = single(1);
    const fake = new FakeEcr([{ name: 'team/app', images: [ok] }]);
    const scope = nockEcrApi(fake);
    const missing = `sha256:${'0'.repeat(64)}`;
    const got = await readManifests(new EcrApi(handle, silentLogger, 1), { repositoryName: 'team/app' }, [digestOf(ok.manifest), missing]);
    scope.done();
    assert.equal(got.manifests.size, 1);
    assert.deepEqual(got.failures, [{ digest: missing, reason: 'ImageNotFound: Requested image not found' }]);
  });

  it('refuses a listing whose nextToken repeats instead of following it forever', async function () {
    let calls = 0;
    const scope = nock('https://api.ecr.eu-west-1.amazonaws.com')
      .persist()
      .post('/')
      .reply(function () {
        assert.equal(this.req.headers['x-amz-target'], `${TARGET_PREFIX}DescribeImages`);
        calls++;
        return [200, JSON.stringify({ imageDetails: [], nextToken: 'same' }), { 'content-type': 'application/x-amz-json-1.1' }];
      });
    try {
      await describeImages(new EcrApi(handle, silentLogger, 1), { repositoryName: 'team/app' });
      assert.fail('expected a refusal');
    } catch (e) {
      assert.ok(isRegsizeError(e), String(e));
      assert.match(e.message, /DescribeImages pagination loops \(nextToken repeated\)/);
    }
    scope.persist(false);
    assert.equal(calls, 2, 'the first page, and the one that repeated its token');
  });
});
