/** Text into the HTML report: everything from a config or a registry goes through `esc`. */

/** Text safe in element content and in quoted attribute values. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A reference that may wrap in a narrow cell, at its separators rather than mid-word. */
export function breakable(ref: string): string {
  // Pieces between separators never break (not even at a hyphen: eu-west-1 stays whole).
  return ref
    .split(/(?<=[/:@.])/)
    .map((piece) => `<span class="nobr">${esc(piece)}</span>`)
    .join('<wbr>');
}
