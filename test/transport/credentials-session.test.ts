/**
 * A hostile credential helper and a broken Docker config as a user meets them: `regsize
 * compare` (in-process) on an image of a registry that asks for credentials, beside one of a
 * registry that does not. The first fails with CREDENTIALS, exit 1; the second is still sized.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Compare from '../../commands/compare.js';
import { runInProcess } from '../commands/run-in-process.js';
import { BIN } from '../helpers/cli.js';
import type { AnyEntry as Entry, CompareJson } from '../helpers/compare-json.js';
import { makeImage, makeRandomLayer, pushImage } from '../helpers/images.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';

/** Whether a live (not zombie) process is left in the group, after waiting a bounded while for it to go. */
async function groupAlive(pgid: number): Promise<boolean> {
  return (await liveInGroup(pgid)).length > 0;
}

/** The live members of the group after up to 5 s of waiting: empty once it is gone. Each as "pid state ppid cmdline", so a failure says what is left. */
async function liveInGroup(pgid: number): Promise<string[]> {
  let live: string[] = [];
  for (let i = 0; i < 250; i++) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return [];
    }
    // The leader may linger as a zombie until reaped; its children are what matter.
    live = readdirSync('/proc').filter((p) => /^\d+$/.test(p) && inGroupAndLive(p, pgid));
    if (!live.length) return [];
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return live.map(describeProcess);
}

function describeProcess(pid: string): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return `${pid} ${state} ppid=${ppid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()}`;
  } catch {
    return `${pid} (gone)`;
  }
}

function inGroupAndLive(pid: string, pgid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(pgrp) === pgid && state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

describe('compare with a hostile credential helper or a broken Docker config', function () {
  this.timeout(60_000);
  let locked: LocalRegistry;
  let open: LocalRegistry;
  let dir: string;
  const saved = { PATH: process.env.PATH, DOCKER_CONFIG: process.env.DOCKER_CONFIG, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME };
  const image = () => makeImage({ layers: [makeRandomLayer({ size: 20_000, seed: 'cred', compression: 'gzip' })], platform: { os: 'linux', architecture: 'amd64' } });

  before(async () => {
    [locked, open] = await Promise.all([startRegistry({ auth: { username: 'ci', password: 's3cret-pass' } }), startRegistry()]);
    await Promise.all([pushImage(locked, 'team/app', '1', image()), pushImage(open, 'team/app', '1', image())]);
    dir = mkdtempSync(join(tmpdir(), 'regsize-cred-session-'));
    process.env.PATH = `${dir}:${process.env.PATH}`;
    process.env.XDG_CACHE_HOME = join(dir, 'cache');
  });
  after(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await Promise.all([locked?.stop(), open?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  function dockerConfig(name: string, text: string): void {
    const folder = join(dir, name);
    mkdirSync(folder); // fails if it exists: one folder per test
    process.env.DOCKER_CONFIG = folder;
    writeFileSync(join(folder, 'config.json'), text);
  }

  async function compare(): Promise<{ exitCode: number; stderr: string; images: Entry[] }> {
    const r = await runInProcess(Compare, [`${locked.host}/team/app:1`, `${open.host}/team/app:1`, '--json', '--timeout', '1', '--platform', 'linux/amd64']);
    return { exitCode: r.exitCode, stderr: r.stderr, images: (JSON.parse(r.stdout) as CompareJson).images };
  }

  it('a helper that never answers fails its image within --timeout, and the other image is sized', async () => {
    const pidFile = join(dir, 'hang.pid');
    const helper = join(dir, 'docker-credential-regsizehang');
    writeFileSync(helper, `#!/bin/sh\necho $$ > '${pidFile}'\nexec sleep 1000\n`);
    chmodSync(helper, 0o755);
    dockerConfig('hang', JSON.stringify({ credHelpers: { [locked.host]: 'regsizehang' } }));
    const r = await compare();
    assert.equal(r.exitCode, 1, r.stderr);
    assert.equal(r.images[0]?.error?.code, 'CREDENTIALS');
    assert.match(r.images[0]?.error?.message ?? '', /docker-credential-regsizehang did not answer within 1s/);
    assert.ok((r.images[1]?.compressedSize ?? 0) > 0, 'the image that needs no credentials is still sized');
    assert.equal(await groupAlive(Number(readFileSync(pidFile, 'utf8'))), false, 'the helper is not left running');
  });

  it('Ctrl-C while a helper hangs: regsize exits with 130 and the helper goes with it', async () => {
    const pidFile = join(dir, 'ctrlc.pid');
    const helper = join(dir, 'docker-credential-regsizectrlc');
    writeFileSync(helper, `#!/bin/sh\necho $$ > '${pidFile}'\nsleep 1000\n`);
    chmodSync(helper, 0o755);
    dockerConfig('ctrlc', JSON.stringify({ credHelpers: { [locked.host]: 'regsizectrlc' } }));
    const child = spawn(process.execPath, [BIN, `${locked.host}/team/app:1`, '--timeout', '60'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, DOCKER_CONFIG: process.env.DOCKER_CONFIG, XDG_CACHE_HOME: join(dir, 'cache') },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 500 && !existsSync(pidFile); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(existsSync(pidFile), 'the helper was started');
    child.kill('SIGINT');
    assert.equal(await exited, 130);
    const pgid = Number(readFileSync(pidFile, 'utf8'));
    assert.deepEqual(await liveInGroup(pgid), [], `the helper (group ${pgid}) is not left running`);
  });

  it('a config.json that is null fails the image that needs credentials with CREDENTIALS naming the file', async () => {
    dockerConfig('null', 'null');
    const r = await compare();
    assert.equal(r.exitCode, 1, r.stderr);
    assert.equal(r.images[0]?.error?.code, 'CREDENTIALS');
    assert.ok(r.images[0]?.error?.message.includes(join(dir, 'null', 'config.json')), r.images[0]?.error?.message);
    assert.ok((r.images[1]?.compressedSize ?? 0) > 0);
  });

  it('an "auth" that is a number: CREDENTIALS naming the file and the field', async () => {
    dockerConfig('number', JSON.stringify({ auths: { [locked.host]: { auth: 42 } } }));
    const r = await compare();
    assert.equal(r.exitCode, 1, r.stderr);
    assert.equal(r.images[0]?.error?.code, 'CREDENTIALS');
    assert.match(r.images[0]?.error?.message ?? '', /config\.json: "auths"\.".*"\."auth" must be a string, not a number/);
  });
});
