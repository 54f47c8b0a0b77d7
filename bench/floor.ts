/**
 * The physical floor of each task: the longest chain of round trips where each one needs the
 * answer of the one before, whatever the tool. Requests that do not depend on each other
 * (the six index GETs of six images) can share one round trip, so the floor does not grow
 * with the number of images; start-up, CPU and bandwidth are not part of it.
 *
 * The chains assume TLS 1.3 (one round trip; every client here negotiates it, and the
 * benchmark records the version) and a token realm on the registry's own host.
 */
export interface Floor {
  /** One entry per dependent round trip, in order. */
  steps: string[];
}

export function floorMs(floor: Floor, rttMs: number): number {
  return floor.steps.length * rttMs;
}

const CONNECT = ['TCP connect (SYN, SYN-ACK)', 'TLS 1.3 handshake'];
/** The registry says how to authenticate only in its 401 answer; the token needs the realm from it. */
const AUTH = ['GET /v2/ (401 names the token realm)', 'GET /token (one token for every repository)'];

export const FLOORS = {
  /** Size N images: what the tag names (an index), then the chosen platform's manifest. */
  compareCold: { steps: [...CONNECT, ...AUTH, 'GET each index by tag (all images at once)', 'GET each platform manifest by digest (all at once)'] },
  /** Every tag answer fresh in the cache (within --tag-ttl), every manifest cached by digest. */
  compareWarm: { steps: [] },
  /** Cache holds the manifests but the tags must be re-checked (--tag-ttl 0): a HEAD per tag. */
  compareRevalidate: { steps: [...CONNECT, ...AUTH, 'HEAD each tag (all at once): digest unchanged, so the cached manifests stand'] },
  /** Size every tag: the list, then per tag its index (GET by tag gives the digest too), then the platform manifest. */
  tagsCold: { steps: [...CONNECT, ...AUTH, 'GET /v2/<name>/tags/list', 'GET each index by tag (all at once)', 'GET each platform manifest by digest (all at once)'] },
  /** The tag list is the question itself (a tag may be new), so it is asked again; everything else is cached. */
  tagsWarm: { steps: [...CONNECT, ...AUTH, 'GET /v2/<name>/tags/list'] },
} satisfies Record<string, Floor>;
