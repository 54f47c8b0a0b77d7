/**
 * Registry authentication, the handshake Docker and crane perform:
 *   1. Ping: GET /v2/ once per registry. 200 means anonymous access; 401 carries a
 *      WWW-Authenticate challenge (Bearer with realm/service, or Basic).
 *   2. Bearer: one token request to the challenge's realm for every repository of this
 *      invocation on that registry (several `scope=` parameters, as the token spec allows),
 *      with Basic credentials, or as an OAuth2 refresh-token POST for identity tokens, or
 *      anonymously when there are no credentials.
 *   3. Every request carries the token (or Basic credentials) until the token expires.
 *   4. A 401 despite a token means the batch token lacked this scope: one retry with a token
 *      for exactly this repository, then the error stands.
 * https://distribution.github.io/distribution/spec/auth/token/
 */
import { isNetworkError, isRequestTimeoutError, RegsizeError } from '../errors.js';
import { type Challenge, parseChallenges } from './challenge.js';
import { type CredentialStore, type Credentials, secretsOf } from './credentials.js';
import type { HttpClient, HttpResponse } from './http.js';
import { redactSecrets, redactUrl } from './redact.js';
import { notARegistry } from './not-registry.js';
import { isNotTls, mayCarryCredentials } from './scheme.js';

/** Token answers are small; anything bigger is refused (hardening). */
const MAX_TOKEN_BYTES = 1024 * 1024;
/**
 * The token spec's default lifetime when the server does not say, and the least we assume:
 * Docker treats shorter lifetimes as 60 s (distribution's `minimumTokenLifetimeSeconds`), else a
 * lifetime under EXPIRY_MARGIN_MS would cost a token request per request. A token that really
 * expires sooner earns a 401, and the retry fetches a fresh one.
 */
const MIN_TOKEN_SECONDS = 60;
/** Renew a little early so a token does not expire in flight. */
const EXPIRY_MARGIN_MS = 5_000;

type RegistryAuth = { kind: 'none' } | { kind: 'basic'; header: string } | { kind: 'bearer'; realm: string; service?: string };

/** What the ping learned: the base URL that answered, and how to authenticate there. */
export interface PingResult {
  base: string;
  auth: RegistryAuth;
}

interface CachedToken {
  header: Promise<string>;
  expiresAt: number;
}

export class Authenticator {
  private readonly pings = new Map<string, Promise<PingResult>>();
  private readonly tokens = new Map<string, CachedToken>();
  private readonly expected = new Map<string, Set<string>>();
  /** Secrets seen (tokens, passwords) so error texts can be scrubbed of them; shared with the HTTP client's logs. */
  readonly secrets: Set<string>;

  constructor(
    private readonly http: HttpClient,
    private readonly credentials: CredentialStore,
    /** Milliseconds now; tests inject one. */
    private readonly clock: () => number = Date.now,
  ) {
    this.secrets = http.secrets;
  }

  /** Announces the repositories of this invocation, so one token request covers them all. */
  expect(registry: string, repository: string): void {
    let set = this.expected.get(registry);
    if (!set) this.expected.set(registry, (set = new Set()));
    set.add(repository);
  }

  /**
   * Step 1, once per registry: the base URL that answers and its challenge. `bases` lists the
   * URLs to try in order: https then http for loopback registries (Docker tries TLS first for
   * insecure registries and falls back to plain HTTP), a single one otherwise.
   */
  ping(registry: string, bases: string[]): Promise<PingResult> {
    let p = this.pings.get(registry);
    if (!p) {
      p = this.doPing(registry, bases);
      this.pings.set(registry, p);
      p.catch(() => this.pings.delete(registry)); // a failed ping may be retried by a later image
    }
    return p;
  }

  /** The Authorization header for a request to `registry` about `repository`, if one is needed. */
  async header(registry: string, bases: string[], repository: string): Promise<string | undefined> {
    const { auth } = await this.ping(registry, bases);
    if (auth.kind === 'none') return undefined;
    if (auth.kind === 'basic') return auth.header;
    return this.bearer(registry, auth, [repository], false);
  }

