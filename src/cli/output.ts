/**
 * What a command prints on stdout for its --format, chosen in this one place: a table in the
 * style the format names (plain for a terminal, markdown for a PR comment), or the CSV text.
 */
import type { TableStyle } from '../render/table.js';

/** --format of the commands that print a table. */
export type TableFormat = 'table' | 'markdown';
/** --format of the commands that also write CSV. */
export type OutputFormat = TableFormat | 'csv';

/** The table style of a format: every table renderer takes one. */
export function tableStyle(format: TableFormat): TableStyle {
  return format === 'markdown' ? 'markdown' : 'plain';
}

export interface Renderers {
  /** The table in the style asked for; trailing blank lines are trimmed. */
  table: (style: TableStyle) => string;
  /** The CSV text, written as it is (its own line endings). Required when the format may be csv. */
  csv?: () => string;
}

/** The stdout text for `format`: CSV as written, a table ending in exactly one newline. */
export function renderOutput(format: TableFormat, renderers: Renderers): string;
export function renderOutput(format: OutputFormat, renderers: Required<Renderers>): string;
export function renderOutput(format: OutputFormat, renderers: Renderers): string {
  if (format === 'csv') {
    // The overloads require a CSV renderer wherever the format may be csv.
    if (!renderers.csv) throw new Error('--format csv given to a command without a CSV renderer');
    return renderers.csv();
  }
  return `${renderers.table(tableStyle(format)).trimEnd()}\n`;
}
