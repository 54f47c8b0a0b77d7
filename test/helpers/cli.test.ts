/**
 * Self-test of runCli: most CLI tests run the command in this process, so it must give what
 * `node bin/run.js` gives (stdout, stderr, exit code), and leave this process as it found it.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeImage, makeRandomLayer, pushImage } from './images.js';
import { runCli, spawnCli } from './cli.js';
import { sharedRegistry, type LocalRegistry } from './registry.js';

describe('test helpers: runCli in-process gives what the subprocess gives', function () {
  this.timeout(60_000);
  let reg: LocalRegistry;
  let tmp: string;

  before(async () => {
    // Its repositories are all under helper/ (the shared registry's rule).
    reg = await sharedRegistry('helper');
    tmp = mkdtempSync(join(tmpdir(), 'regsize-cli-helper-'));
    const img = makeImage({ layers: [makeRandomLayer({ size: 20_000, seed: 'cli-helper' })], platform: { os: 'linux', architecture: 'amd64' } });
    await pushImage(reg, 'helper/app', '1', img);
  });
  after(async () => {
    await reg?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const cases: [string, () => string[]][] = [
    ['--version (answered by bin/run.js without oclif)', () => ['--version']],
    ['a mistyped command (refused by the routing)', () => ['comapre', 'python']],
    ['a missing argument (an oclif parse error)', () => ['layers']],
    ['help for a command', () => ['tags', '--help']],
    ['no arguments (help)', () => []],
    ['a table of a real image and a failed one, exit 1', () => [`${reg.host}/helper/app:1`, `${reg.host}/helper/app:nope`, '--platform', 'linux/amd64']],
    ['--json of a real image, through a command id', () => ['layers', `${reg.host}/helper/app:1`, '--json']],
    ['a budget breach, exit 3', () => [`${reg.host}/helper/app:1`, '--max-size', '1kB']],
  ];
  for (const [what, args] of cases) {
    it(what, async () => {
      const inProcess = await runCli(args());
      const subprocess = await spawnCli(args());
      assert.deepEqual(inProcess, subprocess);
    });
  }

  it('applies the environment it is given, and leaves this process as it was', async () => {
    const env = { ...process.env };
    const argv = [...process.argv];
    const write = process.stdout.write;
    const exitCode = process.exitCode;
    const xdg = join(tmp, 'xdg');
    const r = await runCli([`${reg.host}/helper/app:1`, '--json'], { XDG_CACHE_HOME: xdg, REGSIZE_HELPER_PROBE: 'set', HOME: join(tmp, 'home') });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(xdg, 'regsize')), 'the cache went to the XDG_CACHE_HOME given');
    assert.deepEqual({ ...process.env }, env);
    assert.deepEqual(process.argv, argv);
    assert.equal(process.stdout.write, write);
    assert.equal(process.exitCode, exitCode);
  });

  it('sees none of the test process environment but PATH, HOME and TMPDIR', async () => {
    // A dead proxy: were it passed on, the run would fail to connect.
    process.env.HTTP_PROXY = 'http://127.0.0.1:9';
    process.env.HTTPS_PROXY = 'http://127.0.0.1:9';
    try {
      const r = await runCli([`${reg.host}/helper/app:1`, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const proxied = await runCli([`${reg.host}/helper/app:1`, '--json', '--timeout', '5'], { HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9' });
      assert.equal(proxied.code, 1, 'the same proxy given to the run is used');
    } finally {
      delete process.env.HTTP_PROXY;
      delete process.env.HTTPS_PROXY;
    }
  });

  it('refuses a variable only a new process reads, rather than ignoring it', async () => {
    await assert.rejects(runCli(['--version'], { NODE_OPTIONS: '--no-warnings' }), /NODE_OPTIONS only act when a process starts; use spawnCli/);
  });
});
