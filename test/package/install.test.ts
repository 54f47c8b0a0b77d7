/**
 * The published package installs and runs where there is no compiler (issue #16): `npm pack`
 * a copy of this checkout (prepack builds it), install the tarball globally into a temporary
 * prefix with a PATH that holds node and nothing else, then run the installed `regsize`:
 * `--version`, and a compare against a real local registry.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type CompareResult, isErrorEntry } from '../../src/index.js';
import { makeImage, makeRandomLayer, pushImage } from '../helpers/images.js';
import { compilersOn, run } from '../helpers/package.js';
import { type Packed, packedAndInstalled } from '../helpers/prebuilt.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';

describe('npm pack, then a global install with no compiler on PATH', function () {
  this.timeout(600_000);
  let reg: LocalRegistry;
  let built: Packed | undefined;
  const image = makeImage({ layers: [makeRandomLayer({ size: 250_000, seed: 'install-a' }), makeRandomLayer({ size: 120_000, seed: 'install-b' })] });

  before(async () => {
    reg = await startRegistry();
    await pushImage(reg, 'team/app', 'prod', image);
  });
  after(async () => {
    await reg?.stop();
    if (built) rmSync(built.dir, { recursive: true, force: true });
  });

  it('packs without source maps, installs without running anything, and the installed regsize sizes an image', async function () {
    // Packed and installed in the background since the spec files loaded (../helpers/prebuilt.ts).
    const { pack, install, installSeconds, path, env, prefix } = (built = await packedAndInstalled());
    assert.ok(pack, 'the checkout was copied and packed');
    assert.equal(pack.code, 0, pack.stderr);
    const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    assert.ok(info);
    const files = info.files.map((f) => f.path);
    assert.deepEqual(files.filter((f) => f.endsWith('.map') || f.endsWith('.ts') && !f.endsWith('.d.ts') || f.startsWith('dist/test')), []);
    for (const f of ['LICENSE', 'bin/run.js', 'oclif.manifest.json', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/commands/compare.js']) assert.ok(files.includes(f), `${f} is shipped`);

    assert.deepEqual(compilersOn(path), []);
    assert.ok(install, 'the tarball was installed');
    assert.equal(install.code, 0, install.stderr);
    // Reported, not asserted (a shared machine's timings are not the product's): see the README.
    console.log(`      install from the tarball: ${(installSeconds ?? 0).toFixed(1)} s`);
    // Nothing was compiled: no native build output anywhere in the installed tree.
    const installed = join(prefix, 'lib', 'node_modules', 'regsize');
    assert.ok(!readdirSync(join(installed, 'node_modules')).includes('better-sqlite3'));
    assert.ok(!existsSync(join(installed, 'node_modules', 'sql.js', 'build')));

    const bin = join(prefix, 'bin', 'regsize');
    const version = await run(bin, ['--version'], { env });
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /^regsize\/0\.\d+\.\d+ linux-x64 node-v20\./);

    const compare = await run(bin, [`${reg.host}/team/app:prod`, '--json'], { env });
    assert.equal(compare.code, 0, compare.stderr);
    const [entry] = (JSON.parse(compare.stdout) as CompareResult).images;
    assert.ok(entry && !isErrorEntry(entry), compare.stdout);
    assert.equal(entry.compressedSize, image.layers.reduce((s, l) => s + l.size, 0));
    assert.deepEqual(entry.layers.map((l) => l.digest), image.layers.map((l) => l.digest));
  });
});
