/**
 * A loopback HTTP proxy in front of a local registry that records every request it passes
 * on, so tests and the benchmark can count what regsize really asked (manifest GETs, HEADs)
 * instead of trusting regsize's own bookkeeping. Clients use the proxy's host:port as the
 * registry. An optional delay per request stands in for a slow link.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query as sent: /v2/app/manifests/latest */
  path: string;
  status: number;
}

export interface CountingProxy {
  /** "127.0.0.1:PORT": use it in references instead of the registry's host. */
  host: string;
  url: string;
  requests: RecordedRequest[];
  /** Manifest requests (`/v2/<name>/manifests/<ref>`) with this method. */
  manifests(method: 'GET' | 'HEAD'): RecordedRequest[];
  reset(): void;
  stop(): Promise<void>;
}

const MANIFEST_PATH = /^\/v2\/.+\/manifests\/[^/?]+$/;

export async function startCountingProxy(targetUrl: string, opts: { delayMs?: number } = {}): Promise<CountingProxy> {
  const target = new URL(targetUrl);
  if (!/^(127\.\d+\.\d+\.\d+|localhost)$/.test(target.hostname)) throw new Error(`counting proxy: ${targetUrl} is not on loopback`);
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const forward = () => {
      const upstream = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          requests.push({ method: req.method ?? '', path: req.url ?? '', status: up.statusCode ?? 0 });
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', (e) => {
        requests.push({ method: req.method ?? '', path: req.url ?? '', status: 502 });
        res.writeHead(502).end(String(e));
      });
      req.pipe(upstream);
    };
    if (opts.delayMs) setTimeout(forward, opts.delayMs);
    else forward();
  });
  // regsize tries HTTPS first on loopback; a TLS hello is not HTTP, so the socket is just closed.
  server.on('clientError', (_e, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    requests,
    manifests: (method) => requests.filter((r) => r.method === method && MANIFEST_PATH.test(r.path.split('?')[0] as string)),
    reset: () => {
      requests.length = 0;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
