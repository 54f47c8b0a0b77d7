/**
 * Corporate proxies: HTTP_PROXY / HTTPS_PROXY / NO_PROXY are honoured (undici's
 * EnvHttpProxyAgent). A real forward proxy on loopback records what passes through it.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { type LocalRegistry, startRegistry } from '../helpers/registry.js';
import { makeImage, makeRandomLayer, pushImage } from '../helpers/images.js';
import { runCli } from '../helpers/cli.js';

function forwardProxy(): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url as string);
    const up = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('connect', (req, socket: net.Socket, head) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url as string).split(':');
    const up = net.connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) });
    }),
  );
}

describe('proxies from the environment', function () {
  this.timeout(60_000);
  let reg: LocalRegistry;
  before(async () => {
    reg = await startRegistry();
    await pushImage(reg, 'p/app', '1', makeImage({ layers: [makeRandomLayer({ size: 20_000, seed: 'p', compression: 'gzip' })], platform: { os: 'linux', architecture: 'amd64' } }));
  });
  after(async () => reg?.stop());

  it('sends registry requests through HTTP_PROXY / HTTPS_PROXY', async () => {
    const proxy = await forwardProxy();
    try {
      const r = await runCli([`${reg.host}/p/app:1`, '--json'], { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: '' });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(JSON.parse(r.stdout).images[0].compressedSize > 0);
      // undici tunnels through the proxy with CONNECT, for http:// targets too.
      assert.ok(proxy.seen.length > 0 && proxy.seen.every((l) => l === `CONNECT ${reg.host}`), proxy.seen.join('\n'));
    } finally {
      await proxy.close();
    }
  });

  it('bypasses the proxy for NO_PROXY hosts', async () => {
    const proxy = await forwardProxy();
    try {
      const r = await runCli([`${reg.host}/p/app:1`, '--json'], { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.1' });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(proxy.seen, []);
    } finally {
      await proxy.close();
    }
  });
});
