/**
 * The connections under every registry request: an undici dispatcher with keep-alive pools
 * per origin, HTTP(S)_PROXY/NO_PROXY honoured through EnvHttpProxyAgent, HTTP/2 by ALPN, and
 * many requests at once on an HTTP/2 connection.
 *
 * A session owns one (createDispatcher) and passes it to its HttpClient; the CLI shares one
 * default across a command's sessions (defaultDispatcher), so connections and TLS sessions are
 * reused across images, and ends it when the command has its answer.
 */
import diagnostics from 'node:diagnostics_channel';
import { Client, EnvHttpProxyAgent, Pool, type Dispatcher } from 'undici';
import { withEarlyConnection } from './preconnect.js';

/** Connections a dispatcher opens to one origin. */
export const CONNECTIONS_PER_ORIGIN = 32;

/**
 * Requests in flight on one HTTP/2 connection: 100, the least RFC 9113 (5.1.2) recommends a
 * server allow. A server that advertises fewer is held to its own figure (slots.ts).
 */
export const H2_STREAMS = 100;

/** How long an idle connection is kept for the next request. */
const KEEP_ALIVE_MS = 30_000;

/** undici's public diagnostics channel, published as a connection is made (with its protocol). */
const CONNECTED = 'undici:client:connected';

export interface OwnedDispatcher {
  readonly dispatcher: Dispatcher;
  /**
   * Ends every connection. Destroy, not close: nothing in flight is wanted any more. Not
   * awaited: undici settles a destroy only when a TLS handshake still under way gives up (its
   * 10 s connect timeout), which is the very wait this avoids.
   */
  destroy(): void;
}

/**
 * A dispatcher whose HTTP/2 connections carry many requests at once. undici 7 caps every
 * connection at `pipelining` requests in flight, 1 unless told otherwise, HTTP/2 included, so a
 * burst of manifest requests opened a connection each: two round trips apiece on a slow link.
 * HTTP/1.1 connections keep 1 (no pipelining); an HTTP/2 one is raised once it is known to be
 * one. undici publishes `undici:client:connected` (with the version) right before it emits the
 * client's 'connect' event, synchronously, so the two can be paired: the latest message seen is
 * the connection being announced.
 */
export function createDispatcher(): OwnedDispatcher {
  let negotiated: string | undefined;
  const onConnected = (message: unknown) => {
    negotiated = (message as { connectParams?: { version?: string } }).connectParams?.version;
  };
  diagnostics.subscribe(CONNECTED, onConnected);
  const multiplexingPool = (origin: string | URL, options: Pool.Options): Pool =>
    new Pool(origin, {
      ...options,
      factory: (o, clientOptions) => {
        // The connection bin/run.js opened early, for the first client of its origin (preconnect.ts).
        const client = new Client(o, withEarlyConnection(clientOptions));
        client.on('connect', () => {
          if (negotiated === 'h2') client.pipelining = H2_STREAMS;
        });
        return client;
      },
    });
  const dispatcher = new EnvHttpProxyAgent({ keepAliveTimeout: KEEP_ALIVE_MS, connections: CONNECTIONS_PER_ORIGIN, allowH2: true, factory: multiplexingPool });
  let destroyed = false;
  return {
    dispatcher,
    destroy() {
      if (destroyed) return;
      destroyed = true;
      diagnostics.unsubscribe(CONNECTED, onConnected);
      dispatcher.destroy().catch(() => {});
    },
  };
}

let shared: OwnedDispatcher | undefined;

/** The CLI's one dispatcher for the process, made on first use. */
export function defaultDispatcher(): Dispatcher {
  shared ??= createDispatcher();
  return shared.dispatcher;
}

/**
 * Ends the CLI's connections once a command has its answer: idle keep-alive sockets (30 s) and
 * a request still waiting on a silent server would otherwise keep Node running after the result
 * is printed; bin/run.js exits once stdout is written. The next command gets a fresh one.
 */
export function destroyDefaultDispatcher(): void {
  const d = shared;
  shared = undefined;
  d?.destroy();
}
