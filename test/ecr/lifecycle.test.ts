/**
 * `ecr audit --suggest-lifecycle` prints a command for the user to paste: nothing the ECR API
 * returns can run in the user's shell through it, and a repository name outside ECR's grammar
 * is refused before it is used at all.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { type AuditResult, auditRepositories, type EcrAuditOptions, isAuditError, type RepositoryAudit } from '../../src/ecr/audit.js';
import { renderAudit } from '../../src/render/audit.js';
import { silentLogger } from '../../src/log.js';
import { ACCOUNT, FakeEcr, type FakeRepository, fakeAwsEnvironment, imageManifest, layerDigest, nockEcrApi } from './fake-ecr.js';

const NOW = new Date('2025-06-01T00:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000);
const HOSTILE_NAME = "app$(touch PWNED);`touch PWNED2` 'x' \"y\" \\z";

function repository(name: string): FakeRepository {
  return {
    name,
    images: [
      { manifest: imageManifest([{ digest: layerDigest(`${name}-base`), size: 5000 }]), mediaType: 'application/vnd.oci.image.manifest.v1+json', tags: ['v1'], pushedAt: daysAgo(30) },
      { manifest: imageManifest([{ digest: layerDigest(`${name}-old`), size: 7000 }]), mediaType: 'application/vnd.oci.image.manifest.v1+json', pushedAt: daysAgo(10) },
    ],
  };
}

function options(o: Partial<EcrAuditOptions>): EcrAuditOptions {
  return { repositories: [], all: false, region: 'eu-west-1', staleDays: 90, top: 0, pricePerGbMonth: 0.1, readLayers: true, suggestLifecycle: true, concurrency: 2, logger: silentLogger, now: () => NOW, ...o };
}

/** Runs `line` in a POSIX shell in an empty folder, with `aws` printing each argument it gets on its own line. */
function runInShell(line: string): { args: string[]; files: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'regsize-lifecycle-'));
  try {
    const out = execFileSync('sh', ['-c', `aws() { printf '%s\\n' "$@"; }\n${line}`], { cwd: dir, encoding: 'utf8' });
    return { args: out.replace(/\n$/, '').split('\n'), files: readdirSync(dir) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('ecr audit --suggest-lifecycle: the command to paste', function () {
  let restoreEnv: () => void;
  beforeEach(() => (restoreEnv = fakeAwsEnvironment()));
  afterEach(() => {
    nock.cleanAll();
    restoreEnv();
  });

  async function audited(name = 'team/app'): Promise<RepositoryAudit> {
    const scope = nockEcrApi(new FakeEcr([repository(name)]));
    const result = await auditRepositories(options({ repositories: [name] }));
    scope.done();
    const r = result.repositories[0];
    assert.ok(r && !isAuditError(r) && r.lifecycle, JSON.stringify(r));
    return r;
  }

  it('quotes every value for the shell: run by sh, a hostile name runs nothing and arrives intact', async function () {
    // A real audit, then the values a hostile API could have put in it (names, account, region).
    const r: RepositoryAudit = { ...(await audited()), repositoryName: HOSTILE_NAME, registryId: "1234'; touch PWNED3 #", region: 'eu-west-1$(touch PWNED4)' };
    const out = renderAudit({ repositories: [r] }, { units: 'si', style: 'plain' });
    const line = out.split('\n').find((l) => l.startsWith('Apply with: '));
    assert.ok(line, out);
    const { args, files } = runInShell(line.slice('Apply with: '.length));
    assert.deepEqual(files, [], 'the printed command created files');
    assert.deepEqual(args, ['ecr', 'put-lifecycle-policy', '--repository-name', HOSTILE_NAME, '--registry-id', "1234'; touch PWNED3 #", '--region', 'eu-west-1$(touch PWNED4)', '--lifecycle-policy-text', 'file://policy.json']);
  });

  it('prints a command that gives an ordinary repository, account and region to aws unchanged', async function () {
    const r = await audited('team/app');
    const line = renderAudit({ repositories: [r] }, { units: 'si', style: 'plain' }).split('\n').find((l) => l.startsWith('Apply with: ')) as string;
    assert.deepEqual(runInShell(line.slice('Apply with: '.length)).args, ['ecr', 'put-lifecycle-policy', '--repository-name', 'team/app', '--registry-id', ACCOUNT, '--region', 'eu-west-1', '--lifecycle-policy-text', 'file://policy.json']);
  });

  it('in markdown, prints the command as a code span, quoted the same way', async function () {
    const r: RepositoryAudit = { ...(await audited()), repositoryName: HOSTILE_NAME };
    const out = renderAudit({ repositories: [r] }, { units: 'si', style: 'markdown' });
    const line = out.split('\n').find((l) => l.startsWith('Apply with: ')) as string;
    // Backticks cannot appear inside the span: the name's own are shown as quotes there.
    assert.match(line, /^Apply with: `aws ecr put-lifecycle-policy --repository-name '[^`]*' --registry-id '123456789012' --region 'eu-west-1' --lifecycle-policy-text file:\/\/policy\.json`$/);
  });

  it('refuses a repository name from DescribeRepositories outside ECR\'s grammar, and audits the others', async function () {
    const fake = new FakeEcr([repository('svc-a'), repository(HOSTILE_NAME), repository('svc-b')]);
    const scope = nockEcrApi(fake);
    const result: AuditResult = await auditRepositories(options({ all: true }));
    scope.done();
    assert.deepEqual(result.repositories.map((r) => [r.repositoryName, isAuditError(r) ? r.error.code : 'ok']), [['svc-a', 'ok'], [HOSTILE_NAME, 'AWS'], ['svc-b', 'ok']]);
    const refused = result.repositories[1];
    assert.ok(refused && isAuditError(refused));
    assert.match(refused.error.message, /^the ECR API returned the repository name ".*", which is not a valid ECR repository name/);
    // The name is never sent back to the API, nor printed in a command.
    assert.equal(fake.calls.filter((c) => c.body.repositoryName === HOSTILE_NAME).length, 0);
    const out = renderAudit(result, { units: 'si', style: 'plain' });
    assert.equal(out.split('\n').filter((l) => l.startsWith('Apply with: ')).length, 2);
    assert.ok(!out.includes('touch PWNED'), out);
  });
});