  /** After a 401 with a token: get one for exactly this repository (step 4). */
  async retryHeader(registry: string, bases: string[], repository: string, challengeHeader: string | null): Promise<string | undefined> {
    const { auth } = await this.ping(registry, bases);
    if (auth.kind !== 'bearer') return undefined;
    const fresh = parseChallenges(challengeHeader).find((c) => c.scheme === 'bearer');
    const realm = fresh?.params.realm ? { kind: 'bearer' as const, realm: fresh.params.realm, ...(fresh.params.service ? { service: fresh.params.service } : {}) } : auth;
    this.tokens.delete(this.key(registry, repository));
    return this.bearer(registry, realm, [repository], true);
  }

  private key(registry: string, repository: string): string {
    return `${registry}|${repository}`;
  }

  private async doPing(registry: string, bases: string[]): Promise<PingResult> {
    let lastError: unknown;
    // One deadline for every scheme tried: --timeout bounds the ping, not each attempt, so the
    // loopback https-then-http fallback never waits twice. A scheme that timed out spent it all.
    const deadline = this.clock() + this.http.settings.timeoutMs;
    for (const base of bases) {
      const timeoutMs = deadline - this.clock();
      if (lastError !== undefined && (timeoutMs <= 0 || isRequestTimeoutError(lastError))) break;
      try {
        const next = bases[bases.indexOf(base) + 1];
        const res = await this.http.send({ method: 'GET', url: `${base}/v2/`, maxBytes: 64 * 1024, timeoutMs, probe: next !== undefined }, { retries: next !== undefined ? 0 : undefined });
        if (res.status === 401 && new URL(res.url).origin !== base) throw foreignChallenge(registry, res.url);
        const notRegistry = notARegistry(registry, res);
        if (notRegistry) throw notRegistry;
        return { base, auth: await this.challenge(registry, base, res) };
      } catch (e) {
        lastError = e;
        if (!isNetworkError(e) && !isRequestTimeoutError(e)) throw e;
        const next = bases[bases.indexOf(base) + 1];
        // --verbose: one line for the probe, e.g. "https://127.0.0.1:5000/v2/: not TLS, using http".
        if (next) this.http.settings.logger.debug(`${base}/v2/: ${isNotTls(e) ? 'not TLS' : e.message.replace(/\s*\n\s*/g, ' ')}, ${isRequestTimeoutError(e) ? 'not trying' : 'using'} ${new URL(next).protocol.slice(0, -1)}`);
      }
    }
    throw lastError;
  }

