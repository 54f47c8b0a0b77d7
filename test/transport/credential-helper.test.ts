/**
 * Credential helpers that misbehave (issue #11): real `docker-credential-*` shell scripts in a
 * temp folder put on PATH for the test, each writing its pid (its process group, since
 * regsize starts helpers detached) so the test can check that nothing of it is left running.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RegsizeError } from '../../src/errors.js';
import { DEFAULT_HELPER_LIMITS } from '../../src/transport/credential-helper.js';
import { runCredentialHelper } from '../../src/transport/credentials.js';

/** Live (not zombie) processes whose process group is `pgid`, read from /proc. */
function liveInGroup(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces, so split after its ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') out.push(Number(name));
  }
  return out;
}

/** Waits (a bounded number of polls) for the group to be gone; returns what is still alive. */
async function groupGone(pgid: number): Promise<number[]> {
  for (let i = 0; i < 250; i++) {
    const live = liveInGroup(pgid);
    if (!live.length) return [];
    await sleep(20);
  }
  return liveInGroup(pgid);
}

describe('credential helpers are bounded in time, output and processes', function () {
  this.timeout(60_000);
  let dir: string;
  let savedPath: string | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'regsize-helpers-'));
    savedPath = process.env.PATH;
    process.env.PATH = `${dir}:${process.env.PATH}`;
  });
  after(() => {
    process.env.PATH = savedPath;
    // Should a test fail, leave no helper behind: every helper that started wrote its pid.
    const pids = readdirSync(dir).filter((f) => f.endsWith('.pid')).map((f) => Number(readFileSync(join(dir, f), 'utf8').trim()));
    for (const pgid of pids) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // gone, as it should be
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /** Installs docker-credential-<name>; its first act is to write its pid to <name>.pid. */
  function helper(name: string, body: string): () => number {
    const pidFile = join(dir, `${name}.pid`);
    const file = join(dir, `docker-credential-${name}`);
    writeFileSync(file, `#!/bin/sh\necho $$ > '${pidFile}'\n${body}\n`);
    chmodSync(file, 0o755);
    return () => Number(readFileSync(pidFile, 'utf8').trim());
  }

  const credentialsError = (name: string, what: RegExp) => (e: unknown) => {
    assert.ok(e instanceof RegsizeError, `expected a RegsizeError, got ${String(e)}`);
    assert.equal(e.code, 'CREDENTIALS');
    assert.ok(e.message.includes(`docker-credential-${name}`), `names the helper: ${e.message}`);
    assert.match(e.message, what);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  };

  it('stops a helper that never answers, after the timeout, and kills it', async () => {
    const pid = helper('hang', 'sleep 1000');
    await assert.rejects(runCredentialHelper('hang', 'ghcr.io', { timeoutMs: 300 }), credentialsError('hang', /did not answer within 0\.3s/));
    assert.deepEqual(await groupGone(pid()), [], 'no process of the helper is left running');
  });

  it('does not wait for pipes a helper\'s own child keeps open, and kills that child', async () => {
    // The helper exits at once without an answer; its background sleep holds stdout and stderr.
    // The timeout is far away, so only the exit can end this with "not JSON".
    const pid = helper('orphan', "sh -c 'sleep 1000 &'");
    await assert.rejects(runCredentialHelper('orphan', 'ghcr.io', { timeoutMs: 25_000 }), credentialsError('orphan', /not JSON/));
    assert.deepEqual(await groupGone(pid()), [], 'the sleep the helper left behind is killed');
  });

  it('still reads the answer of a helper whose child keeps the pipes open', async () => {
    const pid = helper('answers', 'read url; sleep 1000 & echo \'{"ServerURL":"ghcr.io","Username":"octo","Secret":"s3cret"}\'');
    assert.deepEqual(await runCredentialHelper('answers', 'ghcr.io', { timeoutMs: 25_000 }), { kind: 'basic', username: 'octo', password: 's3cret' });
    assert.deepEqual(await groupGone(pid()), [], 'the helper\'s leftover child is killed');
  });

  it('stops a helper printing 800 MB at 1 MiB, without the memory to hold it', async () => {
    const pid = helper('flood', 'yes | head -c 800000000');
    const before = process.memoryUsage().rss;
    await assert.rejects(runCredentialHelper('flood', 'ghcr.io'), credentialsError('flood', new RegExp(`more than ${DEFAULT_HELPER_LIMITS.maxOutputBytes} bytes`)));
    const grew = process.memoryUsage().rss - before;
    assert.ok(grew < 200 * 1024 * 1024, `RSS grew by ${grew} bytes`);
    assert.equal(DEFAULT_HELPER_LIMITS.maxOutputBytes, 1024 * 1024);
    assert.deepEqual(await groupGone(pid()), [], 'yes and head are killed');
  });

  it('stops a helper printing without end on stderr', async () => {
    const pid = helper('endless', 'yes >&2');
    await assert.rejects(runCredentialHelper('endless', 'ghcr.io', { maxOutputBytes: 64 * 1024 }), credentialsError('endless', /more than 65536 bytes/));
    assert.deepEqual(await groupGone(pid()), [], 'the endless yes is killed');
  });

  it('refuses an answer whose Secret is not a string', async () => {
    helper('numeric', 'read url; echo \'{"Username":"octo","Secret":12345}\'');
    await assert.rejects(runCredentialHelper('numeric', 'ghcr.io'), credentialsError('numeric', /without a string Username and Secret/));
  });
});
