/**
 * http or https. Docker's convention: loopback registries (localhost, 127.0.0.0/8, ::1) speak
 * plain HTTP; any other host only with --plain-http. TLS is verified otherwise.
 */
export function isLoopbackHost(hostPort: string): boolean {
  const host = hostPort.startsWith('[') ? hostPort.slice(1, hostPort.indexOf(']')) : hostPort.replace(/:\d+$/, '');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export interface SchemePolicy {
  /** Hosts (host or host:port) the user allowed plain HTTP for, or true for every host. */
  plainHttp: boolean | string[];
}

export function schemeFor(registryHost: string, policy: SchemePolicy): 'http' | 'https' {
  if (isLoopbackHost(registryHost)) return 'http';
  if (policy.plainHttp === true) return 'http';
  if (Array.isArray(policy.plainHttp) && policy.plainHttp.some((h) => h === registryHost || h === registryHost.replace(/:\d+$/, ''))) return 'http';
  return 'https';
}

/** Credentials may travel over plain HTTP only to this machine. */
export function mayCarryCredentials(url: string): boolean {
  const u = new URL(url);
  return u.protocol === 'https:' || isLoopbackHost(u.host);
}