  private async challenge(registry: string, baseUrl: string, res: HttpResponse): Promise<RegistryAuth> {
    if (res.status !== 401) return { kind: 'none' };
    const challenges = parseChallenges(res.headers.get('www-authenticate'));
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm);
    if (bearer) {
      // A registry token from the Docker config is sent to the registry itself, not to the realm.
      if (!mayCarryCredentials(baseUrl) && (await this.credentials.get(registry))?.kind === 'registry-token') throw insecure(registry);
      return { kind: 'bearer', realm: bearer.params.realm as string, ...(bearer.params.service ? { service: bearer.params.service } : {}) };
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      const creds = await this.credentials.get(registry);
      if (!creds) throw unauthorized(registry);
      if (creds.kind !== 'basic') throw new RegsizeError('CREDENTIALS', `${registry} asks for a username and password, but your Docker config holds a token for it; run docker login ${registry}`);
      if (!mayCarryCredentials(baseUrl)) throw insecure(registry);
      this.remember(creds);
      return { kind: 'basic', header: `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}` };
    }
    throw new RegsizeError('UNAUTHORIZED', `${registry} answered 401 without a challenge regsize understands (${describe(challenges)})`);
  }

  private bearer(registry: string, auth: Extract<RegistryAuth, { kind: 'bearer' }>, repositories: string[], single: boolean): Promise<string> {
    const now = this.clock();
    const wanted = repositories[0] as string;
    const cached = this.tokens.get(this.key(registry, wanted));
    if (cached && cached.expiresAt > now) return cached.header;

    // Batch every expected repository of this registry that has no live token yet.
    const batch = new Set(repositories);
    if (!single) {
      for (const repo of this.expected.get(registry) ?? []) {
        const t = this.tokens.get(this.key(registry, repo));
        if (!t || t.expiresAt <= now) batch.add(repo);
      }
    }
    const entry: CachedToken = { header: Promise.resolve(''), expiresAt: Number.POSITIVE_INFINITY };
    entry.header = this.fetchToken(registry, auth, [...batch]).then(({ token, lifetimeMs }) => {
      entry.expiresAt = this.clock() + lifetimeMs - EXPIRY_MARGIN_MS;
      return `Bearer ${token}`;
    });
    for (const repo of batch) this.tokens.set(this.key(registry, repo), entry);
    entry.header.catch(() => {
      for (const repo of batch) if (this.tokens.get(this.key(registry, repo)) === entry) this.tokens.delete(this.key(registry, repo));
    });
    return entry.header;
  }

  private async fetchToken(registry: string, auth: Extract<RegistryAuth, { kind: 'bearer' }>, repositories: string[]): Promise<{ token: string; lifetimeMs: number }> {
    const creds = await this.credentials.get(registry);
    if (creds?.kind === 'registry-token') {
      this.remember(creds);
      return { token: creds.token, lifetimeMs: 3600_000 };
    }
    const scopes = repositories.map((r) => `repository:${r}:pull`);
    const url = new URL(auth.realm);
    if (creds && !mayCarryCredentials(url.toString())) throw insecure(registry);
    let res;
    if (creds?.kind === 'identity') {
      // OAuth2 refresh-token grant (what docker does with an identity token).
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: 'regsize', scope: scopes.join(' ') });
      if (auth.service) form.set('service', auth.service);
      this.remember(creds);
      res = await this.http.send({ method: 'POST', url: url.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString(), maxBytes: MAX_TOKEN_BYTES, tooLargeCode: 'UNAUTHORIZED', what: 'token answer' });
    } else {
      if (auth.service) url.searchParams.set('service', auth.service);
      for (const s of scopes) url.searchParams.append('scope', s);
      const headers: Record<string, string> = {};
      if (creds?.kind === 'basic') {
        this.remember(creds);
        headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
      }
      res = await this.http.send({ method: 'GET', url: url.toString(), headers, maxBytes: MAX_TOKEN_BYTES, tooLargeCode: 'UNAUTHORIZED', what: 'token answer' });
    }
    if (res.status === 401 || res.status === 403) {
      throw new RegsizeError(creds ? 'DENIED' : 'UNAUTHORIZED', creds ? `${registry} rejected your credentials (token request answered ${res.status}); run docker login ${registry}` : unauthorized(registry).message);
    }
    if (res.status < 200 || res.status >= 300) {
      throw new RegsizeError('UNAUTHORIZED', `token request to ${this.where(auth.realm)} failed with HTTP ${res.status}`, { retryable: res.status >= 500 });
    }
    let doc: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      doc = JSON.parse(Buffer.from(res.body).toString('utf8'));
    } catch {
      throw new RegsizeError('UNAUTHORIZED', `the token answer from ${this.where(auth.realm)} is not JSON`);
    }
    const token = typeof doc.token === 'string' && doc.token ? doc.token : typeof doc.access_token === 'string' ? doc.access_token : '';
    if (!token) throw new RegsizeError('UNAUTHORIZED', `the token answer from ${this.where(auth.realm)} holds no token`);
    this.secrets.add(token);
    const seconds = typeof doc.expires_in === 'number' && doc.expires_in > MIN_TOKEN_SECONDS ? doc.expires_in : MIN_TOKEN_SECONDS;
    return { token, lifetimeMs: seconds * 1000 };
  }

  /** A realm URL for a message: it is the registry's text, so it may echo a secret. */
  private where(url: string): string {
    return redactSecrets(redactUrl(url), this.secrets);
  }

  private remember(creds: Credentials): void {
    for (const s of secretsOf(creds)) this.secrets.add(s);
  }
}

function describe(challenges: Challenge[]): string {
  return challenges.length ? challenges.map((c) => c.scheme).join(', ') : 'no WWW-Authenticate header';
}

export function unauthorized(registry: string): RegsizeError {
  return new RegsizeError('UNAUTHORIZED', `${registry} requires authentication: the repository is private or does not exist; run docker login ${registry}`);
}

/**
 * The ping was redirected and another origin asked for credentials: its challenge is not the
 * registry's, and following it would hand the registry's credentials to whoever answered.
 */
function foreignChallenge(registry: string, answeredBy: string): RegsizeError {
  return new RegsizeError(
    'UNAUTHORIZED',
    `${registry}: GET /v2/ was redirected to ${new URL(answeredBy).origin}, which asked for credentials; regsize sends credentials only to the realm the registry itself names, so check the registry address`,
  );
}

function insecure(registry: string): RegsizeError {
  return new RegsizeError('INSECURE', `refusing to send credentials for ${registry} over plain HTTP; use HTTPS, or --plain-http only for a registry on a trusted network without credentials`);
}
