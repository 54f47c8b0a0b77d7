/**
 * --timeout bounds what the user waits (issue #13): the loopback https-then-http ping shares one
 * deadline, so the fallback never doubles the wait; the https probe is one --verbose line; the
 * connections are destroyed when a command ends, so the process exits once the answer is out.
 * The deadline is checked with an injected clock and a scripted transport, not wall-clock.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Compare from '../../commands/compare.js';
import { NetworkError, RegsizeError, RequestTimeoutError } from '../../src/errors.js';
import { Authenticator } from '../../src/transport/auth.js';
import type { HttpClient, HttpRequest, HttpResponse } from '../../src/transport/http.js';
import { runInProcess } from '../commands/run-in-process.js';
import { makeImage, makeRandomLayer, pushImage } from '../helpers/images.js';
import { recordSharedDispatchers } from '../helpers/mock-agent.js';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';

const TIMEOUT_MS = 2000;

/** A transport that answers from a script and moves a fake clock by the time each answer "takes". */
function scripted(script: Record<'https' | 'http', (req: HttpRequest) => { takesMs: number; fail?: RegsizeError }>) {
  let now = 1_000_000;
  const requests: { url: string; timeoutMs: number | undefined; probe: boolean | undefined }[] = [];
  const debug: string[] = [];
  const http = {
    settings: { timeoutMs: TIMEOUT_MS, logger: { debug: (l: string) => debug.push(l), warn: () => {} } },
    async send(req: HttpRequest): Promise<HttpResponse> {
      requests.push({ url: req.url, timeoutMs: req.timeoutMs, probe: req.probe });
      const answer = script[req.url.startsWith('https:') ? 'https' : 'http'](req);
      // A request never runs past the time it was given.
      now += Math.min(answer.takesMs, req.timeoutMs ?? TIMEOUT_MS);
      if (answer.fail) throw answer.fail;
      return { status: 200, headers: new Headers({ 'content-type': 'application/json' }), body: new Uint8Array(), url: req.url };
    },
  } as unknown as HttpClient;
  const auth = new Authenticator(http, { get: async () => undefined }, () => now);
  return { auth, requests, debug };
}

const BASES = ['https://127.0.0.1:5000', 'http://127.0.0.1:5000'];
const timeout = () => ({ takesMs: TIMEOUT_MS, fail: new RequestTimeoutError('GET https://127.0.0.1:5000/v2/ timed out after 2s') });
const notTls = (takesMs: number) => () => {
  const cause = Object.assign(new Error('wrong version number'), { code: 'ERR_SSL_WRONG_VERSION_NUMBER' });
  return { takesMs, fail: new NetworkError('GET https://127.0.0.1:5000/v2/ failed: network error', { cause }) };
};

describe('the ping shares one deadline between https and http', () => {
  it('a silent server: https spends the whole timeout, and http is not tried (one wait, not two)', async () => {
    const { auth, requests, debug } = scripted({ https: timeout, http: () => ({ takesMs: 0 }) });
    await assert.rejects(auth.ping('127.0.0.1:5000', BASES), (e: RegsizeError) => e.code === 'TIMEOUT');
    assert.deepEqual(requests, [{ url: 'https://127.0.0.1:5000/v2/', timeoutMs: TIMEOUT_MS, probe: true }]);
    assert.deepEqual(debug, ['https://127.0.0.1:5000/v2/: GET https://127.0.0.1:5000/v2/ timed out after 2s, not trying http']);
  });

  it('a plain-HTTP registry: https fails fast as not TLS, and http gets only what is left of the deadline', async () => {
    const { auth, requests, debug } = scripted({ https: notTls(300), http: () => ({ takesMs: 10 }) });
    assert.equal((await auth.ping('127.0.0.1:5000', BASES)).base, 'http://127.0.0.1:5000');
    assert.deepEqual(requests, [
      { url: 'https://127.0.0.1:5000/v2/', timeoutMs: TIMEOUT_MS, probe: true },
      { url: 'http://127.0.0.1:5000/v2/', timeoutMs: TIMEOUT_MS - 300, probe: false },
    ]);
    assert.deepEqual(debug, ['https://127.0.0.1:5000/v2/: not TLS, using http']);
  });

  it('an https failure that used up the deadline leaves no time for http', async () => {
    const { auth, requests } = scripted({ https: notTls(TIMEOUT_MS), http: () => ({ takesMs: 0 }) });
    await assert.rejects(auth.ping('127.0.0.1:5000', BASES), (e: RegsizeError) => e.code === 'NETWORK');
    assert.equal(requests.length, 1);
  });

  it('one scheme only (not loopback): the request gets the whole timeout and is no probe', async () => {
    const { auth, requests } = scripted({ https: () => ({ takesMs: 5 }), http: () => ({ takesMs: 0 }) });
    await auth.ping('ghcr.io', ['https://ghcr.io']);
    assert.deepEqual(requests, [{ url: 'https://ghcr.io/v2/', timeoutMs: TIMEOUT_MS, probe: false }]);
  });
});

describe('a command against a real plain-HTTP registry (in-process)', function () {
  this.timeout(60_000);
  let reg: LocalRegistry;
  let tmp: string;
  const savedDockerConfig = process.env.DOCKER_CONFIG;
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'regsize-ping-'));
    writeFileSync(join(tmp, 'config.json'), '{"auths":{}}');
    process.env.DOCKER_CONFIG = tmp;
    reg = await startRegistry();
    await pushImage(reg, 'app', '1', makeImage({ layers: [makeRandomLayer({ size: 1000, seed: 'ping' })] }));
  });
  after(async () => {
    await reg?.stop();
    if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = savedDockerConfig;
    rmSync(tmp, { recursive: true, force: true });
  });

  it('--verbose: the https probe is one note, not an OpenSSL error over two lines', async () => {
    const r = await runInProcess(Compare, [`${reg.host}/app:1`, '--no-cache', '--verbose']);
    assert.equal(r.exitCode, 0, r.stderr);
    const probe = r.stderr.split('\n').filter((l) => l.includes('https://'));
    assert.deepEqual(probe, [`regsize: https://${reg.host}/v2/: not TLS, using http`]);
    assert.doesNotMatch(r.stderr, /SSL|openssl|ERR_/);
    for (const line of r.stderr.split('\n').filter(Boolean)) assert.match(line, /^regsize: /);
  });

  it("destroys the process's connections when the command ends, so nothing holds Node open", async () => {
    const { made, restore } = recordSharedDispatchers();
    try {
      for (const run of [1, 2]) {
        const r = await runInProcess(Compare, [`${reg.host}/app:1`, '--no-cache']);
        assert.equal(r.exitCode, 0, r.stderr);
        assert.equal(made.length, run, 'each command makes its own');
        assert.equal((made[run - 1]?.dispatcher as unknown as { destroyed: boolean }).destroyed, true);
      }
    } finally {
      restore();
    }
  });
});
