/**
 * A ping answer that shows the server is not a registry. The distribution spec has GET /v2/
 * answer 200 or 401 (https://github.com/opencontainers/distribution-spec/blob/main/spec.md#determining-support);
 * a 404, or a web page, means the host (or port) is a web server, and every later 404 would
 * read as "manifest unknown", sending the user to look for a tag that was never the problem.
 */
import { RegsizeError } from '../errors.js';
import type { HttpResponse } from './http.js';

export function notARegistry(registry: string, res: Pick<HttpResponse, 'status' | 'headers'>): RegsizeError | undefined {
  const type = (res.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const html = type === 'text/html' || type === 'application/xhtml+xml';
  if (res.status !== 404 && !(html && res.status >= 200 && res.status < 300)) return undefined;
  const answered = `${res.status}${type ? ` ${type}` : ''}`.replace(/[^\x20-\x7e]/g, '?').slice(0, 80);
  return new RegsizeError('REGISTRY_ERROR', `${registry} is not an OCI registry (GET /v2/ returned ${answered}); check the host and port`);
}
