/**
 * http or https. Docker's convention: loopback registries (localhost, 127.0.0.0/8, ::1) may
 * speak plain HTTP; any other host only with --plain-http. TLS is verified otherwise.
 */
export function isLoopbackHost(hostPort: string): boolean {
  const host = hostPort.startsWith('[') ? hostPort.slice(1, hostPort.indexOf(']')) : hostPort.replace(/:\d+$/, '');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export interface SchemePolicy {
  /** Hosts (host or host:port) the user allowed plain HTTP for, or true for every host. */
  plainHttp: boolean | string[];
}

/**
 * The schemes to try, in order. Loopback registries are "insecure registries" in Docker's
 * sense: HTTPS first, plain HTTP when TLS does not answer. --plain-http means HTTP only.
 */
export function schemesFor(registryHost: string, policy: SchemePolicy): ('http' | 'https')[] {
  if (policy.plainHttp === true) return ['http'];
  if (Array.isArray(policy.plainHttp) && policy.plainHttp.some((h) => h === registryHost || h === registryHost.replace(/:\d+$/, ''))) return ['http'];
  if (isLoopbackHost(registryHost)) return ['https', 'http'];
  return ['https'];
}

/**
 * Whether a failed https request met a server that does not speak TLS (a plain-HTTP registry
 * answers the ClientHello with an HTTP error, which OpenSSL reports as a record-layer error).
 * Read from the error codes Node and OpenSSL set on the cause chain, never from message text.
 */
export function isNotTls(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('ERR_SSL_') || code === 'EPROTO')) return true;
  }
  return false;
}

/** Credentials may travel over plain HTTP only to this machine. */
export function mayCarryCredentials(url: string): boolean {
  const u = new URL(url);
  return u.protocol === 'https:' || isLoopbackHost(u.host);
}
