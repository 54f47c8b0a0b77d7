/**
 * The `regsize tags` table: one row per tag, in the order of the result. Tags that point at
 * the same image follow each other; after the first, a tag's row is ditto-marked (″), so a
 * screen of aliases reads as one image. Tags without the requested platform are listed as
 * skipped; real failures as errors, as compare prints them.
 */
import { isMissingPlatform, isTagError, type TagsResult } from '../tags/result.js';
import { literal } from './markdown-text.js';
import { type Column, renderTable, type TableStyle } from './table.js';
import { type Bandwidth, formatBytes, formatDuration, transferSeconds, type Units } from './units.js';

export interface TagsRenderOptions {
  units: Units;
  /** Download time is shown at this speed (the first --bandwidth). */
  bandwidth: Bandwidth | undefined;
  style: TableStyle;
}

const DITTO = '″';

/** `sha256:` and the first 12 hex digits: enough to tell images apart on screen. */
export function shortDigest(digest: string): string {
  return digest.slice(0, 19);
}

export function renderTags(result: TagsResult, o: TagsRenderOptions): string {
  const columns: Column[] = [
    { header: 'TAG', maxWidth: 48 },
    { header: 'DIGEST' },
    { header: 'PLATFORM' },
    { header: 'SIZE', align: 'right' },
    ...(o.bandwidth ? [{ header: `@${o.bandwidth.label}`, align: 'right' as const }] : []),
  ];
  const rows: string[][] = [];
  const notes: string[] = [];
  // The first tag seen for each digest carries the figures; later tags of that digest are ditto rows.
  const firstTag = new Map<string, string>();
  const dittoDone = new Set<string>();
  for (const e of result.tags) {
    if (isTagError(e)) {
      const label = isMissingPlatform(e) ? 'skipped' : 'error';
      if (o.style === 'markdown') rows.push([literal(e.tag, o.style), `**${label}** ${e.error.code}`, '', '', ...(o.bandwidth ? [''] : [])]);
      notes.push(`${label}: ${literal(e.error.message, o.style)}${label === 'error' ? ` [${e.error.code}]` : ''}`);
      continue;
    }
    const owner = firstTag.get(e.digest) ?? e.tag;
    firstTag.set(e.digest, owner);
    if (owner !== e.tag) {
      // One ditto row per alias, however many platforms the image has.
      if (dittoDone.has(e.tag)) continue;
      dittoDone.add(e.tag);
      rows.push([literal(e.tag, o.style), DITTO, DITTO, DITTO, ...(o.bandwidth ? [DITTO] : [])]);
      continue;
    }
    rows.push([
      literal(e.tag, o.style),
      literal(shortDigest(e.digest), o.style),
      literal(e.platform, o.style),
      formatBytes(e.compressedSize, o.units),
      ...(o.bandwidth ? [formatDuration(transferSeconds(e.compressedSize, o.bandwidth))] : []),
    ]);
  }
  let out = rows.length ? renderTable(columns, rows, o.style) : '';
  if (notes.length) out += (out ? '\n' : '') + notes.join('\n') + '\n';
  return out;
}
