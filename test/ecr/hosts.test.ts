/** ECR hosts and names (src/ecr/hosts.ts), recognised from the text alone. */
import assert from 'node:assert/strict';
import { ACCOUNT_ID_RE, isEcrRepositoryName, parseEcrHost, REGION_RE } from '../../src/ecr/hosts.js';
import { ACCOUNT } from './fake-ecr.js';

const HOST = `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com`;

describe('ECR hosts', function () {
  it('recognises private ECR hosts in commercial, China and FIPS partitions', function () {
    assert.deepEqual(parseEcrHost(HOST), { host: HOST, accountId: ACCOUNT, region: 'eu-west-1', fips: false });
    assert.deepEqual(parseEcrHost(`${ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com.cn`)?.region, 'cn-north-1');
    assert.deepEqual(parseEcrHost(`${ACCOUNT}.dkr.ecr-fips.us-gov-west-1.amazonaws.com`), {
      host: `${ACCOUNT}.dkr.ecr-fips.us-gov-west-1.amazonaws.com`,
      accountId: ACCOUNT,
      region: 'us-gov-west-1',
      fips: true,
    });
    assert.equal(parseEcrHost(HOST.toUpperCase())?.accountId, ACCOUNT);
  });

  it('leaves every other host alone: ECR Public, look-alikes, ports, wrong partitions', function () {
    for (const host of [
      'public.ecr.aws',
      'docker.io',
      `${HOST}.evil.example`,
      `evil.example/${HOST}`,
      `${HOST}:443`,
      `12345678901.dkr.ecr.eu-west-1.amazonaws.com`,
      `${ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com`,
      `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com.cn`,
      `${ACCOUNT}.dkr.ecr.eu_west-1.amazonaws.com`,
    ]) {
      assert.equal(parseEcrHost(host), undefined, host);
    }
  });
});


describe('ECR repository names, regions and accounts', function () {
  it('holds repository names to the CreateRepository grammar, 2 to 256 characters', function () {
    for (const name of ['ab', 'team/app', 'a.b_c-d/e', 'x'.repeat(256), `${'ab/'.repeat(85)}c`]) assert.equal(isEcrRepositoryName(name), true, name);
    for (const name of ['a', 'x'.repeat(257), 'Team/app', 'team//app', '/app', 'app/', 'a..b', 'a_-b', 'team/app:tag', 'team/app@sha256', '-app', 'app-', 'a b', '']) {
      assert.equal(isEcrRepositoryName(name), false, name);
    }
  });

  it('knows region names and 12-digit accounts', function () {
    for (const r of ['eu-west-1', 'us-gov-west-1', 'cn-north-1', 'ap-southeast-5']) assert.match(r, REGION_RE);
    for (const r of ['eu-west', 'eu-west-123', 'EU-WEST-1', 'eu_west_1']) assert.doesNotMatch(r, REGION_RE);
    assert.match(ACCOUNT, ACCOUNT_ID_RE);
    for (const a of ['12345678901', '1234567890123', '12345678901a']) assert.doesNotMatch(a, ACCOUNT_ID_RE);
  });
});
