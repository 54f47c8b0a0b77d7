/**
 * The cache as users meet it: the real CLI against a real registry behind a counting proxy.
 * A warm `regsize compare` fetches no manifest; a corrupt entry is fetched again, never
 * trusted; two regsize processes can fill one cache at once; no credential is ever written.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyDockerConfig, runCli, spawnCli } from '../helpers/cli.js';
import { type CountingProxy, startCountingProxy } from '../helpers/counting-proxy.js';
import { type Image, makeImage, makeIndex, makeRandomLayer, pushImage, pushIndex } from '../helpers/images.js';
import { tagExisting } from '../helpers/push.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

const layersSize = (img: Image) => img.layers.reduce((s, l) => s + l.size, 0);

describe('the on-disk cache, end to end', function () {
  this.timeout(120_000);
  let reg: LocalRegistry;
  let proxy: CountingProxy;
  let tmp: string;
  let amd: Image;
  let single: Image;
  let indexDigest: string;

  before(async () => {
    reg = await startRegistry();
    proxy = await startCountingProxy(reg.url);
    tmp = mkdtempSync(join(tmpdir(), 'regsize-cache-e2e-'));
    amd = makeImage({ layers: [makeRandomLayer({ size: 120_000, seed: 'c-amd' }), makeRandomLayer({ size: 30_000, seed: 'c-amd-2' })] });
    const arm = makeImage({ layers: [makeRandomLayer({ size: 110_000, seed: 'c-arm' })], platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
    indexDigest = await pushIndex(reg, 'web', '1.25', makeIndex([{ image: amd }, { image: arm }], { attestations: true }));
    single = makeImage({ layers: [makeRandomLayer({ size: 50_000, seed: 'c-single' })], format: 'docker' });
    await pushImage(reg, 'tool', '0.9', single);
    for (let i = 0; i < 12; i++) await tagExisting(reg, 'web', '1.25', `1.25.${i}`);
  });
  after(async () => {
    await proxy?.stop();
    await reg?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const compare = (cache: string, ...extra: string[]) => runCli([`${proxy.host}/web:1.25`, `${proxy.host}/tool:0.9`, '--platform', 'linux/amd64', '--json', '--cache-dir', cache, ...extra]);
  const sizes = (stdout: string) => (JSON.parse(stdout) as { images: { compressedSize: number }[] }).images.map((e) => e.compressedSize);

  it('a warm compare sends no manifest request within the tag TTL, and only HEADs with --tag-ttl 0', async () => {
    const cache = join(tmp, 'compare');
    proxy.reset();
    const cold = await compare(cache);
    assert.equal(cold.code, 0, cold.stderr);
    assert.deepEqual(sizes(cold.stdout), [layersSize(amd), layersSize(single)]);
    // Cold: the index by tag, its amd64 image, the single image by tag.
    assert.equal(proxy.manifests('GET').length, 3);

    proxy.reset();
    const warm = await compare(cache);
    assert.equal(warm.code, 0, warm.stderr);
    assert.equal(warm.stdout, cold.stdout);
    assert.deepEqual(proxy.requests, [], 'nothing at all: tags fresh, manifests and the config cached');

    proxy.reset();
    const recheck = await compare(cache, '--tag-ttl', '0');
    assert.equal(recheck.stdout, cold.stdout);
    assert.deepEqual(proxy.manifests('GET'), []);
    assert.deepEqual(proxy.manifests('HEAD').map((q) => q.path).sort(), ['/v2/tool/manifests/0.9', '/v2/web/manifests/1.25']);
  });

  it('fetches a corrupt entry again instead of trusting it, and repairs the cache', async () => {
    const cache = join(tmp, 'corrupt');
    const cold = await compare(cache);
    assert.equal(cold.code, 0, cold.stderr);
    const entry = join(cache, 'v1', 'manifests', 'sha256', amd.manifestDigest.slice(7));
    const good = readFileSync(entry);
    // Same length, one layer size changed: a cache that trusted it would report another size.
    const tampered = Buffer.from(good.toString('latin1').replace(`"size": ${amd.layers[0]!.size}`, `"size": ${amd.layers[0]!.size - 1}`), 'latin1');
    assert.notDeepEqual(tampered, good);
    writeFileSync(entry, Buffer.concat([tampered, Buffer.from(' ')]));

    proxy.reset();
    const again = await compare(cache);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(sizes(again.stdout), [layersSize(amd), layersSize(single)]);
    assert.deepEqual(proxy.manifests('GET').map((q) => q.path), [`/v2/web/manifests/${amd.manifestDigest}`]);
    assert.match(again.stderr, new RegExp(`^regsize: warning: cache entry for ${amd.manifestDigest} is corrupt .*fetching again$`, 'm'));
    assert.deepEqual(readFileSync(entry), good, 'the refetched manifest replaced the corrupt entry');
  });

  it('stays valid when two regsize processes fill it at the same time', async () => {
    const cache = join(tmp, 'shared');
    const run = () => spawnCli(['tags', `${proxy.host}/web`, '--platform', 'linux/amd64', '--json', '--cache-dir', cache]);
    const [a, b] = await Promise.all([run(), run()]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(a.stdout, b.stdout);
    assert.equal((JSON.parse(a.stdout).tags as { digest: string }[]).filter((t) => t.digest === indexDigest).length, 13);
    assert.deepEqual(files(cache).filter((f) => f.includes('.tmp-')), [], 'no temporary file left behind');

    proxy.reset();
    const warm = await run();
    assert.equal(warm.stdout, a.stdout);
    assert.equal(warm.stderr, '', 'no corrupt entry to report');
    assert.deepEqual(proxy.manifests('GET'), []);
    assert.deepEqual(proxy.manifests('HEAD'), []);
  });

  it('uses $XDG_CACHE_HOME/regsize by default, and writes nothing with --no-cache', async () => {
    const xdg = join(tmp, 'xdg');
    const r = await runCli([`${proxy.host}/tool:0.9`, '--json'], { XDG_CACHE_HOME: xdg });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(files(join(xdg, 'regsize', 'v1', 'manifests')).length > 0);

    const none = join(tmp, 'none');
    proxy.reset();
    const n1 = await runCli([`${proxy.host}/tool:0.9`, '--json', '--no-cache'], { XDG_CACHE_HOME: none });
    const n2 = await runCli([`${proxy.host}/tool:0.9`, '--json', '--no-cache'], { XDG_CACHE_HOME: none });
    assert.equal(n1.code, 0, n1.stderr);
    assert.equal(n2.stdout, n1.stdout);
    assert.deepEqual(files(none), []);
    assert.equal(proxy.manifests('GET').length, 2, 'each uncached run fetches the manifest');
  });

  it('never writes credentials or tokens to the cache', async () => {
    const auth = { username: 'cache-user', password: 'hunter2-cache-secret' };
    const secure = await startRegistry({ auth });
    try {
      const img = makeImage({ layers: [makeRandomLayer({ size: 8_000, seed: 'secret-img' })] });
      await pushImage(secure, 'private/app', 'v1', img);
      const basic = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
      const docker = emptyDockerConfig({ [secure.host]: { auth: basic } });
      const cache = join(tmp, 'secrets');
      for (const args of [[`${secure.host}/private/app:v1`], ['tags', `${secure.host}/private/app`]]) {
        const r = await runCli([...args, '--json', '--cache-dir', cache, '--platform', 'linux/amd64'], { DOCKER_CONFIG: docker });
        assert.equal(r.code, 0, r.stderr);
      }
      const written = files(cache);
      assert.ok(written.some((f) => f.includes('/manifests/')), 'the cache was used');
      for (const f of written) {
        const text = readFileSync(f).toString('latin1');
        for (const secret of [auth.password, basic, 'Basic ', 'Bearer ', 'authorization']) assert.ok(!text.includes(secret), `${f} holds "${secret}"`);
      }
    } finally {
      await secure.stop();
    }
  });
});
