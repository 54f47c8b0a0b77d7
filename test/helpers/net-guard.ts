/**
 * No test may reach the internet, through nock's guard (node:http, global fetch: the AWS SDK
 * and the tests' own clients) or around it: HttpClient sends through undici's own
 * `dispatcher.request`, which nock does not see. undici announces every connection it makes
 * (`undici:client:connected`, with the socket); one whose far end is not loopback is ended at
 * once and recorded, and test/setup.ts fails the test it happened in. A connection through a
 * proxy counts the proxy's address, which is what the socket reached.
 */
import diagnostics from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

const stray: string[] = [];

/** The far address of a socket, or of the one a TLS socket wraps (a tunnel through a proxy). */
function remoteOf(socket: Socket | undefined): string | undefined {
  let s: (Socket & { _parent?: Socket | null }) | undefined = socket;
  while (s) {
    if (s.remoteAddress) return s.remoteAddress;
    s = s._parent ?? undefined;
  }
  return undefined;
}

diagnostics.subscribe('undici:client:connected', (message) => {
  const { socket, connectParams } = message as { socket?: Socket; connectParams?: { hostname?: string; port?: string | number } };
  const remote = remoteOf(socket);
  if (remote === undefined || LOOPBACK.test(remote)) return;
  stray.push(`${connectParams?.hostname ?? '?'}:${connectParams?.port ?? '?'} (${remote})`);
  socket?.destroy(new Error(`test/setup.ts: connections outside loopback are refused (${remote})`));
});

/** The non-loopback connections made since the last call. */
export function takeStrayConnections(): string[] {
  return stray.splice(0);
}
