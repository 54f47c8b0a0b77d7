/**
 * Docker Hub's own tag list (hub.docker.com, not the registry API): every tag with its digest
 * and, per platform, the image digest and size, 100 tags a request, and no manifest GET, so no
 * pull is counted against the user's allowance (100 per 6 hours for anonymous users).
 *   GET https://hub.docker.com/v2/namespaces/{namespace}/repositories/{repository}/tags?page_size=100
 *   -> { "next": "https://hub.docker.com/...&page=2" | null,
 *        "results": [{ "name", "digest", "media_type",
 *                      "images": [{ "os", "architecture", "variant", "os_version", "digest", "size" }] }] }
 *
 * The per-platform `size` is not documented as the layer sum, so callers check it against the
 * manifest for the tags the user is shown (tags/size.ts). Anything this API does not answer
 * cleanly (rate limited, a private repository, an odd page) is a HubUnavailable, and the
 * caller falls back to the registry.
 */
import { RegsizeError } from '../errors.js';
import type { Platform } from '../oci/platform.js';
import type { HttpClient } from '../transport/http.js';

export const HUB_API = 'https://hub.docker.com';
/**
 * Whether `tags` reads a Docker Hub repository through HUB_API unless told --no-hub-api. Here,
 * not only in the flag: oclif's manifest leaves boolean defaults out, and bin/run.js's early
 * connection (cli/early-target.ts) must know where the first request goes.
 */
export const HUB_API_BY_DEFAULT = true;
const PAGE_SIZE = 100;
/** A page of 100 tags is about 100 KB; anything far larger is not Docker Hub. */
const MAX_PAGE_BYTES = 4 * 1024 * 1024;
/** 100,000 tags: more than any repository on Docker Hub has. */
export const MAX_HUB_PAGES = 1000;

export interface HubImage {
  platform: Platform;
  digest: string;
  size: number;
}

export interface HubTag {
  name: string;
  /** What the tag points at: an index, or the image manifest itself. */
  digest: string;
  mediaType?: string;
  images: HubImage[];
}

/** The Hub API did not give a usable answer; `reason` says why, for the fallback note. */
export class HubUnavailable extends RegsizeError {
  constructor(readonly reason: string) {
    super('REGISTRY_ERROR', `hub.docker.com's tag list is unavailable: ${reason}`);
    this.name = 'HubUnavailable';
  }
}

export function isHubUnavailable(e: unknown): e is HubUnavailable {
  return e instanceof HubUnavailable;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** One entry of `results`, or undefined when it is not a usable tag (no digest, say). */
function decodeTag(v: unknown): HubTag | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const t = v as Record<string, unknown>;
  const name = str(t.name);
  const digest = str(t.digest);
  if (!name || !digest || !DIGEST.test(digest) || !Array.isArray(t.images)) return undefined;
  const images: HubImage[] = [];
  for (const raw of t.images as unknown[]) {
    if (typeof raw !== 'object' || raw === null) continue;
    const i = raw as Record<string, unknown>;
    const os = str(i.os);
    const architecture = str(i.architecture);
    const d = str(i.digest);
    if (!os || !architecture || !d || !DIGEST.test(d) || typeof i.size !== 'number' || !Number.isSafeInteger(i.size) || i.size < 0) continue;
    const platform: Platform = { os, architecture };
    const variant = str(i.variant);
    if (variant) platform.variant = variant;
    const osVersion = str(i.os_version);
    if (osVersion) platform.osVersion = osVersion;
    images.push({ platform, digest: d, size: i.size });
  }
  const mediaType = str(t.media_type);
  return { name, digest, images, ...(mediaType ? { mediaType } : {}) };
}

/** Every tag of `namespace/repository` on Docker Hub, all pages, bounded in pages and bytes. */
export async function hubTagList(http: HttpClient, namespace: string, repository: string): Promise<HubTag[]> {
  const tags: HubTag[] = [];
  let url: string | undefined = `${HUB_API}/v2/namespaces/${encodeURIComponent(namespace)}/repositories/${encodeURIComponent(repository)}/tags?page_size=${PAGE_SIZE}`;
  const seen = new Set<string>();
  while (url) {
    if (seen.has(url)) throw new HubUnavailable('its pagination loops');
    if (seen.size >= MAX_HUB_PAGES) throw new HubUnavailable(`more than ${MAX_HUB_PAGES} pages`);
    seen.add(url);
    let res;
    try {
      res = await http.send({ method: 'GET', url, headers: { accept: 'application/json' }, maxBytes: MAX_PAGE_BYTES, tooLargeCode: 'REGISTRY_ERROR', what: 'Docker Hub tag list page' });
    } catch (e) {
      throw new HubUnavailable((e as Error).message);
    }
    if (res.status === 429) {
      const reset = res.headers.get('x-ratelimit-reset');
      throw new HubUnavailable(`rate limited (HTTP 429${reset && /^\d+$/.test(reset) ? `, until ${new Date(Number(reset) * 1000).toISOString()}` : ''})`);
    }
    if (res.status !== 200) throw new HubUnavailable(`HTTP ${res.status}${res.status === 404 ? ' (a private repository, or none by that name)' : ''}`);
    let doc: { next?: unknown; results?: unknown };
    try {
      doc = JSON.parse(Buffer.from(res.body).toString('utf8')) as typeof doc;
    } catch {
      throw new HubUnavailable('a page is not valid JSON');
    }
    if (!Array.isArray(doc.results)) throw new HubUnavailable('a page has no results');
    for (const r of doc.results as unknown[]) {
      const t = decodeTag(r);
      if (t) tags.push(t);
    }
    url = nextPage(doc.next);
  }
  return tags;
}

/** The next page: only ever on hub.docker.com over HTTPS (a page cannot send us elsewhere). */
function nextPage(next: unknown): string | undefined {
  if (next === null || next === undefined || next === '') return undefined;
  if (typeof next !== 'string') throw new HubUnavailable('a page names a next page that is not a URL');
  let u: URL;
  try {
    u = new URL(next);
  } catch {
    throw new HubUnavailable('a page names a next page that is not a URL');
  }
  if (u.origin !== HUB_API) throw new HubUnavailable(`a page points to another host (${u.origin})`);
  return u.toString();
}

/** `library/python` -> [`library`, `python`]; Docker Hub repositories have exactly two parts. */
export function hubNamespace(repository: string): [string, string] | undefined {
  const parts = repository.split('/');
  return parts.length === 2 ? (parts as [string, string]) : undefined;
}
