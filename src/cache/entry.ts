/**
 * The formats of the cache's entries, pure (bytes in, bytes or undefined out): a manifest
 * entry is "<media type>\n" then the manifest bytes exactly as the registry sent them; a
 * repository's tag entry holds every tag -> digest answer learned for it (encodeTags). Tag answers are the
 * only thing that expires (--tag-ttl); content is addressed by digest and never goes stale.
 * Nothing read from disk is trusted: a decoder answers undefined for anything malformed.
 */
import { computeDigest } from '../oci/digest.js';
import type { CachedManifest } from './types.js';
import { CACHEABLE_DIGEST } from './layout.js';
import { TAG_RE } from '../reference/reference.js';

/** A media type fits on the header line of a manifest entry. */
export const MEDIA_TYPE_RE = /^[\w.+/-]{1,255}$/;

export function digestMatches(bytes: Uint8Array, digest: string): boolean {
  return computeDigest(digest.split(':')[0] as string, bytes) === digest;
}

export function encodeManifest(entry: CachedManifest): Buffer | undefined {
  if (!MEDIA_TYPE_RE.test(entry.mediaType)) return undefined;
  return Buffer.concat([Buffer.from(`${entry.mediaType}\n`, 'latin1'), entry.bytes]);
}

/** The manifest in an entry, when the header is sane and the bytes hash to `digest`. */
export function decodeManifest(raw: Buffer, digest: string): CachedManifest | undefined {
  const nl = raw.indexOf(0x0a);
  const mediaType = nl > 0 ? raw.subarray(0, nl).toString('latin1') : '';
  const bytes = nl > 0 ? raw.subarray(nl + 1) : raw;
  if (!MEDIA_TYPE_RE.test(mediaType) || !digestMatches(bytes, digest)) return undefined;
  return { bytes, mediaType };
}

/** One tag's answer: the digest and when it was learned (ms since the epoch). */
export interface TagAnswer {
  digest: string;
  storedAt: number;
}

/** A repository's entry: `{"repo", "digests": [...], "tags": {"<tag>": [<index into digests>, <storedAt>]}}`. */
interface RepoTagsFile {
  repo: string;
  digests: string[];
  tags: Record<string, [number, number]>;
}

/**
 * Tags one repository's entry keeps, the most recently learned first: a repository listing a
 * million tags (pagination.ts's MAX_TAGS) must not make a 100 MB file that every run reads.
 */
export const MAX_REPO_TAGS = 100_000;
/** More than MAX_REPO_TAGS answers can take (at most 128 + 30 bytes a tag, 75 a digest): anything larger is not ours. */
export const MAX_REPO_TAGS_BYTES = 32 * 1024 * 1024;

/**
 * The entry for `repo`, the newest MAX_REPO_TAGS answers, each distinct digest written once
 * (2000 tags over 100 images are 100 digests). Answers with a digest that may not be cached are left out.
 */
export function encodeTags(repo: string, answers: ReadonlyMap<string, TagAnswer>): Buffer {
  let list = [...answers].filter(([tag, a]) => TAG_RE.test(tag) && CACHEABLE_DIGEST.test(a.digest));
  if (list.length > MAX_REPO_TAGS) list = list.sort((a, b) => b[1].storedAt - a[1].storedAt).slice(0, MAX_REPO_TAGS);
  const index = new Map<string, number>();
  const tags: Record<string, [number, number]> = {};
  for (const [tag, a] of list) {
    let i = index.get(a.digest);
    if (i === undefined) index.set(a.digest, (i = index.size));
    // A data property even for a tag named "__proto__" (assignment would set the prototype).
    Object.defineProperty(tags, tag, { value: [i, a.storedAt], enumerable: true, writable: true, configurable: true });
  }
  return Buffer.from(JSON.stringify({ repo, digests: [...index.keys()], tags } satisfies RepoTagsFile));
}

/** The answers in an entry, when every part of it is well-formed and it is filed under `repo`; else undefined. */
export function decodeTags(raw: Buffer, repo: string): Map<string, TagAnswer> | undefined {
  let file: Partial<RepoTagsFile>;
  try {
    file = JSON.parse(raw.toString('utf8')) as Partial<RepoTagsFile>;
  } catch {
    return undefined;
  }
  const { digests, tags } = file;
  if (file.repo !== repo || !Array.isArray(digests) || !digests.every((d) => typeof d === 'string' && CACHEABLE_DIGEST.test(d))) return undefined;
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) return undefined;
  const out = new Map<string, TagAnswer>();
  for (const [tag, v] of Object.entries(tags)) {
    const digest = Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) ? digests[v[0]] : undefined;
    if (!TAG_RE.test(tag) || digest === undefined || !Number.isFinite(v[1])) return undefined;
    out.set(tag, { digest, storedAt: v[1] });
  }
  return out.size <= MAX_REPO_TAGS ? out : undefined;
}

/** Whether a tag answer stored at `storedAt` is still fresh at `now`; a timestamp from the future (a clock set back) proves nothing. */
export function isFresh(storedAt: number, now: number, ttlMs: number): boolean {
  const age = now - storedAt;
  return age >= 0 && age < ttlMs;
}
