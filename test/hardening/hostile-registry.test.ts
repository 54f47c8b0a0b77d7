/**
 * The real CLI against a registry that misbehaves on purpose (test/helpers/hostile-registry.ts):
 * every fault ends in the documented exit code, a typed error code in --json, and a one-line
 * message saying what is wrong; transient faults are retried and then succeed; nothing hangs.
 */
import assert from 'node:assert/strict';
import { runCli, type CliResult } from '../helpers/cli.js';
import type { AnyEntry as Entry, CompareJson } from '../helpers/compare-json.js';
import { type Behaviour, type HostileRegistry, sha256, startHostileRegistry } from '../helpers/hostile-registry.js';
import { type Image, makeImage, makeIndex, makeRandomLayer, MT } from '../helpers/images.js';
import { recordRetryWaits, type RetryWaits } from '../helpers/retry-waits.js';

interface Run extends CliResult {
  images: Entry[];
}

const AMD64 = { os: 'linux', architecture: 'amd64' };
/** The sizes the issue sets (containerd's manifest limit, token answers, error bodies). */
const MANIFEST_CAP = 4 * 1024 * 1024;
const TOKEN_CAP = 1024 * 1024;

function image(seed: string): Image {
  return makeImage({ layers: [makeRandomLayer({ size: 3000, seed: `${seed}-a` }), makeRandomLayer({ size: 1500, seed: `${seed}-b`, compression: 'zstd' })], platform: AMD64 });
}
const sizeOf = (img: Image) => img.layers.reduce((s, l) => s + l.blob.length, 0);

/** Serves a whole image (manifest by tag and digest, config) under `repo`. */
function serve(reg: HostileRegistry, repo: string, img: Image, tag = '1'): void {
  reg.serveManifest(repo, tag, img);
  reg.serveBlob(repo, img.config);
}

async function compare(reg: HostileRegistry, repos: string[], extra: string[] = [], env: Record<string, string> = {}): Promise<Run> {
  const timeout = extra.includes('--timeout') ? [] : ['--timeout', '5'];
  const r = await runCli([...repos.map((r) => `${reg.host}/${r}:1`), '--json', '--platform', 'linux/amd64', ...timeout, ...extra], env);
  let images: Entry[] = [];
  try {
    images = (JSON.parse(r.stdout) as CompareJson).images;
  } catch {
    assert.fail(`stdout is not the JSON document: ${JSON.stringify(r.stdout)}\nstderr: ${r.stderr}`);
  }
  return { ...r, images };
}

/** Exit 1, the error code in --json, a one-line message, and no stack trace. */
function assertFailed(r: Run, code: string, message: RegExp, index = 0): string {
  assert.equal(r.code, 1, r.stderr);
  const e = r.images[index];
  assert.ok(e?.error, `expected an error entry, got ${JSON.stringify(e)}`);
  assert.equal(e.error.code, code, e.error.message);
  assert.match(e.error.message, message);
  assert.doesNotMatch(e.error.message, /\n/, 'one line');
  assert.doesNotMatch(r.stderr, /\bat \S+ \(|node:internal/, 'no stack trace');
  return e.error.message;
}

function assertSized(r: Run, img: Image, index = 0): void {
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.images[index]?.compressedSize, sizeOf(img), JSON.stringify(r.images[index]));
}

const manifestPath = (repo: string, ref = '1') => `/v2/${repo}/manifests/${ref}`;
const json = (o: unknown) => Buffer.from(JSON.stringify(o));
const respond = (body: Buffer | string, contentType: string = MT.OCI_MANIFEST, headers: Record<string, string> = {}): Behaviour => ({ kind: 'respond', body, headers: { 'content-type': contentType, ...headers } });

