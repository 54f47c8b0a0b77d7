/**
 * Local fakes of the two code hosts' comment APIs, as scripts/pr-comment.mjs uses them:
 * GitHub's issue comments (GET paginated with Link, POST, PATCH) and GitLab's merge-request notes
 * (GET paginated with Link, POST, PUT). They page at `per_page` like the real ones, and record
 * every request with its token header, so tests can check where the token went.
 */
import http from 'node:http';
import { listenLoopback } from '../helpers/loopback.js';

export interface Comment {
  id: number;
  body: string;
}

export interface Recorded {
  method: string;
  path: string;
  token: string | undefined;
}

export interface FakeCodeHost {
  url: string;
  comments: Comment[];
  requests: Recorded[];
  /** Origin put in Link rel="next" instead of this server's (to test that the token stays home). */
  nextOrigin?: string;
  close(): Promise<void>;
}

export async function startFakeCodeHost(kind: 'github' | 'gitlab', thread: { path: string }): Promise<FakeCodeHost> {
  const state: Omit<FakeCodeHost, 'url' | 'close'> = { comments: [], requests: [] };
  let nextId = 1000;
  let origin = '';
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const token = kind === 'github' ? req.headers.authorization : (req.headers['private-token'] as string | undefined);
    state.requests.push({ method: req.method ?? '', path: u.pathname, token });
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      const list = thread.path;
      const one = kind === 'github' ? /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/ : new RegExp(`^${list.replace(/[.]/g, '\\.')}/(\\d+)$`);
      if (req.method === 'GET' && u.pathname === list) {
        const perPage = Math.min(100, Number(u.searchParams.get('per_page') ?? 30));
        const page = Number(u.searchParams.get('page') ?? 1);
        const slice = state.comments.slice((page - 1) * perPage, page * perPage);
        const more = page * perPage < state.comments.length;
        const next = new URL(`${state.nextOrigin ?? origin}${u.pathname}`);
        u.searchParams.forEach((v, k) => next.searchParams.set(k, v));
        next.searchParams.set('page', String(page + 1));
        return send(200, slice, more ? { link: `<${next}>; rel="next", <${next}>; rel="last"` } : {});
      }
      if (req.method === 'POST' && u.pathname === list) {
        const c = { id: nextId++, body: (JSON.parse(raw) as { body: string }).body };
        state.comments.push(c);
        return send(201, c);
      }
      const m = one.exec(u.pathname);
      if (m && req.method === (kind === 'github' ? 'PATCH' : 'PUT')) {
        const c = state.comments.find((x) => x.id === Number(m[1]));
        if (!c) return send(404, { message: 'Not Found' });
        c.body = (JSON.parse(raw) as { body: string }).body;
        return send(200, c);
      }
      return send(404, { message: 'Not Found' });
    });
  });
  const { url } = await listenLoopback(server);
  origin = url;
  const host = state as FakeCodeHost;
  host.url = url;
  host.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return host;
}
