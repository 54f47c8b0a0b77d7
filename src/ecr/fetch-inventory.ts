/**
 * The ECR API calls of an audit, and nothing else: repositories (DescribeRepositories),
 * images with their push and pull times (DescribeImages), and manifests (BatchGetImage),
 * each following every page. Every call goes through one gate, so an audit of many
 * repositories keeps a bounded number of requests in flight; throttling is retried by the
 * SDK's adaptive mode (src/ecr/client.ts).
 *
 * Order matters: ECR records a pull whenever a manifest is read, BatchGetImage included
 * (it is what `docker pull` calls). So a repository's images are all described, pull times
 * included, before any of its manifests is read.
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_BatchGetImage.html
 */
import type { ImageDetail } from '@aws-sdk/client-ecr';
import { decodeManifest } from '../oci/manifest.js';
import { MANIFEST_MEDIA_TYPES } from '../oci/media-types.js';
import type { Logger } from '../log.js';
import type { InventoryImage, ManifestContent } from './storage-math.js';
import { ecrError } from './api-errors.js';
import type { EcrClientHandle } from './client.js';
import { gate } from '../util/limit.js';
import { capReached, DEFAULT_ECR_LIMITS, type EcrLimits } from './limits.js';

/** BatchGetImage takes at most 100 image ids per call. */
export const BATCH_GET_IMAGE_MAX_IDS = 100;
/** Pages as large as the API allows: fewer round trips. */
const DESCRIBE_PAGE_SIZE = 1000;
/** Without acceptedMediaTypes ECR answers Docker v2 only, and may refuse or convert the others. */

export interface RepositoryTarget {
  repositoryName: string;
  /** The account of the registry; default: the caller's own. */
  registryId?: string | undefined;
}

/** The ECR API as an audit uses it: bounded, logged, errors mapped to one-line messages. */
export class EcrApi {
  /** Calls made per operation (read by tests and --verbose). */
  readonly calls = new Map<string, number>();
  /** How far listings and index expansion are followed (src/ecr/limits.ts). */
  readonly limits: EcrLimits;
  private readonly limit: <T>(task: () => Promise<T>) => Promise<T>;

  constructor(
    readonly handle: EcrClientHandle,
    private readonly logger: Logger,
    concurrency: number,
    private readonly endpoint?: string,
    limits: Partial<EcrLimits> = {},
  ) {
    this.limit = gate(concurrency);
    this.limits = { ...DEFAULT_ECR_LIMITS, ...limits };
  }

  get region(): string {
    return this.handle.region;
  }

  async send<T>(operation: string, command: unknown, target?: RepositoryTarget): Promise<T> {
    return this.limit(async () => {
      this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
      const started = Date.now();
      try {
        const out = (await this.handle.client.send(command as never)) as T & { $metadata?: { attempts?: number } };
        const retries = (out.$metadata?.attempts ?? 1) - 1;
        this.logger.debug(`ECR ${operation}${target ? ` ${target.repositoryName}` : ''} ${Date.now() - started}ms${retries > 0 ? ` after ${retries} retries` : ''}`);
        return out;
      } catch (e) {
        throw ecrError(e, {
          operation,
          repository: target?.repositoryName,
          registryId: target?.registryId,
          region: this.handle.region,
          profile: this.handle.profile,
          endpoint: this.endpoint,
        });
      }
    });
  }
}

/** Every repository of the registry (DescribeRepositories, all pages). */
export async function listRepositories(api: EcrApi, registryId?: string): Promise<Required<RepositoryTarget>[]> {
  const out: Required<RepositoryTarget>[] = [];
  const pages = new Pages(api, 'DescribeRepositories');
  let nextToken: string | undefined;
  do {
    const page: { repositories?: { repositoryName?: string; registryId?: string }[]; nextToken?: string } = await api.send(
      'DescribeRepositories',
      new api.handle.sdk.DescribeRepositoriesCommand({ ...(registryId ? { registryId } : {}), maxResults: DESCRIBE_PAGE_SIZE, ...(nextToken ? { nextToken } : {}) }),
    );
    const repositories = pages.items(page.repositories);
    if (out.length + repositories.length > api.limits.maxRepositories) throw capReached('DescribeRepositories', `listed more than ${api.limits.maxRepositories} repositories`);
    for (const r of repositories) if (r.repositoryName) out.push({ repositoryName: r.repositoryName, registryId: r.registryId ?? registryId ?? '' });
    nextToken = pages.next(page.nextToken);
  } while (nextToken);
  return out;
}

export interface DescribedImages {
  images: InventoryImage[];
  /** The registry's account, as the API reports it (undefined for an empty repository). */
  registryId: string | undefined;
}

/** Every image of a repository with its tags, size, push and pull times (DescribeImages, all pages). */
export async function describeImages(api: EcrApi, target: RepositoryTarget): Promise<DescribedImages> {
  const images = new Map<string, InventoryImage>();
  let registryId = target.registryId;
  let nextToken: string | undefined;
  const pages = new Pages(api, 'DescribeImages', target.repositoryName);
  do {
    const page: { imageDetails?: ImageDetail[]; nextToken?: string } = await api.send(
      'DescribeImages',
      new api.handle.sdk.DescribeImagesCommand({
        repositoryName: target.repositoryName,
        ...(target.registryId ? { registryId: target.registryId } : {}),
        maxResults: DESCRIBE_PAGE_SIZE,
        ...(nextToken ? { nextToken } : {}),
      }),
      target,
    );
    const details = pages.items(page.imageDetails);
    if (images.size + details.length > api.limits.maxImages) throw capReached('DescribeImages', `listed more than ${api.limits.maxImages} images`, target.repositoryName);
    for (const d of details) {
      if (!d.imageDigest) continue;
      registryId ??= d.registryId;
      images.set(d.imageDigest, {
        digest: d.imageDigest,
        tags: [...(d.imageTags ?? [])].sort(),
        sizeInBytes: d.imageSizeInBytes ?? 0,
        pushedAt: d.imagePushedAt,
        lastPulledAt: d.lastRecordedPullTime,
        subjectDigest: d.subjectManifestDigest,
      });
    }
    nextToken = pages.next(page.nextToken);
  } while (nextToken);
  return { images: [...images.values()], registryId };
}

