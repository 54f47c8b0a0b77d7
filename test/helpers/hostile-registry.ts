/**
 * A misbehaving registry for hardening tests: a small node:http server on loopback whose
 * answers are chosen per path from a table of behaviours (tampered digests, oversized or
 * malformed manifests, 429/503 then success, connection resets, bodies that stall, redirects
 * to another host, a Bearer token handshake). It records every request, with the
 * Authorization header it carried, so tests can prove what reached the server and what did not.
 *
 * It also serves as its own `HTTP_PROXY` (CONNECT tunnels back to itself), which lets a test
 * name a registry that is not on loopback (`registry.example.test`) without any internet.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';

export type Behaviour =
  /** A complete answer, with Content-Length. */
  | { kind: 'respond'; status?: number; body?: Buffer | string; headers?: Record<string, string> }
  /**
   * `totalBytes` of filler sent in 64 KiB chunks with backpressure, stopping as soon as the
   * client goes away; `stats(path)` tells how much got out. Content-Length only when asked.
   * `Infinity` never ends (a blob longer than any descriptor). `prefix` goes first, then `chunk`
   * (default: '{' filler) over and over: see endlessGzip.
   */
  | { kind: 'stream'; totalBytes: number; status?: number; contentType?: string; contentLength?: boolean; prefix?: Buffer; chunk?: Buffer }
  /** Headers and the first `sendBytes` of `body` (Content-Length says all of it), then silence. */
  | { kind: 'stall'; body: Buffer; sendBytes: number; headers?: Record<string, string> }
  /** The connection is destroyed before any answer (a reset as proxies and VPNs produce). */
  | { kind: 'reset' }
  | { kind: 'redirect'; location: string; status?: number }
  /** `then`, answered `ms` after the request arrived (a slow registry; not a timing assertion). */
  | { kind: 'delay'; ms: number; then: Behaviour }
  /** Decided per request (the n-th to this path, from 0): pagination that never ends, say. */
  | { kind: 'fn'; answer: (req: RecordedRequest, n: number) => Behaviour };

export interface RecordedRequest {
  method: string;
  /** Path and query (`/v2/app/manifests/1`). */
  path: string;
  /** The Host the client addressed (`127.0.0.1:PORT`, or the host named through a tunnel). */
  host: string;
  authorization: string | undefined;
  /** The request body as text (token POSTs). */
  body: string;
}

export interface StreamStats {
  /** Bytes accepted by the socket before the client went away (or the end). */
  written: number;
  /** True when the client closed the connection before the whole body was sent. */
  cutOff: boolean;
}

/** What serveManifest needs: an Image or an Index of test/helpers/images.ts fits. */
export interface ServableManifest {
  manifest: Buffer;
  mediaType: string;
}

export interface HostileOptions {
  /** Bind address. @default 127.0.0.1 */
  address?: string;
  /**
   * Bearer token auth as Docker Hub does it, with this server as the token realm: GET /v2/ and
   * every unauthorised request answer 401 with the challenge; /token hands out `token` (only
   * for `credentials` or, by OAuth2 refresh-token POST, `identityToken`, when given).
   * Manifests and blobs then need `Bearer <token>`. `realm` overrides the token URL.
   */
  bearer?: { token: string; credentials?: { username: string; password: string }; identityToken?: string; realm?: string; expiresIn?: number };
  /** Basic auth: every /v2/ request needs these credentials (answered 401 Basic otherwise). */
  basic?: { username: string; password: string };
}

export interface HostileRegistry {
  /** "127.0.0.1:PORT", as it appears in image references. */
  host: string;
  url: string;
  requests: RecordedRequest[];
  /** CONNECT targets (`registry.example.test:80`) when used as HTTP_PROXY. */
  tunnels: string[];
  /** What `path` answers: the behaviours in turn, the last one repeating. Replaces earlier ones. */
  on(path: string, ...behaviours: Behaviour[]): void;
  /** Serves a manifest under `repo` by tag (if given) and by its digest. */
  serveManifest(repo: string, tag: string | undefined, m: ServableManifest): string;
  /** Serves a blob by its digest. */
  serveBlob(repo: string, bytes: Buffer): string;
  /** Requests to a path (query ignored). */
  hits(path: string): RecordedRequest[];
  stats(path: string): StreamStats | undefined;
  /** The most requests this server was answering at once (from arrival to the end of its answer). */
  peakInFlight(): number;
  stop(): Promise<void>;
}

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

