/**
 * Pushes the report's metrics to a Prometheus Pushgateway, grouped by job and instance:
 *   PUT <url>/metrics/job/<job>/instance/<instance>
 * PUT replaces every metric of that group, so a repository or image dropped from the config
 * disappears with the next push instead of lingering with its last value (POST would merge).
 * A label value with a "/" (or an empty one) goes base64url-encoded under `<label>@base64`, as
 * the Pushgateway documents. Credentials in the URL (https://user:pass@host) become a Basic
 * Authorization header, and the URL is only ever printed redacted.
 * https://github.com/prometheus/pushgateway#url
 */
import { RegsizeError, UsageError } from '../errors.js';
import type { HttpClient } from '../transport/http.js';
import { redactUrl } from '../transport/redact.js';

export interface PushTarget {
  /** The Pushgateway's base URL, as given. */
  url: string;
  /** The job label; `report` passes --pushgateway-job, "regsize" unless given. */
  job: string;
  instance: string;
}

/** Checks the URL and builds the grouping path; a UsageError before any network call. */
export function pushUrl(t: PushTarget): { url: string; authorization?: string } {
  let u: URL;
  try {
    u = new URL(t.url);
  } catch {
    throw new UsageError('INVALID_INPUT', `invalid --pushgateway "${redactUrl(t.url)}": give the Pushgateway's URL, e.g. http://pushgateway:9091`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError('INVALID_INPUT', `invalid --pushgateway "${redactUrl(t.url)}": use an http:// or https:// URL`);
  const authorization = u.username || u.password ? `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}` : undefined;
  u.username = '';
  u.password = '';
  const base = u.toString().replace(/\/+$/, '');
  const url = `${base}/metrics/${groupingSegment('job', t.job)}/${groupingSegment('instance', t.instance)}`;
  return { url, ...(authorization ? { authorization } : {}) };
}

function groupingSegment(label: string, value: string): string {
  if (value === '' || value.includes('/')) return `${label}@base64/${Buffer.from(value).toString('base64url') || '='}`;
  return `${label}/${encodeURIComponent(value)}`;
}

/** PUTs the exposition; any answer but 2xx is a PUSH_FAILED error naming the status. */
export async function pushMetrics(http: HttpClient, t: PushTarget, exposition: string): Promise<void> {
  const { url, authorization } = pushUrl(t);
  const res = await http.send({
    method: 'PUT',
    url,
    // The Prometheus text format: the Pushgateway parses OpenMetrics' `# EOF` as a comment.
    headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', ...(authorization ? { authorization } : {}) },
    body: exposition,
    maxBytes: 64 * 1024,
  });
  if (res.status < 200 || res.status > 299) {
    const why = new TextDecoder().decode(res.body.subarray(0, 300)).replace(/[^\x20-\x7e]+/g, ' ').trim();
    throw new RegsizeError('PUSH_FAILED', `the Pushgateway at ${redactUrl(t.url)} answered HTTP ${res.status} to the push${why ? `: ${why}` : ''}; check --pushgateway`);
  }
}
