/**
 * The report as GitHub-flavoured markdown: a headline, one table, a legend. It is meant to be
 * pasted (or posted by a bot) as a pull-request comment or a chat message, so it stays narrow:
 * emoji marks in the first column rather than extra columns, download time at the first
 * bandwidth only.
 */
import { isReportError, isRepositoryError, type ReportResult } from '../report/model.js';
import { budgetText, dateTimeText, deltaText, dollars, errorText, type Mark, markMeaning, marksOf, repositoryText, storedText, summaryParts } from './report-cells.js';
import { markdownCode as code, markdownText } from './markdown-text.js';
import { type Column, renderTable } from './table.js';
import { formatBytes, formatDuration, transferSeconds, type Units } from '../units.js';

const EMOJI: Record<Mark | 'failed' | 'ok', string> = { over: '🔴', growth: '📈', rebuilt: '🔁', new: '🆕', failed: '❌', ok: '✅' };

export function renderReportMarkdown(r: ReportResult, units: Units): string {
  const withHistory = r.history !== null;
  const bw = r.bandwidths[0];
  const columns: Column[] = [
    { header: '' },
    { header: 'Image' },
    { header: 'Platform' },
    { header: 'Size', align: 'right' },
    { header: 'Budget', align: 'right' },
    ...(withHistory ? [{ header: 'vs last run', align: 'right' as const }, { header: `vs ${r.since.window} ago`, align: 'right' as const }] : []),
    ...(bw ? [{ header: `@${bw.label}`, align: 'right' as const }] : []),
  ];
  const rows: string[][] = [];
  const failures: string[] = [];
  const used = new Set<Mark>();
  for (const e of r.images) {
    if (isReportError(e)) {
      rows.push([EMOJI.failed, code(e.reference), '', `**${e.error.code}**`, e.budget ? formatBytes(e.budget.maxSize, units) : '', ...(withHistory ? ['', ''] : []), ...(bw ? [''] : [])]);
      failures.push(`- ${code(e.reference)}: ${markdownText(errorText(e))} (${e.error.code})`);
      continue;
    }
    const marks = marksOf(e, withHistory);
    marks.forEach((m) => used.add(m));
    const size = e.budget?.over ? `**${formatBytes(e.compressedSize, units)}**` : formatBytes(e.compressedSize, units);
    rows.push([
      marks.length ? marks.map((m) => EMOJI[m]).join(' ') : e.budget ? EMOJI.ok : '',
      code(e.reference),
      markdownText(e.platform),
      size,
      budgetText(e, units),
      ...(withHistory ? [deltaText(e.history?.previous, units), deltaText(e.history?.since, units)] : []),
      ...(bw ? [formatDuration(transferSeconds(e.compressedSize, bw))] : []),
    ]);
  }

  const { headline, counts } = summaryParts(r, units);
  let out: string[] = [`## ${r.title}`, ''];
  out.push([`**${headline}**`, ...counts.map((c) => `${EMOJI[c.mark]} ${c.text}`)].join(' · '), '');
  if (rows.length) out.push(renderTable(columns, rows, 'markdown').trimEnd(), '');
  if (used.size) out.push((['over', 'growth', 'rebuilt', 'new'] as Mark[]).filter((m) => used.has(m)).map((m) => `${EMOJI[m]} ${markMeaning(m, r)}`).join(' · '), '');
  // concat, not push(...list): a spread of 125,000+ arguments overflows the stack.
  if (failures.length) out = out.concat('**Could not size:**', failures, '');
  if (r.repositories.length) out = out.concat(repositories(r, units));
  const context = [`Generated ${dateTimeText(r.generatedAt)} from ${code(r.config)}`, `platform ${markdownText(r.platform)}`];
  if (r.history) context.push(r.history.previousRunAt ? `last run ${dateTimeText(r.history.previousRunAt)}` : 'first run: no history yet');
  out.push(`<sub>${context.join(' · ')} · sizes are compressed bytes, what a pull downloads</sub>`, '');
  return out.join('\n');
}

/** The `ecr:` section: what each repository stores (shared layers once), what could go, what it costs. */
function repositories(r: ReportResult, units: Units): string[] {
  const withHistory = r.history !== null;
  const columns: Column[] = [
    { header: 'Repository' },
    { header: 'Region' },
    { header: 'Images', align: 'right' },
    { header: 'Stored', align: 'right' },
    ...(withHistory ? [{ header: 'vs last run', align: 'right' as const }] : []),
    { header: 'Untagged, freeable', align: 'right' },
    { header: 'Stale', align: 'right' },
    { header: 'Per month', align: 'right' },
  ];
  const rows: string[][] = [];
  const failures: string[] = [];
  for (const e of r.repositories) {
    if (isRepositoryError(e)) {
      rows.push([code(repositoryText(e)), markdownText(e.region), `${EMOJI.failed} **${e.error.code}**`, '', ...(withHistory ? [''] : []), '', '', '']);
      failures.push(`- ${code(repositoryText(e))}: ${markdownText(e.error.message.replace(/\s*\n\s*/g, ' '))} (${e.error.code})`);
      continue;
    }
    const stored = e.uniqueSize === null ? 'not read' : formatBytes(e.uniqueSize, units);
    rows.push([
      code(repositoryText(e)),
      markdownText(e.region),
      e.untaggedCount ? `${e.imageCount} (${e.untaggedCount} untagged)` : String(e.imageCount),
      stored,
      ...(withHistory ? [deltaText(e.history?.previous, units)] : []),
      e.reclaimableUntaggedSize === null ? '' : formatBytes(e.reclaimableUntaggedSize, units),
      e.staleCount ? `${e.staleCount}${e.reclaimableStaleSize === null ? '' : `, ${formatBytes(e.reclaimableStaleSize, units)}`}` : '0',
      dollars(e.monthlyCost),
    ]);
  }
  const s = r.summary;
  const out = ['### ECR repositories', '', renderTable(columns, rows, 'markdown').trimEnd(), ''];
  const staleDays = [...new Set(r.repositories.flatMap((x) => (isRepositoryError(x) ? [] : [x.staleDays])))];
  out.push(`Stored: each layer counted once per repository, as ECR bills it; ${storedText(s, units, true)}. Stale: not pulled for ${staleDays.join(' or ') || 90} days.`, '');
  return failures.length ? out.concat('**Could not audit:**', failures, '') : out;
}
