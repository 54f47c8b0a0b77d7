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
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { takeStrayConnections } from './helpers/net-guard.js';
import { killRunning } from './helpers/package.js';
import { stopSharedRegistry } from './helpers/registry.js';

nock.disableNetConnect();
nock.enableNetConnect((host) => /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(host));

// Short: podman refuses a --runroot over 50 characters, and tests nest theirs in here.
const runTmp = mkdtempSync(path.join(os.tmpdir(), 'rs-'));
process.env.TMPDIR = runTmp;
const cleanUp = () => rmSync(runTmp, { recursive: true, force: true, maxRetries: 3 });
process.once('exit', cleanUp);

// The environment as the run found it (TMPDIR aside): a test that changes a variable puts it
// back, or the tests after it run in a different world. The run fails naming each leak and
// the test after which it was first seen.
const startEnv: NodeJS.ProcessEnv = { ...process.env };
// Set by regsize itself (src/ecr/client.ts) before loading the AWS SDK, on purpose, once.
const SET_BY_REGSIZE = new Set(['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED']);
const leaks = new Map<string, string>();
const changedKeys = () => [...new Set([...Object.keys(startEnv), ...Object.keys(process.env)])].filter((k) => startEnv[k] !== process.env[k] && !SET_BY_REGSIZE.has(k));

export const mochaHooks = {
  afterEach(this: Mocha.Context): void {
    const stray = takeStrayConnections();
    if (stray.length) throw new Error(`"${this.currentTest?.fullTitle() ?? '?'}" connected outside loopback: ${stray.join(', ')}`);
    for (const key of changedKeys()) if (!leaks.has(key)) leaks.set(key, this.currentTest?.fullTitle() ?? '?');
  },
  async afterAll(): Promise<void> {
    await stopSharedRegistry();
    killRunning();
    cleanUp();
    const left = changedKeys().map((key) => `${key} (changed by or before "${leaks.get(key) ?? '?'}")`);
    if (left.length) throw new Error(`tests left process.env changed: ${left.join('; ')}`);
  },
};
