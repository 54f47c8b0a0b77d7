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
  /** Longest cell in plain tables; longer text is cut with an ellipsis. */
  maxWidth?: number;
}

export type TableStyle = 'plain' | 'markdown';

function clip(text: string, max: number | undefined): string {
  if (max === undefined || text.length <= max) return text;
  return `${text.slice(0, Math.max(1, max - 1))}…`;
}

export function renderTable(columns: Column[], rows: string[][], style: TableStyle = 'plain'): string {
  if (style === 'markdown') {
    // A pipe splits a GFM cell unless escaped; one markdownText already escaped is left alone.
    const esc = (s: string) => terminalSafe(s).replace(/(?<!\\)\|/g, '\\|');
    const head = `| ${columns.map((c) => esc(c.header)).join(' | ')} |`;
    const rule = `|${columns.map((c) => (c.align === 'right' ? ' ---: ' : ' --- ')).join('|')}|`;
    const body = rows.map((r) => `| ${columns.map((_, i) => esc(r[i] ?? '')).join(' | ')} |`);
    return [head, rule, ...body].join('\n') + '\n';
  }
  const cells = rows.map((r) => columns.map((c, i) => clip(terminalSafe(r[i] ?? ''), c.maxWidth)));
  const headers = columns.map((c) => terminalSafe(c.header));
  // A loop, not Math.max(...column): spreading a column of 125,000+ rows overflows the stack.
  const widths = headers.map((h) => h.length);
  for (const r of cells) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] as number, cell.length)));
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
