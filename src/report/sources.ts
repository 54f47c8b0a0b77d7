/**
 * The config sections that do not name images one by one:
 *   tags:  a repository's tags, chosen and resolved by the tags module (one HEAD per tag, one
 *          GET per distinct digest, the pull-allowance guard); each selected tag becomes an
 *          image to size, pinned to the digest already learned, so sizing it costs nothing more;
 *   ecr:   repositories audited by the ECR audit module (stored bytes with shared layers counted
 *          once, reclaimable bytes, monthly cost).
 * A section that fails becomes an error entry; it never hides the other sections.
 */
import { auditRepositories, type RepositoryAuditEntry } from '../ecr/audit.js';
import { toRegsizeError } from '../errors.js';
import { formatPlatform } from '../oci/platform.js';
import { formatReference, parseRepository, type Reference } from '../reference/reference.js';
import type { GrowthLimit } from '../sizing/growth-gate.js';
import type { PlatformRequest } from '../sizing/resolve.js';
import type { ImageInput } from '../source/parse.js';
import { isMissingPlatform, isTagError } from '../tags/result.js';
import { compareVersions } from '../tags/select.js';
import { sizeTags } from '../tags/size.js';
import type { RegistryClient } from '../transport/client.js';
import type { Logger } from '../log.js';
import type { EcrTarget, TagsTarget } from './config.js';
import type { EntrySource, ReportError } from './model.js';

/** An image to size and the budget it is held to. */
export interface Target {
  ref: ImageInput;
  source: EntrySource;
  maxSize: number | undefined;
  /** Growth allowed since the previous recorded run (maxGrowth). */
  maxGrowth: GrowthLimit | undefined;
  /** The image maxGrowth is counted from, instead of the previous run. */
  baseline?: Reference;
  /** What the history knows the image by: the reference without a pinned digest. */
  name: string;
}

export interface TagsExpandOptions {
  platform: PlatformRequest;
  concurrency: number;
  /** Size even when Docker Hub's remaining pull allowance is too small. */
  force: boolean;
  logger: Logger;
  defaultMaxSize: number | undefined;
  defaultMaxGrowth: GrowthLimit | undefined;
}

export async function expandTags(client: RegistryClient, sections: TagsTarget[], o: TagsExpandOptions): Promise<{ targets: Target[]; errors: ReportError[] }> {
  const targets: Target[] = [];
  const errors: ReportError[] = [];
  for (const [i, s] of sections.entries()) {
    const maxSize = s.maxSize ?? o.defaultMaxSize;
    const budget = maxSize === undefined ? null : { maxSize };
    try {
      const repo = parseRepository(s.repository);
      const { result, selection } = await sizeTags(client, repo, {
        filter: s.filter,
        regex: s.regex,
        limit: s.limit,
        allTags: s.allTags ?? false,
        platform: o.platform,
        sort: 'version',
        force: o.force,
        logger: o.logger,
      });
      if (selection.tags.length === 0) o.logger.warn(`tags[${i}]: no tags of ${s.repository} match${s.filter || s.regex ? ' the filter' : ''}; nothing to report for it`);
      const seen = new Set<string>();
      // Version order, tag by tag: a report lists 3.12.1 before 3.12.2 whatever their digests.
      const entries = [...result.tags].sort((a, b) => compareVersions(a.tag, b.tag));
      for (const e of entries) {
        const input = `${s.repository}:${e.tag}`;
        if (isTagError(e)) {
          // A tag without this platform's image (a Windows-only tag) is not a failure of the run.
          if (isMissingPlatform(e)) o.logger.warn(`${input} has no ${o.platform === 'all' ? '' : `${formatPlatform(o.platform)} `}image; left out`);
          else errors.push({ reference: input, error: e.error, source: 'tags', budget });
          continue;
        }
        if (seen.has(e.tag)) continue; // one entry per platform with "all"; the tag is sized once
        seen.add(e.tag);
        const ref: Reference = { input, registry: repo.registry, repository: repo.repository, tag: e.tag, digest: e.digest };
        targets.push({ ref, source: 'tags', maxSize, maxGrowth: s.maxGrowth ?? o.defaultMaxGrowth, name: formatReference({ ...ref, digest: undefined }) });
      }
    } catch (e) {
      const err = toRegsizeError(e);
      errors.push({ reference: s.repository, error: { code: err.code, message: err.message }, source: 'tags', budget });
    }
  }
  return { targets, errors };
}

export interface EcrAuditSectionOptions {
  concurrency: number;
  timeoutMs?: number;
  logger: Logger;
  now: Date;
}

/** Audits every `ecr:` entry; an entry that fails as a whole (no credentials) becomes one error per repository named. */
export async function auditEcr(sections: EcrTarget[], o: EcrAuditSectionOptions): Promise<RepositoryAuditEntry[]> {
  const out: RepositoryAuditEntry[] = [];
  for (const s of sections) {
    try {
      const result = await auditRepositories({
        repositories: s.repositories === 'all' ? [] : s.repositories,
        all: s.repositories === 'all',
        region: s.region,
        profile: s.profile,
        registryId: s.registryId,
        staleDays: s.staleDays ?? 90,
        top: 0,
        pricePerGbMonth: s.pricePerGbMonth ?? 0.1,
        readLayers: true,
        suggestLifecycle: false,
        concurrency: Math.min(o.concurrency, 8),
        ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
        logger: o.logger,
        now: () => o.now,
      });
      out.push(...result.repositories);
    } catch (e) {
      const err = toRegsizeError(e);
      const names = s.repositories === 'all' ? ['*'] : s.repositories;
      for (const name of names) out.push({ registryId: s.registryId ?? null, repositoryName: name, region: s.region, error: { code: err.code, message: err.message } });
    }
  }
  return out;
}
