/**
 * The report as CSV (RFC 4180: comma-separated, double-quoted when needed, CRLF line ends), one
 * row per image, for spreadsheets and scripts. Sizes are exact bytes, dates ISO 8601, booleans
 * true/false, and an empty cell means "not known" (no budget, no earlier run). ECR repositories
 * of the `ecr:` section follow as rows with source "ecr", in the repository columns at the end.
 */
import { isReportError, isRepositoryError, type ReportResult } from '../report/model.js';
import { type CsvCell as Cell, renderCsv } from './csv.js';
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

export function renderReportCsv(r: ReportResult): string {
  // Every text cell is guarded against formulas by renderCsv (./csv.ts), the platform and the name included.
  const rows: Cell[][] = [];
  for (const e of r.images) {
    if (isReportError(e)) {
      rows.push([e.reference, '', '', e.source, '', '', '', '', e.budget?.maxSize, '', '', '', '', '', '', '', '', '', '', '', '', e.error.code, e.error.message]);
      continue;
    }
    const h = e.history;
    rows.push([
      e.reference, e.name, e.platform, e.source, e.digest, e.manifestDigest, e.compressedSize, e.layers.length,
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
      rows.push([...pad([...lead, ...Array<Cell>(17).fill(''), e.error.code, e.error.message]), e.region]);
      continue;
    }
    rows.push([
      ...pad(lead),
      e.region, e.imageCount, e.untaggedCount, e.uniqueSize, e.history?.previous?.bytes,
      e.reclaimableUntaggedSize, e.staleCount, e.reclaimableStaleSize, e.monthlyCost,
    ]);
  }
  // Every record has every field (RFC 4180 section 2.4): image rows leave the repository columns empty.
  return renderCsv(HEADER, rows);
}
