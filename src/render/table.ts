/**
 * Column-aligned tables for terminals (docker-style: no borders, two spaces between columns)
 * and GitHub-flavoured markdown tables for pull-request comments.
 */
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
    const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
    const head = `| ${columns.map((c) => esc(c.header)).join(' | ')} |`;
    const rule = `|${columns.map((c) => (c.align === 'right' ? ' ---: ' : ' --- ')).join('|')}|`;
    const body = rows.map((r) => `| ${columns.map((_, i) => esc(r[i] ?? '')).join(' | ')} |`);
    return [head, rule, ...body].join('\n') + '\n';
  }
  const cells = rows.map((r) => columns.map((c, i) => clip(r[i] ?? '', c.maxWidth)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => (r[i] as string).length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) => {
        const last = i === r.length - 1;
        if (columns[i]?.align === 'right') return cell.padStart(widths[i] as number);
        return last ? cell : cell.padEnd(widths[i] as number);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n') + '\n';
}
