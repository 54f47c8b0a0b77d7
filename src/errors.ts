/**
 * One error base class with a stable `code`. The codes are part of the JSON contract
 * (`{"error": {"code", "message"}}`) and the CLI maps them to exit codes in one place
 * (src/cli/exit-codes.ts), never by matching message text.
 *
 * Registry codes are the OCI distribution spec's own error codes, passed through when the
 * registry sends one: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes
 */
import { isRetryableErrorCode } from './retryable.js';

export type ErrorCode =
  // sent by registries (OCI distribution spec)
  | 'MANIFEST_UNKNOWN'
  | 'NAME_UNKNOWN'
  | 'BLOB_UNKNOWN'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'TOOMANYREQUESTS'
  | 'UNSUPPORTED'
  // regsize's own
  | 'INVALID_REFERENCE'
  | 'INVALID_INPUT'
  | 'PLATFORM_NOT_FOUND'
  | 'DIGEST_MISMATCH'
  | 'UNSUPPORTED_MANIFEST'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_TOO_LARGE'
  | 'BLOB_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'REGISTRY_ERROR'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'INSECURE'
  | 'CONFIG_INVALID'
  | 'CREDENTIALS'
  | 'AWS'
  | 'BUDGET_EXCEEDED'
  | 'PUSH_FAILED'
  | 'INTERNAL';

export class RegsizeError extends Error {
  readonly code: ErrorCode;
  /** Whether trying the same request again may succeed: decided from the table in retryable.ts. */
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RegsizeError';
    this.code = code;
    this.retryable = options.retryable ?? false;
  }

  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** A reference, flag or config value that is wrong before any network call: exit 2. */
export class UsageError extends RegsizeError {
  constructor(code: ErrorCode, message: string) {
    super(code, message);
    this.name = 'UsageError';
  }
}

/** One entry of the OCI `errors` array a registry sends with a 4xx/5xx answer. */
export interface RegistryErrorDetail {
  code: string;
  message?: string;
  detail?: unknown;
}

/** An HTTP answer the registry gave that we cannot use, with the data to diagnose it. */
export class RegistryError extends RegsizeError {
  readonly status: number;
  readonly method: string;
  /** The request URL with credentials and token-like query parameters redacted. */
  readonly url: string;
  readonly errors: RegistryErrorDetail[];
  /** Seconds the registry asked us to wait (Retry-After), when it said. */
  readonly retryAfter: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    data: { status: number; method: string; url: string; errors?: RegistryErrorDetail[]; retryAfter?: number; retryable?: boolean },
  ) {
    super(code, message, { retryable: data.retryable ?? false });
    this.name = 'RegistryError';
    this.status = data.status;
    this.method = data.method;
    this.url = data.url;
    this.errors = data.errors ?? [];
    this.retryAfter = data.retryAfter;
  }
}

/**
 * The network failed (a refused or broken connection, an unknown host, a TLS failure), as
 * Node, OpenSSL and undici report it in their error codes. `retryable` when the table in
 * retryable.ts says another try can help.
 */
export class NetworkError extends RegsizeError {
  constructor(message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super('NETWORK', message, options);
    this.name = 'NetworkError';
  }
}

/** A request ran past its time (--timeout, or undici's connect timeout). Never retried (retryable.ts). */
export class RequestTimeoutError extends RegsizeError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('TIMEOUT', message, { ...options, retryable: false });
    this.name = 'RequestTimeoutError';
  }
}

/** Bytes that do not hash to the digest they were asked by: the registry or a proxy altered them. */
export class DigestMismatchError extends RegsizeError {
  constructor(message: string) {
    super('DIGEST_MISMATCH', message);
    this.name = 'DigestMismatchError';
  }
}

/**
 * A body over the bound set for it, refused unread. The code is the caller's (the JSON contract
 * names the object: MANIFEST_TOO_LARGE, BLOB_TOO_LARGE; a token answer stays UNAUTHORIZED).
 */
export class TooLargeError extends RegsizeError {
  constructor(
    code: ErrorCode,
    message: string,
    /** The bound in bytes. */
    readonly limit: number,
  ) {
    super(code, message);
    this.name = 'TooLargeError';
  }
}

export function isRegsizeError(e: unknown): e is RegsizeError {
  return e instanceof RegsizeError;
}

export function isRegistryError(e: unknown): e is RegistryError {
  return e instanceof RegistryError;
}

/**
 * The guards below are also true for a RegsizeError built with the class's code directly (call
 * sites that predate the classes), so a caller branching on a guard never misses one.
 */
const hasCode = (e: unknown, code: ErrorCode): boolean => e instanceof RegsizeError && e.code === code;

export function isNetworkError(e: unknown): e is NetworkError {
  return e instanceof NetworkError || hasCode(e, 'NETWORK');
}

