/**
 * src/transport/dispatcher.ts: a session's own connections. Against real loopback servers: an
 * HTTP/2 server (TLS, h2 by ALPN) gets a burst of requests on one connection; an HTTP/1.1 one
 * a connection per request in flight; destroy ends them; each is its own.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { H2_STREAMS } from '../../src/transport/connection-limits.js';
import { createDispatcher, type OwnedDispatcher, proxyConfigured } from '../../src/transport/dispatcher.js';

const BURST = 10;

async function listen(server: http.Server | http2.Http2SecureServer): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as AddressInfo).port;
}

/** Answers once `BURST` requests are in flight at once, so the burst really is concurrent. */
function gate() {
  const waiting: (() => void)[] = [];
  return (answer: () => void) => {
    waiting.push(answer);
    if (waiting.length === BURST) for (const a of waiting.splice(0)) a();
  };
}

/** undici's agents say whether they were destroyed (not in the Dispatcher type). */
const destroyed = (d: unknown) => (d as { destroyed: boolean }).destroyed;

const burst = (owned: OwnedDispatcher, url: string) =>
  Promise.all(Array.from({ length: BURST }, async () => {
    // @ts-expect-error: Node's fetch takes an undici dispatcher
    const res = await fetch(url, { dispatcher: owned.dispatcher });
    return res.text();
  }));

describe('transport/dispatcher', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'regsize-dispatcher-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(`multiplexes a burst on one HTTP/2 connection (up to ${H2_STREAMS} streams)`, async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const server = http2.createSecureServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) });
    let sessions = 0;
    server.on('session', () => sessions++);
    const release = gate();
    server.on('stream', (stream, headers) => {
      const answer = () => {
        stream.respond({ ':status': 200 });
        stream.end('h2');
      };
      if (headers[':path'] === '/v2/') answer();
      else release(answer);
    });
    const port = await listen(server);
    const saved = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'; // the self-signed certificate of this test only
    const owned = createDispatcher();
    try {
      // The ping comes first, alone (as every run's does); the burst then finds the connection known as h2.
      // @ts-expect-error: Node's fetch takes an undici dispatcher
      assert.equal(await (await fetch(`https://127.0.0.1:${port}/v2/`, { dispatcher: owned.dispatcher })).text(), 'h2');
      assert.deepEqual(await burst(owned, `https://127.0.0.1:${port}/v2/a/manifests/1`), Array(BURST).fill('h2'));
      assert.equal(sessions, 1, 'one connection carried every request');
    } finally {
      if (saved === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = saved;
      owned.destroy();
      server.close();
    }
  });

  it('opens a connection per request in flight on HTTP/1.1 (no pipelining), and destroy ends them', async () => {
    const sockets = new Set<unknown>();
    const release = gate();
    const server = http.createServer((req, res) => release(() => res.end('h1')));
    server.on('connection', (s) => sockets.add(s));
    const port = await listen(server);
    const owned = createDispatcher();
    try {
      assert.deepEqual(await burst(owned, `http://127.0.0.1:${port}/v2/`), Array(BURST).fill('h1'));
      assert.equal(sockets.size, BURST);
      owned.destroy();
      assert.equal(destroyed(owned.dispatcher), true);
      owned.destroy(); // twice is harmless
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('each dispatcher is its own: destroying one leaves the other', () => {
    const a = createDispatcher();
    const b = createDispatcher();
    assert.notEqual(a.dispatcher, b.dispatcher);
    a.destroy();
    assert.equal(destroyed(b.dispatcher), false, 'destroying one leaves the other');
    b.destroy();
  });

  it('sees a proxy where undici would use one: the lower-case name first, an empty value none', () => {
    assert.equal(proxyConfigured({}), false);
    assert.equal(proxyConfigured({ NO_PROXY: '*' }), false, 'NO_PROXY alone names no proxy');
    assert.equal(proxyConfigured({ HTTPS_PROXY: 'http://proxy:3128' }), true);
    assert.equal(proxyConfigured({ http_proxy: 'http://proxy:3128' }), true);
    assert.equal(proxyConfigured({ HTTP_PROXY: '' }), false);
    assert.equal(proxyConfigured({ https_proxy: '', HTTPS_PROXY: 'http://proxy:3128' }), false, 'an empty https_proxy wins over HTTPS_PROXY, as in undici');
    assert.equal(proxyConfigured({ http_proxy: '', HTTP_PROXY: 'http://proxy:3128', HTTPS_PROXY: 'http://proxy:3128' }), true);
  });
});
