/**
 * The formats of the cache's entries, pure (bytes in, bytes or undefined out): a manifest
 * entry is "<media type>\n" then the manifest bytes exactly as the registry sent them; a tag
 * entry is `{"key": "registry/repository:tag", "digest", "storedAt"}`. Tag answers are the
 * only thing that expires (--tag-ttl); content is addressed by digest and never goes stale.
 * Nothing read from disk is trusted: a decoder answers undefined for anything malformed.
 */
import { computeDigest } from '../oci/digest.js';
import type { CachedManifest } from './types.js';
import { CACHEABLE_DIGEST } from './layout.js';

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

export interface TagRecord {
  key: string;
  digest: string;
  storedAt: number;
}

export function encodeTag(key: string, digest: string, storedAt: number): Buffer | undefined {
  if (!CACHEABLE_DIGEST.test(digest)) return undefined;
  return Buffer.from(JSON.stringify({ key, digest, storedAt } satisfies TagRecord));
}

/** The record, when it parses and is filed under `key`. */
export function decodeTag(raw: Buffer, key: string): TagRecord | undefined {
  let rec: Partial<TagRecord>;
  try {
    rec = JSON.parse(raw.toString('utf8')) as Partial<TagRecord>;
  } catch {
    return undefined;
  }
  if (rec.key !== key || typeof rec.digest !== 'string' || !CACHEABLE_DIGEST.test(rec.digest) || typeof rec.storedAt !== 'number') return undefined;
  return { key: rec.key, digest: rec.digest, storedAt: rec.storedAt };
}

/** Whether a tag answer stored at `storedAt` is still fresh at `now`; a timestamp from the future (a clock set back) proves nothing. */
export function isFresh(storedAt: number, now: number, ttlMs: number): boolean {
  const age = now - storedAt;
  return age >= 0 && age < ttlMs;
}
