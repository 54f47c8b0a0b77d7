/** The table of `regsize report history IMAGE`: one row per recorded run, oldest first. */
import type { ImageHistory } from '../report/timeline.js';
import { dateTimeText } from './report-cells.js';
import { type Column, renderTable, type TableStyle } from './table.js';
import { formatBytes, formatPercent, formatSignedBytes, type Units } from './units.js';

export function renderImageHistory(h: ImageHistory, o: { units: Units; style: TableStyle }): string {
  const platforms = new Set(h.points.map((p) => p.platform));
  const columns: Column[] = [
    { header: 'DATE' },
    ...(platforms.size > 1 ? [{ header: 'PLATFORM' }] : []),
    { header: 'SIZE', align: 'right' },
    { header: 'CHANGE', align: 'right' },
    { header: 'BUDGET', align: 'right' },
    { header: 'DIGEST' },
    { header: 'NOTE' },
  ];
  const rows = h.points.map((p) => {
    const change = p.change ? (p.change.bytes === 0 ? '0 B' : `${formatSignedBytes(p.change.bytes, o.units)} (${formatPercent(p.change.bytes, p.compressedSize - p.change.bytes, true)})`) : '';
    const notes = [...(p.maxSize !== null && p.compressedSize > p.maxSize ? ['over budget'] : []), ...(p.rebuilt ? ['rebuilt'] : []), ...(p.change === null ? ['first run'] : [])];
    return [
      dateTimeText(p.at),
      ...(platforms.size > 1 ? [p.platform] : []),
      formatBytes(p.compressedSize, o.units),
      change,
      p.maxSize === null ? '' : formatBytes(p.maxSize, o.units),
      p.manifestDigest.replace(/^sha256:/, '').slice(0, 12),
      notes.join(', '),
    ];
  });
  const title = `${h.image}${platforms.size === 1 ? ` (${[...platforms][0]})` : ''}: ${h.points.length} recorded run${h.points.length === 1 ? '' : 's'}`;
  return `${o.style === 'markdown' ? `**${title}**\n\n` : `${title}\n`}${renderTable(columns, rows, o.style)}`;
}