const CHUNK = Buffer.alloc(64 * 1024, 0x7b); // '{' over and over: never valid JSON, never small

/** A 401 whose challenge names `realm` (a CDN or any other origin posing as a token server). */
export function bearerChallenge(realm: string): Behaviour {
  return { kind: 'respond', status: 401, body: JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }), headers: { 'content-type': 'application/json', 'www-authenticate': `Bearer realm="${realm}",service="cdn"` } };
}

/**
 * A gzip stream that never ends: the gzip header, then non-final stored deflate blocks of
 * 65,530 zero bytes over and over (RFC 1951 3.2.4), which a decompressor accepts for ever.
 */
export function endlessGzip(): { prefix: Buffer; chunk: Buffer } {
  const len = 65_530;
  const block = Buffer.alloc(5 + len);
  block.writeUInt8(0, 0); // BFINAL 0, BTYPE 00 (stored), padded to the byte
  block.writeUInt16LE(len, 1);
  block.writeUInt16LE(~len & 0xffff, 3);
  return { prefix: Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]), chunk: block };
}

function ociError(status: number, code: string, message: string): Behaviour {
  return { kind: 'respond', status, body: JSON.stringify({ errors: [{ code, message }] }), headers: { 'content-type': 'application/json' } };
}

export async function startHostileRegistry(opts: HostileOptions = {}): Promise<HostileRegistry> {
  const routes = new Map<string, { behaviours: Behaviour[]; served: number }>();
  const requests: RecordedRequest[] = [];
  const tunnels: string[] = [];
  const streamStats = new Map<string, StreamStats>();
  let url = '';
  let inFlight = 0;
  let peak = 0;

  const challenge = () => {
    if (opts.bearer) return `Bearer realm="${opts.bearer.realm ?? `${url}/token`}",service="hostile"`;
    return 'Basic realm="hostile"';
  };
  const basicOf = (c: { username: string; password: string }) => `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;

  /** The auth gate: undefined when the request may go on, else the 401 to send. */
  const gate = (path: string, r: RecordedRequest): Behaviour | undefined => {
    const authorization = r.authorization;
    if (opts.bearer) {
      if (path.startsWith('/token')) {
        const { credentials, identityToken } = opts.bearer;
        // GET with Basic credentials, or the OAuth2 refresh-token POST of an identity token.
        const ok =
          r.method === 'POST'
            ? identityToken !== undefined && new URLSearchParams(r.body).get('refresh_token') === identityToken
            : !credentials || authorization === basicOf(credentials);
        if (!ok) return ociError(401, 'UNAUTHORIZED', 'bad credentials');
        return { kind: 'respond', body: JSON.stringify({ token: opts.bearer.token, expires_in: opts.bearer.expiresIn ?? 300 }), headers: { 'content-type': 'application/json' } };
      }
      if (authorization !== `Bearer ${opts.bearer.token}`) {
        const b = ociError(401, 'UNAUTHORIZED', 'authentication required') as Extract<Behaviour, { kind: 'respond' }>;
        return { ...b, headers: { ...b.headers, 'www-authenticate': challenge() } };
      }
    } else if (opts.basic && path.startsWith('/v2/') && authorization !== basicOf(opts.basic)) {
      const b = ociError(401, 'UNAUTHORIZED', 'authentication required') as Extract<Behaviour, { kind: 'respond' }>;
      return { ...b, headers: { ...b.headers, 'www-authenticate': challenge() } };
    }
    return undefined;
  };

  const server = http.createServer((req, res) => {
    peak = Math.max(peak, ++inFlight);
    res.on('close', () => inFlight--);
    // Through a tunnel the Host header names the registry the client meant.
    const target = new URL(req.url ?? '/', `http://${req.headers.host ?? 'unknown'}`);
    const path = `${target.pathname}${target.search}`;
    const authorization = req.headers.authorization;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded: RecordedRequest = { method: req.method ?? '', path, host: target.host, authorization, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      // A route set for the token endpoint wins over the built-in one (an oversized token answer).
      const route = routes.get(target.pathname);
      let behaviour = route && target.pathname === '/token' ? undefined : gate(target.pathname, recorded);
      if (!behaviour) {
        if (route) {
          const n = route.served++;
          behaviour = route.behaviours[Math.min(n, route.behaviours.length - 1)] as Behaviour;
          if (behaviour.kind === 'fn') behaviour = behaviour.answer(recorded, n);
        }
        else if (target.pathname === '/v2/' || target.pathname === '/v2') behaviour = { kind: 'respond', body: '{}', headers: { 'content-type': 'application/json' } };
        else behaviour = ociError(404, /\/blobs\//.test(target.pathname) ? 'BLOB_UNKNOWN' : 'MANIFEST_UNKNOWN', `nothing at ${target.pathname}`);
      }
      act(behaviour as Behaviour, target.pathname, req, res);
    });
  });

  const act = (b: Behaviour, path: string, req: http.IncomingMessage, res: http.ServerResponse) => {
    switch (b.kind) {
      case 'fn':
        throw new Error('hostile registry: an answer function returned another function');
      case 'respond': {
        const body = typeof b.body === 'string' ? Buffer.from(b.body) : (b.body ?? Buffer.alloc(0));
        res.writeHead(b.status ?? 200, { 'content-length': String(body.length), ...b.headers });
        res.end(req.method === 'HEAD' ? undefined : body);
        return;
      }
      case 'redirect':
        res.writeHead(b.status ?? 307, { location: b.location, 'content-length': '0' }).end();
        return;
      case 'delay': {
        const t = setTimeout(() => act(b.then, path, req, res), b.ms);
        res.on('close', () => clearTimeout(t));
        return;
      }
      case 'reset':
        req.socket.destroy();
        return;
      case 'stall':
        res.writeHead(200, { 'content-length': String(b.body.length), ...b.headers });
        res.write(b.body.subarray(0, b.sendBytes));
        return; // never ends; stop() closes the socket
      case 'stream': {
        const stats: StreamStats = { written: 0, cutOff: false };
        streamStats.set(path, stats);
        res.writeHead(b.status ?? 200, { 'content-type': b.contentType ?? 'application/vnd.oci.image.manifest.v1+json', ...(b.contentLength ? { 'content-length': String(b.totalBytes) } : {}) });
        let closed = false;
        res.on('close', () => {
          closed = true;
          if (stats.written < b.totalBytes) stats.cutOff = true;
        });
        const chunk = b.chunk ?? CHUNK;
        let pending = b.prefix;
        const pump = () => {
          while (!closed && stats.written < b.totalBytes) {
            const piece = pending ?? chunk;
            pending = undefined;
            const n = Math.min(piece.length, b.totalBytes - stats.written);
            stats.written += n;
            if (!res.write(piece.subarray(0, n))) {
              res.once('drain', pump);
              return;
            }
          }
          if (!closed) res.end();
        };
        pump();
        return;
      }
    }
  };

  // regsize tries HTTPS first on loopback; a TLS hello is not HTTP, so the socket is just closed.
  server.on('clientError', (_e, socket) => socket.destroy());
  // As HTTP_PROXY: undici tunnels with CONNECT (for http:// targets too); every tunnel leads
  // back to this server, which then sees the named host in the Host header.
  server.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    const self = server.address() as AddressInfo;
    const up = net.connect(self.port, self.address, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, opts.address ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = `${address}:${port}`;
  url = `http://${host}`;

  const on = (path: string, ...behaviours: Behaviour[]) => {
    if (behaviours.length === 0) throw new Error('hostile registry: give at least one behaviour');
    routes.set(path, { behaviours, served: 0 });
  };

  return {
    host,
    url,
    requests,
    tunnels,
    on,
    serveManifest(repo, tag, m) {
      const digest = sha256(m.manifest);
      const ok: Behaviour = { kind: 'respond', body: m.manifest, headers: { 'content-type': m.mediaType, 'docker-content-digest': digest } };
      on(`/v2/${repo}/manifests/${digest}`, ok);
      if (tag !== undefined) on(`/v2/${repo}/manifests/${tag}`, ok);
      return digest;
    },
    serveBlob(repo, bytes) {
      const digest = sha256(bytes);
      on(`/v2/${repo}/blobs/${digest}`, { kind: 'respond', body: bytes, headers: { 'content-type': 'application/octet-stream', 'docker-content-digest': digest } });
      return digest;
    },
    hits: (path) => requests.filter((r) => r.path.split('?')[0] === path),
    stats: (path) => streamStats.get(path),
    peakInFlight: () => peak,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
