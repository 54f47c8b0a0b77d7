/**
 * A loopback proxy in front of a local registry that counts requests in flight at once, so a
 * test asserts fan-out by what the server saw rather than by timing. It speaks HTTP/1.1, or
 * HTTP/2 over TLS (ALPN h2 only) with a self-signed certificate, as a registry behind a CDN does.
 *
 * The gate: requests whose path matches `gate.path` are held until `gate.count` of them are in
 * flight together, then all are let through (later ones pass at once). A client that never
 * reaches the count is let through after `gate.giveUpMs`, so a failing test ends instead of
 * hanging; the assertion is on `maxInFlight`, never on the time taken.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface InFlightProxy {
  host: string;
  /** Most requests matching the gate's path that were in flight at one time. */
  maxInFlight(): number;
  /** TCP connections clients opened to the proxy. */
  connections(): number;
  /** Every request passed on, in arrival order, with when it arrived (performance.now()). */
  requests: { method: string; path: string; at: number }[];
  /** PEM of the certificate (HTTP/2 proxies), for NODE_EXTRA_CA_CERTS. */
  certFile?: string;
  stop(): Promise<void>;
}

export interface InFlightOptions {
  gate: { path: RegExp; count: number; giveUpMs: number };
  /** HTTP/2 over TLS, advertising this SETTINGS_MAX_CONCURRENT_STREAMS. */
  h2?: { maxConcurrentStreams: number };
}

/** Headers HTTP/2 forbids (RFC 9113 8.2.2), and pseudo-headers, are not passed on. */
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'host']);

function forwardable(headers: http.IncomingHttpHeaders | http2.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !k.startsWith(':') && !HOP.has(k)));
}

export async function startInFlightProxy(targetUrl: string, opts: InFlightOptions): Promise<InFlightProxy> {
  const target = new URL(targetUrl);
  let inFlight = 0;
  let max = 0;
  let connections = 0;
  let held: (() => void)[] = [];
  let opened = false;
  const timers = new Set<NodeJS.Timeout>();
  const requests: { method: string; path: string; at: number }[] = [];

  const handle = (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', at: performance.now() });
    const gated = opts.gate.path.test(req.url ?? '');
    const forward = () => {
      const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...forwardable(req.headers), host: target.host } }, (up) => {
        (res as http.ServerResponse).writeHead(up.statusCode ?? 502, forwardable(up.headers));
        up.pipe(res as http.ServerResponse);
        up.on('end', () => {
          if (gated) inFlight--;
        });
      });
      upstream.on('error', () => {
        if (gated) inFlight--;
        (res as http.ServerResponse).writeHead(502).end();
      });
      (req as http.IncomingMessage).pipe(upstream);
    };
    if (!gated) return forward();
    inFlight++;
    max = Math.max(max, inFlight);
    if (opened) return forward();
    held.push(forward);
    if (held.length >= opts.gate.count) {
      opened = true;
      const go = held;
      held = [];
      for (const f of go) f();
    } else if (held.length === 1) {
      const t = setTimeout(() => {
        timers.delete(t);
        const go = held;
        held = [];
        for (const f of go) f();
      }, opts.gate.giveUpMs);
      timers.add(t);
    }
  };

  let certDir: string | undefined;
  let server: http.Server | http2.Http2SecureServer;
  if (opts.h2) {
    certDir = mkdtempSync(join(tmpdir(), 'regsize-h2-'));
    const cert = join(certDir, 'cert.pem');
    const key = join(certDir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    server = http2.createSecureServer({ cert: readFileSync(cert), key: readFileSync(key), allowHTTP1: false, settings: { maxConcurrentStreams: opts.h2.maxConcurrentStreams } }, handle);
  } else {
    server = http.createServer(handle);
    // regsize tries HTTPS first on loopback: a TLS hello is not HTTP, and the socket is closed.
    server.on('clientError', (_e, socket) => socket.destroy());
  }
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s: import('node:net').Socket) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    maxInFlight: () => max,
    connections: () => connections,
    requests,
    ...(certDir ? { certFile: join(certDir, 'cert.pem') } : {}),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        server.close(() => {
          if (certDir) rmSync(certDir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
