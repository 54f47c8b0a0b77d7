/**
 * Redirects, followed by hand (fetch runs with `redirect: 'manual'`) so that the policy on
 * secrets is regsize's (#11):
 *   1. At most MAX_REDIRECTS hops, to http(s) URLs only.
 *   2. A request leaving its origin (another host, or https -> http on the same host) loses its
 *      Authorization header: a registry token never reaches a CDN or object store.
 *   3. A request with a body (only token requests have one, and it holds a secret) is never
 *      replayed by a 307/308 to another origin or over plain HTTP to another machine.
 *   4. 301/302/303 turn a POST into a GET without its body (the fetch standard's rule).
 */
import { NetworkError, RegsizeError } from '../errors.js';
import type { HttpRequest, HttpResponse, Send } from './request.js';
import { mayCarryCredentials } from './scheme.js';

export const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Sends `req` through `send`, following the redirects it is answered with. `redact` makes a URL
 * fit for a message (credentials and secrets removed). The answer carries the method last sent.
 */
export async function followRedirects(send: Send, req: HttpRequest, redact: (url: string) => string): Promise<HttpResponse> {
  let url = req.url;
  let headers = { ...(req.headers ?? {}) };
  let method = req.method;
  let body = req.body;
  for (let hop = 0; ; hop++) {
    const res = { ...(await send({ ...req, method, body, url, headers })), method };
    const location = res.headers.get('location');
    if (req.followRedirects === false || !REDIRECT_STATUSES.has(res.status) || !location) return res;
    if (hop >= MAX_REDIRECTS) throw new NetworkError(`too many redirects (more than ${MAX_REDIRECTS}) starting at ${redact(req.url)}`);
    const next = new URL(location, url);
    if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new NetworkError(`refusing redirect to ${next.protocol} URL`);
    const crossOrigin = next.origin !== new URL(url).origin;
    const replays = res.status === 307 || res.status === 308;
    if (body !== undefined && replays && (crossOrigin || !mayCarryCredentials(next.toString()))) {
      throw new RegsizeError('UNAUTHORIZED', `${method} ${redact(url)} answered ${res.status} to ${next.origin}; refusing to resend the request, which carries a secret, to another origin`);
    }
    if (body !== undefined && !replays) {
      method = 'GET';
      body = undefined;
    }
    if (crossOrigin) headers = withoutAuthorization(headers);
    url = next.toString();
  }
}

function withoutAuthorization(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
}
