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
import { run, type Run } from './package.js';
import { RESULTS_ENV, startPrebuilt } from './prebuilt.js';

const PREBUILT = pathToFileURL(join(import.meta.dirname, 'prebuilt.js')).href;

/**
 * A fresh node, as a worker is, asking prebuilt.ts for each build's result, with the run's
 * folder `dir`; once it has asked (each ask first looks for its file at once), `then` runs.
 */
function inWorker(dir: string, then: string): Promise<Run> {
  const ask = (call: string) => `m.${call}().then((value) => ({ value }), (e) => ({ error: e.message }))`;
  const script = `import { writeFileSync } from 'node:fs';
const m = await import(${JSON.stringify(PREBUILT)});
const asked = Promise.all([${ask('prebuiltBinary')}, ${ask('builtImage')}, ${ask('packedAndInstalled')}]);
${then}
console.log(JSON.stringify(await asked));`;
  return run(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, [RESULTS_ENV]: dir }, timeoutMs: 20_000 });
}

describe('test helpers: the prebuilt builds, once per run', function () {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'regsize-prebuilt-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('hands a worker what each build wrote, once written, without building; and says which was never started', async function () {
    writeFileSync(join(dir, 'plan.json'), JSON.stringify(['binary', 'packed']));
    writeFileSync(join(dir, 'binary.json'), JSON.stringify({ error: 'npm run build:binary failed (1)' }));
    // The install is still being built when the worker asks: its result is written after.
    const packed = { dir: '/p', path: '/p/bin', prefix: '/p/prefix', env: {} };
    const r = await inWorker(dir, `writeFileSync(${JSON.stringify(join(dir, 'packed.json'))}, ${JSON.stringify(JSON.stringify({ value: packed }))});`);
    assert.equal(r.code, 0, r.stderr);
    const [binary, image, install] = JSON.parse(r.stdout) as { value?: unknown; error?: string }[];
    assert.deepEqual(binary, { error: 'npm run build:binary failed (1)' });
    assert.match(image?.error ?? '', /the image build was not started for this run/);
    assert.deepEqual(install, { value: packed });
  });

  it('starts nothing for a run without the package tests', function () {
    startPrebuilt(['/x/dist/test/report/html.test.js', '/x/dist/test/binary/entry.test.js'], dir);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')), []);
  });
});
