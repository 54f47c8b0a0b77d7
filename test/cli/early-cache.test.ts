/**
 * bin/run.js opens no early connection when the cache will answer every image of a compare
 * (src/cli/early-cache.ts): a warm compare sends no request, and the handshake cost its start
 * about 10 ms (issue #16). The cache it reads is the one a real compare wrote; any image the
 * cache cannot answer, a stale answer, or --no-cache keeps the early connection.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Compare from '../../commands/compare.js';
import { decodeTags, encodeTags } from '../../src/cache/entry.js';
import { repoTagsPath } from '../../src/cache/layout.js';
import { EARLY_READ_MAX_BYTES } from '../../src/cli/early-cache.js';
import { earlyTarget } from '../../src/cli/early-target.js';
import { runInProcess, ROOT } from '../commands/run-in-process.js';
import { emptyDockerConfig } from '../helpers/cli.js';
import { makeImage, makeRandomLayer, pushImage } from '../helpers/images.js';
import { run } from '../helpers/package.js';
import { sharedRegistry } from '../helpers/registry.js';

describe('cli/early-cache: no early connection when the cache answers every image', () => {
  let dir: string;
  let host: string;
  let warm: string;
  let other: string;
  const noProxy = {};

  before(async () => {
    const reg = await sharedRegistry('earlycache');
    host = reg.host;
    const image = makeImage({ layers: [makeRandomLayer({ size: 8_000, seed: 'early-cache' })], platform: { os: 'linux', architecture: 'amd64' } });
    await pushImage(reg, reg.repo('app'), '1', image);
    await pushImage(reg, reg.repo('app'), '2', image);
    warm = `${host}/${reg.repo('app')}:1`;
    other = `${host}/${reg.repo('app')}:2`;
    dir = mkdtempSync(join(tmpdir(), 'regsize-early-cache-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('connects early while cold, not once a compare has cached the answer, and again when it is stale', async () => {
    const [hostname, port] = host.split(':') as [string, string];
    const target = { hostname, port: Number(port) };
    assert.deepEqual(earlyTarget([warm, '--cache-dir', dir], ROOT, noProxy), target, 'cold');
    const r = await runInProcess(Compare, [warm, '--json', '--cache-dir', dir]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(earlyTarget([warm, '--cache-dir', dir], ROOT, noProxy), undefined, 'warm');
    assert.equal(earlyTarget(['compare', `--cache-dir=${dir}`, '--json', warm], ROOT, noProxy), undefined, 'warm, other spellings');
    assert.deepEqual(earlyTarget([warm, '--cache-dir', dir, '--tag-ttl', '0'], ROOT, noProxy), target, '--tag-ttl 0: the tag is asked again');
    assert.deepEqual(earlyTarget([warm, '--cache-dir', dir, '--no-cache'], ROOT, noProxy), target, '--no-cache');
    assert.deepEqual(earlyTarget([warm, other, '--cache-dir', dir], ROOT, noProxy), target, 'a second image the cache has not seen');
    assert.deepEqual(earlyTarget([warm], ROOT, { XDG_CACHE_HOME: join(dir, 'elsewhere') }), target, 'another cache folder');
    // No --cache-dir: the default folder, $XDG_CACHE_HOME/regsize, as the cache itself finds it.
    const xdg = join(dir, 'xdg');
    assert.equal((await runInProcess(Compare, [warm, '--json', '--cache-dir', join(xdg, 'regsize')])).exitCode, 0);
    assert.equal(earlyTarget([warm], ROOT, { XDG_CACHE_HOME: xdg }), undefined, 'the default folder');
  });

  it('a warm compare loads no undici (the dispatcher is made at the first request), and answers as the cold one did', async function () {
    this.timeout(60_000);
    const cache = join(dir, 'lazy');
    // Node's own modules this process loaded, at exit: undici loads node:http2 as it loads, and
    // nothing else in regsize does.
    const preload = join(dir, 'loaded.cjs');
    writeFileSync(preload, "process.on('exit', () => process.stderr.write('loaded: ' + JSON.stringify(process.moduleLoadList) + '\\n'));\n");
    const env = { PATH: process.env.PATH, HOME: dir, DOCKER_CONFIG: emptyDockerConfig() };
    const compare = (extra: string[]) => run(process.execPath, ['--require', preload, join(ROOT, 'bin', 'run.js'), warm, '--json', '--cache-dir', cache, ...extra], { cwd: ROOT, env });
    const loaded = (stderr: string) => JSON.parse(/^loaded: (.*)$/m.exec(stderr)?.[1] ?? '[]') as string[];

    const cold = await compare([]);
    assert.equal(cold.code, 0, cold.stderr);
    assert.ok(loaded(cold.stderr).includes('NativeModule http2'), 'the check sees undici where it is loaded');
    const warmRun = await compare([]);
    assert.equal(warmRun.code, 0, warmRun.stderr);
    assert.deepEqual(JSON.parse(warmRun.stdout), JSON.parse(cold.stdout));
    assert.deepEqual(loaded(warmRun.stderr).filter((m) => /^NativeModule (http2|http|tls)$/.test(m)), []);
  });

  it('does not read a repository entry of thousands of tags twice: past the limit it connects early', () => {
    const repoKey = warm.slice(0, warm.lastIndexOf(':'));
    const file = repoTagsPath(dir, repoKey);
    const answers = decodeTags(readFileSync(file), repoKey);
    assert.ok(answers, 'the first test cached the repository');
    const [, one] = [...answers][0] ?? [];
    assert.ok(one);
    for (let i = 0; answers.size < 5000; i++) answers.set(`filler-${i}`, { digest: one.digest, storedAt: one.storedAt });
    const big = encodeTags(repoKey, answers);
    assert.ok(big.length > EARLY_READ_MAX_BYTES);
    writeFileSync(file, big);
    const [hostname, port] = host.split(':') as [string, string];
    assert.deepEqual(earlyTarget([warm, '--cache-dir', dir], ROOT, noProxy), { hostname, port: Number(port) });
  });
});
