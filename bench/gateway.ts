/**
 * The registry as clients see it through the slow link: TLS terminated here, anonymous
 * bearer-token auth in front of the plain-HTTP docker-registry (as Docker Hub and ghcr.io do
 * for public images), and one log line per HTTP request, so requests can be counted per tool.
 *
 * The token flow (https://distribution.github.io/distribution/spec/auth/token/):
 *   1. GET /v2/ without a token: 401 with `Bearer realm="https://HOST/token",service=...`.
 *   2. GET /token?service=...&scope=repository:NAME:pull[&scope=...]: a token for the scopes
 *      asked for (any number of them in one request, as the spec allows).
 *   3. Every request about a repository needs a token holding its pull scope; otherwise 401
 *      with a challenge naming the scope, as distribution's token auth answers.
 * The realm is on the registry's own host (as on ghcr.io); Docker Hub's realm is another host
 * (auth.docker.io), which costs one more connection.
 *
 * HTTP/2 is offered by ALPN next to HTTP/1.1, as public registries do; each client takes
 * what it negotiates (recorded per connection).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import http2 from 'node:http2';
import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import type tls from 'node:tls';

export interface RequestRecord {
  /** performance.now() when the request head arrived and when the response was handed to the link. */
  start: number;
  end: number;
  /** Which TLS connection carried it (1, 2, ... in the order they were opened). */
  conn: number;
  method: string;
  /** Path and query, token query parameters included (tokens never appear in URLs here). */
  path: string;
  status: number;
  /** Response body bytes. */
  bytes: number;
}

export interface HandshakeRecord {
  conn: number;
  at: number;
  /** TLS version, e.g. TLSv1.3. */
  protocol: string;
  /** The HTTP version chosen by ALPN: h2 or http/1.1. */
  alpn: string;
  resumed: boolean;
  /** performance.now() when the connection closed, once it has. */
  closedAt?: number;
}

export interface GatewaySnapshot {
  requests: RequestRecord[];
  handshakes: HandshakeRecord[];
}

export interface Gateway {
  port: number;
  /** Returns what happened since the previous reset and starts a new log. */
  reset(): GatewaySnapshot;
  close(): Promise<void>;
}

export interface GatewayOptions {
  cert: string;
  key: string;
  /** The plain-HTTP registry, e.g. http://127.0.0.1:5000 */
  upstream: string;
  /** The address clients reach this gateway by (the slow link's end), for the token realm. */
  publicHost: () => string;
}

const SERVICE = 'regsize-bench';
const TOKEN_SECONDS = 300;
/** Tokens are kept for the run only; a benchmark issues a few hundred at most. */
const MAX_TOKENS = 10_000;

/** Headers that belong to one hop (RFC 9110 7.6.1); HTTP/2 forbids them outright. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host']);

/** The connection id is kept on the TLS socket; an HTTP/2 request reaches it through its socket proxy. */
const CONN = Symbol('bench connection id');

/** The repository a /v2/ path is about: /v2/<name>/(manifests|blobs|tags)/... */
export function repositoryOf(pathname: string): string | undefined {
  const m = /^\/v2\/(.+?)\/(?:manifests|blobs|tags)\//.exec(pathname);
  return m ? decodeURIComponent(m[1] as string) : undefined;
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const tokens = new Map<string, { scopes: Set<string>; expires: number }>();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const sockets = new Set<net.Socket>();
  let nextConn = 0;
  let log: GatewaySnapshot = { requests: [], handshakes: [] };

  const realm = () => `https://${opts.publicHost()}/token`;
  const challenge = (repo?: string) => `Bearer realm="${realm()}",service="${SERVICE}"${repo ? `,scope="repository:${repo}:pull"` : ''}`;

  type Req = http.IncomingMessage | http2.Http2ServerRequest;
  type Res = http.ServerResponse | http2.Http2ServerResponse;
  const server = http2.createSecureServer({ cert: opts.cert, key: opts.key, allowHTTP1: true }, (req: Req, res: Res) => {
    const start = performance.now();
    const conn = ((req.socket as unknown as Record<symbol, number | undefined>)[CONN]) ?? 0;
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    let bytes = 0;
    (res as http.ServerResponse).on('finish', () => {
      log.requests.push({ start, end: performance.now(), conn, method, path: target, status: res.statusCode, bytes });
    });
    const reply = (status: number, headers: Record<string, string>, body: string) => {
      bytes = Buffer.byteLength(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(bytes), ...headers });
      if (method === 'HEAD') res.end();
      else res.end(body);
    };

    const url = new URL(target, 'https://gateway.invalid');
    if (url.pathname === '/token') {
      const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' '));
      const granted = new Set(scopes.flatMap((s) => {
        const m = /^repository:(.+):([a-z,*]+)$/.exec(s);
        return m && (m[2] as string).split(',').includes('pull') ? [m[1] as string] : [];
      }));
      if (tokens.size >= MAX_TOKENS) tokens.clear();
      const token = randomBytes(24).toString('hex');
      tokens.set(token, { scopes: granted, expires: Date.now() + TOKEN_SECONDS * 1000 });
      return reply(200, {}, JSON.stringify({ token, access_token: token, expires_in: TOKEN_SECONDS, issued_at: new Date().toISOString() }));
    }
    if (!url.pathname.startsWith('/v2/')) return reply(404, {}, '{"errors":[{"code":"NOT_FOUND","message":"not found"}]}');
    if (method !== 'GET' && method !== 'HEAD') return reply(405, {}, '{"errors":[{"code":"UNSUPPORTED","message":"this benchmark registry is read-only"}]}');

    const repo = repositoryOf(url.pathname);
    const bearer = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const grant = bearer ? tokens.get(bearer) : undefined;
    const allowed = grant !== undefined && grant.expires > Date.now() && (repo === undefined || grant.scopes.has(repo));
    if (!allowed) {
      const detail = repo ? [{ Type: 'repository', Name: repo, Action: 'pull' }] : null;
      return reply(401, { 'www-authenticate': challenge(repo), 'docker-distribution-api-version': 'registry/2.0' }, JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail }] }));
    }

    // HTTP/2 pseudo-headers (:path, :authority) and hop-by-hop headers stay on this side.
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !k.startsWith(':') && !HOP_BY_HOP.has(k) && k !== 'authorization'));
    const forward = http.request(`${opts.upstream}${target}`, { method, headers, agent }, (up) => {
      res.writeHead(up.statusCode ?? 502, Object.fromEntries(Object.entries(up.headers).filter(([k]) => !HOP_BY_HOP.has(k))) as http.OutgoingHttpHeaders);
      up.on('data', (chunk: Buffer) => (bytes += chunk.length));
      up.pipe(res as NodeJS.WritableStream);
    });
    forward.on('error', (e) => {
      if (!res.headersSent) reply(502, {}, JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: e.message }] }));
      else res.destroy();
    });
    req.pipe(forward);
  });

  server.on('secureConnection', (socket: tls.TLSSocket) => {
    const conn = ++nextConn;
    (socket as unknown as Record<symbol, number>)[CONN] = conn;
    const record: HandshakeRecord = { conn, at: performance.now(), protocol: socket.getProtocol() ?? '?', alpn: socket.alpnProtocol || 'http/1.1', resumed: socket.isSessionReused() };
    log.handshakes.push(record);
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      record.closedAt = performance.now();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });

  return {
    port: (server.address() as net.AddressInfo).port,
    reset() {
      const snapshot = log;
      log = { requests: [], handshakes: [] };
      return snapshot;
    },
    async close() {
      for (const s of sockets) s.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
