/**
 * Where everything regsize caches lives under the cache folder, in one place:
 *
 *   v1/manifests/<alg>/<hex>            a manifest (entry.ts says the format)
 *   v1/blobs/<alg>/<hex>                small blobs (image configs), raw
 *   v1/repo-tags/<sha256(repo)>.json    a repository's tag -> digest answers, one file (entry.ts)
 *   v1/tags/<sha256(key)>.json          one tag's answer: the old layout, never read (evicted as it ages)
 *   v1/listings/<alg>/<hex>.json.gz     a layer's file listing (src/files/listing-cache.ts)
 *   v1/last-walk                        when the folder was last measured (eviction.ts)
 *   CACHEDIR.TAG                        tells backup tools to skip the folder
 *
 * Files are named only after well-formed digests (no path tricks from a hostile registry);
 * temporary files start with TEMP_MARK, so a sweep can tell them from entries.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';

export const VERSION_DIR = 'v1';
export const TEMP_MARK = '.tmp-';

/** Only well-formed sha256/sha512 digests name files. */
export const CACHEABLE_DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/** https://bford.info/cachedir/ : backup tools skip a folder holding this file. */
export const CACHEDIR_TAG = 'Signature: 8a477f597d28d172789f06886806bc55\n# This file marks regsize\'s cache folder; backups may skip it.\n';

/** The kinds of entries addressed by digest, each in its own folder of `<alg>/` folders. */
export type DigestKind = 'manifests' | 'blobs' | 'listings';
export const DIGEST_KINDS: readonly DigestKind[] = ['manifests', 'blobs', 'listings'];

const SUFFIX: Record<DigestKind, string> = { manifests: '', blobs: '', listings: '.json.gz' };

export function versionRoot(dir: string): string {
  return join(dir, VERSION_DIR);
}

/** The file for an entry addressed by digest, or undefined for a digest that may not name a file. */
export function digestPath(dir: string, kind: DigestKind, digest: string): string | undefined {
  if (!CACHEABLE_DIGEST.test(digest)) return undefined;
  const [alg, hex] = digest.split(':') as [string, string];
  return join(versionRoot(dir), kind, alg, `${hex}${SUFFIX[kind]}`);
}

/**
 * The tag answers of one repository (`registry/repository`), all in one file: `tags` reads it
 * once and writes it once, instead of a file per tag (#16). Names are hashed into file names: a
 * name may hold characters no file system likes. A new folder, not the old per-tag `tags/`,
 * so an old entry is never misread as a new one.
 */
export function repoTagsPath(dir: string, repo: string): string {
  return join(repoTagsFolder(dir), `${createHash('sha256').update(repo).digest('hex')}.json`);
}

export function repoTagsFolder(dir: string): string {
  return join(versionRoot(dir), 'repo-tags');
}

/** Where one file per tag lived before repo-tags/: still measured and evicted, never read. */
export function legacyTagsFolder(dir: string): string {
  return join(versionRoot(dir), 'tags');
}

export function lastWalkPath(dir: string): string {
  return join(versionRoot(dir), 'last-walk');
}
