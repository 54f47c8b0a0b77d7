/**
 * `regsize IMAGE...` end to end: the real CLI against a real registry (Debian's
 * docker-registry), with skopeo as the independent oracle for what each image weighs.
 */
import assert from 'node:assert/strict';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';
import { type Image, makeImage, makeIndex, makeRandomLayer, pushImage, pushIndex } from '../helpers/images.js';
import { skopeoInspectRaw } from '../helpers/skopeo.js';
import { emptyDockerConfig, runCli, spawnCli } from '../helpers/cli.js';
import type { ErrorEntry, ImageEntry } from '../../src/index.js';

/** An entry of the document, read as an image (the tests here that expect an error read only that). */
type Entry = ImageEntry & Partial<ErrorEntry>;

/** What skopeo says an image weighs on a platform: resolve the index itself, sum the layers. */
async function oracle(reg: LocalRegistry, ref: string, platform: string): Promise<{ manifestDigest: string; size: number; layers: string[] }> {
  const top = JSON.parse((await skopeoInspectRaw(reg, ref)).toString());
  let manifest = top;
  let manifestDigest = '';
  if (top.manifests) {
    const [os, arch, variant] = platform.split('/');
    const entry = top.manifests.find((m: { platform?: { os: string; architecture: string; variant?: string } }) => m.platform?.os === os && m.platform?.architecture === arch && (m.platform?.variant ?? undefined) === variant);
    assert.ok(entry, `skopeo sees no ${platform} in ${ref}`);
    manifestDigest = entry.digest;
    const repo = ref.replace(/[:@][^/]*$/, '');
    manifest = JSON.parse((await skopeoInspectRaw(reg, `${repo}@${entry.digest}`)).toString());
  }
  return { manifestDigest, size: manifest.layers.reduce((s: number, l: { size: number }) => s + l.size, 0), layers: manifest.layers.map((l: { digest: string }) => l.digest) };
}

