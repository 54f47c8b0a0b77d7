/**
 * src/transport/connection-limits.ts: the streams one HTTP/2 connection may carry, read off
 * undici's Client as its server advertised them (a real HTTP/2 server over TLS), capped at
 * H2_STREAMS, and H2_STREAMS whenever undici keeps the figure somewhere else.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'undici';
import { H2_STREAMS, h2StreamsOf, ownSymbol } from '../../src/transport/connection-limits.js';

describe('transport/connection-limits', function () {
  this.timeout(30_000);
  let dir: string;
  let key: Buffer;
  let cert: Buffer;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'regsize-limits-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    key = readFileSync(join(dir, 'key.pem'));
    cert = readFileSync(join(dir, 'cert.pem'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The streams h2StreamsOf reads on a connection to a server that allows `allowed`. */
  async function streamsAllowedBy(allowed: number): Promise<number> {
    const server = http2.createSecureServer({ key, cert, settings: { maxConcurrentStreams: allowed } });
    server.on('stream', (stream) => {
      stream.respond({ ':status': 200 });
      stream.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const client = new Client(`https://127.0.0.1:${(server.address() as AddressInfo).port}`, { allowH2: true, connect: { ca: cert } });
    try {
      // The server's SETTINGS have arrived once an answer has.
      const res = await client.request({ path: '/', method: 'GET' });
      assert.equal(await res.body.text(), 'ok');
      return h2StreamsOf(client);
    } finally {
      await client.destroy();
      server.close();
    }
  }

  it("reads the server's own limit, when lower", async () => {
    assert.equal(await streamsAllowedBy(5), 5);
  });

  it(`is never more than ${H2_STREAMS}, whatever the server allows`, async () => {
    assert.equal(await streamsAllowedBy(1000), H2_STREAMS);
  });

  it(`is ${H2_STREAMS} for anything that does not hold the figure where undici keeps it`, () => {
    assert.equal(h2StreamsOf(undefined), H2_STREAMS);
    assert.equal(h2StreamsOf({}), H2_STREAMS);
  });

  it('finds a symbol-keyed property by its description, and nothing on objects without one', () => {
    const s = Symbol('client');
    assert.equal(ownSymbol({ [s]: 1 }, 'client'), s);
    assert.equal(ownSymbol({ client: 1 }, 'client'), undefined);
    assert.equal(ownSymbol(undefined, 'client'), undefined);
  });
});
