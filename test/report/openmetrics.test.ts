/**
 * `regsize report --format openmetrics` and `--pushgateway`, with the real parts from Debian:
 * `promtool check metrics` validates the exposition, and a real prometheus-pushgateway on a
 * loopback port receives the push and serves it back. The report runs in-process against a
 * real registry (images) and the fake ECR API (nock, an `ecr:` section). Expected values come
 * from the bytes pushed and the layers the fake ECR holds, never from regsize's own output.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import Report from '../../commands/report/index.js';
import { renderOpenMetrics } from '../../src/render/openmetrics.js';
import type { ReportResult } from '../../src/report/model.js';
import { pushUrl } from '../../src/report/pushgateway.js';
import { emptyDockerConfig } from '../helpers/cli.js';
import { type Image, makeImage, makeRandomLayer, pushImage } from '../helpers/images.js';
import { type LocalPushgateway, startPushgateway } from '../helpers/pushgateway.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';
import { runInProcess } from '../commands/run-in-process.js';
import { FakeEcr, fakeAwsEnvironment, imageManifest, layerDigest, nockEcrApi } from '../ecr/fake-ecr.js';

const size = (img: Image) => img.layers.reduce((s, l) => s + l.size, 0);

/** promtool reads the exposition on stdin; returns its exit code and what it printed. */
function promtoolCheck(text: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
    child.stdin.end(text);
  });
}

/**
 * `name{labels} value` lines, keyed by name and labels in name order (the Pushgateway sorts
 * them), leaving out the labels in `drop`.
 */
function samples(text: string, filter: (line: string) => boolean = () => true, drop: string[] = []): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#') || !filter(line)) continue;
    const at = line.lastIndexOf(' ');
    const series = line.slice(0, at);
    const name = series.replace(/\{.*$/, '');
    const labels = [...series.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].filter((l) => !drop.includes(l[1] as string)).map((l) => `${l[1]}="${l[2]}"`).sort();
    m.set(`${name}{${labels.join(',')}}`, Number(line.slice(at + 1)));
  }
  return m;
}

