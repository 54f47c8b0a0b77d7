/**
 * The report as CSV (RFC 4180: comma-separated, double-quoted when needed, CRLF line ends), one
 * row per image, for spreadsheets and scripts. Sizes are exact bytes, dates ISO 8601, booleans
 * true/false, and an empty cell means "not known" (no budget, no earlier run). ECR repositories
 * of the `ecr:` section follow as rows with source "ecr", in the repository columns at the end.
 */
import { isReportError, isRepositoryError, type ReportResult } from '../report/model.js';
import { repositoryText } from './report-cells.js';

const HEADER = [
  'reference', 'name', 'platform', 'source', 'digest', 'manifest_digest', 'compressed_size', 'layers',
  'max_size', 'over_budget', 'budget_headroom',
  'previous_at', 'previous_size', 'delta_previous_bytes', 'delta_previous_percent',
  'since_at', 'since_size', 'delta_since_bytes', 'delta_since_percent',
  'rebuilt', 'growth_alert', 'error_code', 'error_message',
  'region', 'image_count', 'untagged_count', 'stored_size', 'delta_stored_bytes', 'reclaimable_untagged_size', 'stale_count', 'reclaimable_stale_size', 'monthly_cost',
];
const IMAGE_COLUMNS = 23;

type Cell = string | number | boolean | null | undefined;

function field(v: Cell): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Text a spreadsheet would run as a formula (=, +, -, @ first) is prefixed with a quote (OWASP "CSV injection"). */
function text(v: string | undefined): string | undefined {
  return v !== undefined && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

export function renderReportCsv(r: ReportResult): string {
  const rows: Cell[][] = [HEADER];
  for (const e of r.images) {
    if (isReportError(e)) {
      rows.push([text(e.reference), '', '', e.source, '', '', '', '', e.budget?.maxSize, '', '', '', '', '', '', '', '', '', '', '', '', e.error.code, text(e.error.message)]);
      continue;
    }
    const h = e.history;
    rows.push([
      text(e.reference), e.name, e.platform, e.source, e.digest, e.manifestDigest, e.compressedSize, e.layers.length,
      e.budget?.maxSize, e.budget?.over ?? '', e.budget?.headroom,
      h?.previous?.from.at, h?.previous?.from.compressedSize, h?.previous?.bytes, h?.previous?.percent,
      h?.since?.from.at, h?.since?.from.compressedSize, h?.since?.bytes, h?.since?.percent,
      h ? h.rebuilt : '', h ? h.growthAlert : '', '', '',
    ]);
  }
  for (const e of r.repositories) {
    const lead: Cell[] = [repositoryText(e), '', '', 'ecr'];
    const pad = (cells: Cell[]) => [...cells, ...Array<Cell>(IMAGE_COLUMNS - cells.length).fill('')];
    if (isRepositoryError(e)) {
      rows.push([...pad([...lead, ...Array<Cell>(17).fill(''), e.error.code, text(e.error.message)]), e.region]);
      continue;
    }
    rows.push([
      ...pad(lead),
      e.region, e.imageCount, e.untaggedCount, e.uniqueSize, e.history?.previous?.bytes,
      e.reclaimableUntaggedSize, e.staleCount, e.reclaimableStaleSize, e.monthlyCost,
    ]);
  }
  // Every record has every field (RFC 4180 section 2.4): image rows leave the repository columns empty.
  return rows.map((row) => [...row, ...Array<Cell>(HEADER.length - row.length).fill('')].map(field).join(',')).join('\r\n') + '\r\n';
}

/**
 * Any other table as CSV (compare and tags --format csv), with the same quoting and the same
 * formula guard on every text cell: a tag or an error message is the registry's text.
 */
export function renderCsv(header: string[], rows: Cell[][]): string {
  const lines = [header, ...rows].map((row) => [...row, ...Array<Cell>(Math.max(0, header.length - row.length)).fill('')].map((v) => field(typeof v === 'string' ? text(v) : v)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
