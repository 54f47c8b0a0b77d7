/**
 * The suite runs in parallel (.mocharc.json), and mocha runs test/setup.ts's root hooks after
 * every file of a worker, not once: what setup.ts does once per run must still happen once,
 * and what it checks must still fail the run. A small mocha run of our own shows it, with the
 * suite's setup and reporter and two workers: files a and b start first, one in each; b waits
 * until c has run, so c runs after a, in a's worker.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, run, type Run } from './package.js';

const MOCHA = join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');
const url = (...p: string[]) => JSON.stringify(pathToFileURL(join(ROOT, ...p)).href);

/** A spec file that prints its worker, the shared registry's host and its temp dir, then runs `extra`. */
const specFile = (name: string, extra = '') => `
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { sharedRegistry } from ${url('dist', 'test', 'helpers', 'registry.js')};
describe(${JSON.stringify(name)}, function () {
  this.timeout(60_000);
  it('uses the shared registry', async function () {
    const reg = await sharedRegistry(${JSON.stringify(name)});
    const res = await fetch(reg.url + '/v2/');
    console.log('REG ${name} ' + process.env.MOCHA_WORKER_ID + ' ' + reg.host + ' ' + res.status + ' TMP ' + tmpdir());
    ${extra}
  });
});
`;
/** b's wait for c (the folder is the spec files'). */
const waitForC = (dir: string) => `const ran = ${JSON.stringify(join(dir, 'c-ran'))}; while (!existsSync(ran)) await new Promise((r) => setTimeout(r, 50));`;
const cRan = (dir: string) => `writeFileSync(${JSON.stringify(join(dir, 'c-ran'))}, '');`;

describe('test/setup.ts in a parallel run', function () {
  this.timeout(120_000);
  let dir: string;
  let runTmp: string;
  let result: Run;

  // One run (two workers cost a few seconds) for all the checks: a leaves a variable set.
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'regsize-parallel-'));
    runTmp = join(dir, 'tmp');
    mkdirSync(runTmp);
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    const files = { 'a.test.js': specFile('a', "process.env.REGSIZE_LEAK_TEST = '1';"), 'b.test.js': specFile('b', waitForC(dir)), 'c.test.js': specFile('c', cRan(dir)) };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    // Not this worker's id: the run's own mocha process must know it is none.
    const { MOCHA_WORKER_ID: _worker, ...env } = process.env;
    const args = [MOCHA, '--no-config', '--parallel', '--jobs', '2', '--timeout', '60000', '--require', join(ROOT, 'dist', 'test', 'setup.js'), '--reporter', join(ROOT, 'scripts', 'mocha-reporter.cjs'), ...Object.keys(files).map((f) => join(dir, f))];
    result = await run(process.execPath, args, { cwd: dir, env: { ...env, TMPDIR: runTmp }, timeoutMs: 110_000 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the shared registry and the temp dir from one file to the next of a worker, and removes them at the end', function () {
    const seen = new Map([...result.stdout.matchAll(/^REG (\w) (\d+) (\S+) (\d+) TMP (\S+)$/gm)].map((m) => [m[1], { worker: m[2], host: m[3], status: m[4], tmp: m[5]! }]));
    const [a, b, c] = [seen.get('a'), seen.get('b'), seen.get('c')];
    assert.ok(a && b && c, result.stdout + result.stderr);
    assert.deepEqual([a.status, b.status, c.status], ['200', '200', '200']);
    assert.equal(c.worker, a.worker, result.stdout);
    assert.notEqual(b.worker, a.worker, result.stdout);
    assert.equal(c.host, a.host, 'one registry for a worker, not one per file');
    assert.equal(c.tmp, a.tmp);
    assert.notEqual(b.tmp, a.tmp, 'a temp dir per worker');
    for (const { tmp } of [a, b]) assert.ok(tmp.startsWith(join(runTmp, 'rs-')), `${tmp} is inside the run's folder`);
    assert.deepEqual(readdirSync(runTmp), [], 'nothing left in TMPDIR');
  });

  it('fails the run, naming the test, when a file leaves process.env changed, and counts it', function () {
    assert.notEqual(result.code, 0, result.stdout);
    assert.match(result.stdout, /REGSIZE_LEAK_TEST \(changed by or before "a uses the shared registry"\)/);
    // Reported once, by the file that leaked, and put back for c, after it in its worker.
    assert.equal(result.stdout.match(/tests left process\.env changed/g)?.length, 1, result.stdout);
    assert.match(result.stdout, /^3 passed, 1 failed, 0 skipped$/m);
  });
});
