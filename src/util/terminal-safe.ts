/**
 * Untrusted text (tag names, `created_by`, media types, platforms, registry error messages,
 * ECR names, what a history database holds) made safe for one terminal line: every character
 * a terminal would act on instead of print is shown as an escape, so an ESC/OSC/CSI sequence
 * (links, title changes, screen clears), a newline that splits a one-line error, or a bidi
 * override that reorders what the user reads cannot reach the terminal raw.
 *
 * Shown as `\xNN`: C0 controls (tab and newline included), DEL and C1 controls (U+0080-009F,
 * which some terminals take as CSI/OSC introducers). Shown as `\uNNNN`: the bidi controls
 * (U+200E-200F, U+202A-202E, U+2066-2069, U+061C) and the line/paragraph separators
 * (U+2028-2029). Everything else, including every printable non-ASCII character, is kept.
 *
 * It lives below every layer (the logger in transport/ and the CLI's error line use it too).
 * JSON output does not go through it: JSON escaping keeps it exact, and jsonTerminalSafe below
 * escapes what JSON.stringify leaves raw.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function visible(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every control character shown visibly (`\x1b`, `\x0a`, `\u202e`); idempotent. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, visible);
}

const JSON_RAW = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON text (from JSON.stringify) with the characters JSON.stringify leaves raw (DEL, C1
 * controls, bidi controls, U+2028/2029) written as `\uNNNN` escapes: the JSON parses to exactly
 * the same value, and printed to a terminal it cannot act on it. They can only occur inside
 * strings, where a `\u` escape means the same character.
 */
export function jsonTerminalSafe(json: string): string {
  return json.replace(JSON_RAW, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
