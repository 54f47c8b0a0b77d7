/**
 * Turns a registry's non-2xx answer into a RegistryError: the OCI `errors` array when the
 * registry sends one, otherwise the status; with a message that says what to do next.
 */
import { type ErrorCode, RegistryError, type RegistryErrorDetail } from '../errors.js';
import { isRetryableStatus } from '../retryable.js';
import type { HttpResponse } from './request.js';
import { parseRetryAfter } from './retry.js';
import { redactSecrets, redactUrl } from './redact.js';

const PASSED_THROUGH = new Set<ErrorCode>(['MANIFEST_UNKNOWN', 'NAME_UNKNOWN', 'BLOB_UNKNOWN', 'UNAUTHORIZED', 'DENIED', 'TOOMANYREQUESTS', 'UNSUPPORTED']);

export interface ErrorContext {
  /** The method asked for; the answer's own (the one actually sent, HEAD or GET) wins when it says. */
  method?: string;
  /** What was asked for, for the message: `docker.io/library/python:3.11` or a digest. */
  what: string;
  registry: string;
  kind: 'manifest' | 'blob' | 'tags' | 'other';
  secrets: Iterable<string>;
}

function parseErrors(body: Uint8Array): RegistryErrorDetail[] {
  try {
    const doc = JSON.parse(Buffer.from(body).toString('utf8')) as { errors?: unknown };
    if (!Array.isArray(doc.errors)) return [];
    return doc.errors
      .filter((e): e is { code: string; message?: unknown; detail?: unknown } => typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string')
      .map((e) => ({ code: e.code, ...(typeof e.message === 'string' ? { message: e.message } : {}), ...(e.detail !== undefined ? { detail: e.detail } : {}) }));
  } catch {
    return [];
  }
}

function statusCode(status: number, kind: ErrorContext['kind']): ErrorCode {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'DENIED';
  if (status === 404) return kind === 'blob' ? 'BLOB_UNKNOWN' : kind === 'tags' ? 'NAME_UNKNOWN' : 'MANIFEST_UNKNOWN';
  if (status === 429) return 'TOOMANYREQUESTS';
  return 'REGISTRY_ERROR';
}

/** "in 5h 3m" style, for when a rate limit lifts. */
function humanWait(ms: number): string {
  const m = Math.ceil(ms / 60_000);
  return m >= 60 ? `${Math.floor(m / 60)}h ${m % 60}m` : `${m}m`;
}

export function registryError(res: HttpResponse, ctx: ErrorContext): RegistryError {
  const method = res.method ?? ctx.method ?? 'GET';
  const errors = parseErrors(res.body);
  const first = errors[0];
  const code: ErrorCode = first && PASSED_THROUGH.has(first.code as ErrorCode) ? (first.code as ErrorCode) : statusCode(res.status, ctx.kind);
  const registryMessage = first?.message ? redactSecrets(first.message, ctx.secrets) : '';
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
  let message: string;
  switch (code) {
    case 'MANIFEST_UNKNOWN':
      message = `${ctx.what}: manifest unknown (no such tag or digest); list the tags with "regsize tags ${ctx.what.replace(/[:@][^/]*$/, '')}"`;
      break;
    case 'NAME_UNKNOWN':
      message = `${ctx.what}: repository not found on ${ctx.registry}; check the name`;
      break;
    case 'BLOB_UNKNOWN':
      message = `${ctx.what}: blob unknown to the registry`;
      break;
    case 'UNAUTHORIZED':
      message = `${ctx.what}: authentication required: the repository is private or does not exist; run docker login ${ctx.registry}`;
      break;
    case 'DENIED':
      message = `${ctx.what}: access denied${registryMessage ? ` (${registryMessage})` : ''}; check that your account may pull it`;
      break;
    case 'TOOMANYREQUESTS': {
      const lifts = retryAfterMs !== undefined ? `; it lifts at ${new Date(Date.now() + retryAfterMs).toISOString().slice(0, 16).replace('T', ' ')} UTC (in ${humanWait(retryAfterMs)})` : '';
      message = `${ctx.what}: ${ctx.registry} rate limit reached${lifts}; log in (docker login) for a higher limit, or try later`;
      break;
    }
    default:
      // A HEAD answer has no body to say why: name the method, so nobody looks for a GET that failed.
      message = `${ctx.what}: ${ctx.registry} answered HTTP ${res.status}${method === 'HEAD' ? ' to HEAD' : ''}${registryMessage ? ` (${registryMessage})` : ''}`;
  }
  return new RegistryError(code, message, {
    status: res.status,
    method,
    url: redactSecrets(redactUrl(res.url), ctx.secrets),
    errors,
    ...(retryAfterMs !== undefined ? { retryAfter: Math.ceil(retryAfterMs / 1000) } : {}),
    retryable: isRetryableStatus(res.status),
  });
}
