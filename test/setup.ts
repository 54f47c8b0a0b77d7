/**
 * Loaded before every test file (see .mocharc.json).
 *
 * No test may reach the internet: nock refuses every host but loopback, where the tests' own
 * registries and servers listen.
 *
 * Nothing a test makes outlives the run: every temp dir (ours, and those of the registries,
 * skopeo, buildah and CLI runs we start, which inherit TMPDIR) lands in one folder of this
 * run's, removed when the run ends, however its tests ended.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nock from 'nock';

nock.disableNetConnect();
nock.enableNetConnect((host) => /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(host));

// Short: podman refuses a --runroot over 50 characters, and tests nest theirs in here.
const runTmp = mkdtempSync(path.join(os.tmpdir(), 'rs-'));
process.env.TMPDIR = runTmp;
const cleanUp = () => rmSync(runTmp, { recursive: true, force: true, maxRetries: 3 });
process.once('exit', cleanUp);

export const mochaHooks = {
  afterAll(): void {
    cleanUp();
  },
};
