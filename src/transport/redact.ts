/**
 * Secrets never reach output, logs, errors or the cache. URLs are logged and put into errors
 * only after passing through here: userinfo removed, token-like query values replaced.
 */
const SECRET_PARAM = /token|password|passwd|secret|signature|sig$|credential|auth|code|key/i;

export function redactUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return raw.replace(/\/\/[^/@]*@/, '//***@');
  }
  if (u.username || u.password) {
    u.username = '***';
    u.password = '';
  }
  for (const name of [...u.searchParams.keys()]) {
    if (SECRET_PARAM.test(name)) u.searchParams.set(name, '***');
  }
  // URLSearchParams encodes "*" as-is; keep the rest readable (scopes contain ":" and "/").
  return decodeURIComponent(u.toString());
}

/**
 * Removes the given secrets from a text (error bodies echoed back to us), in every encoding a
 * registry may echo them in: raw, base64, percent-encoded (either hex case, `+` for space, any
 * mix of encoded and plain characters) and JSON-escaped (`\"`, `\/`, `\uXXXX`).
 */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  // Longest first: a secret inside another (a password inside base64 of user:pass) must not
  // break the longer one's match.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (!s || s.length < 4) continue;
    out = out.replace(secretPattern(s), '***');
    out = out.split(Buffer.from(s).toString('base64')).join('***');
  }
  return out;
}

const patterns = new Map<string, RegExp>();

/** One pattern per secret: each character matches itself or any of its escapes. */
function secretPattern(secret: string): RegExp {
  let re = patterns.get(secret);
  if (!re) {
    re = new RegExp([...secret].map(charPattern).join(''), 'gi');
    patterns.set(secret, re);
  }
  return re;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const escapeRe = (c: string) => c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

function charPattern(c: string): string {
  const alternatives = [
    escapeRe(c),
    [...Buffer.from(c)].map((b) => `%${hex(b, 2)}`).join(''),
    Array.from({ length: c.length }, (_, i) => `\\\\u${hex(c.charCodeAt(i), 4)}`).join(''),
  ];
  if (c === '"' || c === '\\' || c === '/') alternatives.push(`\\\\${escapeRe(c)}`);
  if (c === ' ') alternatives.push('\\+');
  // Case-insensitive matching makes %2f and %2F, \u00e9 and \u00E9 alike; a letter of the
  // secret then also matches its other case, which only ever redacts a little more.
  return `(?:${alternatives.join('|')})`;
}
