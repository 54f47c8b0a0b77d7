/**
 * `npm run build:binary`'s dist/regsize runs where no node is installed (issue #16): invoked by
 * its absolute path with PATH=/nonexistent, it answers --version, sizes an image on a real
 * local registry, and records a report in its history (SQLite's WebAssembly comes from inside
 * the binary, not from node_modules).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyDockerConfig } from '../helpers/cli.js';
import { makeImage, makeRandomLayer, pushImage } from '../helpers/images.js';
import { ROOT, run } from '../helpers/package.js';
import { prebuiltBinary } from '../helpers/prebuilt.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';
import { type CompareResult, isErrorEntry } from '../../src/index.js';
import { History } from '../../src/report/size-history-db.js';

describe('the single-file binary, with no node on PATH', function () {
  this.timeout(600_000);
  let reg: LocalRegistry;
  let dir: string;
  let binary: string;
  let env: NodeJS.ProcessEnv;
  const image = makeImage({ layers: [makeRandomLayer({ size: 210_000, seed: 'binary-a' }), makeRandomLayer({ size: 90_000, seed: 'binary-b' })] });
  const size = image.layers.reduce((s, l) => s + l.size, 0);

  before(async () => {
    [reg, binary] = await Promise.all([startRegistry(), prebuiltBinary()]);
    dir = mkdtempSync(join(tmpdir(), 'regsize-binary-'));
    await pushImage(reg, 'team/app', 'prod', image);
    // Built in the background since the spec files loaded (../helpers/prebuilt.ts).
    // Nothing of the machine's: no PATH (so no node), an empty Docker config, private folders.
    env = { PATH: '/nonexistent', HOME: dir, DOCKER_CONFIG: emptyDockerConfig(), XDG_CACHE_HOME: join(dir, 'cache'), XDG_DATA_HOME: join(dir, 'data') };
  });
  after(async () => {
    await reg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is one executable file', function () {
    const st = statSync(binary);
    assert.ok(st.isFile() && (st.mode & 0o111) !== 0);
    console.log(`      dist/regsize: ${(st.size / 1e6).toFixed(1)} MB`);
  });

  it('answers --version', async function () {
    const r = await run(binary, ['--version'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^regsize/0\\.\\d+\\.\\d+ linux-x64 node-${process.version.replace(/\./g, '\\.')}\\n$`));
    assert.equal(r.stderr, '');
  });

  it('compares an image on a local registry, exactly', async function () {
    const r = await run(binary, [`${reg.host}/team/app:prod`, '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', 'no warning from the SEA runtime');
    const [entry] = (JSON.parse(r.stdout) as CompareResult).images;
    assert.ok(entry && !isErrorEntry(entry), r.stdout);
    assert.equal(entry.compressedSize, size);
    assert.deepEqual(entry.layers.map((l) => l.digest), image.layers.map((l) => l.digest));
  });

  it('records a report in its history, with the SQLite inside the binary', async function () {
    const config = join(dir, 'regsize.yaml');
    writeFileSync(config, `platform: linux/amd64\nimages:\n  - ${reg.host}/team/app:prod\n`);
    const history = join(dir, 'history.db');
    const r = await run(binary, ['report', '--config', config, '--history', history, '--format', 'json'], { env });
    assert.equal(r.code, 0, r.stderr);
    const h = await History.open(history, { create: false });
    try {
      assert.equal(h.images().length, 1);
      assert.equal(h.series(`${reg.host}/team/app:prod`)[0]?.compressedSize, size);
    } finally {
      h.close();
    }
  });

  it('lists every command of the manifest in its help (the manifest is compiled in)', async function () {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, unknown> };
    const r = await run(binary, ['--help'], { env });
    assert.equal(r.code, 0, r.stderr);
    // A command, or the topic it is under (ecr, report).
    for (const id of Object.keys(manifest.commands)) assert.match(r.stdout, new RegExp(`^  ${id.split(':')[0]} `, 'm'), id);
  });

  it('rejects an unknown flag with one line and exit 2, as the CLI does', async function () {
    const r = await run(binary, ['layers', `${reg.host}/team/app:prod`, '--no-such-flag'], { env });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
  });
});
