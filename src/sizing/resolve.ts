/**
 * From a reference to the image manifest(s) that would be pulled: fetch what the tag or digest
 * names; if it is an index, choose the platform as docker does (or every platform with "all").
 * A single image manifest names its platform only in its config, which is fetched for it.
 */
import { RegsizeError } from '../errors.js';
import { configPlatform, parseImageConfig } from './image-config.js';
import { type Descriptor, type FetchedManifest, type ImageManifest, type IndexManifest } from '../oci/manifest.js';
import { isImageManifestMediaType, isIndexMediaType } from '../oci/media-types.js';
import { formatPlatform, normalizePlatform, type Platform } from '../oci/platform.js';
import { allPlatforms, choosePlatform, platformMatches } from '../oci/platform-match.js';
import { manifestIdentifier, type Reference } from '../reference/reference.js';
import type { Registry, RepoRef, RepositoryReader } from '../transport/registry-api.js';
import type { Logger } from '../log.js';
import { mapLimit } from '../util/limit.js';

/**
 * Platform manifests of one local index read at once. A registry's are all asked at once: the
 * transport bounds what is on the wire (transport/slots.ts), and a bound here only adds waves.
 */
const LOCAL_PLATFORMS_AT_ONCE = 16;

export type PlatformRequest = Platform | 'all';

/** One platform's image manifest, wherever it is stored. */
export interface ResolvedManifest {
  /** What the tag resolved to (an index or the image manifest itself). */
  digest: string;
  /** The top-level manifest when it is an index (for annotations, e.g. the base image). */
  index?: IndexManifest;
  platform: string;
  manifestDigest: string;
  manifest: ImageManifest;
}

/** One platform's image manifest, with the registry it came from. */
export interface ResolvedImage extends ResolvedManifest {
  ref: Reference;
  repo: RepoRef;
}

/** The platform an image's config names (`os`, `architecture`, `variant`), decoded where every config is. */
async function platformOfConfig(store: RepositoryReader, m: ImageManifest, what: string): Promise<Platform> {
  return configPlatform(parseImageConfig(await store.blobGet(m.config.digest), m.config.digest, what), what);
}

/** One repository of a registry as a reader of manifests and blobs, the shape a local source fills. */
export function registryStore(client: Registry, repo: RepoRef): RepositoryReader {
  return { manifestGet: (r) => client.manifestGet(repo, r), blobGet: (d) => client.blobGet(repo, d) };
}

export async function resolveImage(client: Registry, ref: Reference, want: PlatformRequest, logger: Logger): Promise<ResolvedImage[]> {
  const repo: RepoRef = { registry: ref.registry, repository: ref.repository };
  const what = ref.input;
  const store = registryStore(client, repo);
  const top = await store.manifestGet(manifestIdentifier(ref));
  if (ref.digest && top.digest !== ref.digest) {
    throw new RegsizeError('DIGEST_MISMATCH', `${what}: the registry returned ${top.digest} for ${ref.digest}`);
  }
  // A pinned name:tag@digest is fetched by digest (immutable); Docker ignores the tag then too.
  return (await resolveManifest(store, top, want, what, logger, Number.POSITIVE_INFINITY)).map((r) => ({ ref, repo, ...r }));
}

/**
 * From a fetched manifest (index or image) to the platform image(s) asked for, in any store.
 * `atOnce` bounds the platform manifests read at once (a registry's transport bounds its own).
 */
export async function resolveManifest(
  store: RepositoryReader,
  top: FetchedManifest,
  want: PlatformRequest,
  what: string,
  logger: Logger,
  atOnce = LOCAL_PLATFORMS_AT_ONCE,
): Promise<ResolvedManifest[]> {
  if (top.manifest.kind === 'image') {
    const platform = await platformOfConfig(store, top.manifest, what);
    if (want !== 'all' && !platformMatches(want, platform)) {
      throw new RegsizeError('PLATFORM_NOT_FOUND', `${what}: the image is ${formatPlatform(platform)} only, not ${formatPlatform(normalizePlatform(want))} (use --platform ${formatPlatform(platform)})`);
    }
    return [{ digest: top.digest, platform: formatPlatform(platform), manifestDigest: top.digest, manifest: top.manifest }];
  }
  const index = top.manifest;
  const chosen: Descriptor[] = want === 'all' ? allPlatforms(index) : [pick(index, want, what, logger)];
  if (chosen.length === 0) throw new RegsizeError('PLATFORM_NOT_FOUND', `${what}: the index lists no platform images`);
  // An index may list a thousand platforms, and each costs a manifest GET.
  return mapLimit(chosen, atOnce, async (d) => {
    const child = await childImage(store, d, what, new Set([top.digest]));
    return { digest: top.digest, index, platform: formatPlatform(d.platform as Platform), manifestDigest: child.digest, manifest: child.manifest as ImageManifest };
  });
}

function pick(index: IndexManifest, want: Platform, what: string, logger: Logger): Descriptor {
  const choice = choosePlatform(index, want, what);
  if (choice.note) logger.warn(choice.note);
  return choice.descriptor;
}

/**
 * Indexes nested deeper than this are refused. Digests make a true loop impossible through a
 * verifying client, but a registry can still serve an arbitrarily long chain of indexes.
 */
const MAX_INDEX_DEPTH = 8;

/** Follows an index entry to its image manifest; nested indexes are followed, loops refused. */
async function childImage(store: RepositoryReader, d: Descriptor, what: string, visited: Set<string>): Promise<FetchedManifest> {
  if (visited.has(d.digest)) throw new RegsizeError('MANIFEST_INVALID', `${what}: the index refers to itself (${d.digest}); the descriptor graph loops`);
  if (visited.size > MAX_INDEX_DEPTH) throw new RegsizeError('MANIFEST_INVALID', `${what}: indexes nested more than ${MAX_INDEX_DEPTH} deep; the descriptor graph is not a sensible image`);
  if (!isImageManifestMediaType(d.mediaType) && !isIndexMediaType(d.mediaType)) {
    throw new RegsizeError('UNSUPPORTED_MANIFEST', `${what}: index entry ${d.digest} has media type ${d.mediaType}, not an image manifest`);
  }
  const child = await store.manifestGet(d.digest);
  if (child.bytes.length !== d.size) {
    throw new RegsizeError('DIGEST_MISMATCH', `${what}: manifest ${d.digest} is ${child.bytes.length} bytes, the index says ${d.size}`);
  }
  if (child.manifest.kind === 'image') return child;
  visited.add(d.digest);
  const nested = choosePlatform(child.manifest, d.platform ?? normalizePlatform({ os: 'linux', architecture: 'amd64' }), what).descriptor;
  return childImage(store, nested, what, visited);
}
