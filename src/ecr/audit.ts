/**
 * `regsize ecr audit`: which repositories, in which region and registry, then for each one
 * its images (DescribeImages) before its manifests (BatchGetImage), the figures of
 * src/ecr/storage-math.ts, and optionally a lifecycle policy. Repositories are audited with
 * bounded concurrency; one that fails becomes its own error entry and never hides the
 * others, except for failures every repository would share (no credentials, no network),
 * which stop the run with one message.
 */
import { type ErrorCode, RegsizeError, toRegsizeError, UsageError } from '../errors.js';
import type { Logger } from '../log.js';
import { auditFigures, type RepositoryFigures } from './storage-math.js';
import { ecrError } from './api-errors.js';
import { createEcrClient, type EcrClientHandle, validateRegion } from './client.js';
import { describeImages, EcrApi, listRepositories, readManifests, type RepositoryTarget } from './fetch-inventory.js';
import { ACCOUNT_ID_RE, ECR_PUBLIC_HOST, isEcrRepositoryName, parseEcrHost } from './hosts.js';
import type { EcrLimits } from './limits.js';
import { type LifecycleSuggestion, suggestLifecyclePolicy } from './lifecycle.js';
import { mapLimit } from '../util/limit.js';


/** One repository's audit: its figures (see storage-math.ts) and where it lives. */
export interface RepositoryAudit extends RepositoryFigures {
  registryId: string | null;
  repositoryName: string;
  region: string;
  staleDays: number;
  /** With --suggest-lifecycle. */
  lifecycle?: LifecycleSuggestion;
  /** Manifests that could not be read, and similar; also written to stderr. */
  warnings?: string[];
}

export interface RepositoryAuditError {
  registryId: string | null;
  repositoryName: string;
  region: string;
  error: { code: ErrorCode; message: string };
}

export type RepositoryAuditEntry = RepositoryAudit | RepositoryAuditError;

export interface AuditResult {
  repositories: RepositoryAuditEntry[];
}

export function isAuditError(e: RepositoryAuditEntry): e is RepositoryAuditError {
  return 'error' in e;
}

export interface EcrAuditOptions {
  /** Repository names, or full ECR repository URLs (<account>.dkr.ecr.<region>.amazonaws.com/name). */
  repositories: string[];
  all: boolean;
  region?: string | undefined;
  profile?: string | undefined;
  registryId?: string | undefined;
  endpointUrl?: string | undefined;
  staleDays: number;
  top: number;
  pricePerGbMonth: number;
  /** False for --no-layers: no BatchGetImage at all. */
  readLayers: boolean;
  suggestLifecycle: boolean;
  /** Repositories audited at once, and API requests in flight. */
  concurrency: number;
  timeoutMs?: number;
  logger: Logger;
  onProgress?: (done: number, total: number) => void;
  /** @default () => new Date() */
  now?: () => Date;
  /** @default createEcrClient(...) from the options above */
  client?: EcrClientHandle;
  /** How far listings and index expansion are followed. @default DEFAULT_ECR_LIMITS */
  limits?: Partial<EcrLimits>;
}

interface ParsedTarget extends RepositoryTarget {
  input: string;
  region?: string;
  fips?: boolean;
}

/** A repository argument: a name (`team/app`) or an ECR URL; never an image reference. */
export function parseAuditTarget(input: string): ParsedTarget {
  const raw = input.trim();
  const slash = raw.indexOf('/');
  const first = slash === -1 ? '' : raw.slice(0, slash);
  if (/[@]/.test(raw) || /:[^/]*$/.test(raw.slice(slash + 1))) {
    throw new UsageError('INVALID_REFERENCE', `"${input}" is an image, not a repository: give the repository name alone, e.g. ${raw.replace(/[@:][^/]*$/, '')}`);
  }
  const host = parseEcrHost(first);
  if (first.toLowerCase() === ECR_PUBLIC_HOST) {
    throw new UsageError('INVALID_REFERENCE', `"${input}" is an ECR Public repository; ecr audit reads private registries (<account>.dkr.ecr.<region>.amazonaws.com)`);
  }
  const name = host ? raw.slice(slash + 1) : raw;
  if (!isEcrRepositoryName(name)) {
    throw new UsageError('INVALID_REFERENCE', `invalid repository name "${name}": lowercase letters, digits, ".", "_", "-" and "/" (2 to 256 characters), e.g. team/app`);
  }
  return host ? { input, repositoryName: name, registryId: host.accountId, region: host.region, fips: host.fips } : { input, repositoryName: name };
}

/** One region and registry for the run, from flags and repository URLs, checked for conflicts. */
function resolveScope(targets: ParsedTarget[], o: EcrAuditOptions): { region?: string; registryId?: string; fips: boolean } {
  if (o.region !== undefined) validateRegion(o.region);
  if (o.registryId !== undefined && !ACCOUNT_ID_RE.test(o.registryId)) throw new UsageError('INVALID_INPUT', `invalid --registry-id "${o.registryId}": give the 12-digit AWS account id of the registry`);
  const regions = new Set(targets.map((t) => t.region).filter((r): r is string => r !== undefined));
  if (o.region !== undefined) regions.add(o.region);
  if (regions.size > 1) throw new UsageError('INVALID_INPUT', `the repositories are in several regions (${[...regions].join(', ')}): audit one region at a time`);
  const accounts = new Set(targets.map((t) => t.registryId).filter((a): a is string => a !== undefined));
  if (o.registryId !== undefined) accounts.add(o.registryId);
  if (accounts.size > 1 && o.registryId !== undefined) throw new UsageError('INVALID_INPUT', `--registry-id ${o.registryId} contradicts the registry of ${targets.find((t) => t.registryId && t.registryId !== o.registryId)?.input}`);
  const fips = targets.some((t) => t.fips);
  return { ...(regions.size ? { region: [...regions][0] as string } : {}), ...(o.registryId ? { registryId: o.registryId } : {}), fips };
}

