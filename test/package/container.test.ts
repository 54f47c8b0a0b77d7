/**
 * regsize's own image (issue #16): the Containerfile built FROM scratch with buildah (private
 * vfs storage, chroot isolation, no network: there is no base to pull), run once, pushed to a
 * real local registry, and sized by regsize itself. skopeo, independently, says what it weighs.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import Compare from '../../commands/compare.js';
import { type CompareResult, isErrorEntry } from '../../src/index.js';
import { runInProcess } from '../commands/run-in-process.js';
import { emptyDockerConfig } from '../helpers/cli.js';
import { type BuiltImage, builtImage, prebuiltBinary } from '../helpers/prebuilt.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';
import { skopeoInspectRaw } from '../helpers/skopeo.js';

describe('the regsize image, FROM scratch, built with buildah and sized by regsize', function () {
  this.timeout(900_000);
  let reg: LocalRegistry;
  let built: BuiltImage | undefined;
  const savedDockerConfig = process.env.DOCKER_CONFIG;

  before(async () => {
    [reg] = await Promise.all([startRegistry(), prebuiltBinary()]);
    process.env.DOCKER_CONFIG = emptyDockerConfig();
  });
  after(async () => {
    if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = savedDockerConfig;
    await reg?.stop();
    // vfs layers are plain folders; the runroot may hold mounts only while a container runs.
    if (built) rmSync(built.dir, { recursive: true, force: true });
  });

  it('builds, runs, pushes, and regsize reports the size skopeo computes', async function () {
    // Built and run in the background since the spec files loaded (../helpers/prebuilt.ts).
    built = await builtImage();
    const { buildah, rootfs, bud, from, version, rm } = built;
    assert.equal(rootfs?.code, 0, rootfs?.stderr);
    assert.equal(bud?.code, 0, bud?.stderr);

    // The image works on its own: nothing from the host but the kernel.
    assert.equal(from?.code, 0, from?.stderr);
    assert.equal(version?.code, 0, version?.stderr);
    assert.match(version.stdout, /^regsize\/0\.\d+\.\d+ linux-x64 node-v20\./);
    assert.equal(rm?.code, 0, rm?.stderr);

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
