/**
 * src/transport/http.ts: the layers put together, against a real loopback server: one request's
 * answer, its --verbose line, retries with the injected sleep, redirects, the timeout and a
 * refused connection, each failure with its class and a message naming the request.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { isNetworkError, isRequestTimeoutError, isTooLargeError } from '../../src/errors.js';
import { createDispatcher, type OwnedDispatcher } from '../../src/transport/dispatcher.js';
import { defaultHttpSettings, HttpClient, type HttpSettings, USER_AGENT } from '../../src/transport/http.js';

type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void;

describe('transport/http', function () {
  this.timeout(20_000);
  let server: http.Server;
  let base: string;
  const routes = new Map<string, Route>();
  const hits = new Map<string, number>();
  let owned: OwnedDispatcher;

  before(async () => {
    server = http.createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      hits.set(path, (hits.get(path) ?? 0) + 1);
      (routes.get(path) ?? ((_q, r) => r.writeHead(404).end()))(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    owned = createDispatcher();
  });
  after(async () => {
    owned.destroy();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  function client(overrides: Partial<HttpSettings> = {}) {
    const lines: string[] = [];
    const waits: number[] = [];
    const settings = defaultHttpSettings({ debug: (l) => lines.push(l), warn: () => {} }, { dispatcher: owned.dispatcher, sleep: async (ms) => void waits.push(ms), random: () => 0, ...overrides });
    return { http: new HttpClient(settings), lines, waits };
  }

  it('answers with status, headers, body and the method sent, and logs one line with the size in SI units', async () => {
    routes.set('/ok', (_q, r) => r.writeHead(200, { 'ratelimit-remaining': '76;w=21600' }).end(Buffer.alloc(1500, 1)));
    const { http: h, lines } = client();
    const res = await h.send({ method: 'GET', url: `${base}/ok`, maxBytes: 2000 });
    assert.deepEqual([res.status, res.body.length, res.method, res.url], [200, 1500, 'GET', `${base}/ok`]);
    assert.equal(h.requestCount, 1);
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', new RegExp(`^GET ${base}/ok 200 \\d+ms 1\\.5 kB ratelimit-remaining=76;w=21600$`));
  });

  it('keeps an HTTP/1.1 connection open after a HEAD, as after a GET (undici closes it unless told: 2000 tags were 2000 connections)', async () => {
    const sockets = new Set<unknown>();
    const counting = http.createServer((req, res) => res.end(req.method === 'HEAD' ? undefined : 'ok'));
    counting.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => counting.listen(0, '127.0.0.1', () => r()));
    const origin = `http://127.0.0.1:${(counting.address() as AddressInfo).port}`;
    const own = createDispatcher();
    try {
      const { http: h } = client({ dispatcher: own.dispatcher });
      for (let i = 0; i < 10; i++) assert.equal((await h.send({ method: i === 5 ? 'GET' : 'HEAD', url: `${origin}/v2/a/manifests/${i}`, maxBytes: 100 })).status, 200);
      // One after another, yet undici's pool may open a second while the first is still
      // finishing its answer: the point is that the connections are used again.
      assert.ok(sockets.size <= 2, `${sockets.size} connections for 10 requests one after another`);

      // Without reset: false (undici's own request, fresh connections), each HEAD costs one.
      sockets.clear();
      const plain = createDispatcher();
      try {
        for (let i = 0; i < 10; i++) await (await plain.dispatcher.request({ origin, path: '/v2/', method: 'HEAD' })).body.dump();
      } finally {
        plain.destroy();
      }
      assert.equal(sockets.size, 10);
    } finally {
      own.destroy();
      counting.closeAllConnections();
      counting.close();
    }
  });

  it('sends through the dispatcher, never the global fetch (its objects cost a 2000-tag run a third of its CPU, #16), repeated headers read as Headers reads them', async () => {
    routes.set('/nofetch', (_q, r) => {
      r.setHeader('www-authenticate', ['Basic realm="a"', 'Bearer realm="b"']);
      r.writeHead(200).end('{}');
    });
    const realFetch = globalThis.fetch;
    let fetched = 0;
    globalThis.fetch = (() => {
      fetched++;
      return Promise.reject(new Error('global fetch used'));
    }) as typeof fetch;
    try {
      const res = await client().http.send({ method: 'GET', url: `${base}/nofetch`, maxBytes: 100 });
      assert.deepEqual([res.status, Buffer.from(res.body).toString(), fetched], [200, '{}', 0]);
      assert.equal(res.headers.get('WWW-Authenticate'), 'Basic realm="a", Bearer realm="b"');
      assert.equal(res.headers.get('x-absent'), null);
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it('builds no per-request line for a logger that says it is not verbose', async () => {
    routes.set('/quiet', (_q, r) => r.writeHead(200).end('ok'));
    const lines: string[] = [];
    const quiet = { debug: (l: string) => void lines.push(l), warn: () => {}, verbose: false };
    const h = new HttpClient(defaultHttpSettings(quiet, { dispatcher: owned.dispatcher }));
    assert.equal((await h.send({ method: 'GET', url: `${base}/quiet`, maxBytes: 10 })).status, 200);
    assert.deepEqual(lines, []);
  });

  it('says who is asking (user-agent: regsize), unless the request names its own', async () => {
    routes.set('/ua', (q, r) => r.writeHead(200).end(q.headers['user-agent'] ?? 'none'));
    const { http: h } = client();
    const ours = await h.send({ method: 'GET', url: `${base}/ua`, maxBytes: 100 });
    assert.equal(Buffer.from(ours.body).toString(), USER_AGENT);
    assert.equal(USER_AGENT, 'regsize');
    const theirs = await h.send({ method: 'GET', url: `${base}/ua`, maxBytes: 100, headers: { 'user-agent': 'probe/1' } });
    assert.equal(Buffer.from(theirs.body).toString(), 'probe/1');
  });

  it('a HEAD answer says HEAD', async () => {
    routes.set('/head', (_q, r) => r.writeHead(404).end());
    const res = await client().http.send({ method: 'HEAD', url: `${base}/head`, maxBytes: 0 });
    assert.deepEqual([res.status, res.method], [404, 'HEAD']);
  });

  it('retries a 503 with the injected sleep, counting every attempt', async () => {
    let n = 0;
    routes.set('/busy', (_q, r) => (n++ < 2 ? r.writeHead(503).end() : r.writeHead(200).end('ok')));
    const { http: h, waits, lines } = client();
    const res = await h.send({ method: 'GET', url: `${base}/busy?token=t0ps3cret`, maxBytes: 10 });
    assert.equal(res.status, 200);
    assert.deepEqual(waits, [125, 250], 'base 250 ms, doubling, jitter 0');
    assert.equal(h.requestCount, 3);
    assert.ok(lines.some((l) => l === `retrying GET ${base}/busy?token=*** in 125ms (HTTP 503)`), lines.join('\n'));
    assert.ok(lines.every((l) => !l.includes('t0ps3cret')), 'no secret in any line');
  });

  it('follows a redirect (each hop counted) and drops Authorization for another origin', async () => {
    const other = http.createServer((req, res) => res.writeHead(200).end(req.headers.authorization ?? 'none'));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()));
    const otherBase = `http://localhost:${(other.address() as AddressInfo).port}`;
    routes.set('/moved', (_q, r) => r.writeHead(307, { location: `${otherBase}/blob` }).end());
    try {
      const { http: h } = client();
      const res = await h.send({ method: 'GET', url: `${base}/moved`, headers: { authorization: 'Bearer registry-token' }, maxBytes: 100 });
      assert.equal(Buffer.from(res.body).toString(), 'none');
      assert.equal(res.url, `${otherBase}/blob`);
      assert.equal(h.requestCount, 2);
    } finally {
      other.closeAllConnections();
      other.close();
    }
  });

  it('a body over maxBytes is a TooLargeError with the code asked for', async () => {
    routes.set('/big', (_q, r) => r.writeHead(200).end(Buffer.alloc(5000)));
    await assert.rejects(client().http.send({ method: 'GET', url: `${base}/big`, maxBytes: 100, tooLargeCode: 'BLOB_TOO_LARGE', what: 'blob x' }), (e) => isTooLargeError(e) && e.code === 'BLOB_TOO_LARGE');
  });

  it('a server that never answers: TIMEOUT after --timeout, naming the request, not retried', async () => {
    routes.set('/silent', () => {});
    const { http: h, waits } = client({ timeoutMs: 100 });
    await assert.rejects(h.send({ method: 'GET', url: `${base}/silent`, maxBytes: 10 }), (e) => {
      assert.ok(isRequestTimeoutError(e));
      assert.equal(e.message, `GET ${base}/silent timed out after 0.1s; raise --timeout or check the network`);
      return true;
    });
    assert.deepEqual([hits.get('/silent'), waits.length], [1, 0]);
  });

  it('a refused connection: NETWORK naming the request, not retried', async () => {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    const { http: h, waits, lines } = client();
    await assert.rejects(h.send({ method: 'GET', url: `http://127.0.0.1:${port}/v2/`, maxBytes: 10 }), (e) => {
      assert.ok(isNetworkError(e));
      assert.match(e.message, new RegExp(`^GET http://127\\.0\\.0\\.1:${port}/v2/ failed: network error: .*\\(ECONNREFUSED\\); check the network and the registry address$`));
      return true;
    });
    assert.equal(waits.length, 0);
    assert.match(lines.join('\n'), /failed after \d+ms/);
  });

  it('a probe that fails leaves the logging to its caller', async () => {
    routes.set('/probe', () => {});
    const { http: h, lines } = client({ timeoutMs: 50 });
    await assert.rejects(h.send({ method: 'GET', url: `${base}/probe`, maxBytes: 10, probe: true }));
    assert.deepEqual(lines, []);
  });

  it('a sink that throws a bug surfaces it as INTERNAL, not as a network fault', async () => {
    routes.set('/layer', (_q, r) => r.writeHead(200).end(Buffer.alloc(100)));
    await assert.rejects(
      client().http.send({ method: 'GET', url: `${base}/layer`, maxBytes: 10, bodySink: () => ({ write: () => (undefined as unknown as { x: () => void }).x() }) }),
      (e: { code?: string }) => e.code === 'INTERNAL',
    );
  });
});
