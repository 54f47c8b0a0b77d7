/**
 * The connections under every registry request: an undici dispatcher with keep-alive pools
 * per origin, HTTP(S)_PROXY/NO_PROXY honoured through EnvHttpProxyAgent when a proxy is set (a
 * plain Agent when none is: proxyConfigured), HTTP/2 by ALPN, and many requests at once on an
 * HTTP/2 connection.
 *
 * This file is the only one that loads undici for registry requests, and nothing imports it
 * statically but tests: the CLI's one dispatcher is made on a command's first request
 * (shared-dispatcher.ts), so a run the cache answers whole loads no undici at all. Its limits
 * live apart (connection-limits.ts), for the files that need them without undici.
 */
import diagnostics from 'node:diagnostics_channel';
import { Agent, Client, EnvHttpProxyAgent, Pool, type Dispatcher } from 'undici';
import { CONNECTIONS_PER_ORIGIN, H2_CONNECTIONS, H2_STREAMS, h2StreamsOf, ownSymbol } from './connection-limits.js';
import { withEarlyConnection } from './preconnect.js';

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
  const multiplexingPool = (origin: string | URL, options: Pool.Options): Pool => {
    /** Whether a connection of this origin said HTTP/2, and the fewest streams its server allowed one. */
    let speaksH2 = false;
    let knownStreams = H2_STREAMS;
    const pool: Pool = new Pool(origin, {
      ...options,
      factory: (o, clientOptions) => {
        // The connection bin/run.js opened early, for the first client of its origin (preconnect.ts).
        // A further connection to an HTTP/2 origin starts at the stream limit the last one was
        // given, until its own SETTINGS say otherwise: opening it at undici's default of 100 to a
        // server that allows 5 gets 95 streams refused.
        const client = new Client(o, withEarlyConnection(speaksH2 ? { ...clientOptions, maxConcurrentStreams: knownStreams } : clientOptions));
        let h2 = speaksH2;
        let connected = false;
        // What undici sends at once on this connection, read by undici before every request:
        //   - HTTP/1.1: 1;
        //   - HTTP/2: the server's stream limit (h2StreamsOf), which undici learns from the
        //     server's SETTINGS only after 'connect', so it is read each time, not set once;
        //   - still connecting, to an origin known to speak HTTP/2: the limit its other
        //     connections had, so that it sends that many of the requests queued on it at once
        //     when it connects, not one (how many connections the pool opens: see 'connect').
        const pipelining = () => {
          if (!h2) return 1;
          // The least any connection of the origin was allowed: one made before the first said
          // HTTP/2 opens at undici's default of 100 streams until its own SETTINGS arrive.
          if (connected) knownStreams = Math.min(knownStreams, h2StreamsOf(client));
          return knownStreams;
        };
        const key = ownSymbol(client, 'pipelining');
        if (key) Object.defineProperty(client, key, { get: pipelining, set: () => {}, configurable: true });
        else client.pipelining = pipelining(); // an undici that keeps it elsewhere: set, and set again on connect
        client.on('connect', () => {
          h2 = negotiated === 'h2';
          connected = true;
          if (h2 && !speaksH2) {
            speaksH2 = true;
            // A connection still connecting is busy from its first queued request on, so the pool
            // would open one per request waiting (up to CONNECTIONS_PER_ORIGIN): an HTTP/2 origin
            // gets H2_CONNECTIONS at most, and what they cannot take yet waits in the pool's queue.
            const cap = ownSymbol(pool, 'connections');
            if (cap) (pool as unknown as Record<symbol, unknown>)[cap] = H2_CONNECTIONS;
          }
          // Setting it makes undici look at its queue again (the value is ignored when the getter
          // above is in place): it may have sent one request, as to HTTP/1.1, before this ran.
          client.pipelining = h2 ? H2_STREAMS : 1;
        });
        return client;
      },
    });
    return pool;
  };
  const options = { keepAliveTimeout: KEEP_ALIVE_MS, connections: CONNECTIONS_PER_ORIGIN, allowH2: true, factory: multiplexingPool };
  const dispatcher = proxyConfigured() ? new EnvHttpProxyAgent(options) : new Agent(options);
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

/**
 * Whether the environment names a proxy, read as EnvHttpProxyAgent reads it: the lower-case name
 * first, and an empty value is none. Without one, EnvHttpProxyAgent hands every request to one
 * plain Agent after parsing its origin again (a 2000-tag run spent about 1.5% of its CPU there),
 * so the Agent is used directly. NO_PROXY only narrows a proxy that is set.
 */
export function proxyConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.http_proxy ?? env.HTTP_PROXY) || Boolean(env.https_proxy ?? env.HTTPS_PROXY);
}
