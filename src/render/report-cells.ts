/**
 * Texts shared by the report renderers (markdown, HTML), so a delta or a date reads the same
 * in a pull-request comment and on the page.
 */
import type { Delta, ReportImage, ReportResult, ReportSummary, StorageDelta } from '../report/model.js';
import { formatDollars } from './money.js';
import { formatBytes, formatPercent, formatSignedBytes, type Units } from '../units.js';

/** "+12 MB (+4.0%)", "0 B", "-3.1 MB (-1.2%)"; "" when there is nothing to compare with. */
export function deltaText(d: Delta | StorageDelta | null | undefined, units: Units): string {
  if (!d) return '';
  if (d.bytes === 0) return '0 B';
  const from = 'compressedSize' in d.from ? d.from.compressedSize : d.from.uniqueSize;
  return `${formatSignedBytes(d.bytes, units)} (${formatPercent(d.bytes, from, true)})`;
}

/** The repository as a user would paste it: its ECR URI when the account is known. */
export function repositoryText(r: { registryId: string | null; region: string; repositoryName: string }): string {
  return r.registryId ? `${r.registryId}.dkr.ecr.${r.region}.amazonaws.com/${r.repositoryName}` : r.repositoryName;
}

/** "$0.12"; "" when the cost is not known (see ./money.ts). */
export function dollars(v: number | null): string {
  return v === null ? '' : formatDollars(v);
}

/** "300 MB (104%)": the budget and how much of it the image uses. */
export function budgetText(e: Pick<ReportImage, 'budget' | 'compressedSize'>, units: Units): string {
  if (!e.budget) return '';
  return `${formatBytes(e.budget.maxSize, units)} (${formatPercent(e.compressedSize, e.budget.maxSize)})`;
}

/** "2025-11-29 16:40 UTC" */
export function dateTimeText(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** The notable states of a sized image, most serious first. */
export type Mark = 'over' | 'growth' | 'rebuilt' | 'new';

export function marksOf(e: ReportImage, withHistory: boolean): Mark[] {
  const marks: Mark[] = [];
  if (e.budget?.over) marks.push('over');
  if (e.history?.growthAlert) marks.push('growth');
  if (e.history?.rebuilt) marks.push('rebuilt');
  if (withHistory && e.history && !e.history.previous) marks.push('new');
  return marks;
}

/** What each mark means, for legends. */
export function markMeaning(mark: Mark, r: ReportResult): string {
  switch (mark) {
    case 'over':
      return 'over budget';
    case 'growth':
      return `grew more than ${r.alertGrowthPercent}% since the last run`;
    case 'rebuilt':
      return 'rebuilt: new image digest since the last run';
    case 'new':
      return 'first time in the history';
  }
}

/** "3 images, 845 MB in all" and the counts worth a glance. */
export function summaryParts(r: ReportResult, units: Units): { headline: string; counts: { mark: Mark | 'failed'; count: number; text: string }[] } {
  const s = r.summary;
  const parts: string[] = [];
  if (s.entries > 0 || s.repositories === 0) parts.push(`${s.sized} image${s.sized === 1 ? '' : 's'}, ${formatBytes(s.totalSize, units)} in all`);
  if (s.repositories > 0) parts.push(`${s.repositories} ECR repositor${s.repositories === 1 ? 'y' : 'ies'}${s.repositoriesFailed === s.repositories ? ', stored size' : ' storing'} ${storedText(s, units)}`);
  const headline = parts.join('; ');
  const counts = [
    { mark: 'over' as const, count: s.overBudget, text: `${s.overBudget} over budget` },
    { mark: 'growth' as const, count: s.growthAlerts, text: `${s.growthAlerts} grew more than ${r.alertGrowthPercent}%` },
    { mark: 'rebuilt' as const, count: s.rebuilt, text: `${s.rebuilt} rebuilt` },
    { mark: 'failed' as const, count: s.failed + s.repositoriesFailed, text: `${s.failed + s.repositoriesFailed} failed` },
  ].filter((c) => c.count > 0);
  return { headline, counts };
}

/**
 * What the audited ECR repositories store: a failed audit adds nothing to the sum, so the figure
 * is said to be for the audited ones only, and is unknown when none could be audited.
 */
export function storedText(s: ReportSummary, units: Units, withCost = false): string {
  const failed = s.repositoriesFailed;
  if (failed > 0 && failed === s.repositories) return `unknown, because ${failed === 1 ? 'its audit' : `all ${failed} audits`} failed`;
  const scope = failed > 0 ? ` in the ${s.repositories - failed} audited (${failed} audit${failed === 1 ? '' : 's'} failed)` : withCost ? ' in all' : '';
  return `${formatBytes(s.storedSize, units)}${scope}${withCost ? `, about ${dollars(s.monthlyCost)} a month` : ''}`;
}

/** An error message without the reference it starts with (the row already names the image). */
export function errorText(e: { reference: string; error: { message: string } }): string {
  const m = e.error.message.replace(/\s*\n\s*/g, ' ');
  return m.startsWith(`${e.reference}: `) ? m.slice(e.reference.length + 2) : m;
}
