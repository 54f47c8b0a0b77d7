/**
 * Whether asking again can help, decided here once for every layer: the HTTP retry wrapper
 * (transport/retry.ts) reads the status table, the error classifier (errors.ts) the code table,
 * and a RegistryError's `retryable` says the same as the wrapper did.
 *
 * Not retried, on purpose:
 *   - 500 and every 4xx: answers about the request itself; asked again, they answer the same.
 *   - A refused connection or an unknown host: it answers the same way a second later, so the
 *     user hears of it at once.
 *   - Any timeout (regsize's --timeout, undici's connect/headers/body timeouts, ETIMEDOUT):
 *     --timeout bounds what the user waits for a request, so a server that stalls costs one
 *     timeout, not four (#8, #13).
 */

/**
 * 429 Too Many Requests (honouring Retry-After), and the 502/503/504 of a proxy or registry that
 * is overloaded or restarting: the same request may well succeed in a moment.
 */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/**
 * A connection that broke mid-way (issue #8), from Node's and undici's own error codes. A body
 * cut short (fewer bytes than its Content-Length) is the same fault seen from the reading side.
 */
export const RETRY_ERROR_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH']);

export function isRetryableStatus(status: number): boolean {
  return RETRY_STATUSES.has(status);
}

export function isRetryableErrorCode(code: string): boolean {
  return RETRY_ERROR_CODES.has(code);
}
