/**
 * The `regsize tags` JSON contract and its order. Tags that point at the same digest are one
 * image: they are kept together (a group), and groups are sorted by size (default), name or
 * version. Tags that could not be sized come last. The JSON lists entries exactly in the
 * order the table prints them.
 */
import type { ErrorCode } from '../errors.js';
import { compareVersions } from './select.js';

export interface TagEntry {
  tag: string;
  /** What the tag points at (an index or an image manifest). */
  digest: string;
  platform: string;
  /** Sum of the layer sizes of that platform's image, exact bytes. */
  compressedSize: number;
  /**
   * Docker Hub only: where compressedSize came from. "hub-api": hub.docker.com's tag list
   * (no pull spent); "manifest": the manifest's layer sum, where the two were checked and differed.
   */
  sizeSource?: 'hub-api' | 'manifest';
  /** Docker Hub only: the Hub's figure was checked against the manifest and agreed. */
  verified?: true;
}

export interface TagErrorEntry {
  tag: string;
  /** Present when the tag's digest was learned before sizing failed. */
  digest?: string;
  error: { code: ErrorCode; message: string };
}

export type TagsEntry = TagEntry | TagErrorEntry;

export interface TagsResult {
  /** Fully qualified: docker.io/library/python. */
  repository: string;
  tags: TagsEntry[];
}

export type TagSort = 'size' | 'name' | 'version';

export function isTagError(e: TagsEntry): e is TagErrorEntry {
  return 'error' in e;
}

/** The tag's platform is simply not there (a Windows-only tag when sizing linux/amd64): not a failure of the run. */
export function isMissingPlatform(e: TagsEntry): boolean {
  return isTagError(e) && e.error.code === 'PLATFORM_NOT_FOUND';
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Groups entries by digest, orders tags inside a group and the groups themselves, errors last.
 * Within a group each tag keeps its platform entries in the order given (index order).
 */
export function orderEntries(entries: TagsEntry[], sort: TagSort): TagsEntry[] {
  const tagOrder = sort === 'name' ? byName : compareVersions;
  const groups = new Map<string, TagEntry[]>();
  const errors: TagErrorEntry[] = [];
  for (const e of entries) {
    if (isTagError(e)) {
      errors.push(e);
      continue;
    }
    const g = groups.get(e.digest);
    if (g) g.push(e);
    else groups.set(e.digest, [e]);
  }
  const ordered = [...groups.values()].map((g) => {
    // Linear in the group: one digest may carry 140,000 tags (no spread into Math.min, whose
    // arguments overflow the call stack; no filter per tag, which is quadratic).
    const byTag = new Map<string, TagEntry[]>();
    let size = Number.POSITIVE_INFINITY;
    for (const e of g) {
      size = Math.min(size, e.compressedSize);
      const list = byTag.get(e.tag);
      if (list) list.push(e);
      else byTag.set(e.tag, [e]);
    }
    const tags = [...byTag.keys()].sort(tagOrder);
    return { first: tags[0] as string, size, entries: tags.flatMap((t) => byTag.get(t) as TagEntry[]) };
  });
  ordered.sort((a, b) => (sort === 'size' ? a.size - b.size : 0) || tagOrder(a.first, b.first));
  errors.sort((a, b) => tagOrder(a.tag, b.tag));
  return [...ordered.flatMap((g) => g.entries), ...errors];
}
