/**
 * Every registry request of the client goes through here (go-containerregistry's
 * `transport.Wrapper`):
 *   1. the base URL is the one the ping found (https first, http where allowed);
 *   2. the request is signed (Bearer token or Basic) only for the registry's own origin: a
 *      Link header or a redirect may point elsewhere, and credentials never follow;
 *   3. a 401 to a Bearer request from the registry's own origin is retried once with a token
 *      for exactly this repository (the batch token may have lacked its scope);
 *   4. the pull allowance the answer reports is noted (rate-limit-headers.ts).
 */
import { DIGEST_RE } from '../../oci/digest.js';
import { apiHost, DOCKER_HUB } from '../../reference/reference.js';
import type { Authenticator } from '../auth.js';
import { registryError } from '../errors.js';
import type { HttpClient, HttpRequest, HttpResponse } from '../http.js';
import type { RepoRef } from '../registry-api.js';
import { schemesFor, type SchemePolicy } from '../scheme.js';
import { RateLimits } from './rate-limit-headers.js';

export type RegistryRequest = Omit<HttpRequest, 'url'> & { path: string };

export class RegistrySender {
  readonly rateLimits = new RateLimits();

  constructor(
    readonly http: HttpClient,
    readonly auth: Authenticator,
    private readonly scheme: SchemePolicy,
  ) {}

  /** The base URLs to try for a registry, in order (see schemesFor). */
  private candidates(registry: string): string[] {
    const host = apiHost(registry);
    return schemesFor(host, this.scheme).map((s) => `${s}://${host}`);
  }

  /** The registry's base URL (`https://registry-1.docker.io`), found by the ping. */
  async baseUrl(registry: string): Promise<string> {
    return (await this.auth.ping(registry, this.candidates(registry))).base;
  }

  /** Sends an authorised request about `repo`, retrying once with a narrower token after a 401. */
  async send(repo: RepoRef, req: RegistryRequest): Promise<HttpResponse> {
    const bases = this.candidates(repo.registry);
    const base = await this.baseUrl(repo.registry);
    const url = req.path.startsWith('http') ? req.path : `${base}${req.path}`;
    const sameOrigin = req.path.startsWith('/') || new URL(url).origin === base;
    const authorization = sameOrigin ? await this.auth.header(repo.registry, bases, repo.repository) : undefined;
    const withAuth = (h: string | undefined): HttpRequest => ({ ...req, url, headers: h ? { ...req.headers, authorization: h } : { ...req.headers } });
    let res = await this.http.send(withAuth(authorization));
    // A challenge counts only from the registry's own origin: a CDN the blob was redirected to
    // may answer 401 naming its own realm, and the user's credentials must never go there
    // (containerd and Docker key challenges by the host that sent them).
    if (res.status === 401 && authorization?.startsWith('Bearer ') && new URL(res.url).origin === base) {
      const narrower = await this.auth.retryHeader(repo.registry, bases, repo.repository, res.headers.get('www-authenticate'));
      res = await this.http.send(withAuth(narrower));
    }
    this.rateLimits.note(repo.registry, res.headers);
    return res;
  }

  /** The registry's error for a failed answer, secrets scrubbed. */
  fail(res: HttpResponse, repo: RepoRef, what: string, kind: 'manifest' | 'blob' | 'tags', method: 'GET' | 'HEAD' = 'GET'): never {
    throw registryError(res, { method, what, registry: repo.registry, kind, secrets: this.auth.secrets });
  }
}

/** How a manifest or blob is named in messages: `python:3.12`, `ghcr.io/org/app@sha256:...`. */
export function describe(repo: RepoRef, reference: string): string {
  const name = repo.registry === DOCKER_HUB ? repo.repository.replace(/^library\//, '') : `${repo.registry}/${repo.repository}`;
  return `${name}${isDigest(reference) ? '@' : ':'}${reference}`;
}

/** A digest, as opposed to a tag (a tag never holds a colon). */
export function isDigest(reference: string): boolean {
  return DIGEST_RE.test(reference);
}
