/** The table of `regsize report history IMAGE`: one row per recorded run, oldest first. */
import type { ImageHistory } from '../report/timeline.js';
import { dateTimeText } from './report-cells.js';
import { literal } from './markdown-text.js';
import { type Column, renderTable, type TableStyle } from './table.js';
import { formatBytes, formatPercent, formatSignedBytes, type Units } from '../units.js';
import { shortDigest } from './layers.js';

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
      ...(platforms.size > 1 ? [literal(p.platform, o.style)] : []),
      formatBytes(p.compressedSize, o.units),
      change,
      p.maxSize === null ? '' : formatBytes(p.maxSize, o.units),
      literal(shortDigest(p.manifestDigest), o.style),
      notes.join(', '),
    ];
  });
  // Runs, not rows: a run that measured two platforms of the image is one run.
  const runs = new Set(h.points.map((p) => p.at)).size;
  // Everything in the history database was once a registry's answer: shown literally.
  const title = `${literal(h.image, o.style)}${platforms.size === 1 ? ` (${literal([...platforms][0] as string, o.style)})` : ''}: ${runs} recorded run${runs === 1 ? '' : 's'}`;
  return `${o.style === 'markdown' ? `**${title}**\n\n` : `${title}\n`}${renderTable(columns, rows, o.style)}`;
}
