/** The compare table: sizes, layer counts, download times, deltas to the first image, sharing. */
import { type CompareResult, type ImageEntry, isErrorEntry, sharingSummary } from '../sizing/compare.js';
import { terminalSafe } from '../util/terminal-safe.js';
import { ESTIMATE_NOTE, sizeCell } from './estimated.js';
import { literal, markdownCode } from './markdown-text.js';
import { type Column, renderTable, type TableStyle } from './table.js';
import { type Bandwidth, formatBytes, formatDuration, formatPercent, formatSignedBytes, transferSeconds, type Units } from '../units.js';

export interface RenderOptions {
  units: Units;
  bandwidths: Bandwidth[];
  style: TableStyle;
  /** Terminal columns to fit (middle-ellipsis on long names and steps); undefined prints cells whole. */
  width?: number | undefined;
}

export function renderCompare(result: CompareResult, o: RenderOptions): string {
  const images = result.images.filter((e): e is ImageEntry => !isErrorEntry(e));
  const first = images[0];
  const withUncompressed = images.some((i) => i.uncompressedSize !== undefined);
  const columns: Column[] = [
    { header: 'IMAGE', maxWidth: 48, shrink: true },
    { header: 'PLATFORM' },
    { header: 'SIZE', align: 'right' },
    ...(withUncompressed ? [{ header: 'UNCOMPRESSED', align: 'right' as const }] : []),
    { header: 'LAYERS', align: 'right' },
    ...o.bandwidths.map((b) => ({ header: `@${b.label}`, align: 'right' as const })),
    { header: 'VS FIRST', align: 'right' },
  ];
  const rows: string[][] = [];
  for (const e of result.images) {
    // A failed image keeps its row; the explanation goes to stderr (render/failures.ts).
    if (isErrorEntry(e)) {
      // The row stays; the explanation goes to stderr (failures.ts).
      rows.push([literal(e.reference, o.style), o.style === 'markdown' ? `**error** ${e.error.code}` : `error: ${e.error.code}`, '', ...(withUncompressed ? [''] : []), '', ...o.bandwidths.map(() => ''), '']);
      continue;
    }
    const foreign = e.layers.filter((l) => l.foreign).length;
    const delta = first && e !== first ? `${formatSignedBytes(e.compressedSize - first.compressedSize, o.units)} (${formatPercent(e.compressedSize - first.compressedSize, first.compressedSize, true)})` : '';
    rows.push([
      literal(e.reference, o.style),
      literal(e.platform, o.style),
      sizeCell(e.compressedSize, o.units, e.compressedSizeEstimated),
      ...(withUncompressed ? [e.uncompressedSize === null || e.uncompressedSize === undefined ? 'unknown' : formatBytes(e.uncompressedSize, o.units)] : []),
      foreign ? `${e.layers.length} (${foreign} foreign)` : String(e.layers.length),
      ...o.bandwidths.map((b) => formatDuration(transferSeconds(e.compressedSize, b))),
      delta,
    ]);
  }
  let out = rows.length ? renderTable(columns, rows, o.style, { width: o.width }) : '';
  if (images.some((i) => i.compressedSizeEstimated)) out += `${ESTIMATE_NOTE}\n`;
  if (images.length > 1) out += '\n' + renderSharing(images, o) + '\n';
  return out;
}

function renderSharing(images: ImageEntry[], o: RenderOptions): string {
  const s = sharingSummary(images);
  // With more than one platform (--platform all) each image is named with its platform, and
  // each platform's pull is counted apart: two platforms never land on one machine.
  const several = s.platforms.length > 1;
  const named = (i: number): string => {
    const img = images[i];
    if (!img) return '';
    return several ? `${img.reference} (${img.platform})` : img.reference;
  };
  const lines: string[] = [];
  if (s.shared.length === 0) {
    lines.push('Shared layers: none; every layer is downloaded separately.');
  } else {
    const count = `${s.shared.length} layer${s.shared.length === 1 ? '' : 's'}`;
    lines.push(`Shared layers: ${count}, ${formatBytes(s.sharedBytes, o.units)}, stored and downloaded once${several ? ' per platform' : ''}:`);
    for (const l of s.shared) {
      const group = s.platforms.find((p) => p.platform === l.platform)?.images.length ?? 0;
      // With many images, naming every one on every line made lines of hundreds of characters.
      const all = several ? `all ${group} ${l.platform} images` : `all ${group} images`;
      const where = l.images.length === group && group > 2 ? all : l.images.map(named).join(', ');
      const line = `${l.digest.slice(0, 19)}  ${formatBytes(l.size, o.units).padStart(8)}  in ${where}`;
      // Markdown: the layers as a list of code spans, where nothing is markup.
      lines.push(o.style === 'markdown' ? `- ${markdownCode(line)}` : `  ${terminalSafe(line)}`);
    }
  }
  const bw = o.bandwidths[0];
  const pulls = s.platforms.map((p) => {
    const time = bw ? `, ${formatDuration(transferSeconds(p.uniqueBytes, bw))} at ${bw.label}` : '';
    const separately = p.uniqueBytes < p.totalBytes ? ` (${formatBytes(p.totalBytes, o.units)} if pulled on separate machines)` : '';
    const what = !several ? `all ${p.images.length} once` : p.images.length === 1 ? `the ${literal(p.platform, o.style)} image` : `all ${p.images.length} ${literal(p.platform, o.style)} images once`;
    return `Pulling ${what} transfers ${formatBytes(p.uniqueBytes, o.units)}${time}${separately}.`;
  });
  if (several) pulls.push('Platforms are counted apart: two platforms never land on one machine, so they share no download.');
  if (o.style !== 'markdown') return [...lines, ...pulls].join('\n');
  // Markdown: the layers as a list, and a blank line so the sentences below are not part of it.
  return [...lines, '', pulls.join('\n\n')].join('\n');
}
