/**
 * The first connection, opened before the code that will use it is loaded (issue #16). A cold
 * `regsize IMAGE...` spends its first ~100 ms loading; over a 100 ms link TCP + TLS take two
 * round trips. bin/run.js starts them at once (`preconnect`), and undici takes the socket for
 * its first connection to that origin (`adoptingConnector`, in http.ts's pool): the handshake
 * runs while the modules load.
 *
 * What is sent is what undici would send itself (a TLS ClientHello, same ALPN, certificate
 * verified against the same CAs), to the registry the user named: no request, no credential.
 * If the early connection fails in any way, undici connects afresh, so errors read as they did
 * without it. bin/run.js and the bundle each have their own copy of this module: the socket
 * is handed over through one process-wide slot.
 */
import net from 'node:net';
import type tls from 'node:tls';

/** undici's connector (buildConnector's result), as its Client calls it. */
export type Connector = (opts: { hostname: string; protocol: string; port: string }, callback: (err: Error | null, socket: net.Socket | null) => void) => void;

interface Early {
  key: string;
  socket: tls.TLSSocket;
  /** Settles when the handshake is done (true) or failed (false). */
  ready: Promise<boolean>;
}

const SLOT = Symbol.for('regsize.preconnected');
type Slot = { [SLOT]?: Early | undefined };

/** As undici's connector: its connect timeout, the same ALPN offer and socket options. */
const CONNECT_TIMEOUT_MS = 10_000;
const ALPN = ['http/1.1', 'h2'];

const keyOf = (hostname: string, port: number) => `${hostname}:${port}`;

/**
 * Opens TCP + TLS to host:port now, for `adoptingConnector` to hand to undici. TCP first: its
 * SYN leaves before node:tls is loaded and its secure context made (root and extra CAs), about
 * 13 ms on a slow machine, which then run during the handshake's round trip instead of before
 * it. Resolves once TLS is under way; bin/run.js awaits it before it loads the bundle.
 */
export async function preconnect(hostname: string, port: number): Promise<void> {
  const tcp = net.connect({ host: hostname, port });
  tcp.setNoDelay(true).setKeepAlive(true, 60_000);
  let failed = false;
  // Never an unhandled error: a failed early connection only means undici connects itself.
  tcp.on('error', () => (failed = true));
  // net connects on the next tick (an IP address) or once the name is looked up.
  await new Promise((resolve) => setImmediate(resolve));
  const { connect } = await import('node:tls');
  const socket = connect({ socket: tcp, host: hostname, servername: net.isIP(hostname) ? undefined : hostname, ALPNProtocols: ALPN });
  socket.setTimeout(CONNECT_TIMEOUT_MS, () => socket.destroy(new Error('connect timeout')));
  const ready = new Promise<boolean>((resolve) => {
    if (failed || tcp.destroyed) return resolve(false);
    socket.once('secureConnect', () => {
      socket.setTimeout(0);
      resolve(true);
    });
    socket.on('error', () => resolve(false));
    tcp.once('close', () => resolve(false));
  });
  (globalThis as Slot)[SLOT] = { key: keyOf(hostname, port), socket, ready };
}

/** The early socket for this origin, once: undefined when there is none (or it was for another). */
function take(hostname: string, port: number): Early | undefined {
  const early = (globalThis as Slot)[SLOT];
  if (!early || early.key !== keyOf(hostname, port)) return undefined;
  (globalThis as Slot)[SLOT] = undefined;
  return early;
}

/** A pool's client options (undici hands its factory the built connector) with `adoptingConnector` in. */
export function withEarlyConnection(clientOptions: object): object {
  const { connect } = clientOptions as { connect?: unknown };
  return typeof connect === 'function' ? { ...clientOptions, connect: adoptingConnector(connect as Connector) } : clientOptions;
}

/** Wraps undici's connector: the first https connection to the early socket's origin gets it. */
export function adoptingConnector(connect: Connector): Connector {
  return (opts, callback) => {
    const early = opts.protocol === 'https:' ? take(opts.hostname, Number(opts.port || 443)) : undefined;
    if (!early) return connect(opts, callback);
    void early.ready.then((ok) => {
      if (ok && !early.socket.destroyed) return callback(null, early.socket);
      early.socket.destroy();
      connect(opts, callback);
    });
  };
}

/** Whether an early connection is waiting (for tests). */
export function hasEarlyConnection(): boolean {
  return (globalThis as Slot)[SLOT] !== undefined;
}
