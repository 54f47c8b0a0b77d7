/** Shared start-up of the tests' loopback HTTP servers (proxies in front of the registry). */
import net from 'node:net';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Listens on a free loopback port. regsize tries HTTPS first on loopback; a TLS hello is not
 * HTTP, so such a socket is simply closed and regsize falls back to plain HTTP.
 */
export async function listenLoopback(server: http.Server): Promise<{ host: string; url: string }> {
  server.on('clientError', (_e, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { host: `127.0.0.1:${port}`, url: `http://127.0.0.1:${port}` };
}

/** A loopback port nothing listens on (it was free a moment ago): a refused connection. */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
