/**
 * `regsize tags` for a Docker Hub repository through hub.docker.com's tag list (hub-api.ts):
 *   1. one request per 100 tags gives every tag's digest and each platform's size: no manifest
 *      GET, so no pull is counted;
 *   2. the platform is chosen from that list as from an index (containerd's rules);
 *   3. the first `verify` tags the user is shown are checked against their manifests (an index
 *      and its platform image are one pull): where the Hub's figure differs from the layer sum,
 *      the layer sum is the figure, and the difference is said.
 * Each entry says where its figure came from: `"sizeSource": "hub-api"` (with `"verified": true`
 * when checked) or `"manifest"`.
 */
import { toRegsizeError } from '../errors.js';
import { compressedSize, type Descriptor, type IndexManifest } from '../oci/manifest.js';
import { MediaType } from '../oci/media-types.js';
import { formatPlatform, normalizePlatform, parsePlatform } from '../oci/platform.js';
import { allPlatforms, choosePlatform } from '../oci/platform-match.js';
import { resolveImage } from '../sizing/resolve.js';
import type { Registry, RepoRef } from '../transport/registry-api.js';
import { type HubImage, type HubTag, hubTagList } from './hub-api.js';
import { isTagError, orderEntries, type TagEntry, type TagsEntry } from './result.js';
import { selectTags } from './select.js';
import type { HubOptions, TagsOptions, TagsRepository, TagsRun } from './types.js';

/** A Hub tag's platform list, as an index that choosePlatform can read. */
function asIndex(t: HubTag): IndexManifest {
  return {
    kind: 'index',
    mediaType: MediaType.OCI_INDEX,
    manifests: t.images.map((i): Descriptor => ({ mediaType: MediaType.OCI_MANIFEST, digest: i.digest, size: 0, platform: i.platform })),
  };
}

function chosenImages(t: HubTag, options: TagsOptions, what: string): HubImage[] {
  const index = asIndex(t);
  const byDigest = new Map(t.images.map((i) => [i.digest, i]));
  if (options.platform === 'all') return allPlatforms(index).map((d) => byDigest.get(d.digest) as HubImage);
  const choice = choosePlatform(index, options.platform, what);
  if (choice.note) options.logger.warn(choice.note);
  return [byDigest.get(choice.descriptor.digest) as HubImage];
}

export async function sizeFromHub(
  client: Registry,
  repo: TagsRepository,
  namespace: [string, string],
  options: TagsOptions & { hub: HubOptions },
  matches: (tag: string) => boolean,
): Promise<TagsRun> {
  const name = repo.input;
  const hubTags = await hubTagList(options.hub.http, ...namespace);
  const byName = new Map(hubTags.map((t) => [t.name, t]));
  const selection = selectTags(hubTags.map((t) => t.name), options, matches);
  const entries: TagsEntry[] = selection.tags.flatMap((tag): TagsEntry[] => {
    const t = byName.get(tag) as HubTag;
    try {
      return chosenImages(t, options, `${name}:${tag}`).map((i) => ({ tag, digest: t.digest, platform: formatPlatform(i.platform), compressedSize: i.size, sizeSource: 'hub-api' }));
    } catch (e) {
      const err = toRegsizeError(e);
      return [{ tag, digest: t.digest, error: { code: err.code, message: err.message } }];
    }
  });
  const ordered = orderEntries(entries, options.sort);
  await verifyShown(client, repo, ordered, options);
  return {
    result: { repository: `${repo.registry}/${repo.repository}`, tags: orderEntries(ordered, options.sort) },
    selection,
    digests: new Set(entries.map((e) => e.digest)).size,
  };
}

/**
 * Checks the Hub's figures for the first `verify` distinct images shown against the manifests'
 * layer sums (resolving a tag costs its index and platform image GETs: one pull).
 */
async function verifyShown(client: Registry, repo: TagsRepository, ordered: TagsEntry[], options: TagsOptions & { hub: HubOptions }): Promise<void> {
  const repoRef: RepoRef = { registry: repo.registry, repository: repo.repository };
  const shown = ordered.filter((e): e is TagEntry => !isTagError(e));
  const digests = [...new Set(shown.map((e) => e.digest))].slice(0, options.hub.verify);
  if (digests.length === 0) return;
  client.expect([repoRef]);
  for (const digest of digests) {
    const group = shown.filter((e) => e.digest === digest);
    const first = group[0] as TagEntry;
    let images;
    try {
      images = await resolveImage(client, { input: `${repo.input}:${first.tag}`, ...repoRef, tag: first.tag, digest }, options.platform, options.logger);
    } catch (e) {
      options.logger.warn(`${repo.input}:${first.tag}: could not check Docker Hub's figure against the manifest (${toRegsizeError(e).message}); showing Docker Hub's`);
      continue;
    }
    for (const img of images) {
      const actual = compressedSize(img.manifest);
      const key = formatPlatform(normalizePlatform(parsePlatform(img.platform)));
      for (const e of group) {
        if (formatPlatform(normalizePlatform(parsePlatform(e.platform))) !== key) continue;
        if (e.compressedSize === actual) {
          e.verified = true;
        } else {
          options.logger.warn(`${repo.input}:${e.tag} (${e.platform}): Docker Hub's API says ${e.compressedSize} bytes, the manifest's layers sum to ${actual}; showing the manifest's`);
          e.compressedSize = actual;
          e.sizeSource = 'manifest';
        }
      }
    }
  }
  // The manifests checked reach the cache before the process may exit.
  await client.flushTags();
}
