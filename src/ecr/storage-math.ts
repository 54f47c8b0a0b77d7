/**
 * The arithmetic of `regsize ecr audit`, pure: data about one repository in, figures out.
 * No SDK, no clock (the caller passes `now`), so every figure can be checked by hand.
 *
 * Images are counted as users see them. ECR lists every manifest as an image of its own, so
 * a multi-platform image shows up as its index plus one untagged "image" per platform (and
 * per attestation), and `imageSizeInBytes` of the index repeats its largest child's size.
 * Here a manifest that is a child of an index in the repository belongs to that index, and a
 * referrer (a signature or SBOM naming a `subjectManifestDigest`) to its subject: one image.
 * A manifest that carries tags of its own is also an image in its own right.
 *
 * Storage holds each layer once per repository however many images name it, so:
 *   uniqueSize               every distinct layer once
 *   reclaimableUntaggedSize  layers that only untagged images hold: what deleting them frees
 *   reclaimableStaleSize     layers that only stale images hold
 * Configs and manifests (a few KB each) are not counted, as in `imageSizeInBytes`.
 */

export interface InventoryImage {
  digest: string;
  tags: string[];
  /** `imageSizeInBytes` as DescribeImages reports it. */
  sizeInBytes: number;
  pushedAt?: Date | undefined;
  /** `lastRecordedPullTime`, as read before any manifest (reading one counts as a pull). */
  lastPulledAt?: Date | undefined;
  /** `subjectManifestDigest`: this manifest refers to (signs, describes) that one. */
  subjectDigest?: string | undefined;
}

export interface LayerRef {
  digest: string;
  size: number;
}

/** What a manifest contributes: an image's layers, or an index's children. */
export type ManifestContent = { kind: 'image'; layers: LayerRef[] } | { kind: 'index'; children: string[] };

export interface AuditOptions {
  now: Date;
  /** An image not pulled for this many days (or never pulled and pushed before then) is stale. */
  staleDays: number;
  /** Dollars per GB-month; AWS bills storage per GB of 2^30 bytes. */
  pricePerGbMonth: number;
  /** How many of the largest images to list. */
  top: number;
}

/** One image as users see it: a root manifest with everything that belongs to it. */
export interface ImageGroup {
  root: InventoryImage;
  /** Digests of the root and every manifest that belongs to it. */
  members: string[];
  tagged: boolean;
  /** Distinct layers of every member, digest -> size. */
  layers: Map<string, number>;
  /** Bytes the image stores: its distinct layers, or `imageSizeInBytes` when no manifest was read. */
  size: number;
  pushedAt: Date | undefined;
  /** The latest pull of any member: pulling a multi-platform image pulls its index and a child. */
  lastPulledAt: Date | undefined;
  stale: boolean;
}

export interface AuditedImage {
  digest: string;
  tags: string[];
  size: number;
  pushedAt: string | null;
  lastPulledAt: string | null;
}

export interface RepositoryFigures {
  imageCount: number;
  taggedCount: number;
  untaggedCount: number;
  /** Sum of `imageSizeInBytes` over every manifest listed: the API's figure, which double-counts. */
  totalSize: number;
  /** null when manifests were not read (--no-layers). */
  uniqueSize: number | null;
  reclaimableUntaggedSize: number | null;
  staleCount: number;
  reclaimableStaleSize: number | null;
  monthlyCost: number | null;
  largest: AuditedImage[];
  /** False with --no-layers: index children then count as untagged images of their own. */
  layersRead: boolean;
}

export const BYTES_PER_BILLED_GB = 2 ** 30;
const DAY_MS = 86_400_000;

/**
 * Groups the repository's manifests into images. `manifests` holds what BatchGetImage
 * returned (undefined when manifests were not read: then every listed manifest is an image).
 */
