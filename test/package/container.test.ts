/**
 * regsize's own image (issue #16): the Containerfile built FROM scratch with buildah (private
 * vfs storage, chroot isolation, no network: there is no base to pull), run once, pushed to a
 * real local registry, and sized by regsize itself. skopeo, independently, says what it weighs.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Compare from '../../commands/compare.js';
import { type CompareResult, isErrorEntry } from '../../src/index.js';
import { runInProcess } from '../commands/run-in-process.js';
import { emptyDockerConfig } from '../helpers/cli.js';
import { ROOT, run } from '../helpers/package.js';
import { prebuiltBinary } from '../helpers/prebuilt.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';
import { skopeoInspectRaw } from '../helpers/skopeo.js';

describe('the regsize image, FROM scratch, built with buildah and sized by regsize', function () {
  this.timeout(900_000);
  let reg: LocalRegistry;
  let dir: string;
  let buildah: (args: string[]) => ReturnType<typeof run>;
  const savedDockerConfig = process.env.DOCKER_CONFIG;

  before(async () => {
    [reg] = await Promise.all([startRegistry(), prebuiltBinary()]);
    dir = mkdtempSync(join(tmpdir(), 'regsize-image-'));
    const storage = ['--storage-driver', 'vfs', '--root', join(dir, 'root'), '--runroot', join(dir, 'runroot')];
    buildah = (args) => run('buildah', [...storage, ...args], { env: { ...process.env, BUILDAH_ISOLATION: 'chroot' } });
    process.env.DOCKER_CONFIG = emptyDockerConfig();
  });
  after(async () => {
    if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = savedDockerConfig;
    await reg?.stop();
    // vfs layers are plain folders; the runroot may hold mounts only while a container runs.
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds, runs, pushes, and regsize reports the size skopeo computes', async function () {
    const context = join(dir, 'context');
    const rootfs = await run(process.execPath, [join(ROOT, 'scripts', 'image-rootfs.mjs'), context]);
    assert.equal(rootfs.code, 0, rootfs.stderr);

    const bud = await buildah(['bud', '--isolation', 'chroot', '--pull=never', '-f', join(ROOT, 'Containerfile'), '-t', 'localhost/regsize:test', context]);
    assert.equal(bud.code, 0, bud.stderr);

    // The image works on its own: nothing from the host but the kernel.
    const from = await buildah(['from', '--pull-never', 'localhost/regsize:test']);
    assert.equal(from.code, 0, from.stderr);
    const container = from.stdout.trim();
    const version = await buildah(['run', '--isolation', 'chroot', container, '--', '/usr/local/bin/regsize', '--version']);
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /^regsize\/0\.\d+\.\d+ linux-x64 node-v20\./);
    assert.equal((await buildah(['rm', container])).code, 0);

    const push = await buildah(['push', '--tls-verify=false', 'localhost/regsize:test', `docker://${reg.host}/tools/regsize:1`]);
    assert.equal(push.code, 0, push.stderr);

    const manifest = JSON.parse((await skopeoInspectRaw(reg, 'tools/regsize:1')).toString()) as { layers: { digest: string; size: number }[] };
    const expected = manifest.layers.reduce((s, l) => s + l.size, 0);
    const r = await runInProcess(Compare, [`${reg.host}/tools/regsize:1`, '--json']);
    assert.equal(r.exitCode, 0, r.stderr);
    const [entry] = (JSON.parse(r.stdout) as CompareResult).images;
    assert.ok(entry && !isErrorEntry(entry), r.stdout);
    assert.equal(entry.compressedSize, expected);
    assert.deepEqual(entry.layers.map((l) => l.digest), manifest.layers.map((l) => l.digest));
    console.log(`      regsize image: ${expected} bytes compressed (${manifest.layers.length} layers)`);
  });
});
