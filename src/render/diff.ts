/** The `diff` report: the two images, what they share, and what IMAGE adds step by step. */
import type { ImageEntry } from '../sizing/compare.js';
import type { DiffLayer, DiffResult } from '../sizing/diff.js';
import { shortDigest, STEP_WIDTH, stepCell, uncompressedCell } from './layers.js';
import { literal } from './markdown-text.js';
import { type Column, renderTable, type TableStyle } from './table.js';
import { ESTIMATE_NOTE, sizeCell } from './estimated.js';
import { formatBytes, formatPercent, formatSignedBytes, type Units } from '../units.js';

export interface DiffRenderOptions {
  units: Units;
  style: TableStyle;
  /** Terminal columns to fit (middle-ellipsis on long names and steps); undefined prints cells whole. */
  width?: number | undefined;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function renderDiff(r: DiffResult, o: DiffRenderOptions): string {
  const withUncompressed = r.image.uncompressedSize !== undefined;
  const md = o.style === 'markdown';
  const heading = (s: string) => (md ? `**${s.replace(/\*/g, '\\*')}**` : s);
  const out: string[] = [];

  const imageColumns: Column[] = [
    { header: '' },
    { header: 'IMAGE' },
    { header: 'PLATFORM' },
    { header: 'LAYERS', align: 'right' },
    { header: 'SIZE', align: 'right' },
    ...(withUncompressed ? [{ header: 'UNCOMPRESSED', align: 'right' as const }] : []),
  ];
  const imageRow = (label: string, e: ImageEntry) => [
    label,
    literal(e.name, o.style),
    literal(e.platform, o.style),
    String(e.layers.length),
    sizeCell(e.compressedSize, o.units, e.compressedSizeEstimated),
    ...(withUncompressed ? [uncompressedCell(e.uncompressedSize, undefined, o.units)] : []),
  ];
  out.push(renderTable(imageColumns, [imageRow('BASE', r.base), imageRow('IMAGE', r.image)], o.style, { width: o.width }).trimEnd());
  if (r.baseFrom === 'annotation') out.push(`(BASE is the base image ${literal(r.image.reference, o.style)} names in its annotations)`);

  const sharedSize = r.sharedLayers.reduce((s, l) => s + l.size, 0);
  const recompressed = r.sharedLayers.filter((l) => l.matchedBy === 'diff_id').length;
  out.push(
    heading(
      `Shared with BASE: ${plural(r.sharedLayers.length, 'layer')}, ${formatBytes(sharedSize, o.units)} (${formatPercent(sharedSize, r.image.compressedSize)} of IMAGE)` +
        (recompressed ? `; ${recompressed} of them recompressed (same content by diff_id, other blob)` : ''),
    ),
  );

  const addedUncompressed =
    r.addedUncompressedSize === undefined ? '' : `, ${uncompressedCell(r.addedUncompressedSize, undefined, o.units)} uncompressed`;
  out.push(
    heading(
      `IMAGE adds ${plural(r.addedLayers.length, 'layer')}: ${formatSignedBytes(r.addedSize, o.units)} (${formatPercent(r.addedSize, r.image.compressedSize)} of IMAGE)${addedUncompressed}`,
    ),
  );
  const positions = new Map(r.image.layers.map((l, i) => [l.digest, i + 1]));
  if (r.addedLayers.length) out.push(layerTable(r.addedLayers, (l) => positions.get(l.digest), r.image.compressedSize, withUncompressed, o).trimEnd());

  if (r.removedLayers.length) {
    const removedSize = r.removedLayers.reduce((s, l) => s + l.size, 0);
    out.push(heading(`BASE layers IMAGE lacks (a different base): ${plural(r.removedLayers.length, 'layer')}, ${formatBytes(removedSize, o.units)}`));
    const basePositions = new Map(r.base.layers.map((l, i) => [l.digest, i + 1]));
    out.push(layerTable(r.removedLayers, (l) => basePositions.get(l.digest), r.base.compressedSize, withUncompressed, o).trimEnd());
  }
  if (r.image.compressedSizeEstimated || r.base.compressedSizeEstimated) out.push(ESTIMATE_NOTE);
  return out.join('\n\n') + '\n';
}

function layerTable(layers: DiffLayer[], position: (l: DiffLayer) => number | undefined, whole: number, withUncompressed: boolean, o: DiffRenderOptions): string {
  const columns: Column[] = [
    { header: '#', align: 'right' },
    { header: 'DIGEST' },
    { header: 'SIZE', align: 'right' },
    { header: 'SHARE', align: 'right' },
    ...(withUncompressed ? [{ header: 'UNCOMPRESSED', align: 'right' as const }] : []),
    { header: 'STEP', maxWidth: STEP_WIDTH, shrink: true },
  ];
  const rows = layers.map((l) => [
    String(position(l) ?? ''),
    literal(shortDigest(l.digest), o.style),
    formatBytes(l.size, o.units),
    formatPercent(l.size, whole),
    ...(withUncompressed ? [uncompressedCell(l.uncompressedSize, l.uncompressedNote, o.units)] : []),
    stepCell(l.createdBy, o.style),
  ]);
  return renderTable(columns, rows, o.style, { width: o.width });
}
