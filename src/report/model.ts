/**
 * The result of one `regsize report` run: pure data, printed as-is by --json / --format json
 * and rendered by the markdown, CSV and HTML renderers. Each image entry is a compare-contract
 * entry (src/sizing/compare.ts) with `source`, `budget` and `history` added; sizes are exact bytes.
 */
import type { RepositoryAudit, RepositoryAuditError } from '../ecr/audit.js';
import type { ErrorEntry, ImageEntry } from '../sizing/compare.js';
import type { GrowthCheck } from '../sizing/growth-gate.js';

/** Which config section an entry came from. */
export type EntrySource = 'images' | 'tags';

export interface Budget {
  /** The image's `maxSize`, or `defaults.maxSize`. */
  maxSize: number;
  over: boolean;
  /** maxSize - compressedSize: negative when over. */
  headroom: number;
}

/** One recorded measurement of an image (a row of the history database). */
export interface HistoryPoint {
  /** When the run that measured it started (ISO 8601, UTC). */
  at: string;
  digest: string;
  manifestDigest: string;
  compressedSize: number;
}

export interface Delta {
  /** The earlier measurement the change is counted from. */
  from: HistoryPoint;
  bytes: number;
  /** Change in percent of `from.compressedSize`, two decimals; null when that was 0 bytes. */
  percent: number | null;
}

export interface EntryHistory {
  /** Change since the previous run that measured this image; null on its first run. */
  previous: Delta | null;
  /**
   * Change since the `--since` point: the last measurement at or before it, or the oldest one
   * when the history does not reach back that far (then `from.at` is later than the cutoff).
   */
  since: Delta | null;
  /** The platform's image manifest differs from the previous run's: the image was rebuilt. */
  rebuilt: boolean;
  /** Grew by more than --alert-growth since the previous run. */
  growthAlert: boolean;
  /** Measurements inside the --since window (and its baseline), oldest first, this run last. */
  trend: { at: string; compressedSize: number }[];
}

export type ReportImage = ImageEntry & {
  source: EntrySource;
  budget: Budget | null;
  /** null with --no-history. */
  history: EntryHistory | null;
  /**
   * The image's `maxGrowth` (or `defaults.maxGrowth`) held against its `baseline` image, else
   * the previous recorded run; null when it has none, or on its first run (nothing to grow from).
   */
  growthBudget: (GrowthCheck & { against: string }) | null;
};

export type ReportError = ErrorEntry & {
  source: EntrySource;
  /** The budget the image would have been held to, when it has one. */
  budget: { maxSize: number } | null;
};

export type ReportEntry = ReportImage | ReportError;

export function isReportError(e: ReportEntry): e is ReportError {
  return 'error' in e;
}

/** Change of an ECR repository's stored bytes since the previous run that audited it. */
export interface StorageDelta {
  from: { at: string; uniqueSize: number };
  bytes: number;
  percent: number | null;
}

/** An `ecr:` repository: the ECR audit's figures (src/ecr), plus the change since the last run. */
export type ReportRepository = RepositoryAudit & {
  /** null with --no-history; `previous` null on the repository's first run. */
  history: { previous: StorageDelta | null } | null;
};

export type ReportRepositoryEntry = ReportRepository | RepositoryAuditError;

export function isRepositoryError(e: ReportRepositoryEntry): e is RepositoryAuditError {
  return 'error' in e;
}

export interface ReportSummary {
  /** Entries in the report (sized or failed). */
  entries: number;
  sized: number;
  failed: number;
  overBudget: number;
  /** Images that grew by more than their maxGrowth since the previous run. */
  overGrowth: number;
  rebuilt: number;
  growthAlerts: number;
  /** Sum of the sized images' compressed sizes. */
  totalSize: number;
  /** ECR repositories audited, and those that could not be. */
  repositories: number;
  repositoriesFailed: number;
  /** Sum of the audited repositories' stored bytes (layers counted once per repository). */
  storedSize: number;
  /** Sum of their estimated monthly storage cost, dollars. */
  monthlyCost: number;
}

export interface ReportResult {
  title: string;
  /** When the run started (ISO 8601, UTC); the time recorded in the history. */
  generatedAt: string;
  /** The config file as given. */
  config: string;
  /** The platform asked for (os/arch[/variant] or "all"). */
  platform: string;
  /** Link speeds for download-time columns, bits per second, as labelled in the config. */
  bandwidths: { label: string; bitsPerSecond: number }[];
  /** The --since window: as written ("30d") and its start. */
  since: { window: string; cutoff: string };
  /** --alert-growth, in percent. */
  alertGrowthPercent: number;
  /** The history database used, or null with --no-history. */
  history: {
    path: string;
    previousRunAt: string | null;
    /** False when this run could not be written to the database (the command then exits 1). */
    recorded: boolean;
  } | null;
  images: ReportEntry[];
  /** The `ecr:` section's repositories, in config order. */
  repositories: ReportRepositoryEntry[];
  summary: ReportSummary;
}
