/**
 * One `regsize report` run:
 *   1. turn the config into the list of images to size (images:, then each tags: repository's
 *      selected tags, through the tags module), without duplicates;
 *   2. size them all at once with compare's resolveAll (one failure never hides the others),
 *      and audit the ecr: repositories with the ECR audit module;
 *   3. hold each image to its budget, and compare it with the history: the previous run, the
 *      --since baseline, a rebuilt image (new platform manifest digest), a growth alert;
 *      each repository's stored bytes with the previous run;
 *   4. record this run in the history, so the next report can show what changed.
 * Rendering is left to src/render/report-*.ts; the command only chooses one.
 */
import { isAuditError, type RepositoryAudit } from '../ecr/audit.js';
import { compressedSize } from '../oci/manifest.js';
import { formatPlatform } from '../oci/platform.js';
import { formatReference } from '../reference/reference.js';
import type { Bandwidth } from '../units.js';
import { entryOf, resolveAll } from '../sizing/compare.js';
import { checkGrowth, type GrowthLimit } from '../sizing/growth-gate.js';
import type { PlatformRequest } from '../sizing/resolve.js';
import { isLocalInput } from '../source/parse.js';
import type { RegistryClient } from '../transport/client.js';
import type { Logger } from '../log.js';
import { budgetFor, deltaFrom, isGrowthAlert } from './budget.js';
import type { ReportConfig } from './config.js';
import { type History, repositoryKey, type StoredPoint } from './size-history-db.js';
import {
  type EntrySource,
  type EntryHistory,
  type HistoryPoint,
  isReportError,
  isRepositoryError,
  type ReportEntry,
  type ReportImage,
  type ReportRepository,
  type ReportRepositoryEntry,
  type ReportResult,
  type StorageDelta,
} from './model.js';
import { auditEcr, expandTags, type Target } from './sources.js';

export interface ReportRunOptions {
  client: RegistryClient;
  logger: Logger;
  platform: PlatformRequest;
  /** Images fetched at once. @default 8 */
  concurrency?: number;
  /** null: no history (--no-history). */
  history: History | null;
  /** The run's time in ms since the epoch (tests pin it). @default Date.now() */
  now?: number;
  /** The --since window, as written and in ms. */
  since: { window: string; ms: number };
  /** --alert-growth in percent. */
  alertGrowthPercent: number;
  bandwidths: Bandwidth[];
  /** Size tags even when Docker Hub's remaining pull allowance is too small. @default false */
  force?: boolean;
  /** Per-request timeout of ECR API calls. */
  timeoutMs?: number;
  onProgress?: (done: number, total: number) => void;
}

export async function runReport(config: ReportConfig, o: ReportRunOptions): Promise<ReportResult> {
  const now = o.now ?? Date.now();
  const defaultMax = config.defaults.maxSize;
  const defaultGrowth = config.defaults.maxGrowth;

  // 1. What to size. The first mention of an image wins (images: before tags:), so an explicit
  //    entry's maxSize is the one applied.
  const concurrency = o.concurrency ?? 8;
  const targets: Target[] = config.images.map((t) => ({
    ref: t.ref,
    source: 'images',
    maxSize: t.maxSize ?? defaultMax,
    maxGrowth: t.maxGrowth ?? defaultGrowth,
    ...(t.baseline ? { baseline: t.baseline } : {}),
    name: isLocalInput(t.ref) ? t.ref.input : formatReference(t.ref),
  }));
  const expanded = await expandTags(o.client, config.tags, { platform: o.platform, concurrency, force: o.force ?? false, logger: o.logger, defaultMaxSize: defaultMax, defaultMaxGrowth: defaultGrowth });
  targets.push(...expanded.targets);
  const seen = new Set<string>();
  const unique = targets.filter((t) => {
    if (seen.has(t.name)) return false;
    seen.add(t.name);
    return true;
  });

  // 2. Size them, and the baselines their maxGrowth is counted from (each once).
  const baselines = [...new Map(unique.flatMap((t) => (t.baseline ? [[formatReference(t.baseline), t.baseline] as const] : []))).entries()];
  const [all, audited] = await Promise.all([
    resolveAll(
      o.client,
      [...unique.map((t) => t.ref), ...baselines.map(([, ref]) => ref)],
      { platform: o.platform, concurrency, logger: o.logger, ...(o.onProgress ? { onProgress: o.onProgress } : {}) },
    ),
    auditEcr(config.ecr, { concurrency, logger: o.logger, now: new Date(now), ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}) }),
  ]);

  const resolved = all.slice(0, unique.length);
  const baselineOf = new Map(baselines.map(([key], i) => [key, all[unique.length + i]]));

  // 3. Budgets and history.
  const cutoff = now - o.since.ms;
  const entries: ReportEntry[] = [];
  // A baseline that could not be sized is a failed entry of its own: the gate it serves was not checked.
  for (const r of baselineOf.values()) if (r && !r.ok) entries.push({ ...r.entry, source: 'images', budget: null });
  resolved.forEach((r, i) => {
    const t = unique[i] as Target;
    if (!r.ok) {
      entries.push({ ...r.entry, source: t.source, budget: t.maxSize === undefined ? null : { maxSize: t.maxSize } });
      return;
    }
    for (const image of r.images) {
      // A tag pinned to the digest the tags module learned is still known by its tag.
      const entry = { ...entryOf(image), name: t.name };
      const history = o.history ? compareWithHistory(o.history, entry.name, entry.platform, entry.manifestDigest, entry.compressedSize, now, cutoff, o.alertGrowthPercent) : null;
      const growthBudget = t.maxGrowth ? growthAgainst(t, entry, history, baselineOf) : null;
      entries.push({ ...entry, source: t.source, budget: budgetFor(entry.compressedSize, t.maxSize), history, growthBudget });
    }
  });
  // Tags that could not be listed or looked up close their section (the sort is stable).
  entries.push(...expanded.errors);
  entries.sort((a, b) => sourceOrder(a.source) - sourceOrder(b.source));

  const images = entries.filter((e): e is ReportImage => !isReportError(e));
  const repositories: ReportRepositoryEntry[] = audited.map((a) => (isAuditError(a) ? a : { ...a, history: o.history ? { previous: storageDelta(o.history, a, now) } : null }));
  const audits = repositories.filter((r): r is ReportRepository => !isRepositoryError(r));
  const previousRunAt = o.history?.lastRunBefore(now);

  // 4. Record. A history that cannot be written must not cost the report itself: warn, and let
  //    the command fail the run afterwards (history.recorded = false).
  let recorded = false;
  if (o.history && images.length + audits.length > 0) {
    try {
      o.history.record({
        at: now,
        config: config.file,
        platform: o.platform === 'all' ? 'all' : formatPlatform(o.platform),
        entries: images.map((e) => ({ image: e.name, platform: e.platform, digest: e.digest, manifestDigest: e.manifestDigest, compressedSize: e.compressedSize, maxSize: e.budget?.maxSize ?? null })),
        repositories: audits.map((a) => ({ repository: repositoryKey(a), uniqueSize: a.uniqueSize, totalSize: a.totalSize, imageCount: a.imageCount })),
      });
      recorded = true;
    } catch (e) {
      o.logger.warn(`could not record this run in the history database ${o.history.path}: ${(e as Error).message}`);
    }
  }

  return {
    title: config.title ?? 'Image size report',
    generatedAt: new Date(now).toISOString(),
    config: config.file,
    platform: o.platform === 'all' ? 'all' : formatPlatform(o.platform),
    bandwidths: o.bandwidths.map((b) => ({ label: b.label, bitsPerSecond: b.bitsPerSecond })),
    since: { window: o.since.window, cutoff: new Date(cutoff).toISOString() },
    alertGrowthPercent: o.alertGrowthPercent,
    history: o.history ? { path: o.history.path, previousRunAt: previousRunAt === undefined ? null : new Date(previousRunAt).toISOString(), recorded } : null,
    images: entries,
    repositories,
    summary: {
      entries: entries.length,
      sized: images.length,
      failed: entries.length - images.length,
      overBudget: images.filter((e) => e.budget?.over).length,
      overGrowth: images.filter((e) => e.growthBudget?.exceeded).length,
      rebuilt: images.filter((e) => e.history?.rebuilt).length,
      growthAlerts: images.filter((e) => e.history?.growthAlert).length,
      totalSize: images.reduce((s, e) => s + e.compressedSize, 0),
      repositories: repositories.length,
      repositoriesFailed: repositories.length - audits.length,
      storedSize: audits.reduce((s, a) => s + (a.uniqueSize ?? 0), 0),
      monthlyCost: Math.round(audits.reduce((s, a) => s + (a.monthlyCost ?? 0), 0) * 100) / 100,
    },
  };
}

