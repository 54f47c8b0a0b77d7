/**
 * `regsize A B --platform all`: layers are shared only between images of the same platform,
 * each listed image is named with its platform, and "Pulling all once" is one line per
 * platform (two platforms never land on one machine). In-process against a real registry;
 * every expected figure is summed from the bytes of the blobs pushed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Compare from '../../commands/compare.js';
import { emptyDockerConfig } from '../helpers/cli.js';
import { type Layer, makeImage, makeIndex, makeRandomLayer, pushIndex } from '../helpers/images.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';
import { runInProcess } from './run-in-process.js';

const AMD = { os: 'linux', architecture: 'amd64' };
const ARM = { os: 'linux', architecture: 'arm64', variant: 'v8' };

/** Bytes of distinct blobs, from the pushed bytes themselves. */
const bytesOf = (layers: Layer[]): number => [...new Map(layers.map((l) => [l.digest, l.blob.length])).values()].reduce((s, n) => s + n, 0);
/** SI kB to three significant digits, as the table prints sizes of this order. */
const kB = (n: number): string => `${Number((n / 1000).toPrecision(3))} kB`;

describe('regsize compare --platform all: shared layers per platform', function () {
  this.timeout(60_000);
  let reg: LocalRegistry;
  const dirs: string[] = [];
  const saved = { DOCKER_CONFIG: process.env.DOCKER_CONFIG, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME, XDG_DATA_HOME: process.env.XDG_DATA_HOME };
  const amdBase = makeRandomLayer({ size: 300_000, seed: 'amd-base' });
  const armBase = makeRandomLayer({ size: 280_000, seed: 'arm-base' });
  // The same blob in the amd64 and the arm64 image of one index (a platform-independent layer):
  // the two never land on one machine, so it is neither shared nor counted once.
  const common = makeRandomLayer({ size: 50_000, seed: 'common' });
  const pyAmd = [amdBase, makeRandomLayer({ size: 120_000, seed: 'py-amd' }), common];
  const pyArm = [armBase, makeRandomLayer({ size: 110_000, seed: 'py-arm' }), common];
  const appAmd = [amdBase, makeRandomLayer({ size: 70_000, seed: 'app-amd' })];
  const appArm = [armBase, makeRandomLayer({ size: 60_000, seed: 'app-arm' })];

  before(async () => {
    reg = await startRegistry();
    for (const [name, amd, arm] of [['lib/python', pyAmd, pyArm], ['team/app', appAmd, appArm]] as const) {
      const index = makeIndex([
        { image: makeImage({ layers: [...amd], platform: AMD }), platform: AMD },
        { image: makeImage({ layers: [...arm], platform: ARM }), platform: ARM },
      ]);
      await pushIndex(reg, name, '1', index);
    }
    const dir = (prefix: string): string => {
      const d = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(d);
      return d;
    };
    process.env.DOCKER_CONFIG = emptyDockerConfig();
    dirs.push(process.env.DOCKER_CONFIG);
    process.env.XDG_CACHE_HOME = dir('regsize-cache-');
    process.env.XDG_DATA_HOME = dir('regsize-data-');
  });
  after(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await reg?.stop();
  });

  it('names each image with its platform, shares nothing across platforms, and pulls once per platform', async () => {
    const py = `${reg.host}/lib/python:1`;
    const app = `${reg.host}/team/app:1`;
    const r = await runInProcess(Compare, [py, app, '--platform', 'all', '--bandwidth', '5Mbps']);
    assert.equal(r.exitCode, 0, r.stderr);
    const out = r.stdout;
    const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

    // Two shared layers, one per platform; the cross-platform blob is not one of them.
    assert.match(out, new RegExp(`^Shared layers: 2 layers, ${kB(amdBase.blob.length + armBase.blob.length)}, stored and downloaded once per platform:$`, 'm'));
    assert.match(out, new RegExp(`^  ${amdBase.digest.slice(0, 19)} +${kB(amdBase.blob.length)}  in ${esc(py)} \\(linux/amd64\\), ${esc(app)} \\(linux/amd64\\)$`, 'm'));
    assert.match(out, new RegExp(`^  ${armBase.digest.slice(0, 19)} +${kB(armBase.blob.length)}  in ${esc(py)} \\(linux/arm64/v8\\), ${esc(app)} \\(linux/arm64/v8\\)$`, 'm'));
    assert.ok(!out.includes(common.digest.slice(0, 19)), `a layer of two platforms is not shared:\n${out}`);

    // One pull line per platform: each distinct layer once within it, and alone for each image.
    const amdOnce = bytesOf([...pyAmd, ...appAmd]);
    const armOnce = bytesOf([...pyArm, ...appArm]);
    const amdApart = bytesOf(pyAmd) + bytesOf(appAmd);
    const armApart = bytesOf(pyArm) + bytesOf(appArm);
    assert.match(out, new RegExp(`^Pulling all 2 linux/amd64 images once transfers ${kB(amdOnce)}, [^(]+ at 5Mbps \\(${kB(amdApart)} if pulled on separate machines\\)\\.$`, 'm'));
    assert.match(out, new RegExp(`^Pulling all 2 linux/arm64/v8 images once transfers ${kB(armOnce)}, [^(]+ at 5Mbps \\(${kB(armApart)} if pulled on separate machines\\)\\.$`, 'm'));
    assert.doesNotMatch(out, /Pulling all 4/);
    assert.match(out, /^Platforms are counted apart: two platforms never land on one machine, so they share no download\.$/m);
    assert.equal(r.stderr, '');
  });
});