export function isRequestTimeoutError(e: unknown): e is RequestTimeoutError {
  return e instanceof RequestTimeoutError || hasCode(e, 'TIMEOUT');
}

export function isDigestMismatchError(e: unknown): e is DigestMismatchError {
  return e instanceof DigestMismatchError || hasCode(e, 'DIGEST_MISMATCH');
}

/** Only the class: the too-large codes are the caller's, and the bound is its data. */
export function isTooLargeError(e: unknown): e is TooLargeError {
  return e instanceof TooLargeError;
}

/** A request that took too long, in the one wording every timeout uses. */
export const TIMEOUT_HINT = 'raise --timeout or check the network';

/**
 * Node's, OpenSSL's and undici's codes for a network that failed (not regsize): socket and DNS
 * errnos, TLS handshake and certificate failures, undici's connection and parser errors. Read
 * from the codes through the cause chain, never from the JS class: a wrapper (fetch's TypeError,
 * an AggregateError) may hold them, and a TypeError is also `undefined.x`, which is a bug.
 * undici's UND_ERR_INVALID_ARG and kin are bugs too.
 */
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA',
  'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH', 'ENETDOWN', 'ENETRESET', 'EADDRNOTAVAIL', 'ENOTCONN', 'EPROTO', 'ESHUTDOWN',
  'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_DESTROYED', 'UND_ERR_ABORTED', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_HEADERS_OVERFLOW', 'UND_ERR_RES_EXCEEDED_MAX_SIZE', 'UND_ERR_INFO', 'UND_ERR_PRX_TLS', 'UND_ERR_SOCKS5', 'UND_ERR_RESPONSE',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'HOSTNAME_MISMATCH', 'INVALID_CA', 'PATH_LENGTH_EXCEEDED', 'INVALID_PURPOSE',
]);
/** TLS (ERR_SSL_*, ERR_TLS_*, OpenSSL's CERT_*, UNABLE_TO_*), HTTP/2 streams and llhttp's parser (HPE_*: the server sent no HTTP). */
const NETWORK_PREFIXES = ['ERR_SSL_', 'ERR_TLS_', 'CERT_', 'UNABLE_TO_', 'ERR_HTTP2_', 'HPE_', 'ERR_SOCKET_'];
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

type Fault = { kind: 'network' | 'timeout'; code: string; message: string };

/** The first network or timeout code on the error, its cause chain, or an AggregateError's errors (happy eyeballs). */
function networkFault(e: unknown, depth = 0): Fault | undefined {
  if (typeof e !== 'object' || e === null || depth > 5) return undefined;
  const { code, message, cause, errors } = e as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string') {
    const kind = TIMEOUT_CODES.has(code) ? 'timeout' : NETWORK_CODES.has(code) || NETWORK_PREFIXES.some((p) => code.startsWith(p)) ? 'network' : undefined;
    if (kind) {
      // An AggregateError's own message is empty: say what its first error said.
      const first = Array.isArray(errors) ? (errors[0] as { message?: unknown } | undefined)?.message : undefined;
      return { kind, code, message: typeof message === 'string' && message ? message : typeof first === 'string' ? first : code };
    }
  }
  for (const inner of [cause, ...(Array.isArray(errors) ? errors : [])]) {
    const found = networkFault(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * Turns anything thrown into a RegsizeError, so callers can always read `.code`: a network
 * failure or timeout by its codes, anything else INTERNAL, saying it is a bug in regsize.
 */
export function toRegsizeError(e: unknown): RegsizeError {
  if (e instanceof RegsizeError) return e;
  const err = e as { name?: unknown; message?: unknown } | undefined;
  const name = typeof err?.name === 'string' ? err.name : '';
  const message = typeof err?.message === 'string' ? err.message : String(e);
  // A DOMException is known by its name (the WHATWG spec's identity for it), e.g. AbortSignal.timeout().
  if (name === 'TimeoutError') return new RequestTimeoutError(`request timed out${message ? `: ${message}` : ''}; ${TIMEOUT_HINT}`, { cause: e });
  if (name === 'AbortError') return new NetworkError('request aborted', { cause: e });
  const fault = networkFault(e);
  if (fault?.kind === 'timeout') return new RequestTimeoutError(`request timed out: ${fault.message} (${fault.code}); ${TIMEOUT_HINT}`, { cause: e });
  if (fault) return new NetworkError(`network error: ${fault.message} (${fault.code})`, { cause: e, retryable: isRetryableErrorCode(fault.code) });
  return new RegsizeError('INTERNAL', `a bug in regsize: ${name && name !== 'Error' ? `${name}: ` : ''}${message}; please report it (run with --debug for the stack)`, { cause: e });
}
