/**
 * Builds the registry client for one invocation from user options, defaults in one place,
 * validated before any network call.
 */
import { type ContentCache, noCache } from './cache/types.js';
import { UsageError } from './errors.js';
import { RegistryClient } from './transport/client.js';
import { ChainedCredentials, type CredentialStore, DockerConfigCredentials, dockerConfigPath, helperRunner } from './transport/credentials.js';
import { CONNECTIONS_PER_ORIGIN } from './transport/connection-limits.js';
import { defaultHttpSettings, HttpClient, MAX_TIMEOUT_MS } from './transport/http.js';
import { type Logger, stderrLogger } from './log.js';

export interface SessionOptions {
  /** Per-request (and per credential helper) timeout in milliseconds. @default 30000 */
  timeoutMs?: number;
  /** Plain HTTP for every registry (true) or these hosts; loopback always speaks HTTP. @default false */
  plainHttp?: boolean | string[];
  /** Log each HTTP request to stderr. @default false */
  verbose?: boolean;
  /** @default stderr logger (warnings always, debug lines with verbose) */
  logger?: Logger;
  /** @default noCache */
  cache?: ContentCache;
  /** Tried before the Docker config (ECR's GetAuthorizationToken, say). @default [] */
  credentialStores?: CredentialStore[];
  /** Retries of 429/5xx/resets. @default 3 */
  retries?: number;
  /**
   * Requests in flight at once to one HTTP/1.1 registry (--concurrency), at most the
   * dispatcher's connections per origin. An HTTP/2 registry takes as many as its stream limit
   * allows instead (transport/slots.ts). @default 8
   */
  concurrency?: number;
}

export interface Session {
  /** The registry client; sizing, tags and files take it as a `Registry` (transport/registry-api.ts). */
  client: RegistryClient;
  logger: Logger;
  /** The same HTTP path (timeouts, retries, proxies, --verbose) for APIs beside the registry's (Docker Hub's tag list). */
  http: HttpClient;
}

/** Requests at once to one HTTP/1.1 registry when the caller does not say (--concurrency's default). */
export const DEFAULT_CONCURRENCY = 8;

export function createSession(options: SessionOptions = {}): Session {
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new UsageError('INVALID_INPUT', `invalid timeout ${timeoutMs}: give a positive number of seconds, e.g. --timeout 30`);
  if (timeoutMs > MAX_TIMEOUT_MS) throw new UsageError('INVALID_INPUT', `invalid timeout ${timeoutMs / 1000}s: at most ${Math.floor(MAX_TIMEOUT_MS / 1000)} seconds (Node's timer limit), e.g. --timeout 30`);
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new UsageError('INVALID_INPUT', `invalid concurrency ${concurrency}: give a whole number of requests, e.g. --concurrency 8`);
  const logger = options.logger ?? stderrLogger(options.verbose ?? false);
  const http = new HttpClient(
    defaultHttpSettings(logger, {
      timeoutMs,
      maxInFlightPerOrigin: Math.min(concurrency, CONNECTIONS_PER_ORIGIN),
      ...(options.retries !== undefined ? { retries: options.retries } : {}),
    }),
  );
  // --timeout bounds credential helpers too: a helper that never answers must not hang the run.
  const credentials = new ChainedCredentials([...(options.credentialStores ?? []), new DockerConfigCredentials(dockerConfigPath(), helperRunner({ timeoutMs }))]);
  const client = new RegistryClient({ http, credentials, scheme: { plainHttp: options.plainHttp ?? false }, cache: options.cache ?? noCache });
  return { client, logger, http };
}