describe('regsize compare against a real registry', function () {
  this.timeout(60_000);
  let reg: LocalRegistry;
  let base: ReturnType<typeof makeRandomLayer>;
  let single: Image;

  before(async () => {
    reg = await startRegistry();
    base = makeRandomLayer({ size: 400_000, seed: 'base-os', compression: 'gzip', createdBy: 'ADD rootfs.tar.gz /' });
    const amd = makeImage({ layers: [base, makeRandomLayer({ size: 120_000, seed: 'py-amd', compression: 'gzip' })], platform: { os: 'linux', architecture: 'amd64' } });
    const arm = makeImage({ layers: [makeRandomLayer({ size: 380_000, seed: 'os-arm', compression: 'gzip' }), makeRandomLayer({ size: 90_000, seed: 'py-arm', compression: 'gzip' })], platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
    await pushIndex(reg, 'lib/python', '3.11-slim', makeIndex([{ image: amd, platform: { os: 'linux', architecture: 'amd64' } }, { image: arm, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }], { attestations: true }));
    single = makeImage({ layers: [base, makeRandomLayer({ size: 30_000, seed: 'alp', compression: 'zstd' }), makeRandomLayer({ size: 5_000, seed: 'raw', compression: 'none' })], platform: { os: 'linux', architecture: 'amd64' }, format: 'docker' });
    await pushImage(reg, 'lib/alpine', '3.20', single);
  });
  after(async () => reg?.stop());

  it('prints the JSON contract, exactly what skopeo sees, for an index and a single manifest', async () => {
    const py = `${reg.host}/lib/python:3.11-slim`;
    const alp = `${reg.host}/lib/alpine:3.20`;
    const r = await runCli([py, alp, '--json', '--platform', 'linux/amd64']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { images: Entry[] };
    assert.deepEqual(Object.keys(doc), ['images']);
    const [a, b] = doc.images as [Entry, Entry];
    const oa = await oracle(reg, 'lib/python:3.11-slim', 'linux/amd64');
    assert.equal(a.reference, py);
    assert.equal(a.name, py);
    assert.equal(a.platform, 'linux/amd64');
    assert.equal(a.manifestDigest, oa.manifestDigest);
    assert.equal(a.compressedSize, oa.size);
    assert.deepEqual(a.layers.map((l) => l.digest), oa.layers);
    assert.match(a.digest, /^sha256:[a-f0-9]{64}$/);
    assert.deepEqual(Object.keys(a), ['reference', 'name', 'digest', 'platform', 'manifestDigest', 'compressedSize', 'layers']);
    const ob = await oracle(reg, 'lib/alpine:3.20', 'linux/amd64');
    assert.equal(b.compressedSize, ob.size);
    assert.equal(b.digest, b.manifestDigest, 'a single manifest is its own platform manifest');
    assert.equal(b.compressedSize, single.layers.reduce((s, l) => s + l.size, 0));
    assert.deepEqual(b.layers.map((l) => l.mediaType), single.layers.map((l) => l.mediaType));
    assert.deepEqual(single.layers.map((l) => l.mediaType.replace(/.*\./, '')), ['tar+gzip', 'tar+zstd', 'tar']);
  });

  it('gives one entry per platform with --platform all, attestations excluded, each as skopeo sees it', async () => {
    const r = await runCli([`${reg.host}/lib/python:3.11-slim`, '--platform', 'all', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { images: Entry[] };
    assert.deepEqual(doc.images.map((e) => e.platform), ['linux/amd64', 'linux/arm64/v8']);
    for (const e of doc.images) {
      const o = await oracle(reg, 'lib/python:3.11-slim', e.platform);
      assert.equal(e.compressedSize, o.size, e.platform);
      assert.equal(e.manifestDigest, o.manifestDigest, e.platform);
    }
  });

  it('prints the table with sizes, download times, the delta and the shared layers', async () => {
    const r = await runCli([`${reg.host}/lib/python:3.11-slim`, `${reg.host}/lib/alpine:3.20`, '--platform', 'linux/amd64', '--bandwidth', '5Mbps']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0]!, /^IMAGE\s+PLATFORM\s+SIZE\s+LAYERS\s+@5Mbps\s+VS FIRST$/);
    const json = JSON.parse((await runCli([`${reg.host}/lib/python:3.11-slim`, `${reg.host}/lib/alpine:3.20`, '--platform', 'linux/amd64', '--json'])).stdout) as { images: Entry[] };
    const [a, b] = json.images as [Entry, Entry];
    const mb = (n: number) => `${Number((n / 1000).toPrecision(3))} kB`;
    assert.match(lines[1]!, new RegExp(`lib/python:3.11-slim\\s+linux/amd64\\s+${mb(a.compressedSize)}\\s+2\\s`));
    assert.match(lines[2]!, new RegExp(`lib/alpine:3.20\\s+linux/amd64\\s+${mb(b.compressedSize)}\\s+3\\s`));
    // The shared base layer is named, and the transfer for both counts it once.
    assert.match(r.stdout, new RegExp(`Shared layers: 1 layer, ${mb(base.size)}`));
    assert.match(r.stdout, new RegExp(`Pulling all 2 once transfers ${mb(a.compressedSize + b.compressedSize - base.size)}`));
    assert.equal(r.stderr, '');
  });

  it('keeps the other images when one fails: error entry, exit 1', async () => {
    const r = await runCli([`${reg.host}/lib/python:3.11-slim`, `${reg.host}/lib/python:no-such-tag`, `${reg.host}/nothing/here:1`, '--json']);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.stdout) as { images: Entry[] };
    assert.equal(doc.images.length, 3);
    assert.ok(doc.images[0]!.compressedSize > 0);
    assert.deepEqual(doc.images[1], { reference: `${reg.host}/lib/python:no-such-tag`, error: { code: 'MANIFEST_UNKNOWN', message: doc.images[1]!.error!.message } });
    assert.match(doc.images[1]!.error!.message, /manifest unknown/);
    // The registry's own OCI error code is passed through, whatever it is.
    const direct = await fetch(`${reg.url}/v2/nothing/here/manifests/1`, { headers: { accept: 'application/vnd.oci.image.index.v1+json' } });
    assert.equal(doc.images[2]!.error!.code, ((await direct.json()) as { errors: { code: string }[] }).errors[0]!.code);
    const table = await runCli([`${reg.host}/lib/python:3.11-slim`, `${reg.host}/lib/python:no-such-tag`]);
    assert.equal(table.code, 1);
    assert.match(table.stdout, /lib\/python:3.11-slim/);
    // The failed image keeps its row; the why is one stderr line naming it as the user wrote it.
    assert.match(table.stdout, new RegExp(`^${reg.host}/lib/python:no-such-tag +error: MANIFEST_UNKNOWN$`, 'm'));
    assert.doesNotMatch(table.stdout, /manifest unknown/);
    assert.equal(
      table.stderr,
      `regsize: ${reg.host}/lib/python:no-such-tag: manifest unknown (no such tag or digest); list the tags with "regsize tags ${reg.host}/lib/python" [MANIFEST_UNKNOWN]\n`,
    );
  });

  it('reports a missing platform with the platforms that exist', async () => {
    const r = await runCli([`${reg.host}/lib/python:3.11-slim`, '--platform', 'linux/s390x', '--json']);
    assert.equal(r.code, 1);
    const e = (JSON.parse(r.stdout) as { images: Entry[] }).images[0]!;
    assert.equal(e.error!.code, 'PLATFORM_NOT_FOUND');
    assert.match(e.error!.message, /available: linux\/amd64, linux\/arm64\/v8/);
  });

  it('exits 3 with --max-size when an image is over it, 0 when all fit', async () => {
    const py = `${reg.host}/lib/python:3.11-slim`;
    const over = await runCli([py, '--platform', 'linux/amd64', '--max-size', '100kB']);
    assert.equal(over.code, 3);
    assert.match(over.stderr, /over --max-size 100kB/);
    const fits = await runCli([py, '--platform', 'linux/amd64', '--max-size', '10MB']);
    assert.equal(fits.code, 0);
    const json = await runCli([py, '--platform', 'linux/amd64', '--max-size', '100kB', '--json']);
    assert.equal(json.code, 3);
    JSON.parse(json.stdout);
  });

  it('is the same as "regsize compare"', async () => {
    const a = await spawnCli([`${reg.host}/lib/alpine:3.20`, '--json']);
    const b = await runCli(['compare', `${reg.host}/lib/alpine:3.20`, '--json']);
    assert.equal(a.stdout, b.stdout);
  });

  it('logs each request with --verbose on stderr, keeping stdout clean JSON', async () => {
    const r = await runCli([`${reg.host}/lib/python:3.11-slim`, '--json', '--verbose', '--platform', 'linux/amd64']);
    assert.equal(r.code, 0);
    JSON.parse(r.stdout);
    assert.match(r.stderr, /GET http:\/\/127\.0\.0\.1:\d+\/v2\/lib\/python\/manifests\/3\.11-slim 200 \d+ms/);
    // one request per manifest level: the index by tag, the platform manifest by digest
    assert.equal(r.stderr.match(/GET \S+\/manifests\//g)?.length, 2);
  });
});

describe('regsize compare: bad input', () => {
  const cases: [string[], RegExp][] = [
    [['Python:3.11'], /invalid reference "Python:3.11": repository name "library\/Python" must be lowercase/],
    [['python@sha256:123'], /malformed digest/],
    [['python', '--platform', 'linux/arm/v7/x'], /invalid platform "linux\/arm\/v7\/x"/],
    [['python', '--bandwidth', 'fast'], /invalid bandwidth "fast"/],
    [['python', '--max-size', 'huge'], /invalid --max-size "huge"/],
    [['python', '--units', 'bits'], /--units/],
    [['python', '--no-such-flag'], /Nonexistent flag: --no-such-flag/],
    [['compare'], /no images given/],
  ];
  for (const [args, message] of cases) {
    it(`exits 2 with a one-line message: ${args.join(' ')}`, async () => {
      const r = await runCli(args);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /\bat \S+ \(/, 'no stack trace');
    });
  }

  it('--json prints the error as a JSON document too', async () => {
    const r = await runCli(['Bad/Name', '--json']);
    assert.equal(r.code, 2);
    assert.deepEqual(JSON.parse(r.stdout).error.code, 'INVALID_REFERENCE');
  });

  it('--help lists the commands; no arguments prints help', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /compare\s+Compare the compressed sizes/);
    const bare = await runCli([]);
    assert.equal(bare.code, 0);
    assert.match(bare.stdout, /USAGE/);
  });
});

describe('regsize compare: registry with Basic auth', function () {
  this.timeout(60_000);
  let reg: LocalRegistry;
  before(async () => {
    reg = await startRegistry({ auth: { username: 'ci', password: 's3cret-pass' } });
    await pushImage(reg, 'team/app', '1', makeImage({ layers: [makeRandomLayer({ size: 10_000, seed: 'x', compression: 'gzip' })], platform: { os: 'linux', architecture: 'amd64' } }));
  });
  after(async () => reg?.stop());

  it('uses the docker config credentials and never prints them', async () => {
    const cfg = emptyDockerConfig({ [reg.host]: { auth: Buffer.from('ci:s3cret-pass').toString('base64') } });
    const r = await runCli([`${reg.host}/team/app:1`, '--json', '--verbose'], { DOCKER_CONFIG: cfg });
    assert.equal(r.code, 0, r.stderr);
    assert.ok((JSON.parse(r.stdout).images[0] as Entry).compressedSize > 0);
    assert.doesNotMatch(r.stdout + r.stderr, /s3cret-pass|Y2k6czNjcmV0LXBhc3M/);
  });

  it('without credentials: UNAUTHORIZED, saying to docker login', async () => {
    const r = await runCli([`${reg.host}/team/app:1`, '--json']);
    assert.equal(r.code, 1);
    const e = JSON.parse(r.stdout).images[0] as Entry;
    assert.equal(e.error!.code, 'UNAUTHORIZED');
    assert.match(e.error!.message, /docker login/);
  });
});