describe('hardening: a hostile registry', function () {
  this.timeout(30_000);
  let reg: HostileRegistry;
  // The retries' waits are recorded and asserted, not slept (../helpers/retry-waits.ts).
  let retry: RetryWaits;
  const good = image('good');

  before(async () => {
    reg = await startHostileRegistry();
    serve(reg, 'good', good);
    retry = recordRetryWaits();
  });
  beforeEach(() => retry.clear());
  after(async () => {
    retry?.restore();
    await reg?.stop();
  });

  describe('content is checked, never trusted', () => {
    it('refuses a manifest whose bytes do not match the digest the registry announced', async () => {
      const img = image('tampered');
      serve(reg, 'tampered', img);
      const announced = sha256(Buffer.from('something else'));
      reg.on(manifestPath('tampered'), respond(img.manifest, MT.OCI_MANIFEST, { 'docker-content-digest': announced }));
      const r = await compare(reg, ['tampered', 'good']);
      assertFailed(r, 'DIGEST_MISMATCH', new RegExp(`content digest ${img.manifestDigest} does not match ${announced}; the registry or a proxy altered it`));
      assert.equal(r.images[1]?.compressedSize, sizeOf(good), 'the other image is still sized');
    });

    it('refuses a platform manifest altered after the index named it', async () => {
      const img = image('child');
      const idx = makeIndex([{ image: img }]);
      reg.serveManifest('altered-child', '1', idx);
      reg.serveBlob('altered-child', img.config);
      // A smaller layer size: what a tampering proxy would do to make an image look lighter.
      const doc = JSON.parse(img.manifest.toString()) as { layers: { size: number }[] };
      (doc.layers[0] as { size: number }).size = 1;
      const altered = json(doc);
      reg.on(manifestPath('altered-child', img.manifestDigest), respond(altered, MT.OCI_MANIFEST, { 'docker-content-digest': img.manifestDigest }));
      assertFailed(await compare(reg, ['altered-child']), 'DIGEST_MISMATCH', new RegExp(`does not match ${img.manifestDigest}`));
    });

    it('refuses an image config whose bytes do not match its digest', async () => {
      const img = image('bad-config');
      reg.serveManifest('bad-config', '1', img);
      reg.on(`/v2/bad-config/blobs/${img.configDigest}`, respond(Buffer.from(img.config.toString().replace('amd64', 'arm64')), 'application/octet-stream'));
      assertFailed(await compare(reg, ['bad-config']), 'DIGEST_MISMATCH', new RegExp(`blob .*bad-config.*does not match ${img.configDigest}`));
    });

    const broken: [string, Behaviour, RegExp][] = [
      ['malformed JSON', respond('{"schemaVersion": 2, "layers": ['), /the manifest is not valid JSON/],
      ['an HTML login page', respond('<html><body>Please log in</body></html>', 'text/html; charset=utf-8'), /the registry answered with text\/html, not a manifest/],
      ['a Content-Type that contradicts the manifest', respond(image('ct').manifest, MT.OCI_INDEX), /Content-Type application\/vnd\.oci\.image\.index\.v1\+json does not match the manifest's mediaType application\/vnd\.oci\.image\.manifest\.v1\+json/],
      ['no layers list', respond(json({ schemaVersion: 2, mediaType: MT.OCI_MANIFEST, config: { mediaType: MT.OCI_CONFIG, digest: sha256(Buffer.from('c')), size: 1 } })), /the image manifest has no "layers" list/],
      ['a layer without a digest', respond(json({ schemaVersion: 2, mediaType: MT.OCI_MANIFEST, config: { mediaType: MT.OCI_CONFIG, digest: sha256(Buffer.from('c')), size: 1 }, layers: [{ mediaType: MT.OCI_LAYER_GZIP, size: 10 }] })), /layers\[0\]: descriptor has an invalid digest undefined/],
      ['a negative layer size', respond(layersWithSizes([100, -1])), /layers\[1\]: descriptor sha256:[a-f0-9]{64} has an invalid size -1 \(must be a non-negative integer\)/],
      ['a fractional layer size', respond(layersWithSizes([1.5])), /has an invalid size 1\.5/],
      ['a size written as a string', respond(layersWithSizes(['12'])), /has an invalid size "12"/],
      ['sizes whose sum no number can hold exactly', respond(layersWithSizes([Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER])), /layer sizes add up to more than/],
    ];
    describe('broken manifests, all in one run with a good image in the middle', () => {
      const repoOf = (what: string) => `broken-${what.toLowerCase().replace(/\W+/g, '-')}`;
      const repos = broken.map(([what]) => repoOf(what));
      const middle = Math.floor(repos.length / 2);
      let run: Run;
      before(async () => {
        for (const [what, behaviour] of broken) reg.on(manifestPath(repoOf(what)), behaviour);
        run = await compare(reg, [...repos.slice(0, middle), 'good', ...repos.slice(middle)]);
      });

      it('sizes the good image among them, and exits 1', () => {
        assert.equal(run.images.length, broken.length + 1);
        assert.equal(run.images[middle]?.compressedSize, sizeOf(good));
      });
      broken.forEach(([what, , message], i) => {
        it(`gives MANIFEST_INVALID for ${what}`, () => {
          assertFailed(run, 'MANIFEST_INVALID', message, i < middle ? i : i + 1);
        });
      });
    });

    it('refuses an index that names itself (served for any digest), without looping', async () => {
      const self = sha256(Buffer.from('the digest this index claims to be'));
      const loop = json({ schemaVersion: 2, mediaType: MT.OCI_INDEX, manifests: [{ mediaType: MT.OCI_INDEX, digest: self, size: 300, platform: AMD64 }] });
      reg.on(manifestPath('loop'), respond(loop, MT.OCI_INDEX));
      reg.on(manifestPath('loop', self), respond(loop, MT.OCI_INDEX));
      const r = await compare(reg, ['loop']);
      // Content addressing makes a real loop impossible: the self-reference is caught as tampering.
      assertFailed(r, 'DIGEST_MISMATCH', new RegExp(`does not match ${self}`));
      assert.equal(reg.hits(manifestPath('loop', self)).length, 1, 'fetched once, not followed round');
    });

    it('follows nested indexes 8 deep, and refuses a longer chain', async () => {
      // Distinct images: the client fetches a digest once per run, whatever the repository.
      const eight = image('deep-8');
      for (const [repo, depth, img] of [['nested-8', 8, eight], ['nested-9', 9, image('deep-9')]] as const) {
        reg.serveBlob(repo, img.config);
        let child: { manifest: Buffer; mediaType: string } = img;
        reg.serveManifest(repo, undefined, child);
        for (let i = 0; i < depth; i++) {
          const index = json({ schemaVersion: 2, mediaType: MT.OCI_INDEX, manifests: [{ mediaType: child.mediaType, digest: sha256(child.manifest), size: child.manifest.length, platform: AMD64 }] });
          child = { manifest: index, mediaType: MT.OCI_INDEX };
          reg.serveManifest(repo, i === depth - 1 ? '1' : undefined, child);
        }
      }
      const r = await compare(reg, ['nested-8', 'nested-9']);
      assert.equal(r.images[0]?.compressedSize, sizeOf(eight), JSON.stringify(r.images[0]));
      assertFailed(r, 'MANIFEST_INVALID', /indexes nested more than 8 deep/, 1);
      assert.equal(reg.requests.filter((q) => q.path.startsWith('/v2/nested-9/manifests/')).length, 9, 'stopped at the limit');
    });
  });

  describe('size caps: cut off, never buffered whole', () => {
    it(`accepts a manifest of exactly ${MANIFEST_CAP} bytes and refuses one byte more`, async () => {
      const img = image('cap');
      for (const [repo, bytes] of [['at-cap', MANIFEST_CAP], ['over-cap', MANIFEST_CAP + 1]] as const) {
        const padded = padManifest(img, bytes);
        assert.equal(padded.length, bytes);
        reg.serveManifest(repo, '1', { manifest: padded, mediaType: MT.OCI_MANIFEST });
        reg.serveBlob(repo, img.config);
      }
      const r = await compare(reg, ['at-cap', 'over-cap']);
      assert.equal(r.images[0]?.compressedSize, sizeOf(img), JSON.stringify(r.images[0]));
      assertFailed(r, 'MANIFEST_TOO_LARGE', new RegExp(`manifest ${reg.host}/over-cap:1 is larger than ${MANIFEST_CAP} bytes`), 1);
    });

    it('cuts off a streamed manifest without a Content-Length long before its end', async () => {
      const total = 256 * 1024 * 1024;
      reg.on(manifestPath('huge'), { kind: 'stream', totalBytes: total });
      const r = await compare(reg, ['huge', 'good']);
      assertFailed(r, 'MANIFEST_TOO_LARGE', new RegExp(`is larger than ${MANIFEST_CAP} bytes; refusing to read it`));
      assert.equal(r.images[1]?.compressedSize, sizeOf(good));
      const stats = reg.stats(manifestPath('huge'));
      assert.ok(stats?.cutOff, 'the client hung up mid-body');
      // What got out is the cap plus socket buffers, not the 256 MiB on offer.
      assert.ok(stats.written < 32 * 1024 * 1024, `server wrote ${stats.written} bytes`);
    });

    it('refuses a manifest whose Content-Length is over the cap without reading it', async () => {
      reg.on(manifestPath('declared-huge'), { kind: 'stream', totalBytes: 256 * 1024 * 1024, contentLength: true });
      assertFailed(await compare(reg, ['declared-huge']), 'MANIFEST_TOO_LARGE', /is larger than/);
      const stats = reg.stats(manifestPath('declared-huge'));
      assert.ok(stats?.cutOff && stats.written < 32 * 1024 * 1024, JSON.stringify(stats));
    });

    it('reads at most 64 KiB of an error body', async () => {
      reg.on(manifestPath('huge-error'), { kind: 'stream', status: 500, totalBytes: 64 * 1024 * 1024, contentType: 'application/json' });
      assertFailed(await compare(reg, ['huge-error']), 'REGISTRY_ERROR', new RegExp(`${reg.host}/huge-error:1: ${reg.host} answered HTTP 500$`));
      const stats = reg.stats(manifestPath('huge-error'));
      assert.ok(stats?.cutOff && stats.written < 32 * 1024 * 1024, JSON.stringify(stats));
    });
  });

  describe('retries: transient faults retried, the rest not', () => {
    it('waits out a 429 with Retry-After: 1, then succeeds, saying so with --verbose', async () => {
      const img = image('r429');
      serve(reg, 'r429', img);
      reg.on(manifestPath('r429'), { kind: 'respond', status: 429, headers: { 'retry-after': '1' }, body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}' }, respond(img.manifest));
      const r = await compare(reg, ['r429'], ['--verbose']);
      assertSized(r, img);
      assert.equal(reg.hits(manifestPath('r429')).length, 2);
      // The wait computed from Retry-After; that it is slept is the retry wrapper's own test.
      assert.match(r.stderr, new RegExp(`retrying GET http://${reg.host}/v2/r429/manifests/1 in 1000ms \\(HTTP 429\\)`));
      assert.deepEqual(retry.waits, [1000], 'and waited for');
    });

    it('retries a 503, then succeeds', async () => {
      const img = image('r503');
      serve(reg, 'r503', img);
      reg.on(manifestPath('r503'), { kind: 'respond', status: 503, body: 'upstream busy' }, respond(img.manifest));
      const r = await compare(reg, ['r503'], ['--verbose']);
      assertSized(r, img);
      assert.equal(reg.hits(manifestPath('r503')).length, 2);
      assert.match(r.stderr, /retrying GET \S+\/v2\/r503\/manifests\/1 in \d+ms \(HTTP 503\)/);
      assert.equal(retry.waits.length, 1);
    });

    it('retries a connection reset, then succeeds', async () => {
      const img = image('reset');
      serve(reg, 'reset', img);
      reg.on(`/v2/reset/blobs/${img.configDigest}`, { kind: 'reset' }, respond(img.config, 'application/octet-stream'));
      const r = await compare(reg, ['reset'], ['--verbose']);
      assertSized(r, img);
      assert.equal(reg.hits(`/v2/reset/blobs/${img.configDigest}`).length, 2);
      assert.match(r.stderr, /retrying GET \S+\/v2\/reset\/blobs\/sha256:[a-f0-9]{64} in \d+ms \(NETWORK: /);
      assert.equal(retry.waits.length, 1);
    });

    it('gives up after 3 retries of a 503 that does not lift', async () => {
      reg.on(manifestPath('down'), { kind: 'respond', status: 503, body: '{"errors":[{"code":"UNAVAILABLE","message":"maintenance"}]}' });
      const r = await compare(reg, ['down', 'good'], ['--verbose']);
      assertFailed(r, 'REGISTRY_ERROR', /down:1: \S+ answered HTTP 503 \(maintenance\)/);
      assert.equal(reg.hits(manifestPath('down')).length, 4, 'one attempt and three retries');
      // Backoff grows between attempts (exponential, jittered) and stays short.
      const waits = [...r.stderr.matchAll(/retrying GET \S+\/down\/\S+ in (\d+)ms/g)].map((m) => Number(m[1]));
      assert.equal(waits.length, 3);
      const [w1, w2, w3] = waits as [number, number, number];
      assert.ok(w1 > 0 && w1 <= w2 && w2 <= w3 && w1 < w3 && w3 <= 8000, `waits ${waits.join(', ')}`);
      assert.deepEqual(retry.waits, waits, 'each wait printed is the one waited for');
      assert.equal(r.images[1]?.compressedSize, sizeOf(good));
    });

    it('gives up after 3 retries of a connection that keeps resetting, naming the request', async () => {
      reg.on(manifestPath('resets'), { kind: 'reset' });
      const r = await compare(reg, ['resets', 'good']);
      assertFailed(r, 'NETWORK', new RegExp(`^GET http://${reg.host}/v2/resets/manifests/1 failed: network error: .*; check the network and the registry address$`));
      assert.equal(reg.hits(manifestPath('resets')).length, 4);
      assert.equal(retry.waits.length, 3);
      assert.equal(r.images[1]?.compressedSize, sizeOf(good));
    });

    for (const status of [500, 400]) {
      it(`does not retry an HTTP ${status}`, async () => {
        const repo = `no-retry-${status}`;
        reg.on(manifestPath(repo), { kind: 'respond', status, body: 'nope' });
        assertFailed(await compare(reg, [repo], ['--verbose']), 'REGISTRY_ERROR', new RegExp(`answered HTTP ${status}$`));
        assert.equal(reg.hits(manifestPath(repo)).length, 1);
      });
    }

    // "At once": within the test's timeout, and with no retry scheduled (--verbose would say).
    it('reports a 429 whose Retry-After is hours at once, with the time it lifts', async function () {
      this.timeout(15_000);
      const waitMs = 2 * 3600 * 1000;
      reg.on(manifestPath('pull-limit'), { kind: 'respond', status: 429, headers: { 'retry-after': String(waitMs / 1000), 'content-type': 'application/json' }, body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"You have reached your pull rate limit."}]}' });
      const before = Date.now();
      const r = await compare(reg, ['pull-limit', 'good'], ['--verbose']);
      const message = assertFailed(r, 'TOOMANYREQUESTS', /rate limit reached; it lifts at \d{4}-\d\d-\d\d \d\d:\d\d UTC \(in 2h 0m\); log in \(docker login\)/);
      assert.doesNotMatch(r.stderr, /retrying/);
      assert.equal(reg.hits(manifestPath('pull-limit')).length, 1);
      const lifts = Date.parse(`${/lifts at (\S+ \S+) UTC/.exec(message)?.[1]?.replace(' ', 'T')}Z`);
      assert.ok(lifts >= before + waitMs - 60_000 && lifts <= Date.now() + waitMs, `lifts at ${new Date(lifts).toISOString()}`);
      assert.equal(r.images[1]?.compressedSize, sizeOf(good));
    });

    it('reports a Retry-After just over its 60 s cap at once too', async function () {
      this.timeout(15_000);
      reg.on(manifestPath('over-cap-wait'), { kind: 'respond', status: 429, headers: { 'retry-after': '61' }, body: '' });
      const r = await compare(reg, ['over-cap-wait'], ['--verbose']);
      assertFailed(r, 'TOOMANYREQUESTS', /rate limit reached; it lifts at .* UTC \(in 2m\)/);
      assert.doesNotMatch(r.stderr, /retrying/);
      assert.equal(reg.hits(manifestPath('over-cap-wait')).length, 1);
    });

    it('reads Retry-After as an HTTP date too', async function () {
      this.timeout(15_000);
      const at = new Date(Date.now() + 3 * 3600 * 1000 + 30 * 60 * 1000);
      reg.on(manifestPath('pull-limit-date'), { kind: 'respond', status: 429, headers: { 'retry-after': at.toUTCString() }, body: '' });
      const r = await compare(reg, ['pull-limit-date'], ['--verbose']);
      assertFailed(r, 'TOOMANYREQUESTS', new RegExp(`it lifts at ${at.toISOString().slice(0, 16).replace('T', ' ')} UTC \\(in 3h (29|30)m\\)`));
      assert.doesNotMatch(r.stderr, /retrying/);
    });
  });

  describe('timeouts', () => {
    // --timeout reached the HTTP layer: the test's own timeout is far below the 30 s default.
    it('does not hang on a body that stalls mid-way: --timeout bounds the request', async function () {
      this.timeout(10_000);
      const img = image('stall');
      serve(reg, 'stall', img);
      reg.on(manifestPath('stall'), { kind: 'stall', body: img.manifest, sendBytes: 100, headers: { 'content-type': MT.OCI_MANIFEST } });
      const r = await compare(reg, ['stall', 'good'], ['--timeout', '1']);
      assertFailed(r, 'TIMEOUT', new RegExp(`GET http://${reg.host}/v2/stall/manifests/1 timed out after 1s; raise --timeout or check the network`));
      assert.equal(r.images[1]?.compressedSize, sizeOf(good));
      // Not retried.
      assert.equal(reg.hits(manifestPath('stall')).length, 1);
    });
  });

  describe('regsize tags', () => {
    const tagList = (repo: string, tags: string[], link?: string): Behaviour => ({
      kind: 'respond',
      body: JSON.stringify({ name: repo, tags }),
      headers: { 'content-type': 'application/json', ...(link ? { link: `<${link}>; rel="next"` } : {}) },
    });

    it('sizes the good tags and reports the broken one, after a 503 on the tag list', async () => {
      const img = image('tags-ok');
      serve(reg, 'tagged', img);
      reg.on(manifestPath('tagged', '2'), respond('{"schemaVersion": 2, "layers": ['));
      reg.on('/v2/tagged/tags/list', { kind: 'respond', status: 503, body: '' }, tagList('tagged', ['1', '2']));
      const r = await runCli(['tags', `${reg.host}/tagged`, '--json', '--platform', 'linux/amd64', '--timeout', '5']);
      assert.equal(r.code, 1, r.stderr);
      const doc = JSON.parse(r.stdout) as { tags: { tag: string; compressedSize?: number; error?: { code: string; message: string } }[] };
      const byTag = new Map(doc.tags.map((t) => [t.tag, t]));
      assert.equal(byTag.get('1')?.compressedSize, sizeOf(img));
      assert.deepEqual(byTag.get('2')?.error, { code: 'MANIFEST_INVALID', message: `${reg.host}/tagged:2: the manifest is not valid JSON` });
    });

    it('stops a tag list whose pagination never ends', async () => {
      // Every page names one more tag and a next page that was never seen before.
      reg.on('/v2/endless/tags/list', { kind: 'fn', answer: (_req, n) => tagList('endless', [`t${n}`], `/v2/endless/tags/list?n=1000&last=t${n}`) });
      const r = await runCli(['tags', `${reg.host}/endless`, '--json', '--timeout', '5']);
      assert.equal(r.code, 1, r.stderr);
      const error = (JSON.parse(r.stdout) as { error: { code: string; message: string } }).error;
      assert.equal(error.code, 'REGISTRY_ERROR');
      assert.equal(error.message, `${reg.host}/endless: the tag list runs past 1000 pages (1000 tags so far); the registry's pagination does not end`);
      assert.equal(r.stderr, `regsize: ${error.message}\n`, 'one line on stderr');
      assert.equal(reg.hits('/v2/endless/tags/list').length, 1000);
    });

    it('stops a tag list whose pagination loops', async () => {
      reg.on('/v2/looping/tags/list', tagList('looping', ['a'], '/v2/looping/tags/list?last=a'));
      const r = await runCli(['tags', `${reg.host}/looping`, '--json', '--timeout', '5']);
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), { error: { code: 'REGISTRY_ERROR', message: `${reg.host}/looping: the tag list pagination loops` } });
      assert.equal(reg.hits('/v2/looping/tags/list').length, 2);
    });
  });

  describe('redirects', () => {
    let cdn: HostileRegistry;
    let authed: HostileRegistry;
    const token = 'tok-redirect-7f3a9c';
    before(async () => {
      // Another host: 127.0.0.2 is loopback too, but not the registry's host.
      cdn = await startHostileRegistry({ address: '127.0.0.2' }).catch(() => startHostileRegistry());
      authed = await startHostileRegistry({ bearer: { token } });
    });
    after(async () => {
      await cdn?.stop();
      await authed?.stop();
    });

    it('follows a blob redirect to another host without the Authorization header', async () => {
      const img = image('cdn');
      authed.serveManifest('app', '1', img);
      const cdnPath = `/blobs/${img.configDigest}?X-Amz-Signature=abc`;
      authed.on(`/v2/app/blobs/${img.configDigest}`, { kind: 'redirect', location: `${cdn.url}${cdnPath}` });
      cdn.on(`/blobs/${img.configDigest}`, respond(img.config, 'application/octet-stream'));
      const r = await compare(authed, ['app'], ['--verbose']);
      assertSized(r, img);
      assert.deepEqual(authed.hits(`/v2/app/blobs/${img.configDigest}`).map((h) => h.authorization), [`Bearer ${token}`], 'the registry got the token');
      const atCdn = cdn.hits(`/blobs/${img.configDigest}`);
      assert.equal(atCdn.length, 1);
      assert.equal(atCdn[0]?.authorization, undefined, 'the CDN got no Authorization');
      assert.notEqual(cdn.host, authed.host);
      assert.doesNotMatch(r.stderr, /abc/, 'signed URL parameters are redacted in --verbose');
      assert.doesNotMatch(r.stderr + r.stdout, new RegExp(token));
    });

    it('gives up after 5 redirects', async () => {
      const img = image('rl');
      authed.serveManifest('redirect-loop', '1', img);
      authed.on(`/v2/redirect-loop/blobs/${img.configDigest}`, { kind: 'redirect', location: `/v2/redirect-loop/blobs/${img.configDigest}` });
      assertFailed(await compare(authed, ['redirect-loop']), 'NETWORK', /too many redirects \(more than 5\)/);
      assert.equal(authed.hits(`/v2/redirect-loop/blobs/${img.configDigest}`).length, 6);
    });

    it('refuses an oversized token answer', async () => {
      const tokenServer = await startHostileRegistry({ bearer: { token } });
      try {
        tokenServer.on('/token', { kind: 'stream', totalBytes: 64 * 1024 * 1024, contentType: 'application/json' });
        const r = await compare(tokenServer, ['app']);
        assertFailed(r, 'UNAUTHORIZED', new RegExp(`token answer is larger than ${TOKEN_CAP} bytes`));
        const stats = tokenServer.stats('/token');
        assert.ok(stats?.cutOff && stats.written < 32 * 1024 * 1024, JSON.stringify(stats));
      } finally {
        await tokenServer.stop();
      }
    });
  });
});

/** An image manifest whose layers have these sizes (digests made up: never fetched). */
function layersWithSizes(sizes: unknown[]): Buffer {
  return json({
    schemaVersion: 2,
    mediaType: MT.OCI_MANIFEST,
    config: { mediaType: MT.OCI_CONFIG, digest: sha256(Buffer.from('config')), size: 100 },
    layers: sizes.map((size, i) => ({ mediaType: MT.OCI_LAYER_GZIP, digest: sha256(Buffer.from(`layer ${i}`)), size })),
  });
}

/** The image's manifest padded with an annotation to exactly `bytes` bytes. */
function padManifest(img: Image, bytes: number): Buffer {
  const doc = JSON.parse(img.manifest.toString()) as Record<string, unknown>;
  const empty = Buffer.byteLength(JSON.stringify({ ...doc, annotations: { pad: '' } }));
  return json({ ...doc, annotations: { pad: 'x'.repeat(bytes - empty) } });
}
