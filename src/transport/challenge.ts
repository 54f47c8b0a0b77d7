/**
 * WWW-Authenticate challenges (RFC 7235 section 4.1), parsed generically: a registry tells us
 * how to authenticate; we never hard-code Docker Hub's token URL.
 *   Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/python:pull"
 *   Basic realm="Registry Realm"
 *
 * The header comes from a server we do not trust, and a challenge decides where credentials
 * go, so the parser is strict: a header it cannot read whole (a missing comma, an unterminated
 * quote, stray characters) yields no challenge at all, never a partial or guessed one.
 */
export interface Challenge {
  scheme: string; // lower-case: "bearer", "basic"
  params: Record<string, string>; // keys lower-case
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
const TOKEN68 = /[A-Za-z0-9\-._~+/]+=*/y;

/** The match of sticky `re` at `at`, or ''. */
function matchAt(re: RegExp, s: string, at: number): string {
  re.lastIndex = at;
  return re.exec(s)?.[0] ?? '';
}

class Malformed extends Error {}

/** Parses one header value that may hold several challenges. Unparseable input yields []. */
export function parseChallenges(header: string | null | undefined): Challenge[] {
  if (!header) return [];
  try {
    return parse(header);
  } catch (e) {
    if (e instanceof Malformed) return [];
    throw e;
  }
}

function parse(s: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  const ows = () => {
    while (s[i] === ' ' || s[i] === '\t') i++;
  };
  const token = (): string => {
    const m = matchAt(TOKEN, s, i);
    i += m.length;
    return m;
  };
  const quoted = (): string => {
    i++; // opening quote
    let value = '';
    while (i < s.length && s[i] !== '"') {
      if (s[i] === '\\') i++;
      if (i >= s.length) break;
      value += s[i];
      i++;
    }
    if (s[i] !== '"') throw new Malformed('unterminated quoted string');
    i++;
    return value;
  };
  /** After an element: only whitespace, then a comma or the end. */
  const endOfElement = () => {
    ows();
    if (i < s.length && s[i] !== ',') throw new Malformed(`unexpected "${s[i]}"`);
  };
  /** At "=": reads the value (a token or a quoted string) of parameter `name`. */
  const param = (c: Challenge, name: string) => {
    i++;
    ows();
    const value = s[i] === '"' ? quoted() : token();
    c.params[name.toLowerCase()] = value;
    endOfElement();
  };
  let current: Challenge | undefined;
  while (i < s.length) {
    // The list rule allows empty elements: "a, , b".
    ows();
    if (s[i] === ',') {
      i++;
      continue;
    }
    if (i >= s.length) break;
    const start = i;
    const name = token();
    if (!name) throw new Malformed(`unexpected "${s[i]}"`);
    ows();
    if (s[i] === '=') {
      // name=value: another parameter of the current challenge (none yet: not a challenge list).
      if (!current) throw new Malformed('a parameter before any scheme');
      param(current, name);
      continue;
    }
    // A new challenge: the scheme, then nothing, a token68, or its first parameter.
    current = { scheme: name.toLowerCase(), params: {} };
    out.push(current);
    if (i >= s.length || s[i] === ',') continue;
    if (i === start + name.length) throw new Malformed('no space after the scheme');
    const paramStart = i;
    const first = token();
    ows();
    // "=" followed by "=", "," or the end is token68 padding ("abc=="), not a parameter.
    if (first && s[i] === '=' && s[i + 1] !== '=' && s[i + 1] !== ',' && s[i + 1] !== undefined) {
      param(current, first);
      continue;
    }
    // token68 (Negotiate, NTLM): not used by registries; kept as a challenge without params.
    i = paramStart;
    const t68 = matchAt(TOKEN68, s, i);
    if (!t68) throw new Malformed('unreadable challenge');
    i += t68.length;
    endOfElement();
  }
  return out;
}
