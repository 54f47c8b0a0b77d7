/**
 * The `regsize tags` table: one row per tag, in the order of the result. Tags that point at
 * the same image follow each other; after the first, a tag's row is ditto-marked (″), so a
 * screen of aliases reads as one image. Tags without the requested platform are listed as
 * skipped, real failures as errors; as in compare, the row stays and the explanation goes to stderr.
 */
import { isMissingPlatform, isTagError, type TagsResult } from '../tags/result.js';
import type { Failure } from './failures.js';
import { literal } from './markdown-text.js';
import { type Column, renderTable, type TableStyle } from './table.js';
import { type Bandwidth, formatBytes, formatDuration, transferSeconds, type Units } from '../units.js';

export interface TagsRenderOptions {
  units: Units;
  /** Download time is shown at this speed (the first --bandwidth). */
  bandwidth: Bandwidth | undefined;
  style: TableStyle;
  /** Terminal columns to fit (middle-ellipsis on long names and steps); undefined prints cells whole. */
  width?: number | undefined;
}

const DITTO = '″';

/**
 * `sha256:` and the first 12 hex digits: the DIGEST column, enough to tell images apart. (The
 * layers table's shortDigest is docker's 12-hex id without the algorithm.)
 */
function digestCell(digest: string): string {
  return digest.slice(0, 19);
}

export function renderTags(result: TagsResult, o: TagsRenderOptions): string {
  const columns: Column[] = [
    { header: 'TAG', maxWidth: 48, shrink: true },
    { header: 'DIGEST' },
    { header: 'PLATFORM' },
    { header: 'SIZE', align: 'right' },
    ...(o.bandwidth ? [{ header: `@${o.bandwidth.label}`, align: 'right' as const }] : []),
  ];
  const rows: string[][] = [];
  // The first tag seen for each digest carries the figures; later tags of that digest are ditto rows.
  const firstTag = new Map<string, string>();
  const dittoDone = new Set<string>();
  for (const e of result.tags) {
    if (isTagError(e)) {
      const label = isMissingPlatform(e) ? 'skipped' : 'error';
      // The row stays; the explanation goes to stderr (tagFailures).
      rows.push([literal(e.tag, o.style), o.style === 'markdown' ? `**${label}** ${e.error.code}` : `${label}: ${e.error.code}`, '', '', ...(o.bandwidth ? [''] : [])]);
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
      literal(digestCell(e.digest), o.style),
      literal(e.platform, o.style),
      formatBytes(e.compressedSize, o.units),
      ...(o.bandwidth ? [formatDuration(transferSeconds(e.compressedSize, o.bandwidth))] : []),
    ]);
  }
  return rows.length ? renderTable(columns, rows, o.style, { width: o.width }) : '';
}

/** The failed and skipped tags, for render/failures.ts's stderr lines. */
export function tagFailures(result: TagsResult, repository: string): Failure[] {
  return result.tags.filter(isTagError).map((e) => ({ reference: `${repository}:${e.tag}`, error: e.error }));
}