describe('report --format openmetrics and --pushgateway', function () {
  this.timeout(120_000);
  let reg: LocalRegistry;
  let gateway: LocalPushgateway;
  let dir: string;
  let restoreEnv: () => void;
  const savedDockerConfig = process.env.DOCKER_CONFIG;
  const api = makeImage({ layers: [makeRandomLayer({ size: 500_000, seed: 'om-api-1' }), makeRandomLayer({ size: 80_000, seed: 'om-api-2', compression: 'zstd' })] });
  const web = makeImage({ layers: [makeRandomLayer({ size: 250_000, seed: 'om-web' })] });
  // The fake ECR repository: two tagged images sharing a base, and an untagged one whose own
  // layer is what deleting it would free.
  const base = { digest: layerDigest('om-base'), size: 7_000_000 };
  const v1 = { digest: layerDigest('om-v1'), size: 1_000_000 };
  const v2 = { digest: layerDigest('om-v2'), size: 2_000_000 };
  const orphan = { digest: layerDigest('om-orphan'), size: 3_500_000 };
  const MT = 'application/vnd.oci.image.manifest.v1+json';

  before(async () => {
    [reg, gateway] = await Promise.all([startRegistry(), startPushgateway()]);
    dir = mkdtempSync(join(tmpdir(), 'regsize-openmetrics-'));
    process.env.DOCKER_CONFIG = emptyDockerConfig();
    await pushImage(reg, 'team/api', 'prod', api);
    await pushImage(reg, 'team/web', 'prod', web);
  });
  beforeEach(() => {
    restoreEnv = fakeAwsEnvironment();
    nockEcrApi(
      new FakeEcr(
        [
          {
            name: 'app',
            images: [
              { manifest: imageManifest([base, v1]), mediaType: MT, tags: ['v1'] },
              { manifest: imageManifest([base, v2]), mediaType: MT, tags: ['v2'] },
              { manifest: imageManifest([base, orphan]), mediaType: MT, tags: [] },
            ],
          },
        ],
        { region: 'eu-west-1' },
      ),
    );
  });
  afterEach(() => {
    nock.cleanAll();
    restoreEnv();
  });
  after(async () => {
    await Promise.all([reg?.stop(), gateway?.stop()]);
    rmSync(dir, { recursive: true, force: true });
    if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = savedDockerConfig;
  });

  function config(name: string, withWeb = true): string {
    const file = join(dir, name);
    writeFileSync(
      file,
      `platform: linux/amd64
images:
  - ref: ${reg.host}/team/api:prod
    maxSize: 2MB
${withWeb ? `  - ${reg.host}/team/web:prod\n` : ''}ecr:
  - region: eu-west-1
    repositories: [app]
`,
    );
    return file;
  }

  function expected(withWeb = true): Map<string, number> {
    const img = (name: string) => `{image="${reg.host}/team/${name}:prod",platform="linux/amd64"}`;
    const repo = '{region="eu-west-1",repository="app"}';
    return new Map([
      [`regsize_image_compressed_bytes${img('api')}`, size(api)],
      ...(withWeb ? [[`regsize_image_compressed_bytes${img('web')}`, size(web)] as [string, number]] : []),
      [`regsize_image_budget_bytes${img('api')}`, 2_000_000],
      [`regsize_image_layers${img('api')}`, api.layers.length],
      ...(withWeb ? [[`regsize_image_layers${img('web')}`, web.layers.length] as [string, number]] : []),
      [`regsize_ecr_repository_stored_bytes${repo}`, base.size + v1.size + v2.size + orphan.size],
      [`regsize_ecr_repository_reclaimable_bytes${repo}`, orphan.size],
    ]);
  }

  it('prints an exposition promtool accepts, with HELP and TYPE lines, # EOF, and the figures of the pushed images', async () => {
    const r = await runInProcess(Report, ['--config', config('om.yaml'), '--format', 'openmetrics', '--no-history', '--no-cache']);
    assert.equal(r.exitCode, 0, r.stderr);
    const check = await promtoolCheck(r.stdout);
    assert.equal(check.code, 0, check.output);
    assert.equal(check.output, '', 'no lint findings');
    assert.ok(r.stdout.endsWith('# EOF\n'), r.stdout);
    for (const name of ['regsize_image_compressed_bytes', 'regsize_image_uncompressed_bytes', 'regsize_image_budget_bytes', 'regsize_image_layers', 'regsize_ecr_repository_stored_bytes', 'regsize_ecr_repository_reclaimable_bytes']) {
      assert.match(r.stdout, new RegExp(`^# HELP ${name} .+\n# TYPE ${name} gauge$`, 'm'), name);
    }
    // No uncompressed sample: the report does not measure it, so it says nothing rather than 0.
    assert.deepEqual(samples(r.stdout), expected());
  });

  it('escapes backslash, double quote and line feed in label values, as promtool requires', async () => {
    const name = 'reg.example/a"b\\c\nd:1';
    const fake = {
      images: [{ reference: name, name, platform: 'linux/amd64', compressedSize: 5, layers: [{}], budget: null }],
      repositories: [],
    } as unknown as ReportResult;
    const text = renderOpenMetrics(fake);
    assert.ok(text.includes('regsize_image_compressed_bytes{image="reg.example/a\\"b\\\\c\\nd:1",platform="linux/amd64"} 5\n'), text);
    const check = await promtoolCheck(text);
    assert.equal(check.code, 0, check.output);
  });

  it('pushes the same metrics to a real Pushgateway, and the next push replaces them', async () => {
    const instance = 'ci/runner-1'; // a "/" goes base64-encoded in the grouping key
    const r = await runInProcess(Report, ['--config', config('push.yaml'), '--no-history', '--no-cache', '--pushgateway', gateway.url, '--pushgateway-instance', instance, '--format', 'json']);
    assert.equal(r.exitCode, 0, r.stderr);
    const group = (line: string) => line.startsWith('regsize_') && line.includes(`instance="${instance}"`) && line.includes('job="regsize"');
    assert.deepEqual(samples(await gateway.metrics(), group, ['instance', 'job']), expected());

    // web leaves the config: PUT replaces the group, so its series is gone, not stale.
    const again = await runInProcess(Report, ['--config', config('push2.yaml', false), '--no-history', '--no-cache', '--pushgateway', gateway.url, '--pushgateway-instance', instance, '--format', 'json']);
    assert.equal(again.exitCode, 0, again.stderr);
    assert.deepEqual(samples(await gateway.metrics(), group, ['instance', 'job']), expected(false));
  });

  it('refuses a bad Pushgateway URL before any request, and says so in one line when the push fails', async () => {
    const bad = await runInProcess(Report, ['--config', config('bad.yaml'), '--no-history', '--pushgateway', 'ftp://user:hunter2@gw']);
    assert.equal(bad.exitCode, 2);
    assert.equal(bad.stderr, 'regsize: invalid --pushgateway "ftp://***@gw/": use an http:// or https:// URL\n');
    assert.deepEqual(pushUrl({ url: 'https://u:p%40ss@gw:9091/base/', job: 'regsize', instance: 'a b' }), {
      url: 'https://gw:9091/base/metrics/job/regsize/instance/a%20b',
      authorization: `Basic ${Buffer.from('u:p@ss').toString('base64')}`,
    });
    // A path the Pushgateway refuses (an empty job is not a grouping key it accepts) fails the run.
    const refused = await runInProcess(Report, ['--config', config('refused.yaml'), '--no-history', '--no-cache', '--pushgateway', `${gateway.url}/nope`, '--format', 'json']);
    assert.equal(refused.exitCode, 1, refused.stderr);
    const lines = refused.stderr.trim().split('\n');
    assert.equal(lines.length, 1, refused.stderr);
    assert.match(lines[0] as string, /^regsize: the Pushgateway at http:\/\/127\.0\.0\.1:\d+\/nope answered HTTP 404 to the push/);
  });
});
