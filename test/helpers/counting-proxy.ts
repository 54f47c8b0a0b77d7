/**
 * A loopback HTTP proxy in front of a local registry that records every request it passes
 * on, so tests and the benchmark can count what regsize really asked (manifest GETs, HEADs)
 * instead of trusting regsize's own bookkeeping. Clients use the proxy's host:port as the
 * registry. An optional delay per request stands in for a slow link.
 */
import http from 'node:http';
import { listenLoopback } from './loopback.js';

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
  const { host, url } = await listenLoopback(server);
  return {
    host,
    url,
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
