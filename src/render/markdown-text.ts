/**
 * Registry-supplied text in markdown (pull-request comments, chat messages) rendered
 * literally: a tag, a platform or an error message must never become a link, an image, bold
 * text, an HTML tag, a table column or a mention that pings a whole team.
 *
 *   - control characters are shown visibly first (terminalSafe), so no newline splits a line
 *     and the markdown printed to a terminal is as safe as a table;
 *   - the inline markdown punctuation is backslash-escaped (CommonMark 2.4: any ASCII
 *     punctuation may be), `<` and `>` become entities (no raw HTML), and so does an `&` that
 *     would start an entity (`&lt;` shows as written; `&&` stays readable);
 *   - a leading `#`, `+`, `-`, `=` or `1.` is escaped so the text cannot start a heading, a
 *     list or a rule if it ever opens a line;
 *   - `@` is followed by a zero-width space: GitHub (and chat tools) look for mentions in the
 *     rendered text, after backslash escapes are gone, so only a character between `@` and
 *     the name stops `@everyone` from notifying anyone.
 * https://spec.commonmark.org/0.31.2/#backslash-escapes
 */
import { terminalSafe } from '../util/terminal-safe.js';
import type { TableStyle } from './table.js';

const ZERO_WIDTH_SPACE = '\u200b';

/** Untrusted text as markdown that renders exactly as the text (see above). */
export function markdownText(text: string): string {
  return terminalSafe(text)
    .replace(/&(?=#?\w+;)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]()!~|{}]/g, '\\$&')
    .replace(/@/g, `@${ZERO_WIDTH_SPACE}`)
    .replace(/^[#+\-=]/, '\\$&')
    .replace(/^(\d+)([.)])/, '$1\\$2');
}

/**
 * Untrusted text as a markdown code span: nothing inside a code span is markdown, HTML or a
 * mention, and backslash escapes are not read there, so only control characters and the
 * backtick that would close the span are changed. (A pipe inside a table cell is escaped by
 * renderTable, as GFM asks even inside code spans.)
 */
export function markdownCode(text: string): string {
  return `\`${terminalSafe(text).replace(/`/g, "'")}\``;
}

/** Untrusted text for a renderer of either style: escaped markdown, or a safe terminal line. */
export function literal(text: string, style: TableStyle): string {
  return style === 'markdown' ? markdownText(text) : terminalSafe(text);
}
