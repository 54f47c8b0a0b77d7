/**
 * The tag list (regclient's `scheme/reg/tag.go`): GET /v2/<name>/tags/list?n=1000, then every
 * `Link: <...>; rel="next"` page (distribution-spec "Listing Tags"). A registry may page
 * forever with distinct links, or send a page of a million tags: pages, tags and bytes are
 * each bounded, and a link seen twice is a loop.
 */
import { RegsizeError } from '../../errors.js';
import type { RepoRef } from '../registry-api.js';
import type { RegistrySender } from './sender.js';

/** Tag list pages followed at most (a million tags at n=1000). */
export const MAX_TAG_PAGES = 1000;
/** Tags of one repository read at most (a thousand full pages of 1000). */
export const MAX_TAGS = 1_000_000;
/** Bytes of tag list pages read at most for one repository. */
export const MAX_TAG_LIST_BYTES = 64 * 1024 * 1024;
/** One page may be up to 16 MiB. */
const MAX_PAGE_BYTES = 16 * 1024 * 1024;

/** Every tag of a repository, following the pagination. */
export async function tagList(sender: RegistrySender, repo: RepoRef, pageSize = 1000): Promise<string[]> {
  const name = `${repo.registry}/${repo.repository}`;
  const tags: string[] = [];
  let bytes = 0;
  let path: string | undefined = `/v2/${repo.repository}/tags/list?n=${pageSize}`;
  const seen = new Set<string>();
  const base = await sender.baseUrl(repo.registry);
  while (path) {
    if (seen.has(path)) throw new RegsizeError('REGISTRY_ERROR', `${name}: the tag list pagination loops`);
    if (seen.size >= MAX_TAG_PAGES) throw new RegsizeError('REGISTRY_ERROR', `${name}: the tag list runs past ${MAX_TAG_PAGES} pages (${tags.length} tags so far); the registry's pagination does not end`);
    seen.add(path);
    const res = await sender.send(repo, { method: 'GET', path, maxBytes: MAX_PAGE_BYTES, tooLargeCode: 'REGISTRY_ERROR', what: 'tag list page' });
    if (res.status !== 200) sender.fail(res, repo, name, 'tags');
    let doc: { tags?: unknown };
    try {
      doc = JSON.parse(Buffer.from(res.body).toString('utf8')) as { tags?: unknown };
    } catch {
      throw new RegsizeError('REGISTRY_ERROR', `${name}: the tag list is not valid JSON`);
    }
    bytes += res.body.length;
    // One by one: push(...page) passes every tag as an argument and overflows the call stack.
    for (const t of Array.isArray(doc.tags) ? (doc.tags as unknown[]) : []) if (typeof t === 'string') tags.push(t);
    if (tags.length > MAX_TAGS || bytes > MAX_TAG_LIST_BYTES) {
      throw new RegsizeError(
        'REGISTRY_ERROR',
        `${name}: the tag list runs past ${tags.length > MAX_TAGS ? `${MAX_TAGS} tags` : `${MAX_TAG_LIST_BYTES} bytes`} (read ${tags.length} tags in ${bytes} bytes over ${seen.size} pages); regsize stops there rather than exhaust memory`,
      );
    }
    path = nextLink(res.headers.get('link'), base);
  }
  return tags;
}

/** The `rel="next"` target of a Link header, as a path on the same registry (or a full URL). */
export function nextLink(link: string | null, base: string): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (!m?.[1]) continue;
    const target = new URL(m[1], base);
    return target.origin === new URL(base).origin ? `${target.pathname}${target.search}` : target.toString();
  }
  return undefined;
}
