/** The `layers` table: one row per layer, its share of the image, and the step that made it. */
import { layerKindLabel } from '../oci/media-types.js';
import type { LayersResult } from '../sizing/layers.js';
import { literal } from './markdown-text.js';
import { type Column, renderTable, type TableStyle } from './table.js';
import { ESTIMATE_NOTE, sizeCell } from './estimated.js';
import { formatBytes, formatPercent, type Units } from '../units.js';

export interface LayersRenderOptions {
  units: Units;
  style: TableStyle;
  /** Terminal columns to fit (middle-ellipsis on long names and steps); undefined prints cells whole. */
  width?: number | undefined;
}

/** Longest step shown in a plain table; --json carries it whole. */
export const STEP_WIDTH = 72;

/**
 * A `created_by` as a Dockerfile line: the classic builder's "/bin/sh -c #(nop) " prefix
 * marks a metadata step and a bare "/bin/sh -c " a RUN; BuildKit writes "RUN /bin/sh -c ..."
 * and appends " # buildkit".
 */
export function shortStep(createdBy: string | null): string {
  if (createdBy === null) return '(step unknown)';
  let s = createdBy.replace(/\s+/g, ' ').trim();
  if (s.startsWith('/bin/sh -c #(nop) ')) s = s.slice('/bin/sh -c #(nop) '.length).trim();
  else if (s.startsWith('/bin/sh -c ')) s = `RUN ${s.slice('/bin/sh -c '.length)}`;
  else if (s.startsWith('RUN /bin/sh -c ')) s = `RUN ${s.slice('RUN /bin/sh -c '.length)}`;
  s = s.replace(/ # buildkit$/, '');
  return s || '(empty step)';
}

/** Longest step in a markdown table: pull-request comments wrap, but a heredoc RUN can run to pages. */
export const MARKDOWN_STEP_WIDTH = 200;

/**
 * The STEP cell: shortened as a Dockerfile line; plain tables clip it (renderTable), markdown at
 * 200, cut before it is escaped so no escape is cut in half. `created_by` is the image author's
 * text: it is shown literally, never as markup.
 */
export function stepCell(createdBy: string | null, style: TableStyle): string {
  const s = shortStep(createdBy);
  return literal(style === 'markdown' && s.length > MARKDOWN_STEP_WIDTH ? `${s.slice(0, MARKDOWN_STEP_WIDTH - 1)}…` : s, style);
}

/** An uncompressed size cell: bytes, or why not. */
export function uncompressedCell(size: number | null | undefined, note: string | undefined, units: Units): string {
  if (size !== null && size !== undefined) return formatBytes(size, units);
  return note?.startsWith('uncertain') ? 'uncertain' : 'unknown';
}

/** "12ab34cd56ef" from "sha256:12ab34cd56ef...": what docker prints as an id. */
export function shortDigest(digest: string): string {
  return (digest.split(':')[1] ?? digest).slice(0, 12);
}

export function renderLayers(r: LayersResult, o: LayersRenderOptions): string {
  const withUncompressed = r.uncompressedSize !== undefined;
  const columns: Column[] = [
    { header: '#', align: 'right' },
    { header: 'DIGEST' },
    { header: 'SIZE', align: 'right' },
    { header: 'SHARE', align: 'right' },
    { header: 'TOTAL', align: 'right' },
    ...(withUncompressed ? [{ header: 'UNCOMPRESSED', align: 'right' as const }] : []),
    { header: 'TYPE' },
    { header: 'STEP', maxWidth: STEP_WIDTH, shrink: true },
  ];
  let running = 0;
  const rows = r.layers.map((l, i) => {
    running += l.size;
    return [
      String(i + 1),
      literal(shortDigest(l.digest), o.style),
      sizeCell(l.size, o.units, l.compressedSizeEstimated),
      formatPercent(l.size, r.compressedSize),
      sizeCell(running, o.units, l.compressedSizeEstimated),
      ...(withUncompressed ? [uncompressedCell(l.uncompressedSize, l.uncompressedNote, o.units)] : []),
      literal(layerKindLabel(l.mediaType), o.style),
      stepCell(l.createdBy, o.style),
    ];
  });
  const count = `${r.layers.length} layer${r.layers.length === 1 ? '' : 's'}`;
  const uncompressed = withUncompressed ? `, ${uncompressedCell(r.uncompressedSize, undefined, o.units)} uncompressed` : '';
  const title = `${literal(r.name, o.style)} (${literal(r.platform, o.style)}): ${count}, ${sizeCell(r.compressedSize, o.units, r.compressedSizeEstimated)} compressed${uncompressed}`;
  const head = o.style === 'markdown' ? `**${title}**\n\n` : `${title}\n\n`;
  const note = r.compressedSizeEstimated ? `${ESTIMATE_NOTE}\n` : '';
  return head + (rows.length ? renderTable(columns, rows, o.style, { width: o.width }) : 'no layers\n') + note;
}
