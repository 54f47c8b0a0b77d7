/**
 * `regsize tags`: size every selected tag of a repository while asking each question once.
 *   1. list the tags (all pages), select them (filters, signature tags hidden, --limit);
 *   2. learn each tag's digest: a fresh cached answer, else a HEAD (not a "pull" on Docker Hub),
 *      every HEAD at once (the transport bounds them: an HTTP/2 registry's stream limit, or
 *      --concurrency to an HTTP/1.1 one), the answers written to the cache in one batch;
 *   3. check the pull allowance against the manifest GETs still needed (unless --force);
 *   4. resolve each distinct digest once, all at once (cached manifests cost nothing), so
 *      forty tags over eight images cost eight manifest GETs, and a warm run none.
 * One failing tag becomes that tag's error entry and never hides the others.
 */
import { RegsizeError, toRegsizeError } from '../errors.js';
import { compressedSize } from '../oci/manifest.js';
import { DOCKER_HUB, type Reference } from '../reference/reference.js';
import { resolveImage, type ResolvedImage } from '../sizing/resolve.js';
import type { Registry, RepoRef } from '../transport/registry-api.js';
import { hubNamespace, isHubUnavailable } from './hub-api.js';
import { sizeFromHub } from './hub-size.js';
import { checkAllowance, estimateManifestGets } from './pull-allowance.js';
import { orderEntries, type TagErrorEntry, type TagsEntry } from './result.js';
import { selectTags, tagMatcher } from './select.js';
import type { TagsOptions, TagsRepository, TagsRun } from './types.js';

export type { TagsOptions, TagsPhase, TagsRepository, TagsRun } from './types.js';

type Looked = { tag: string; digest: string; mediaType?: string } | { tag: string; error: TagErrorEntry };

export async function sizeTags(client: Registry, repo: TagsRepository, options: TagsOptions): Promise<TagsRun> {
  const repoRef: RepoRef = { registry: repo.registry, repository: repo.repository };
  const name = repo.input.trim();
  const repository = `${repo.registry}/${repo.repository}`;
  // A bad --filter or --regex is reported before any request.
  const matches = tagMatcher(options);
  const namespace = options.hub && repo.registry === DOCKER_HUB ? hubNamespace(repo.repository) : undefined;
  if (namespace && options.hub) {
    try {
      return await sizeFromHub(client, repo, namespace, { ...options, hub: options.hub }, matches);
    } catch (e) {
      if (!isHubUnavailable(e)) throw e;
      options.logger.warn(`${e.message}; sizing through the registry instead (manifest GETs count as pulls)`);
    }
  }
  client.expect([repoRef]);
  const selection = selectTags(await client.tagList(repoRef), options, matches);

  let looked = 0;
  const lookups = await Promise.all(
    selection.tags.map(async (tag): Promise<Looked> => {
      try {
        return { tag, ...(await digestOf(client, repoRef, tag)) };
      } catch (e) {
        return { tag, error: tagError(name, tag, e) };
      } finally {
        options.onProgress?.('tags', ++looked, selection.tags.length);
      }
    }),
  );
  await client.flushTags();

  // digest -> its tags (version order, as selected), and the media type a HEAD reported.
  const byDigest = new Map<string, { tags: string[]; mediaType: string | undefined }>();
  for (const l of lookups) {
    if ('error' in l) continue;
    const g = byDigest.get(l.digest);
    if (g) {
      g.tags.push(l.tag);
      g.mediaType ??= l.mediaType;
    } else byDigest.set(l.digest, { tags: [l.tag], mediaType: l.mediaType });
  }

  if (!options.force && client.rateLimit(repo.registry)?.remaining !== undefined) {
    const needed = await estimateManifestGets(client, repoRef, new Map([...byDigest].map(([d, g]) => [d, g.mediaType])), options.platform);
    checkAllowance(name, repo.registry, needed, client.rateLimit(repo.registry));
  }

  let sized = 0;
  const groups = [...byDigest];
  const resolved = new Map<string, ResolvedImage[] | RegsizeError>();
  await Promise.all(
    groups.map(async ([digest, g]) => {
      const first = g.tags[0] ?? '';
      const ref: Reference = { input: `${name}:${first}`, registry: repo.registry, repository: repo.repository, tag: first, digest };
      try {
        resolved.set(digest, await resolveImage(client, ref, options.platform, options.logger));
      } catch (e) {
        resolved.set(digest, toRegsizeError(e));
      } finally {
        options.onProgress?.('sizing', ++sized, groups.length);
      }
    }),
  );
  // The manifests fetched reach the cache before the process may exit (their writes run beside the requests).
  await client.flushTags();

  const entries: TagsEntry[] = lookups.flatMap((l): TagsEntry[] => {
    if ('error' in l) return [l.error];
    const r = resolved.get(l.digest);
    if (r instanceof RegsizeError) {
      // The message names the group's first tag; each tag's entry names the tag itself.
      const first = (byDigest.get(l.digest)?.tags[0] ?? l.tag) as string;
      const message = r.message.startsWith(`${name}:${first}:`) ? `${name}:${l.tag}:${r.message.slice(`${name}:${first}:`.length)}` : namingTag(name, l.tag, r.message);
      return [{ tag: l.tag, digest: l.digest, error: { code: r.code, message } }];
    }
    return (r ?? []).map((img) => ({ tag: l.tag, digest: l.digest, platform: img.platform, compressedSize: compressedSize(img.manifest) }));
  });

  return { result: { repository, tags: orderEntries(entries, options.sort) }, selection, digests: byDigest.size };
}

/**
 * A tag's digest through the cache or a HEAD. A registry whose HEAD answer names no digest
 * (some old ones) costs one GET instead, which also caches the manifest.
 */
async function digestOf(client: Registry, repo: RepoRef, tag: string): Promise<{ digest: string; mediaType?: string }> {
  try {
    const { digest, mediaType } = await client.tagDigest(repo, tag);
    return { digest, ...(mediaType ? { mediaType } : {}) };
  } catch (e) {
    if (toRegsizeError(e).code !== 'MANIFEST_INVALID') throw e;
    const fetched = await client.manifestGet(repo, tag);
    return { digest: fetched.digest, mediaType: fetched.mediaType };
  }
}

function tagError(name: string, tag: string, e: unknown): TagErrorEntry {
  const err = toRegsizeError(e);
  return { tag, error: { code: err.code, message: namingTag(name, tag, err.message) } };
}

/** Messages about a blob or a digest do not say which tag led there; say it in front. */
function namingTag(name: string, tag: string, message: string): string {
  return message.includes(`:${tag}:`) ? message : `${name}:${tag}: ${message}`;
}
