/**
 * An ECR endpoint that never stops answering (issue #11): listings with ever-new nextTokens,
 * and BatchGetImage answers that are ever-new indexes. Each ends in an error naming the cap,
 * after a bounded number of requests, counted at the fake endpoint.
 */
import { rejectionOf } from '../helpers/rejection.js';
import assert from 'node:assert/strict';
import nock from 'nock';
import { auditRepositories, type EcrAuditOptions, isAuditError } from '../../src/ecr/audit.js';
import { DEFAULT_ECR_LIMITS } from '../../src/ecr/limits.js';
import { silentLogger } from '../../src/log.js';
import { digestOf, FakeEcr, type FakeRepository, useFakeAwsEnvironment, imageManifest, indexManifest, layerDigest, nockEcrApi, startEcrServer } from './fake-ecr.js';

function base(o: Partial<EcrAuditOptions> = {}): EcrAuditOptions {
  return { repositories: ['team/app'], all: false, region: 'eu-west-1', staleDays: 90, top: 10, pricePerGbMonth: 0.1, readLayers: true, suggestLifecycle: false, concurrency: 4, logger: silentLogger, ...o };
}

const rejects = rejectionOf;

/** A repository with one tagged image and one index whose children ECR does not list. */
function repositoryWithStrayIndex(): FakeRepository {
  const image = imageManifest([{ digest: layerDigest('base'), size: 1000 }]);
  const stray = indexManifest([digestOf('not-listed-1'), digestOf('not-listed-2')]);
  return {
    name: 'team/app',
    images: [
      { manifest: image, mediaType: 'application/vnd.oci.image.manifest.v1+json', tags: ['v1'] },
      { manifest: stray, mediaType: 'application/vnd.oci.image.index.v1+json', tags: ['multi'] },
    ],
  };
}

