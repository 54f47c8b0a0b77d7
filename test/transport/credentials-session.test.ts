/**
 * A hostile credential helper and a broken Docker config as a user meets them: `regsize
 * compare` (in-process) on an image of a registry that asks for credentials, beside one of a
 * registry that does not. The first fails with CREDENTIALS, exit 1; the second is still sized.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Compare from '../../commands/compare.js';
import { runInProcess } from '../commands/run-in-process.js';
import { makeImage, makeRandomLayer, pushImage } from '../helpers/images.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';

interface Entry {
  reference: string;
  compressedSize?: number;
  error?: { code: string; message: string };
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
    return { exitCode: r.exitCode, stderr: r.stderr, images: (JSON.parse(r.stdout) as { images: Entry[] }).images };
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
    const pgid = Number(readFileSync(pidFile, 'utf8'));
    // The group is killed with SIGKILL before the error is returned; a zombie is not running.
    let alive = true;
    for (let i = 0; i < 250 && alive; i++) {
      try {
        process.kill(-pgid, 0);
        const state = readFileSync(`/proc/${pgid}/stat`, 'utf8').split(') ')[1]?.[0];
        alive = state !== 'Z';
      } catch {
        alive = false;
      }
      if (alive) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(alive, false, 'the helper is not left running');
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