/** Errors every repository would meet alike: stop at the first instead of repeating it per repository. */
const FATAL = new Set<ErrorCode>(['CREDENTIALS', 'NETWORK', 'INVALID_INPUT', 'TIMEOUT']);

export async function auditRepositories(o: EcrAuditOptions): Promise<AuditResult> {
  if (o.all && o.repositories.length) throw new UsageError('INVALID_INPUT', 'give repositories or --all, not both');
  if (!o.all && !o.repositories.length) throw new UsageError('INVALID_INPUT', 'no repositories given: regsize ecr audit REPOSITORY... (e.g. regsize ecr audit team/app), or --all for every repository');
  if (!Number.isInteger(o.staleDays) || o.staleDays < 1) throw new UsageError('INVALID_INPUT', `invalid --stale-days ${o.staleDays}: give a whole number of days, at least 1`);
  const parsed = o.repositories.map(parseAuditTarget);
  const scope = resolveScope(parsed, o);
  const now = (o.now ?? (() => new Date()))();

  const handle =
    o.client ??
    (await createEcrClient({ region: scope.region, profile: o.profile, endpointUrl: o.endpointUrl, fips: scope.fips, ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}) }));
  try {
    // Fail once, up front, when there are no usable credentials at all.
    try {
      await handle.client.config.credentials();
    } catch (e) {
      throw ecrError(e, { operation: 'credentials', profile: o.profile, region: handle.region });
    }
    const api = new EcrApi(handle, o.logger, o.concurrency, o.endpointUrl, o.limits);
    const targets: RepositoryTarget[] = o.all
      ? await listRepositories(api, scope.registryId)
      : dedupe(parsed.map((t) => ({ repositoryName: t.repositoryName, ...((t.registryId ?? scope.registryId) ? { registryId: t.registryId ?? scope.registryId } : {}) })));

    let done = 0;
    let fatal: RegsizeError | undefined;
    o.onProgress?.(0, targets.length);
    const entries = await mapLimit(targets, o.concurrency, async (target): Promise<RepositoryAuditEntry | undefined> => {
      // After a failure every repository would share, the ones not started are not started.
      if (fatal) return undefined;
      let entry: RepositoryAuditEntry;
      try {
        refuseForeignName(target);
        entry = await auditOne(api, target, o, now);
      } catch (e) {
        const err = toRegsizeError(e);
        if (FATAL.has(err.code)) fatal ??= err;
        entry = { registryId: target.registryId ?? null, repositoryName: target.repositoryName, region: api.region, error: { code: err.code, message: err.message } };
      }
      o.onProgress?.(++done, targets.length);
      return entry;
    });
    if (fatal) throw fatal;
    return { repositories: entries.filter((e): e is RepositoryAuditEntry => e !== undefined) };
  } finally {
    if (!o.client) handle.client.destroy();
  }
}

/**
 * A name from DescribeRepositories is the API's word, not the user's: one outside ECR's
 * grammar (a hostile or broken endpoint) is never sent back in a request nor printed in a
 * command line to paste; it becomes that repository's error, the others go on.
 */
function refuseForeignName(target: RepositoryTarget): void {
  if (isEcrRepositoryName(target.repositoryName)) return;
  const shown = JSON.stringify(target.repositoryName.slice(0, 300));
  throw new RegsizeError('AWS', `the ECR API returned the repository name ${shown}, which is not a valid ECR repository name (lowercase letters, digits, ".", "_", "-" and "/"): not audited`);
}

function dedupe(targets: RepositoryTarget[]): RepositoryTarget[] {
  const seen = new Set<string>();
  return targets.filter((t) => {
    const key = `${t.registryId ?? ''}/${t.repositoryName}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

async function auditOne(api: EcrApi, target: RepositoryTarget, o: EcrAuditOptions, now: Date): Promise<RepositoryAudit> {
  // Pull times first: reading a manifest below counts as a pull and would refresh them.
  const described = await describeImages(api, target);
  const read = o.readLayers ? await readManifests(api, target, described.images.map((i) => i.digest)) : undefined;
  const warnings: string[] = [];
  if (read?.failures.length) {
    const first = read.failures[0] as { digest: string; reason: string };
    warnings.push(`${read.failures.length} manifest${read.failures.length === 1 ? '' : 's'} could not be read, so ${read.failures.length === 1 ? 'its' : 'their'} layers are not counted (${first.digest}: ${first.reason})`);
  }
  for (const w of warnings) o.logger.warn(`${target.repositoryName}: ${w}`);
  const { groups, ...figures } = auditFigures(described.images, read?.manifests, { now, staleDays: o.staleDays, pricePerGbMonth: o.pricePerGbMonth, top: o.top });
  return {
    registryId: described.registryId ?? target.registryId ?? null,
    repositoryName: target.repositoryName,
    region: api.region,
    ...figures,
    staleDays: o.staleDays,
    ...(o.suggestLifecycle ? { lifecycle: suggestLifecyclePolicy(groups, now, figures.layersRead) } : {}),
    ...(warnings.length ? { warnings } : {}),
  };
}
