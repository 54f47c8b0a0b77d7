/**
 * A loopback reverse proxy in front of a real registry that injects faults into chosen
 * requests: an error status instead of the answer, a connection reset before the answer, an
 * answer cut off mid-body, or an answer with one byte changed. The test decides per request;
 * the proxy records what it injected, so the test can check that every fault was seen through.
 */
import http from 'node:http';
import { listenLoopback } from './loopback.js';

export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  | { kind: 'reset' }
  /** The real answer's headers and half its body, then the connection is destroyed. */
  | { kind: 'cut' }
  /** The real answer with one body byte changed (same length, so only a digest can tell). */
  | { kind: 'corrupt' };

export interface ProxiedRequest {
  method: string;
  /** Path and query as sent. */
  path: string;
}

export interface Injected extends ProxiedRequest {
  fault: Fault;
}

export interface FaultProxy {
  /** "127.0.0.1:PORT": use it in references instead of the registry's host. */
  host: string;
  url: string;
  injected: Injected[];
  /** Every request that reached the proxy, faulted or not. */
  requests: ProxiedRequest[];
  stop(): Promise<void>;
}

export async function startFaultProxy(targetUrl: string, decide: (req: ProxiedRequest) => Fault | undefined): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  if (!/^(127\.\d+\.\d+\.\d+|localhost)$/.test(target.hostname)) throw new Error(`fault proxy: ${targetUrl} is not on loopback`);
  const injected: Injected[] = [];
  const requests: ProxiedRequest[] = [];

  const server = http.createServer((req, res) => {
    const r: ProxiedRequest = { method: req.method ?? '', path: req.url ?? '' };
    requests.push(r);
    const fault = decide(r);
    if (fault) injected.push({ ...r, fault });
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'status') {
      req.resume();
      const body = JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: `injected ${fault.status}` }] });
      res.writeHead(fault.status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...fault.headers }).end(body);
      return;
    }
    const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      if (!fault) {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        const body = Buffer.concat(chunks);
        res.writeHead(up.statusCode ?? 502, { ...up.headers, 'content-length': String(body.length) });
        if (fault.kind === 'cut') {
          // flushHeaders + half the body, then a reset: the client has started reading.
          res.write(body.subarray(0, Math.floor(body.length / 2)), () => req.socket.destroy());
          return;
        }
        if (body.length > 0) body[Math.floor(body.length / 2)]! ^= 0x01;
        res.end(body);
      });
    });
    upstream.on('error', (e) => res.writeHead(502).end(String(e)));
    req.pipe(upstream);
  });
  const { host, url } = await listenLoopback(server);
  return {
    host,
    url,
    injected,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
