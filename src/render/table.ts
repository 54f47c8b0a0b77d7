/**
 * Column-aligned tables for terminals (docker-style: no borders, two spaces between columns)
 * and GitHub-flavoured markdown tables for pull-request comments.
 *
 * Every cell goes through terminalSafe, so no control character in a cell reaches the terminal
 * whoever forgot to escape it. Markdown markup in cells is the caller's: cells holding registry
 * text must be escaped with markdownText/markdownCode (./markdown-text.ts) before they get here.
 */
import { terminalSafe } from '../util/terminal-safe.js';

export type Align = 'left' | 'right';

export interface Column {
  header: string;
  align?: Align;
  /** Longest cell when the table is fitted to a terminal; longer text is cut in the middle with an ellipsis. */
  maxWidth?: number;
  /** May be shortened (in the middle) so the table fits the terminal: long names and build steps. */
  shrink?: boolean;
}

export interface FitOptions {
  /** Terminal columns to fit; undefined (a pipe, or --wide) prints every cell whole. */
  width?: number | undefined;
}

/** Cells of a shrinkable column are never cut below this. */
const MIN_SHRUNK = 12;

export type TableStyle = 'plain' | 'markdown';

/** `docker.io/library/pyt…11-slim`: both ends of a name or step say more than either alone. */
export function clipMiddle(text: string, max: number | undefined): string {
  if (max === undefined || text.length <= max) return text;
  if (max <= 1) return '…';
  const head = Math.ceil((max - 1) / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (max - 1 - head))}`;
}

/** Column widths that fit `width`, taking from the widest shrinkable column first. */
function fit(columns: Column[], widths: number[], width: number): number[] {
  const out = [...widths];
  const total = () => out.reduce((a, b) => a + b, 0) + 2 * (out.length - 1);
  while (total() > width) {
    let widest = -1;
    for (let i = 0; i < out.length; i++) if (columns[i]?.shrink && (out[i] as number) > MIN_SHRUNK && (widest < 0 || (out[i] as number) > (out[widest] as number))) widest = i;
    if (widest < 0) break; // nothing left to shrink: the terminal wraps, nothing is lost
    out[widest] = Math.max(MIN_SHRUNK, (out[widest] as number) - (total() - width));
  }
  return out;
}

export function renderTable(columns: Column[], rows: string[][], style: TableStyle = 'plain', o: FitOptions = {}): string {
  if (style === 'markdown') {
    // A pipe splits a GFM cell unless escaped; one markdownText already escaped is left alone.
    const esc = (s: string) => terminalSafe(s).replace(/(?<!\\)\|/g, '\\|');
    const head = `| ${columns.map((c) => esc(c.header)).join(' | ')} |`;
    const rule = `|${columns.map((c) => (c.align === 'right' ? ' ---: ' : ' --- ')).join('|')}|`;
    const body = rows.map((r) => `| ${columns.map((_, i) => esc(r[i] ?? '')).join(' | ')} |`);
    return [head, rule, ...body].join('\n') + '\n';
  }
  const fitting = o.width !== undefined;
  let cells = rows.map((r) => columns.map((_, i) => terminalSafe(r[i] ?? '')).map((cell, i) => (fitting ? clipMiddle(cell, columns[i]?.maxWidth) : cell)));
  const headers = columns.map((c) => terminalSafe(c.header));
  // A loop, not Math.max(...column): spreading a column of 125,000+ rows overflows the stack.
  let widths = headers.map((h) => h.length);
  for (const r of cells) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] as number, cell.length)));
  if (fitting) {
    widths = fit(columns, widths, o.width as number);
    cells = cells.map((r) => r.map((cell, i) => (columns[i]?.shrink ? clipMiddle(cell, widths[i]) : cell)));
  }
  const line = (r: string[]) =>
    r
      .map((cell, i) => {
        const last = i === r.length - 1;
        if (columns[i]?.align === 'right') return cell.padStart(widths[i] as number);
        return last ? cell : cell.padEnd(widths[i] as number);
      })
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n') + '\n';
}
