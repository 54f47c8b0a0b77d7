/**
 * The connection bin/run.js opens early is the one undici uses (src/transport/preconnect.ts):
 * against a TLS server that counts connections, a request after `preconnect` opens no second
 * one and takes the early socket, a request elsewhere leaves it, and an early connection that
 * failed (a server that does not speak TLS) gives the same error as no early connection. The
 * TCP connection is opened before node:tls is loaded (its SYN does not wait for it).
 * Run in a child node, so that NODE_EXTRA_CA_CERTS (read at start only) trusts the test CA.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, run } from '../helpers/package.js';

const CHILD = `
const { preconnect, hasEarlyConnection } = await import('./dist/src/transport/preconnect.js');
const [host, port, earlyHost, earlyPort] = process.argv.slice(1);
const out = {};
if (earlyHost) {
  // TCP first: node:tls is loaded only once the SYN may have left (bin/run.js awaits the rest).
  const tlsLoaded = () => process.moduleLoadList.includes('NativeModule tls');
  const early = preconnect(earlyHost, Number(earlyPort));
  out.tlsBeforeTcp = tlsLoaded();
  await early;
}
// Loaded after: undici loads node:tls itself.
const { sharedDispatcher } = await import('./dist/src/transport/shared-dispatcher.js');
try {
  const res = await fetch('https://' + host + ':' + port + '/v2/', { dispatcher: await sharedDispatcher() });
  out.status = res.status;
  await res.text();
} catch (e) {
  out.error = String(e.cause?.code ?? e.cause ?? e);
}
out.earlyLeft = hasEarlyConnection();
process.stdout.write(JSON.stringify(out));
process.exit(0);
`;

describe('transport/preconnect: the early connection is the one used', function () {
  this.timeout(60_000);
  let dir: string;
  let tlsServer: https.Server;
  let plainServer: http.Server;
  let connections = 0;
  const port = (s: http.Server | https.Server) => (s.address() as AddressInfo).port;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'regsize-preconnect-'));
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const { readFileSync } = await import('node:fs');
    tlsServer = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => res.writeHead(401).end('{}'));
    tlsServer.on('connection', () => connections++);
    plainServer = http.createServer((_req, res) => res.writeHead(400).end());
    await Promise.all([tlsServer, plainServer].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))));
  });
  after(async () => {
    await Promise.all([tlsServer, plainServer].map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r)))));
    rmSync(dir, { recursive: true, force: true });
  });

  /** A request to https://host:p/v2/ in a new node, after an early connection to `early` when given. */
  const child = async (host: string, p: number, early?: number) => {
    const r = await run(process.execPath, ['--input-type=module', '-e', CHILD, '--', host, String(p), ...(early === undefined ? [] : [host, String(early)])], { cwd: ROOT, env: { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') } });
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as { status?: number; error?: string; earlyLeft: boolean; tlsBeforeTcp?: boolean };
  };

  it('hands the early TLS socket to undici: one connection in all, the early one taken', async () => {
    connections = 0;
    const r = await child('127.0.0.1', port(tlsServer), port(tlsServer));
    assert.deepEqual(r, { status: 401, earlyLeft: false, tlsBeforeTcp: false });
    assert.equal(connections, 1);
  });

  it('leaves it for its own origin only', async () => {
    connections = 0;
    const [elsewhere, direct] = await Promise.all([child('127.0.0.1', port(plainServer), port(tlsServer)), child('127.0.0.1', port(plainServer))]);
    assert.equal(elsewhere.earlyLeft, true);
    assert.deepEqual({ ...elsewhere, earlyLeft: false, tlsBeforeTcp: undefined }, { ...direct, tlsBeforeTcp: undefined });
    assert.equal(connections, 1, 'the early connection only');
  });

  it('fails as without it when the server does not speak TLS', async () => {
    const [withEarly, without] = await Promise.all([child('127.0.0.1', port(plainServer), port(plainServer)), child('127.0.0.1', port(plainServer))]);
    assert.ok(without.error, 'a TLS request to a plain HTTP server fails');
    assert.deepEqual(withEarly, { ...without, earlyLeft: false, tlsBeforeTcp: false });
  });
});