describe('ecr audit against an endpoint that never stops answering', function () {
  this.timeout(120_000);
  useFakeAwsEnvironment();

  it('DescribeImages with ever-new nextTokens (--endpoint-url): stops after the page cap, one repository error', async () => {
    const fake = new FakeEcr([{ name: 'team/app', images: [] }, { name: 'team/web', images: [] }], { imagesPerPage: 10 });
    fake.hostile.endlessPages.add('DescribeImages');
    const server = await startEcrServer(fake);
    try {
      // 40 pages, not the default 1000: each request to a loopback endpoint costs the SDK ~40 ms.
    const result = await auditRepositories(base({ repositories: ['team/app'], endpointUrl: server.url, limits: { maxPages: 40 } }));
      const entry = result.repositories[0];
      assert.ok(entry && isAuditError(entry), JSON.stringify(entry));
      assert.equal(entry.error.code, 'AWS');
      assert.match(entry.error.message, /^ECR DescribeImages for team\/app did not end after 40 pages; regsize stops there/);
      assert.equal(fake.count('DescribeImages'), 40, 'one request per page, up to the cap');
      assert.equal(fake.count('BatchGetImage'), 0);
    } finally {
      await server.close();
    }
  });

  it('a runaway repository does not hide the others', async () => {
    const web = imageManifest([{ digest: layerDigest('w'), size: 5000 }]);
    const fake = new FakeEcr([{ name: 'team/app', images: [] }, { name: 'team/web', images: [{ manifest: web, mediaType: 'application/vnd.oci.image.manifest.v1+json', tags: ['v1'] }] }]);
    fake.hostile.endlessPages.add('DescribeImages');
    fake.hostile.endlessRepository = 'team/app';
    const scope = nockEcrApi(fake);
    const result = await auditRepositories(base({ repositories: ['team/app', 'team/web'], limits: { maxPages: 5 } }));
    scope.done();
    const [app, webEntry] = result.repositories;
    assert.ok(app && isAuditError(app) && /did not end after 5 pages/.test(app.error.message), JSON.stringify(app));
    assert.ok(webEntry && !isAuditError(webEntry), JSON.stringify(webEntry));
    assert.equal(webEntry.imageCount, 1);
    assert.equal(webEntry.uniqueSize, 5000);
    assert.equal(fake.count('DescribeImages'), 5 + 1);
  });

  it('DescribeRepositories with ever-new nextTokens (--all): stops after the page cap', async () => {
    const fake = new FakeEcr([], { repositoriesPerPage: 10 });
    fake.hostile.endlessPages.add('DescribeRepositories');
    const scope = nockEcrApi(fake);
    const e = await rejects(auditRepositories(base({ repositories: [], all: true, limits: { maxPages: 40 } })));
    scope.done();
    assert.equal(e.code, 'AWS');
    assert.match(e.message, /^ECR DescribeRepositories did not end after 40 pages/);
    assert.equal(fake.count('DescribeRepositories'), 40);
    assert.equal(fake.count('DescribeImages'), 0, 'no repository is audited from a listing that did not end');
  });

  it('caps the total of repositories and of images, whatever the pages', async () => {
    const repos = new FakeEcr([], { repositoriesPerPage: 1000 });
    repos.hostile.endlessPages.add('DescribeRepositories');
    let scope = nockEcrApi(repos);
    const r = await rejects(auditRepositories(base({ repositories: [], all: true, limits: { maxRepositories: 2500 } })));
    scope.done();
    assert.match(r.message, /^ECR DescribeRepositories listed more than 2500 repositories/);
    assert.equal(repos.count('DescribeRepositories'), 3, '1000 + 1000, then the page that passes 2500');
    nock.cleanAll();

    const images = new FakeEcr([{ name: 'team/app', images: [] }], { imagesPerPage: 1000 });
    images.hostile.endlessPages.add('DescribeImages');
    scope = nockEcrApi(images);
    const result = await auditRepositories(base({ limits: { maxImages: 2500 } }));
    scope.done();
    const entry = result.repositories[0];
    assert.ok(entry && isAuditError(entry) && /^ECR DescribeImages for team\/app listed more than 2500 images/.test(entry.error.message), JSON.stringify(entry));
    assert.equal(images.count('DescribeImages'), 3);
  });

  it('BatchGetImage answering ever-deeper indexes: stops at the depth cap', async () => {
    const fake = new FakeEcr([repositoryWithStrayIndex()]);
    fake.hostile.indexFanOut = 2; // each unknown child is a new index of 2 new children
    const scope = nockEcrApi(fake);
    const result = await auditRepositories(base());
    scope.done();
    const entry = result.repositories[0];
    assert.ok(entry && isAuditError(entry), JSON.stringify(entry));
    assert.match(entry.error.message, new RegExp(`^ECR BatchGetImage for team/app answered indexes nested more than ${DEFAULT_ECR_LIMITS.maxIndexDepth} deep`));
    // Round 0 (the 2 listed) and one round per level up to the cap: 2, 4, 8 children, one batch each.
    assert.equal(fake.count('BatchGetImage'), 1 + DEFAULT_ECR_LIMITS.maxIndexDepth);
  });

  it('BatchGetImage answering indexes of 100 new children each: stops before the round that passes the total', async () => {
    const fake = new FakeEcr([repositoryWithStrayIndex()]);
    fake.hostile.indexFanOut = 100;
    const scope = nockEcrApi(fake);
    const result = await auditRepositories(base({ limits: { maxImages: 5000 } }));
    scope.done();
    const entry = result.repositories[0];
    assert.ok(entry && isAuditError(entry), JSON.stringify(entry));
    assert.match(entry.error.message, /^ECR BatchGetImage for team\/app answered indexes naming more than 5000 manifests/);
    // Round 0: 2 listed (1 call); round 1: the 2 stray children (1 call), which answer 200 new
    // children; round 2: 200 (2 calls) answering 20,000, which is never asked for.
    assert.equal(fake.count('BatchGetImage'), 4);
  });

  it('an index of more children than the cap is not read: a warning naming the cap, its children not followed', async () => {
    const fake = new FakeEcr([repositoryWithStrayIndex()]);
    fake.hostile.indexFanOut = DEFAULT_ECR_LIMITS.maxIndexChildren + 1;
    const scope = nockEcrApi(fake);
    const result = await auditRepositories(base());
    scope.done();
    const entry = result.repositories[0];
    assert.ok(entry && !isAuditError(entry), JSON.stringify(entry));
    assert.equal(entry.warnings?.length, 1);
    assert.match(
      entry.warnings?.[0] ?? '',
      new RegExp(`^2 manifests could not be read, .*answered an index \\(sha256:[0-9a-f]{64}\\) of ${DEFAULT_ECR_LIMITS.maxIndexChildren + 1} manifests, more than the ${DEFAULT_ECR_LIMITS.maxIndexChildren} regsize reads`),
    );
    assert.equal(fake.count('BatchGetImage'), 2, 'the listed images, then the two stray children; nothing of the oversized indexes');
  });
});
