/**
 * Docker Hub's pull allowance, read from every registry answer: `ratelimit-limit: 100;w=21600`,
 * `ratelimit-remaining: 76;w=21600` (the window after `;` is ignored). The latest answer wins.
 * https://docs.docker.com/docker-hub/usage/pulls/
 */
import type { RateLimit } from '../registry-api.js';
import type { ResponseHeaders } from '../request.js';

/** The allowance an answer reports, or undefined when it reports none. */
export function parseRateLimit(headers: ResponseHeaders): RateLimit | undefined {
  const limit = count(headers.get('ratelimit-limit'));
  const remaining = count(headers.get('ratelimit-remaining'));
  if (limit === undefined && remaining === undefined) return undefined;
  return { ...(limit !== undefined ? { limit } : {}), ...(remaining !== undefined ? { remaining } : {}) };
}

function count(v: string | null): number | undefined {
  if (!v) return undefined;
  const n = Number.parseInt(v, 10);
  return Number.isNaN(n) ? undefined : n;
}

/** The latest allowance per registry. */
export class RateLimits {
  private readonly byRegistry = new Map<string, RateLimit>();

  note(registry: string, headers: ResponseHeaders): void {
    const rl = parseRateLimit(headers);
    if (rl) this.byRegistry.set(registry, rl);
  }

  get(registry: string): RateLimit | undefined {
    return this.byRegistry.get(registry);
  }
}
