/**
 * `regsize files` for people: the layers with what each added, the largest files and folders,
 * the wasted bytes, the hints with their fix, and (with --packages) the largest packages.
 * Paths and steps come from the registry: control characters are shown escaped, never sent
 * to the terminal, and markdown's own characters are escaped in --format markdown.
 */
import type { FilesResult } from '../files/analyse.js';
import { shortDigest, stepCell } from './layers.js';
import { type Column, renderTable, type TableStyle } from './table.js';
import { formatBytes, formatPercent, type Units } from '../units.js';

export interface FilesRenderOptions {
  units: Units;
  style: TableStyle;
  packages: boolean;
  /** Terminal width; paths and steps are clipped to fit. @default 120 */
  width?: number;
}

/** C0/C1 controls and DEL as \xNN: a file name cannot move the cursor or recolour the screen. */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * Markdown's inline syntax escaped (a file named `*[x](http://evil)*` stays text). A local
 * helper: no shared markdown escape exists in src/render yet.
 */
export function escapeMarkdown(s: string): string {
  // Links and images need "[" (escaped), emphasis "*" or "_", code "`", HTML "<"; "#", "-" and
  // "+" only start a block at the beginning of a line, which a cell or list item never is.
  return printable(s).replace(/[\\`*_{}[\]<>~]/g, (c) => `\\${c}`);
}

export function renderFiles(r: FilesResult, o: FilesRenderOptions): string {
  const md = o.style === 'markdown';
  const text = (s: string) => (md ? escapeMarkdown(s) : printable(s));
  const b = (n: number | null) => (n === null ? 'unknown' : formatBytes(n, o.units));
  const width = Math.max(60, o.width ?? 120);
  const pathWidth = Math.max(30, width - 30);
  const out: string[] = [];
  const heading = (t: string) => out.push(md ? `\n### ${t}\n` : `\n${t}`);

  out.push(md ? `## ${text(r.reference)} (${r.platform})` : `${printable(r.reference)} (${r.platform}) ${r.manifestDigest}`);
  out.push(`${formatBytes(r.bytesDownloaded, o.units)} downloaded to list ${r.layers.filter((l) => l.source === 'download').length} of ${r.layers.length} layers`);

  heading('Layers');
  const layerCols: Column[] = [{ header: '#', align: 'right' }, { header: 'LAYER' }, { header: 'SIZE', align: 'right' }, { header: 'FILES', align: 'right' }, { header: 'ADDED', align: 'right' }, { header: 'SOURCE' }, { header: 'STEP', maxWidth: Math.max(20, width - 60) }];
  out.push(
    renderTable(
      layerCols,
      r.layers.map((l, i) => [String(i), shortDigest(l.digest), formatBytes(l.size, o.units), l.files === null ? '-' : String(l.files), l.addedBytes === null ? '-' : b(l.addedBytes), l.source === 'base' ? 'base (not read)' : l.source, text(stepCell(l.createdBy, o.style))]),
      o.style,
    ).trimEnd(),
  );

  heading('Largest files');
  out.push(renderTable([{ header: 'SIZE', align: 'right' }, { header: 'LAYER', align: 'right' }, { header: 'PATH', maxWidth: pathWidth }], r.largest.map((f) => [b(f.size), String(f.layer), text(f.path)]), o.style).trimEnd());

  heading('Largest folders');
  out.push(renderTable([{ header: 'SIZE', align: 'right' }, { header: 'PATH', maxWidth: pathWidth }], r.directories.map((d) => [b(d.size), text(d.path)]), o.style).trimEnd());

  heading(`Wasted: ${b(r.wasted.bytes)} in lower layers, efficiency ${formatPercent(r.wasted.efficiency, 1)}`);
  if (r.wasted.note) out.push(text(r.wasted.note));
  if (r.wasted.files.length) {
    const shown = r.wasted.files.slice(0, 20);
    out.push(
      renderTable(
        [{ header: 'SIZE', align: 'right' }, { header: 'LAYER', align: 'right' }, { header: 'REMOVED BY', align: 'right' }, { header: 'HOW' }, { header: 'PATH', maxWidth: pathWidth - 20 }],
        shown.map((w) => [b(w.size), String(w.layer), String(w.removedBy), w.reason, text(w.path)]),
        o.style,
      ).trimEnd(),
    );
    if (r.wasted.files.length > shown.length) out.push(`and ${r.wasted.files.length - shown.length} more (see --json)`);
  }

  heading('Hints');
  if (r.hints.length === 0) out.push('none');
  for (const h of r.hints) {
    const named = h.packages?.length ? h.packages.map((p) => `package ${p}`) : h.paths;
    const paths = named.slice(0, 3).map(text).join(', ') + (named.length > 3 ? ', …' : '');
    const line = `${b(h.bytes)}  ${h.rule}  layer ${h.layer} (${text(stepCell(h.createdBy, o.style))}): ${paths}`;
    out.push(md ? `- **${formatBytes(h.bytes, o.units)}** \`${h.rule}\` layer ${h.layer}: ${paths}\n  fix: ${text(h.advice)}` : `${line}\n    fix: ${printable(h.advice)}`);
  }

  if (o.packages) {
    heading('Packages');
    out.push(
      r.packages.length === 0
        ? 'no package database found'
        : renderTable([{ header: 'SIZE', align: 'right' }, { header: 'MANAGER' }, { header: 'PACKAGE', maxWidth: 40 }, { header: 'VERSION', maxWidth: 24 }, { header: 'LAYER', align: 'right' }], r.packages.map((p) => [b(p.size), p.manager, text(p.name), text(p.version), String(p.layer)]), o.style).trimEnd(),
    );
  }
  return `${out.join('\n')}\n`;
}
