/**
 * The one CSV writer, for every CSV regsize prints (report --format csv, ecr audit --format
 * csv): RFC 4180 (comma-separated, a field double-quoted when it holds a quote, comma, CR or
 * LF, quotes doubled, CRLF line ends, every record as long as the header).
 *
 * Text cells a spreadsheet would run as a formula (starting with = + - @, tab or CR) get a
 * leading single quote, as OWASP advises for CSV injection; a registry's platform string or
 * error message can then never be `=HYPERLINK(...)` in someone's sheet. Numbers are written as
 * numbers (a negative delta stays -1234): only strings can carry a formula. Control characters
 * in text are shown visibly (terminalSafe), as in every other human output: CSV is often read
 * with cat, and no spreadsheet wants an escape sequence in a cell.
 * https://www.rfc-editor.org/rfc/rfc4180 https://owasp.org/www-community/attacks/CSV_Injection
 */
import { terminalSafe } from '../util/terminal-safe.js';

export type CsvCell = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

/** One field: empty for null/undefined (not known), guarded and quoted as above. */
export function csvField(v: CsvCell): string {
  if (v === null || v === undefined) return '';
  const s = typeof v !== 'string' ? String(v) : FORMULA_START.test(v) ? `'${terminalSafe(v)}` : terminalSafe(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The header and the rows as one CSV text; short rows are padded with empty fields (RFC 4180 2.4). */
export function renderCsv(header: string[], rows: CsvCell[][]): string {
  const width = header.length;
  const lines = [header, ...rows].map((row) => [...row, ...Array<CsvCell>(Math.max(0, width - row.length)).fill('')].map(csvField).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
