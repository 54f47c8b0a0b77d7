/**
 * `regsize tags` end to end: the real CLI against a real registry (Debian's docker-registry)
 * behind a counting proxy, so the requests regsize sends are counted by something other than
 * regsize. A repository with many tags over few images: each distinct manifest is fetched
 * once, a warm run fetches none, and sizes are the sums of the layers the test built.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, runCli, spawnCli } from '../helpers/cli.js';
import { type CountingProxy, startCountingProxy } from '../helpers/counting-proxy.js';
import { type Image, makeImage, makeIndex, makeRandomLayer, pushImage, pushIndex } from '../helpers/images.js';
import { tagExisting } from '../helpers/push.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';

interface Entry {
  tag: string;
  digest?: string;
  platform?: string;
  compressedSize?: number;
  error?: { code: string; message: string };
}

const layersSize = (img: Image) => img.layers.reduce((s, l) => s + l.size, 0);

describe('regsize tags against a real registry', function () {
  this.timeout(120_000);
  let reg: LocalRegistry;
  let proxy: CountingProxy;
  let tmp: string;
  /** tag -> what it must report for linux/amd64 */
  const expected = new Map<string, { digest: string; size: number }>();
  /** Manifests a cold run must GET: each tag's digest once, plus the amd64 image of the index. */
  const mustFetch = new Set<string>();
  let windowsDigest = '';
  let armSize = 0;
  let sigTag = '';

  before(async () => {
    reg = await startRegistry();
    proxy = await startCountingProxy(reg.url);
    tmp = mkdtempSync(join(tmpdir(), 'regsize-tags-cli-'));
    const big = makeImage({ layers: [makeRandomLayer({ size: 300_000, seed: 'big-base' }), makeRandomLayer({ size: 40_000, seed: 'big-app' })] });
    const small = makeImage({ layers: [makeRandomLayer({ size: 90_000, seed: 'small', compression: 'zstd' })], format: 'oci' });
    const amd = makeImage({ layers: [makeRandomLayer({ size: 150_000, seed: 'multi-amd' })] });
    const arm = makeImage({ layers: [makeRandomLayer({ size: 20_000, seed: 'multi-arm' })], platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
    const index = makeIndex([{ image: amd }, { image: arm }], { attestations: true });
    armSize = layersSize(arm);
    const windows = makeImage({ layers: [makeRandomLayer({ size: 10_000, seed: 'win' })], platform: { os: 'windows', architecture: 'amd64' } });

    const bigDigest = await pushImage(reg, 'app', '1.0', big);
    const smallDigest = await pushImage(reg, 'app', '2.0-slim', small);
    const indexDigest = await pushIndex(reg, 'app', '3.0', index);
    windowsDigest = await pushImage(reg, 'app', 'win-1.0', windows);
    expected.set('1.0', { digest: bigDigest, size: layersSize(big) });
    expected.set('2.0-slim', { digest: smallDigest, size: layersSize(small) });
    expected.set('3.0', { digest: indexDigest, size: layersSize(amd) });
    for (const t of ['1', '1.0.1', '1.0.2', 'stable', 'lts']) expected.set(t, { digest: await tagExisting(reg, 'app', '1.0', t), size: layersSize(big) });
    for (const t of ['2-slim', '2.0.0-slim', '2.0.1-slim', 'slim']) expected.set(t, { digest: await tagExisting(reg, 'app', '2.0-slim', t), size: layersSize(small) });
    for (const t of ['3', '3.0.1', '3.0.2', '3.0.3', 'latest', 'edge']) expected.set(t, { digest: await tagExisting(reg, 'app', '3.0', t), size: layersSize(amd) });
    // A cosign signature tag of the big image: hidden by default.
    sigTag = `${bigDigest.replace(':', '-')}.sig`;
    await tagExisting(reg, 'app', '1.0', sigTag);
    for (const { digest } of expected.values()) mustFetch.add(digest);
    mustFetch.add(windowsDigest);
    mustFetch.add(amd.manifestDigest);
  });
  after(async () => {
    await proxy?.stop();
    await reg?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const repo = () => `${proxy.host}/app`;
  const tags = (cache: string, ...args: string[]) => runCli(['tags', repo(), '--cache-dir', cache, '--platform', 'linux/amd64', ...args]);

  /** The order the issue asks for: ascending size, tags of one digest together (version order inside), failures last. */
  function expectedOrder(): Entry[] {
    const byDigest = new Map<string, string[]>();
    for (const [tag, e] of expected) byDigest.set(e.digest, [...(byDigest.get(e.digest) ?? []), tag]);
    const groups = [...byDigest.entries()].sort((a, b) => expected.get(a[1][0]!)!.size - expected.get(b[1][0]!)!.size);
    const versionOrder: Record<string, string[]> = {
      big: ['1', '1.0', '1.0.1', '1.0.2', 'lts', 'stable'],
      small: ['2-slim', '2.0-slim', '2.0.0-slim', '2.0.1-slim', 'slim'],
      multi: ['3', '3.0', '3.0.1', '3.0.2', '3.0.3', 'edge', 'latest'],
    };
    const entries: Entry[] = [];
    for (const [digest, ts] of groups) {
      const order = Object.values(versionOrder).find((o) => o.includes(ts[0]!))!;
      assert.deepEqual([...ts].sort(), [...order].sort());
      for (const tag of order) entries.push({ tag, digest, platform: 'linux/amd64', compressedSize: expected.get(tag)!.size });
    }
    return entries;
  }

  it('fetches each distinct manifest once on a cold run, and prints the JSON contract in table order', async () => {
    const cache = join(tmp, 'cold');
    proxy.reset();
    const r = await tags(cache, '--json');
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { repository: string; tags: Entry[] };
    assert.equal(doc.repository, `${proxy.host}/app`);
    const ok = doc.tags.filter((e) => !e.error);
    assert.deepEqual(ok, expectedOrder());
    // The Windows-only tag has no linux/amd64 image: kept, with its error, last; not a failure.
    assert.deepEqual(doc.tags.slice(ok.length).map((e) => [e.tag, e.digest, e.error?.code]), [['win-1.0', windowsDigest, 'PLATFORM_NOT_FOUND']]);
    assert.ok(!doc.tags.some((e) => e.tag === sigTag), 'the signature tag is hidden');

    const gets = proxy.manifests('GET').map((q) => q.path.split('/').pop()!);
    assert.equal(gets.length, mustFetch.size, `manifest GETs: ${gets.join(', ')}`);
    assert.deepEqual(new Set(gets), mustFetch);
    assert.equal(proxy.manifests('HEAD').length, expected.size + 1, 'one HEAD per tag (the signature tag is never asked about)');
    assert.equal(r.stderr, '', 'no progress bar and no notes when not on a terminal with --json');
  });

  it('makes no manifest request on a warm run within the tag TTL, and one HEAD per tag with --tag-ttl 0', async () => {
    const cache = join(tmp, 'warm');
    const cold = await tags(cache, '--json');
    assert.equal(cold.code, 0, cold.stderr);

    proxy.reset();
    const warm = await tags(cache, '--json');
    assert.equal(warm.code, 0, warm.stderr);
    assert.equal(warm.stdout, cold.stdout);
    assert.deepEqual(proxy.manifests('GET'), []);
    assert.deepEqual(proxy.manifests('HEAD'), []);
    assert.deepEqual(proxy.requests.map((q) => `${q.method} ${q.path}`), ['GET /v2/', 'GET /v2/app/tags/list?n=1000'], 'only the tag list is asked again');

    proxy.reset();
    const recheck = await tags(cache, '--json', '--tag-ttl', '0');
    assert.equal(recheck.code, 0, recheck.stderr);
    assert.equal(recheck.stdout, cold.stdout);
    assert.deepEqual(proxy.manifests('GET'), []);
    assert.equal(proxy.manifests('HEAD').length, expected.size + 1);
  });

  it("keeps the repository's tag answers in one cache file: aged past the TTL they are asked again by HEAD, corrupt they are noted and not trusted", async () => {
    const cache = join(tmp, 'one-file');
    const cold = await tags(cache, '--json');
    assert.equal(cold.code, 0, cold.stderr);
    const entries = readdirSync(join(cache, 'v1', 'repo-tags'));
    assert.equal(entries.length, 1, 'one entry for the repository');
    assert.equal(existsSync(join(cache, 'v1', 'tags')), false, 'no file per tag');
    const file = join(cache, 'v1', 'repo-tags', entries[0]!);
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { tags: Record<string, [number, number]> };
    assert.deepEqual(Object.keys(doc.tags).sort(), [...expected.keys(), 'win-1.0'].sort());

    // Every answer learned an hour ago: past the default TTL, so each tag is asked again (a HEAD), no manifest GET.
    for (const v of Object.values(doc.tags)) v[1] -= 60 * 60 * 1000;
    writeFileSync(file, JSON.stringify(doc));
    proxy.reset();
    const aged = await tags(cache, '--json');
    assert.equal(aged.code, 0, aged.stderr);
    assert.equal(aged.stdout, cold.stdout);
    assert.equal(proxy.manifests('HEAD').length, expected.size + 1);
    assert.deepEqual(proxy.manifests('GET'), []);

    // A corrupt entry: one note on stderr, the tags asked again, the answers the same.
    writeFileSync(file, '{"repo": "not this one", "digests": [], "tags": {}}');
    proxy.reset();
    const corrupt = await tags(cache, '--json');
    assert.equal(corrupt.code, 0, corrupt.stderr);
    assert.equal(corrupt.stdout, cold.stdout);
    assert.equal(corrupt.stderr.trim().split('\n').length, 1, corrupt.stderr);
    assert.match(corrupt.stderr, /warning: cache entry for the tags of .*\/app is corrupt/);
    assert.equal(proxy.manifests('HEAD').length, expected.size + 1);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).repo, `${proxy.host}/app`, 'written anew, whole');
  });

  it('prints one row per tag, aliases ditto-marked under their image, smallest first', async () => {
    const r = await tags(join(tmp, 'table'), '--bandwidth', '8Mbps,1Gbps');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^TAG +DIGEST +PLATFORM +SIZE +@8Mbps$/);
    const rows = lines.slice(1, 1 + expected.size).map((l) => l.split(/ {2,}/));
    const order = expectedOrder();
    rows.forEach((cells, i) => {
      const want = order[i]!;
      assert.equal(cells[0], want.tag);
      const first = i === 0 || order[i - 1]!.digest !== want.digest;
      if (first) {
        assert.equal(cells[1], want.digest!.slice(0, 19));
        assert.equal(cells[2], 'linux/amd64');
        assert.equal(cells[3], `${Number((want.compressedSize! / 1000).toPrecision(3))} kB`);
        // 8 Mbit/s moves 1 MB per second.
        const seconds = want.compressedSize! / 1e6;
        assert.equal(cells[4], seconds < 0.1 ? '<0.1s' : `${seconds.toFixed(1)}s`);
      } else {
        assert.deepEqual(cells.slice(1), ['″', '″', '″', '″']);
      }
    });
    assert.match(r.stdout, /^win-1\.0 +skipped: PLATFORM_NOT_FOUND$/m);
    assert.match(r.stderr, /^regsize: \S+\/app:win-1\.0: the image is windows\/amd64 only, not linux\/amd64/m);
    assert.match(r.stderr, /^regsize: 1 signature\/attestation tag hidden \(--all-tags shows them\)$/m);
    assert.match(r.stderr, /^regsize: 1 tag has no linux\/amd64 image \(see --platform\)$/m);
  });

  it('selects with --filter, --regex, --limit and --all-tags before asking the registry anything about other tags', async () => {
    proxy.reset();
    const r = await tags(join(tmp, 'filter'), '--json', '--filter', '3.0.*', '--filter', '1.0.*', '--regex', '[13]$', '--sort', 'version');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout).tags as Entry[]).map((e) => e.tag), ['1.0.1', '3.0.1', '3.0.3']);
    assert.deepEqual(proxy.manifests('HEAD').map((q) => q.path.split('/').pop()).sort(), ['1.0.1', '3.0.1', '3.0.3']);

    const limited = await tags(join(tmp, 'filter'), '--filter', '3*', '--limit', '2', '--sort', 'name');
    assert.equal(limited.code, 0, limited.stderr);
    assert.deepEqual(limited.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/ +/)[0]), ['3.0.2', '3.0.3']);
    assert.match(limited.stderr, /^regsize: 5 tags match; sized the 2 highest in version order \(--limit 2\)$/m);

    const all = await tags(join(tmp, 'filter'), '--json', '--all-tags', '--filter', 'sha256-*');
    assert.deepEqual((JSON.parse(all.stdout).tags as Entry[]).map((e) => [e.tag, e.compressedSize]), [[sigTag, expected.get('1.0')!.size]]);
  });

  it('sizes every platform with --platform all', async () => {
    const r = await runCli(['tags', repo(), '--cache-dir', join(tmp, 'all'), '--platform', 'all', '--filter', '3.0', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { tags: Entry[] };
    // One entry per platform image, in index order; the attestation entries are not platforms.
    assert.deepEqual(doc.tags.map((e) => [e.tag, e.platform, e.compressedSize]), [
      ['3.0', 'linux/amd64', expected.get('3.0')!.size],
      ['3.0', 'linux/arm64/v8', armSize],
    ]);
  });

  it('refuses bad input before any request, with one line and exit 2', async () => {
    proxy.reset();
    for (const [args, pattern] of [
      [['tags', `${proxy.host}/app:1.0`], /names a tag or digest; give the repository alone/],
      [['tags', repo(), '--regex', '(1'], /^regsize: invalid --regex "\(1": .*such as/],
      [['tags', repo(), '--sort', 'weight'], /--sort/],
      [['tags', repo(), '--limit', '0'], /--limit/],
      [['tags'], /repository/i],
    ] as [string[], RegExp][]) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.equal(r.stdout, '');
    }
    assert.deepEqual(proxy.requests, []);
  });

  it('exits 1 when a tag cannot be sized, and still lists the others', async () => {
    const good = makeImage({ layers: [makeRandomLayer({ size: 5_000, seed: 'good' })] });
    const bad = makeImage({ layers: [makeRandomLayer({ size: 6_000, seed: 'bad' })] });
    await pushImage(reg, 'broken', 'good', good);
    await pushImage(reg, 'broken', 'bad', bad);
    // Without its config the image names no platform: sizing it fails with the registry's BLOB_UNKNOWN.
    const del = await fetch(`${reg.url}/v2/broken/blobs/${bad.configDigest}`, { method: 'DELETE' });
    assert.equal(del.status, 202);
    const r = await runCli(['tags', `${proxy.host}/broken`, '--cache-dir', join(tmp, 'broken'), '--platform', 'linux/amd64', '--json']);
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.stdout) as { tags: Entry[] };
    assert.deepEqual(doc.tags.map((e) => [e.tag, e.error?.code ?? e.compressedSize]), [['good', layersSize(good)], ['bad', 'BLOB_UNKNOWN']]);
    assert.equal(doc.tags[1]!.digest, bad.manifestDigest);
    assert.equal(doc.tags[1]!.error!.message, `${proxy.host}/broken:bad: ${proxy.host}/broken@${bad.configDigest}: blob unknown to the registry`);
    const human = await spawnCli(['tags', `${proxy.host}/broken`, '--cache-dir', join(tmp, 'broken'), '--platform', 'linux/amd64']);
    assert.equal(human.code, 1);
    assert.match(human.stdout, /^bad +error: BLOB_UNKNOWN$/m);
    assert.ok(human.stderr.includes(`regsize: ${proxy.host}/broken:bad: ${proxy.host}/broken@${bad.configDigest}: blob unknown to the registry [BLOB_UNKNOWN]\n`), human.stderr);
    assert.match(human.stdout, /^good +sha256:/m);
  });

  it('draws a progress bar on a terminal only, never with --json', async () => {
    const onTty = (args: string[]) =>
      new Promise<string>((resolve, reject) => {
        const cmd = [process.execPath, BIN, 'tags', repo(), '--cache-dir', join(tmp, 'tty'), '--platform', 'linux/amd64', ...args].map((a) => `'${a}'`).join(' ');
        execFile('script', ['-qec', cmd, '/dev/null'], { env: { ...process.env, XDG_CACHE_HOME: join(tmp, 'xdg') } }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
      });
    const human = await onTty([]);
    assert.match(human, /\rtags \[=+ *\] \d+\/\d+/);
    assert.match(human, /\rsizing \[=+ *\] \d+\/\d+/);
    assert.match(human, /TAG +DIGEST/);
    proxy.reset();
    const json = await onTty(['--json']);
    assert.deepEqual(proxy.manifests('GET'), [], 'the first process wrote every manifest to the cache before it exited');
    assert.doesNotMatch(json, /\r(tags|sizing) \[/);
    assert.ok(JSON.parse(json.replace(/\r\n/g, '\n')).tags.length > 0);
  });
});