export function groupImages(images: InventoryImage[], manifests: ReadonlyMap<string, ManifestContent> | undefined, options: Pick<AuditOptions, 'now' | 'staleDays'>): ImageGroup[] {
  const listed = new Map(images.map((i) => [i.digest, i]));
  const referrers = new Map<string, string[]>();
  for (const i of images) {
    if (i.subjectDigest && i.subjectDigest !== i.digest && listed.has(i.subjectDigest)) {
      referrers.set(i.subjectDigest, [...(referrers.get(i.subjectDigest) ?? []), i.digest]);
    }
  }
  const known = (d: string) => listed.has(d) || manifests?.has(d) === true;
  const childrenOf = (d: string): string[] => {
    const m = manifests?.get(d);
    const kids = m?.kind === 'index' ? m.children : [];
    return [...kids, ...(referrers.get(d) ?? [])].filter((c) => c !== d && known(c));
  };

  const hasParent = new Set<string>();
  if (manifests) for (const d of new Set([...listed.keys(), ...manifests.keys()])) for (const c of childrenOf(d)) hasParent.add(c);
  else for (const kids of referrers.values()) for (const c of kids) hasParent.add(c);

  const roots = images.filter((i) => i.tags.length > 0 || !hasParent.has(i.digest));
  const reached = new Set<string>();
  const membersOf = (root: string): string[] => {
    const seen = new Set<string>([root]);
    const stack = [root];
    while (stack.length) {
      for (const c of childrenOf(stack.pop() as string)) {
        if (seen.has(c)) continue;
        seen.add(c);
        stack.push(c);
      }
    }
    for (const d of seen) reached.add(d);
    return [...seen];
  };
  const groups = roots.map((root) => ({ root, members: membersOf(root.digest) }));
  // Parents that only reach each other (a cycle no registry should hold): each is its own image.
  for (const i of images) if (!reached.has(i.digest)) groups.push({ root: i, members: membersOf(i.digest) });

  const cutoff = options.now.getTime() - options.staleDays * DAY_MS;
  return groups.map(({ root, members }) => {
    const layers = new Map<string, number>();
    for (const d of members) {
      const m = manifests?.get(d);
      if (m?.kind === 'image') for (const l of m.layers) if (!layers.has(l.digest)) layers.set(l.digest, l.size);
    }
    const pulls = members.map((d) => listed.get(d)?.lastPulledAt?.getTime()).filter((t): t is number => t !== undefined && !Number.isNaN(t));
    const lastPulledAt = pulls.length ? new Date(Math.max(...pulls)) : undefined;
    const pushedAt = root.pushedAt;
    const stale = lastPulledAt ? lastPulledAt.getTime() < cutoff : pushedAt !== undefined && pushedAt.getTime() < cutoff;
    const size = manifests ? sum(layers.values()) : root.sizeInBytes;
    return { root, members, tagged: root.tags.length > 0, layers, size, pushedAt, lastPulledAt, stale };
  });
}

/** Bytes of every distinct layer the groups hold. */
export function uniqueBytes(groups: ImageGroup[]): number {
  const all = new Map<string, number>();
  for (const g of groups) for (const [d, s] of g.layers) if (!all.has(d)) all.set(d, s);
  return sum(all.values());
}

/** What deleting every group that `doomed` selects would free: layers no other group holds. */
export function bytesFreedBy(groups: ImageGroup[], doomed: (g: ImageGroup) => boolean): number {
  const kept = new Set<string>();
  for (const g of groups) if (!doomed(g)) for (const d of g.layers.keys()) kept.add(d);
  const freed = new Map<string, number>();
  for (const g of groups) if (doomed(g)) for (const [d, s] of g.layers) if (!kept.has(d)) freed.set(d, s);
  return sum(freed.values());
}

export function monthlyCost(bytes: number, pricePerGbMonth: number): number {
  return Math.round((bytes / BYTES_PER_BILLED_GB) * pricePerGbMonth * 10_000) / 10_000;
}

export function auditFigures(images: InventoryImage[], manifests: ReadonlyMap<string, ManifestContent> | undefined, options: AuditOptions): RepositoryFigures & { groups: ImageGroup[] } {
  const groups = groupImages(images, manifests, options);
  const layersRead = manifests !== undefined;
  const unique = layersRead ? uniqueBytes(groups) : null;
  const tagged = groups.filter((g) => g.tagged).length;
  const largest = [...groups]
    .sort((a, b) => b.size - a.size || (b.pushedAt?.getTime() ?? 0) - (a.pushedAt?.getTime() ?? 0) || a.root.digest.localeCompare(b.root.digest))
    .slice(0, Math.max(0, options.top))
    .map((g) => ({ digest: g.root.digest, tags: [...g.root.tags], size: g.size, pushedAt: iso(g.pushedAt), lastPulledAt: iso(g.lastPulledAt) }));
  return {
    imageCount: groups.length,
    taggedCount: tagged,
    untaggedCount: groups.length - tagged,
    totalSize: sum(images.map((i) => i.sizeInBytes)),
    uniqueSize: unique,
    reclaimableUntaggedSize: layersRead ? bytesFreedBy(groups, (g) => !g.tagged) : null,
    staleCount: groups.filter((g) => g.stale).length,
    reclaimableStaleSize: layersRead ? bytesFreedBy(groups, (g) => g.stale) : null,
    monthlyCost: unique === null ? null : monthlyCost(unique, options.pricePerGbMonth),
    largest,
    layersRead,
    groups,
  };
}

function sum(values: Iterable<number>): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

function iso(d: Date | undefined): string | null {
  return d && !Number.isNaN(d.getTime()) ? d.toISOString() : null;
}