/** maxGrowth against the baseline image on the same platform, else the previous run; null when neither was measured. */
function growthAgainst(t: Target, entry: { platform: string; compressedSize: number }, history: EntryHistory | null, baselineOf: Map<string, Awaited<ReturnType<typeof resolveAll>>[number] | undefined>): ReportImage['growthBudget'] {
  const limit = t.maxGrowth as GrowthLimit;
  if (t.baseline) {
    const key = formatReference(t.baseline);
    const r = baselineOf.get(key);
    const base = r?.ok ? r.images.find((b) => b.platform === entry.platform) : undefined;
    return base ? { against: key, ...checkGrowth(compressedSize(base.manifest), entry.compressedSize, limit) } : null;
  }
  const previous = history?.previous;
  return previous ? { against: 'previous', ...checkGrowth(previous.from.compressedSize, entry.compressedSize, limit) } : null;
}

function storageDelta(h: History, a: RepositoryAudit, now: number): StorageDelta | null {
  const prev = h.previousRepository(repositoryKey(a), now);
  if (!prev || prev.uniqueSize === null || a.uniqueSize === null) return null;
  const bytes = a.uniqueSize - prev.uniqueSize;
  return { from: { at: new Date(prev.at).toISOString(), uniqueSize: prev.uniqueSize }, bytes, percent: prev.uniqueSize === 0 ? null : Math.round((bytes / prev.uniqueSize) * 10_000) / 100 };
}

function sourceOrder(s: EntrySource): number {
  return s === 'images' ? 0 : 1;
}

function point(p: StoredPoint): HistoryPoint {
  return { at: new Date(p.at).toISOString(), digest: p.digest, manifestDigest: p.manifestDigest, compressedSize: p.compressedSize };
}

function compareWithHistory(
  h: History,
  name: string,
  platform: string,
  manifestDigest: string,
  size: number,
  now: number,
  cutoff: number,
  alertPercent: number,
): EntryHistory {
  const prev = h.previous(name, platform, now);
  const base = h.baseline(name, platform, cutoff, now);
  const previous = prev ? deltaFrom(point(prev), size) : null;
  const trend = base ? h.series(name, platform, base.at, now).map((p) => ({ at: new Date(p.at).toISOString(), compressedSize: p.compressedSize })) : [];
  trend.push({ at: new Date(now).toISOString(), compressedSize: size });
  return {
    previous,
    since: base ? deltaFrom(point(base), size) : null,
    // The platform's own manifest, not the index: an index re-pushed for another platform's
    // sake leaves this image as it was.
    rebuilt: prev !== undefined && prev.manifestDigest !== manifestDigest,
    growthAlert: isGrowthAlert(previous, alertPercent),
    trend,
  };
}
