/**
 * The pull-allowance guard. Docker Hub counts manifest GETs, not HEADs: "a pull request is
 * defined as up to two GET requests on registry manifest URLs", so an index and the platform
 * image chosen from it are one pull. It reports the allowance left on every answer
 * (`ratelimit-remaining: 76;w=21600`): https://docs.docker.com/docker-hub/usage/pulls/
 * Before fetching anything, `regsize tags` works out how many manifest GETs the run needs
 * (manifests already in the cache cost none) and stops when more are needed than remain,
 * rather than spending the allowance and then failing half way with 429s.
 */
import { RegsizeError } from '../errors.js';
import type { Descriptor } from '../oci/manifest.js';
import { isIndexMediaType } from '../oci/media-types.js';
import type { Platform } from '../oci/platform.js';
import { allPlatforms, choosePlatform } from '../oci/platform-match.js';
import type { ManifestApi, RateLimit, RepoRef } from '../transport/registry-api.js';

/** What the estimate reads: whether a manifest is at hand, and the cached ones themselves. */
export type ManifestLookup = Pick<ManifestApi, 'manifestCached' | 'manifestGet'>;

export interface GetEstimate {
  /** Manifest GETs the run will send. */
  gets: number;
  /** Pulls those GETs count as: up to two GETs of one image (index, platform image) are one. */
  pulls: number;
  /** True when some could not be counted in advance (an index not yet fetched, with --platform all). */
  atLeast: boolean;
}

/**
 * Manifest GETs needed to size `digests` (each with the media type its HEAD reported, when
 * known). A cached manifest costs nothing; an index not yet fetched costs itself plus the
 * platform image chosen from it; a cached index costs only its children that are not cached.
 */
export async function estimateManifestGets(
  client: ManifestLookup,
  repo: RepoRef,
  digests: Map<string, string | undefined>,
  platform: Platform | 'all',
): Promise<GetEstimate> {
  let gets = 0;
  let pulls = 0;
  let atLeast = false;
  const add = (n: number) => {
    gets += n;
    pulls += Math.ceil(n / 2);
  };
  for (const [digest, mediaType] of digests) {
    if (!(await client.manifestCached(repo, digest))) {
      if (isIndexMediaType(mediaType)) {
        add(2);
        if (platform === 'all') atLeast = true;
      } else {
        add(1);
        if (!mediaType) atLeast = true; // a tag answered from the cache whose manifest was evicted: kind unknown
      }
      continue;
    }
    const top = await client.manifestGet(repo, digest).catch(() => undefined);
    if (top?.manifest.kind !== 'index') continue;
    let children: Descriptor[];
    try {
      children = platform === 'all' ? allPlatforms(top.manifest) : [choosePlatform(top.manifest, platform, digest).descriptor];
    } catch {
      continue; // no such platform: sizing fails for this digest without another GET
    }
    let missing = 0;
    for (const child of children) if (!(await client.manifestCached(repo, child.digest))) missing += 1;
    add(missing);
  }
  return { gets, pulls, atLeast };
}

/** Throws RATE_LIMITED when the registry said fewer pulls remain than the run needs. */
export function checkAllowance(name: string, registry: string, needed: GetEstimate, limit: RateLimit | undefined): void {
  const remaining = limit?.remaining;
  if (remaining === undefined || needed.pulls <= remaining) return;
  const of = limit?.limit !== undefined ? ` of ${limit.limit}` : '';
  const pulls = `${needed.atLeast ? 'at least ' : ''}${needed.pulls} pull${needed.pulls === 1 ? '' : 's'} (${needed.gets} manifest GETs)`;
  throw new RegsizeError(
    'RATE_LIMITED',
    `${name}: sizing these tags needs ${pulls}, but ${registry} allows only ${remaining} more now (ratelimit-remaining ${remaining}${of}); narrow the tags with --filter, --regex or --limit, log in (docker login) for a higher limit, or pass --force to go on anyway`,
  );
}
