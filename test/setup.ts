/**
 * Loaded before every test file (see .mocharc.json).
 *
 * No test may reach the internet: nock refuses every host but loopback, where the tests' own
 * registries and servers listen; undici's own requests (HttpClient's), which nock does not see,
 * are held to loopback by net-guard.ts, and the test that tried fails.
 *
 * Nothing a test makes outlives the run: every temp dir (ours, and those of the registries,
 * skopeo, buildah and CLI runs we start, which inherit TMPDIR) lands in one folder of this
 * run's, removed when the run ends, however its tests ended.
 *
 * The suite runs in parallel (.mocharc.json): mocha's own process loads this file, starts the
 * slow builds (./helpers/prebuilt.ts) and runs no tests; each worker process loads it again
 * and runs test files one after another, and there mocha runs the root hooks below once per
 * file. So what must happen once per process (stopping the shared registry, killing what
 * run() started, removing the temp folder) happens when the process exits, not after a file;
 * a worker's folder sits inside the main process's (workers inherit its TMPDIR), so whatever
 * a killed worker leaves is removed with it. With --no-parallel, one process does it all and
 * the root hooks run once, after the last test.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { takeStrayConnections } from './helpers/net-guard.js';
import { killRunning } from './helpers/package.js';
import { RESULTS_ENV, startPrebuilt } from './helpers/prebuilt.js';
import { stopSharedRegistry } from './helpers/registry.js';

nock.disableNetConnect();
nock.enableNetConnect((host) => /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(host));

/** Set by mocha in each worker of a parallel run (never in its main process, nor in a serial run). */
const workerId = process.env.MOCHA_WORKER_ID;
const inWorker = workerId !== undefined;

// Short: podman refuses a --runroot over 50 characters, and tests nest theirs in here. A
// worker's is a short one (w0, w1) in the main process's folder, which its TMPDIR names.
const runTmp = inWorker ? mkdirTemp(path.join(os.tmpdir(), `w${workerId}`)) : mkdtempSync(path.join(os.tmpdir(), 'rs-'));
process.env.TMPDIR = runTmp;
const cleanUp = () => rmSync(runTmp, { recursive: true, force: true, maxRetries: 3 });
process.once('exit', () => {
  killRunning();
  cleanUp();
});

// Where the builds started below write their results for the workers (set before any starts).
if (!inWorker) process.env[RESULTS_ENV] = path.join(runTmp, 'prebuilt');

// The environment as the run found it (TMPDIR aside): a test that changes a variable puts it
// back, or the tests after it run in a different world. The run fails naming each leak and
// the test after which it was first seen.
const startEnv: NodeJS.ProcessEnv = { ...process.env };
// Set by regsize itself (src/ecr/client.ts) before loading the AWS SDK, on purpose, once.
const SET_BY_REGSIZE = new Set(['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED']);
const leaks = new Map<string, string>();
const changedKeys = () => [...new Set([...Object.keys(startEnv), ...Object.keys(process.env)])].filter((k) => startEnv[k] !== process.env[k] && !SET_BY_REGSIZE.has(k));

/** `dir`, made now and empty (mocha numbers its workers afresh in each run: no two share one). */
function mkdirTemp(dir: string): string {
  mkdirSync(dir, { mode: 0o700 });
  return dir;
}

/**
 * Mocha's process, as the run begins: the slow builds the run's files need start now, so they
 * are done by the time their tests come. mocha calls this with its runner, and hands the
 * runner the run's files only when it starts it, hence the wrap.
 */
export function mochaGlobalSetup(this: Mocha.Runner): void {
  const runner = this as Mocha.Runner & { run(fn: unknown, opts?: { files?: string[] }): Mocha.Runner };
  const run = runner.run.bind(runner);
  runner.run = (fn: unknown, opts?: { files?: string[] }) => {
    startPrebuilt(opts?.files ?? [], process.env[RESULTS_ENV]!);
    return run(fn, opts);
  };
}

/** Mocha's process, once every worker has ended: no build outlives the run (nor keeps it alive). */
export function mochaGlobalTeardown(): void {
  killRunning();
}

/** The variables a test (or its file) changed, each reported once and then put back. */
function envLeaks(): string[] {
  const left = changedKeys().map((key) => `${key} (changed by or before "${leaks.get(key) ?? '?'}")`);
  // In a worker the next file runs in this process: it gets the environment the run began with.
  for (const key of changedKeys()) {
    if (startEnv[key] === undefined) delete process.env[key];
    else process.env[key] = startEnv[key];
  }
  leaks.clear();
  return left;
}

export const mochaHooks = {
  afterEach(this: Mocha.Context): void {
    const stray = takeStrayConnections();
    if (stray.length) throw new Error(`"${this.currentTest?.fullTitle() ?? '?'}" connected outside loopback: ${stray.join(', ')}`);
    for (const key of changedKeys()) if (!leaks.has(key)) leaks.set(key, this.currentTest?.fullTitle() ?? '?');
  },
  // In a worker, after each file; in a serial run, after the last test.
  async afterAll(): Promise<void> {
    if (!inWorker) {
      await stopSharedRegistry();
      killRunning();
      cleanUp();
    }
    const left = envLeaks();
    if (left.length) throw new Error(`tests left process.env changed: ${left.join('; ')}`);
  },
};
