/**
 * One error base class with a stable `code`. The codes are part of the JSON contract
 * (`{"error": {"code", "message"}}`) and the CLI maps them to exit codes in one place
 * (src/cli/exit-codes.ts), never by matching message text.
 *
 * Registry codes are the OCI distribution spec's own error codes, passed through when the
 * registry sends one: https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes
 */
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
  /** Whether trying the same request again may succeed (network faults, 5xx, 429). */
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

export function isRegsizeError(e: unknown): e is RegsizeError {
  return e instanceof RegsizeError;
}

export function isRegistryError(e: unknown): e is RegistryError {
  return e instanceof RegistryError;
}

/**
 * A connection that broke mid-way: the only network failures retried (issue #8). A body cut
 * short (fewer bytes than its Content-Length) is the same fault seen from the reading side.
 */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH']);

/** Turns anything thrown into a RegsizeError, so callers can always read `.code`. */
export function toRegsizeError(e: unknown): RegsizeError {
  if (e instanceof RegsizeError) return e;
  const err = e as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } } | undefined;
  const name = err?.name ?? '';
  const code = err?.code ?? err?.cause?.code ?? '';
  if (name === 'TimeoutError' || /TIMEOUT/.test(code)) {
    return new RegsizeError('TIMEOUT', `request timed out${err?.message ? `: ${err.message}` : ''}; raise --timeout or check the network`, {
      cause: e,
      retryable: true,
    });
  }
  if (name === 'AbortError') return new RegsizeError('NETWORK', 'request aborted', { cause: e });
  if (/^E[A-Z]+|^UND_ERR/.test(code) || name === 'TypeError') {
    const detail = err?.cause?.message ?? err?.message ?? String(e);
    // Only a connection that broke mid-way is worth another try; a refused connection or an
    // unknown host will answer the same way in a second, so the user hears of it at once.
    return new RegsizeError('NETWORK', `network error: ${detail}${code ? ` (${code})` : ''}`, { cause: e, retryable: RESET_CODES.has(code) });
  }
  return new RegsizeError('INTERNAL', err?.message ?? String(e), { cause: e });
}
