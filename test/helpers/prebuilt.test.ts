/**
 * The slow builds run once per mocha run, in mocha's own process (./prebuilt.ts), and a test
 * in a worker gets what they made from the run's folder. If that hand-over were wrong, the
 * package tests would build again in each worker (two builds writing dist/regsize at once), or
 * wait for a build nobody started until their timeout.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { run } from './package.js';
import { RESULTS_ENV, startPrebuilt } from './prebuilt.js';

const PREBUILT = pathToFileURL(join(import.meta.dirname, 'prebuilt.js')).href;

/** A fresh node, as a worker is, asking prebuilt.ts for `call`'s result with the run's folder `dir`. */
async function inWorker(dir: string, call: string): Promise<{ value?: unknown; error?: string }> {
  const script = `const m = await import(${JSON.stringify(PREBUILT)});
m.${call}().then((value) => console.log(JSON.stringify({ value })), (e) => console.log(JSON.stringify({ error: e.message })));`;
  const r = await run(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, [RESULTS_ENV]: dir }, timeoutMs: 20_000 });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { value?: unknown; error?: string };
}

describe('test helpers: the prebuilt builds, once per run', function () {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'regsize-prebuilt-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('hands a worker the result the build wrote, without building', async function () {
    writeFileSync(join(dir, 'plan.json'), JSON.stringify(['binary', 'image']));
    writeFileSync(join(dir, 'binary.json'), JSON.stringify({ value: '/built/regsize' }));
    writeFileSync(join(dir, 'image.json'), JSON.stringify({ error: 'buildah: not found' }));
    assert.deepEqual(await inWorker(dir, 'prebuiltBinary'), { value: '/built/regsize' });
    assert.deepEqual(await inWorker(dir, 'builtImage'), { error: 'buildah: not found' });
  });

  it('waits for a result still being built', async function () {
    writeFileSync(join(dir, 'plan.json'), JSON.stringify(['packed']));
    const asked = inWorker(dir, 'packedAndInstalled');
    await new Promise((r) => setTimeout(r, 600));
    writeFileSync(join(dir, 'packed.json'), JSON.stringify({ value: { dir: '/p', path: '/p/bin', prefix: '/p/prefix', env: {} } }));
    assert.deepEqual(await asked, { value: { dir: '/p', path: '/p/bin', prefix: '/p/prefix', env: {} } });
  });

  it('fails at once, naming the build, when the run did not start it', async function () {
    writeFileSync(join(dir, 'plan.json'), JSON.stringify([]));
    const { error } = await inWorker(dir, 'prebuiltBinary');
    assert.match(error ?? '', /the binary build was not started for this run/);
  });

  it('starts nothing for a run without the package tests', function () {
    startPrebuilt(['/x/dist/test/report/html.test.js', '/x/dist/test/binary/entry.test.js'], dir);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')), []);
  });
});