export interface ManifestFailure {
  digest: string;
  reason: string;
}

export interface ReadManifests {
  manifests: Map<string, ManifestContent>;
  failures: ManifestFailure[];
}

/**
 * The manifests of `digests`, at most 100 per BatchGetImage call, with every index's children
 * that were not asked for (ECR lists those too, so normally there are none).
 */
export async function readManifests(api: EcrApi, target: RepositoryTarget, digests: string[]): Promise<ReadManifests> {
  const manifests = new Map<string, ManifestContent>();
  const failures: ManifestFailure[] = [];
  const asked = new Set<string>();
  const { maxImages, maxIndexDepth } = api.limits;
  let round = [...new Set(digests)];
  // Round 0 reads the listed images; each further round, the children of the indexes just read.
  for (let depth = 0; round.length; depth++) {
    if (depth > maxIndexDepth) throw capReached('BatchGetImage', `answered indexes nested more than ${maxIndexDepth} deep beyond the images DescribeImages listed`, target.repositoryName);
    // Checked before the round is asked for: a fan-out of new indexes grows a hundredfold a round.
    if (asked.size + round.length > maxImages) throw capReached('BatchGetImage', `answered indexes naming more than ${maxImages} manifests`, target.repositoryName);
    for (const d of round) asked.add(d);
    const batches: string[][] = [];
    for (let i = 0; i < round.length; i += BATCH_GET_IMAGE_MAX_IDS) batches.push(round.slice(i, i + BATCH_GET_IMAGE_MAX_IDS));
    await Promise.all(batches.map((batch) => readBatch(api, target, batch, manifests, failures)));
    const missing = new Set<string>();
    for (const m of manifests.values()) if (m.kind === 'index') for (const c of m.children) if (!asked.has(c)) missing.add(c);
    round = [...missing];
  }
  return { manifests, failures };
}

async function readBatch(api: EcrApi, target: RepositoryTarget, batch: string[], manifests: Map<string, ManifestContent>, failures: ManifestFailure[]): Promise<void> {
  const answer: {
    images?: { imageId?: { imageDigest?: string }; imageManifest?: string; imageManifestMediaType?: string }[];
    failures?: { imageId?: { imageDigest?: string }; failureCode?: string; failureReason?: string }[];
  } = await api.send(
    'BatchGetImage',
    new api.handle.sdk.BatchGetImageCommand({
      repositoryName: target.repositoryName,
      ...(target.registryId ? { registryId: target.registryId } : {}),
      imageIds: batch.map((imageDigest) => ({ imageDigest })),
      acceptedMediaTypes: [...MANIFEST_MEDIA_TYPES],
    }),
    target,
  );
  for (const img of answer.images ?? []) {
    const digest = img.imageId?.imageDigest;
    if (!digest || manifests.has(digest) || img.imageManifest === undefined) continue;
    try {
      // ECR hands the manifest over as a string inside a signed TLS answer; it is decoded, not re-hashed.
      const m = decodeManifest(Buffer.from(img.imageManifest, 'utf8'), img.imageManifestMediaType ?? '', `${target.repositoryName}@${digest}`);
      if (m.kind === 'index' && m.manifests.length > api.limits.maxIndexChildren) {
        throw capReached('BatchGetImage', `answered an index (${digest}) of ${m.manifests.length} manifests, more than the ${api.limits.maxIndexChildren} regsize reads`, target.repositoryName);
      }
      manifests.set(digest, m.kind === 'image' ? { kind: 'image', layers: m.layers.map((l) => ({ digest: l.digest, size: l.size })) } : { kind: 'index', children: m.manifests.map((c) => c.digest) });
    } catch (e) {
      failures.push({ digest, reason: (e as Error).message });
    }
  }
  for (const f of answer.failures ?? []) {
    const digest = f.imageId?.imageDigest;
    if (digest && !manifests.has(digest)) failures.push({ digest, reason: `${f.failureCode ?? 'failure'}${f.failureReason ? `: ${f.failureReason}` : ''}` });
  }
}

/** One listing's pages: bounded in number and length, and never looping on a token. */
class Pages {
  private readonly seen = new Set<string>();
  private count = 0;

  constructor(
    private readonly api: EcrApi,
    private readonly operation: string,
    private readonly where?: string,
  ) {}

  /** A page's items; a page longer than asked for is not ECR's. */
  items<T>(list: T[] | undefined): T[] {
    const items = list ?? [];
    if (items.length > DESCRIBE_PAGE_SIZE) throw capReached(this.operation, `answered a page of ${items.length} items, asked for at most ${DESCRIBE_PAGE_SIZE}`, this.where);
    return items;
  }

  /** The token of the next page, if any and if the listing may go on. */
  next(token: string | undefined): string | undefined {
    this.count++;
    if (!token) return undefined;
    if (this.seen.has(token)) throw ecrError(new Error(`${this.operation} pagination loops (nextToken repeated)`), { operation: this.operation });
    if (this.count >= this.api.limits.maxPages) throw capReached(this.operation, `did not end after ${this.api.limits.maxPages} pages`, this.where);
    this.seen.add(token);
    return token;
  }
}
