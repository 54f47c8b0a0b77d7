/**
 * On a slow link every new TLS connection costs two round trips, so the parallel requests of a
 * run must share one HTTP/2 connection where the registry offers it. A real docker-registry
 * serving TLS (and h2 by ALPN) sits behind a TCP proxy that counts connections.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';
import { makeImage, makeIndex, makeRandomLayer, pushIndex } from '../helpers/images.js';
import { runCli, spawnCli } from '../helpers/cli.js';

function selfSignedCert(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'regsize-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { cert, key };
}

function connectionCounter(targetPort: number): Promise<{ host: string; connections: () => number; close: () => Promise<void> }> {
  let count = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    count++;
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        host: `127.0.0.1:${port}`,
        connections: () => count,
        close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
      });
    }),
  );
}

describe('HTTP/2 against a TLS registry', function () {
  this.timeout(90_000);
  let plain: LocalRegistry;
  let tls: LocalRegistry;
  let cert: string;
  const repos = ['a/one', 'b/two', 'c/three', 'd/four'];

  before(async () => {
    const files = selfSignedCert();
    cert = files.cert;
    plain = await startRegistry();
    tls = await startRegistry({ tls: files });
    for (const [i, repo] of repos.entries()) {
      const amd = makeImage({ layers: [makeRandomLayer({ size: 20_000 + i * 1000, seed: `${repo}-amd`, compression: 'gzip' })], platform: { os: 'linux', architecture: 'amd64' } });
      const arm = makeImage({ layers: [makeRandomLayer({ size: 30_000 + i * 1000, seed: `${repo}-arm`, compression: 'gzip' })], platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
      await pushIndex(plain, repo, '1', makeIndex([{ image: amd, platform: { os: 'linux', architecture: 'amd64' } }, { image: arm, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }], { attestations: true }));
      // skopeo moves the images to the TLS registry as a user would.
      execFileSync('skopeo', ['copy', '--all', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${plain.host}/${repo}:1`, `docker://${tls.host}/${repo}:1`], { stdio: 'ignore' });
    }
  });
  after(async () => {
    await plain?.stop();
    await tls?.stop();
  });

  it('sizes many images over one connection, HTTPS first on loopback, trusting NODE_EXTRA_CA_CERTS', async () => {
    const counter = await connectionCounter(Number(tls.host.split(':')[1]));
    try {
      const refs = repos.map((r) => `${counter.host}/${r}:1`);
      const r = await spawnCli([...refs, '--platform', 'all', '--json', '--no-cache', '--verbose'], { NODE_EXTRA_CA_CERTS: cert });
      assert.equal(r.code, 0, r.stderr);
      const got = (JSON.parse(r.stdout) as { images: { compressedSize: number }[] }).images.map((e) => e.compressedSize);
      const direct = await runCli([...repos.map((x) => `${plain.host}/${x}:1`), '--platform', 'all', '--json', '--no-cache']);
      assert.deepEqual(got, (JSON.parse(direct.stdout) as { images: { compressedSize: number }[] }).images.map((e) => e.compressedSize));
      assert.match(r.stderr, new RegExp(`GET https://${counter.host}/v2/ 200`));
      // 1 ping + 4 indexes + 8 platform manifests, all multiplexed on one connection.
      assert.equal(r.stderr.match(/GET https:\S+ 200/g)?.length, 13);
      assert.equal(counter.connections(), 1);
    } finally {
      await counter.close();
    }
  });
});
