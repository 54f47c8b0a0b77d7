/**
 * Registry credentials for private ECR hosts, from ECR's GetAuthorizationToken with the
 * standard AWS credential chain (environment, shared config and SSO profiles, container and
 * instance roles) — what `aws ecr get-login-password | docker login` does, without the
 * round trip through a shell or a Docker config.
 *
 * The token answers as Basic credentials (`AWS:<password>`, base64) to the registry's
 * `WWW-Authenticate: Basic` challenge. It is regional: a token from one region's API is
 * refused by another region's registry, so the region comes from the host. One token per
 * region serves every account the principal may read, and is kept in memory (never on disk)
 * until its `expiresAt`.
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry_auth.html
 */
import { RegsizeError } from '../errors.js';
import type { CredentialStore, Credentials } from '../transport/credentials.js';
import type { Logger } from '../log.js';
import { ecrError } from './api-errors.js';
import { createEcrClient, type EcrClientHandle } from './client.js';
import { type EcrHost, parseEcrHost } from './hosts.js';

/** Renew this long before the token's own expiry, so it does not lapse mid-run. */
const EXPIRY_MARGIN_MS = 5 * 60_000;
/** ECR tokens last 12 hours; used only when the answer does not say. */
const DEFAULT_TOKEN_MS = 12 * 3600_000;

export interface EcrCredentialOptions {
  /** --profile */
  profile?: string | undefined;
  /** --region: a token serves only its own region, so a different one is reported and ignored for hosts. */
  region?: string | undefined;
  logger?: Logger;
  /** Asked when the AWS chain has no credentials at all and no profile was named (a `docker login` to ECR). */
  fallback?: CredentialStore;
  /** Builds the API client for a host. @default createEcrClient for the host's region and FIPS-ness */
  clientFor?: (host: EcrHost) => Promise<EcrClientHandle>;
  /** Per-request timeout of API calls. @default 30000 */
  timeoutMs?: number;
  /** @default Date.now */
  now?: () => number;
}

interface CachedToken {
  credentials: Promise<Credentials>;
  expiresAt: number;
}

export class EcrCredentialStore implements CredentialStore {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly warned = new Set<string>();
  private readonly now: () => number;
  /** GetAuthorizationToken calls made (read by tests). */
  tokenRequests = 0;

  constructor(private readonly options: EcrCredentialOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  async get(registry: string): Promise<Credentials | undefined> {
    const host = parseEcrHost(registry);
    if (!host) return undefined; // not ECR: the SDK is never loaded
    this.checkRegionFlag(host);
    const key = `${host.region}|${host.fips ? 'fips' : ''}`;
    let entry = this.tokens.get(key);
    if (!entry || entry.expiresAt <= this.now()) {
      const fresh: CachedToken = { credentials: Promise.resolve({ kind: 'basic', username: '', password: '' }), expiresAt: Number.POSITIVE_INFINITY };
      fresh.credentials = this.fetchToken(host).then(({ credentials, expiresAt }) => {
        fresh.expiresAt = expiresAt - EXPIRY_MARGIN_MS;
        return credentials;
      });
      fresh.credentials.catch(() => {
        if (this.tokens.get(key) === fresh) this.tokens.delete(key);
      });
      this.tokens.set(key, fresh);
      entry = fresh;
    }
    try {
      return await entry.credentials;
    } catch (e) {
      if (this.options.fallback && !this.options.profile && e instanceof NoAwsCredentials) {
        const fromDocker = await this.options.fallback.get(registry);
        if (fromDocker) return fromDocker;
      }
      throw e instanceof NoAwsCredentials ? e.mapped : e;
    }
  }

  private checkRegionFlag(host: EcrHost): void {
    const flag = this.options.region;
    if (flag === undefined || flag === host.region || this.warned.has(host.host)) return;
    this.warned.add(host.host);
    this.options.logger?.warn(`--region ${flag} does not apply to ${host.host}: an ECR registry token is valid only in the registry's own region (${host.region}), so that region is used`);
  }

  private async fetchToken(host: EcrHost): Promise<{ credentials: Credentials; expiresAt: number }> {
    const ctx = { operation: 'GetAuthorizationToken', region: host.region, profile: this.options.profile };
    const make = this.options.clientFor ?? ((h: EcrHost) => createEcrClient({ region: h.region, profile: this.options.profile, fips: h.fips, timeoutMs: this.options.timeoutMs }));
    const handle = await make(host);
    this.tokenRequests++;
    let answer;
    try {
      answer = await handle.client.send(new handle.sdk.GetAuthorizationTokenCommand({}));
    } catch (e) {
      const mapped = ecrError(e, ctx);
      if (isNoCredentials(e)) throw new NoAwsCredentials(mapped);
      throw mapped;
    } finally {
      // The token is all we need from this client: close its sockets so the process can exit.
      handle.client.destroy();
    }
    const data = answer.authorizationData?.[0];
    if (!data?.authorizationToken) throw new RegsizeError('CREDENTIALS', `ECR GetAuthorizationToken in ${host.region} answered without a token`);
    const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new RegsizeError('CREDENTIALS', `ECR GetAuthorizationToken in ${host.region} answered with a malformed token`);
    const expiresAt = data.expiresAt instanceof Date && !Number.isNaN(data.expiresAt.getTime()) ? data.expiresAt.getTime() : this.now() + DEFAULT_TOKEN_MS;
    this.options.logger?.debug(`ECR registry token for ${host.region}${host.fips ? ' (FIPS)' : ''} valid until ${new Date(expiresAt).toISOString()}`);
    return { credentials: { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }, expiresAt };
  }
}

/** The credential chain found nothing at all (as opposed to finding something broken). */
function isNoCredentials(e: unknown): boolean {
  const err = e as { name?: string; message?: string } | undefined;
  return err?.name === 'CredentialsProviderError' && /Could not load credentials from any providers/i.test(err.message ?? '');
}

class NoAwsCredentials extends Error {
  constructor(readonly mapped: RegsizeError) {
    super(mapped.message);
  }
}
