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

/** Removes any of the given secret strings from a text (for error bodies echoed back to us). */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  return out;
}
