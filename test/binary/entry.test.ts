/**
 * bin/run.js runs binary/entry.ts's main from the bundle (dist/bundle/regsize.cjs, with its code
 * cache) or, without one, as tsc compiled it. Either must answer exactly as oclif's own
 * discovery did before the bundle (the command files under dist/commands, found through the
 * manifest): same stdout, stderr and exit code, for good runs and for every kind of bad input.
 *
 * Every case runs the bundle in a subprocess, as users run it, against oclif's discovery run in
 * this process by runCli (a fresh Config each run; ../helpers/cli.test.ts holds runCli to what
 * a subprocess gives). Three cases also run oclif's discovery and the compiled main in
 * subprocesses of their own: a good run, a usage error and the help screen show the reference
 * itself is not an artefact of running in-process, and that the compiled main is wired the same.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyDockerConfig, runCli } from '../helpers/cli.js';
import { makeImage, makeRandomLayer, pushImage } from '../helpers/images.js';
import { type Run, ROOT, run } from '../helpers/package.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';
import { gate } from '../../src/util/limit.js';

/** How `regsize` ran before the bundle: oclif finds the command files itself. */
const OCLIF_DISCOVERY = `
import { execute } from '@oclif/core';
import { commandIds, routeArgs } from './dist/src/cli/route.js';
const args = process.argv.slice(1);
let routed;
try { routed = routeArgs(args, commandIds(process.cwd())); } catch (e) { process.stderr.write('regsize: ' + e.message + '\\n'); process.exit(2); }
await execute({ args: routed, dir: new URL('./bin/run.js', 'file://' + process.cwd() + '/').href });
`;
/** main as tsc compiled it (bin/run.js's fallback when the bundle is missing or older). */
const COMPILED = `
const { main } = await import('./dist/binary/entry.js');
await main(process.argv.slice(1), process.cwd());
`;

describe('binary/entry: the bundle answers as oclif\'s own discovery did', function () {
  this.timeout(300_000);
  let reg: LocalRegistry;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const image = makeImage({ layers: [makeRandomLayer({ size: 40_000, seed: 'entry-a' }), makeRandomLayer({ size: 25_000, seed: 'entry-b' })] });

  before(async () => {
    const { bundleIsCurrent } = (await import(join(ROOT, 'bin', 'load-bundle.js'))) as { bundleIsCurrent: () => boolean };
    if (!bundleIsCurrent()) {
      const b = await run(process.execPath, [join(ROOT, 'scripts', 'build-bundle.mjs')], { cwd: ROOT });
      assert.equal(b.code, 0, b.stderr);
    }
    assert.ok(bundleIsCurrent(), 'the bundle is built from these sources');
    reg = await startRegistry();
    await pushImage(reg, 'team/app', 'v1', image);
    dir = mkdtempSync(join(tmpdir(), 'regsize-entry-'));
    env = { PATH: process.env.PATH, HOME: dir, TMPDIR: process.env.TMPDIR, DOCKER_CONFIG: emptyDockerConfig(), XDG_CACHE_HOME: join(dir, 'cache'), XDG_DATA_HOME: join(dir, 'data'), COLUMNS: '120' };
    const twoAtOnce = gate(2);
    for (const [name, argv] of cases) {
      const started = twoAtOnce(() => run(process.execPath, [join(ROOT, 'bin', 'run.js'), ...argv(reg.host)], { cwd: ROOT, env }));
      started.catch(() => undefined); // awaited, and reported, by its case
      bundledRuns.set(name, started);
    }
  });
  after(async () => {
    await reg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // The bundle's runs, two at a time from before() on, each awaited by its case: they keep the
  // second core busy while the cases run oclif in this process one after the other.
  const bundledRuns = new Map<string, Promise<Run>>();
  const runBundle = (name: string, args: string[]): Promise<Run> => {
    const started = bundledRuns.get(name) ?? run(process.execPath, [join(ROOT, 'bin', 'run.js'), ...args], { cwd: ROOT, env });
    bundledRuns.delete(name);
    return started;
  };
  const ways = (name: string, args: string[], inSubprocesses: boolean): Promise<[Run, Run | undefined, Run | undefined, Run]> =>
    Promise.all([
      runBundle(name, args),
      inSubprocesses ? run(process.execPath, ['--input-type=module', '-e', COMPILED, '--', ...args], { cwd: ROOT, env }) : Promise.resolve(undefined),
      inSubprocesses ? run(process.execPath, ['--input-type=module', '-e', OCLIF_DISCOVERY, '--', ...args], { cwd: ROOT, env }) : Promise.resolve(undefined),
      runCli(args, env),
    ]);
  // The cases that also run the compiled main and oclif's discovery in subprocesses.
  const IN_SUBPROCESSES_TOO = new Set(['a compare, --json', 'an unknown flag', 'the root help']);

  const cases: [string, (host: string) => string[], number][] = [
    ['a compare, --json', (h) => [`${h}/team/app:v1`, '--json', '--no-cache'], 0],
    ['a compare, table', (h) => [`${h}/team/app:v1`, `${h}/team/app:v1`, '--no-cache'], 0],
    ['a compare, csv, explicit command', (h) => ['compare', `${h}/team/app:v1`, '--format', 'csv', '--no-cache'], 0],
    ['a budget exceeded', (h) => [`${h}/team/app:v1`, '--max-size', '1kB', '--no-cache'], 3],
    ['an image that fails', (h) => [`${h}/team/nothing:v1`, '--no-cache'], 1],
    ['an unknown flag', (h) => [`${h}/team/app:v1`, '--no-such-flag'], 2],
    ['a bad flag value', (h) => [`${h}/team/app:v1`, '--platform', 'linux/'], 2],
    ['a value not among the options', (h) => [`${h}/team/app:v1`, '--units', 'furlongs'], 2],
    ['--timeout out of range', (h) => [`${h}/team/app:v1`, '--timeout', '0'], 2],
    ['--quiet with --json', (h) => [`${h}/team/app:v1`, '--quiet', '--json'], 2],
    ['--format with --json', (h) => [`${h}/team/app:v1`, '--format', 'csv', '--json'], 2],
    ['a bad reference', () => ['UPPER/Case:tag'], 2],
    ['no images', () => ['compare'], 2],
    ['a mistyped command', () => ['layres', 'x'], 2],
    ['compare --help', () => ['compare', '--help'], 0],
    ['the root help', () => ['--help'], 0],
  ];
  for (const [name, argv, code] of cases) {
    it(`${name}: same stdout, stderr and exit code (${code})`, async () => {
      const args = argv(reg.host);
      const [bundled, compiled, oclifSubprocess, oclif] = await ways(name, args, IN_SUBPROCESSES_TOO.has(name));
      assert.equal(oclif.code, code, `oclif's discovery: ${oclif.stderr}`);
      const others = [['bin/run.js (bundle)', bundled], ['compiled main', compiled], ["oclif's discovery in a subprocess", oclifSubprocess]] as const;
      for (const [way, r] of others) {
        if (!r) continue;
        assert.equal(r.code, oclif.code, `${way}: ${r.stderr}`);
        assert.equal(r.stdout, oclif.stdout, `${way}: stdout`);
        assert.equal(r.stderr, oclif.stderr, `${way}: stderr`);
      }
      if (code !== 0) assert.doesNotMatch(bundled.stderr, /\n\s+at /, 'no stack trace');
    });
  }
});
