/**
 * WWW-Authenticate challenges (RFC 7235), parsed generically: a registry tells us how to
 * authenticate; we never hard-code Docker Hub's token URL.
 *   Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/python:pull"
 *   Basic realm="Registry Realm"
 */
export interface Challenge {
  scheme: string; // lower-case: "bearer", "basic"
  params: Record<string, string>; // keys lower-case
}

/** Parses one header value that may hold several challenges. Unparseable input yields []. */
export function parseChallenges(header: string | null | undefined): Challenge[] {
  if (!header) return [];
  const out: Challenge[] = [];
  let i = 0;
  const s = header;
  const skipWs = () => {
    while (i < s.length && /[\s,]/.test(s[i] as string)) i++;
  };
  const token = () => {
    const m = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/.exec(s.slice(i));
    if (!m) return '';
    i += m[0].length;
    return m[0];
  };
  while (i < s.length) {
    skipWs();
    const scheme = token();
    if (!scheme) break;
    const ch: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(ch);
    // auth-params: name=value or name="quoted", separated by commas, until the next scheme.
    while (i < s.length) {
      skipWs();
      const save = i;
      const name = token();
      while (s[i] === ' ') i++;
      if (!name || s[i] !== '=') {
        i = save; // not a param: the next challenge's scheme (or a token68, which we do not use)
        break;
      }
      i++; // '='
      while (s[i] === ' ') i++;
      let value = '';
      if (s[i] === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) i++;
          value += s[i];
          i++;
        }
        i++; // closing quote
      } else {
        value = token();
      }
      ch.params[name.toLowerCase()] = value;
      while (s[i] === ' ') i++;
      if (s[i] === ',') i++;
      else break;
    }
  }
  return out;
}
