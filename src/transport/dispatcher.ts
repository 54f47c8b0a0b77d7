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

/**
 * HTTP/2 connections to one origin while every stream of the open ones is busy: a burst wider
 * than one connection's streams (the 2000 HEADs of `tags`, `--platform all` on a large index)
 * goes out in one round trip on several connections instead of in waves of H2_STREAMS on one,
 * each wave a round trip. A burst that fits in one connection's streams opens no second one.
 */
export const H2_CONNECTIONS = 4;

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

/** A symbol-keyed own property of an undici object (not public API: anything odd means "not there"). */
export function ownSymbol(target: object | undefined, description: string): symbol | undefined {
  return target ? Object.getOwnPropertySymbols(target).find((s) => s.description === description) : undefined;
}

/** undici's Symbol('max concurrent streams'), one for every Client, found on the first asked about. */
let streamsKey: symbol | undefined;

/**
 * Streams one HTTP/2 connection carries: what its server advertised (SETTINGS_MAX_CONCURRENT_STREAMS,
 * which undici keeps on the Client and updates when the server's SETTINGS arrive), at most
 * H2_STREAMS; H2_STREAMS while not known.
 */
export function h2StreamsOf(client: object | undefined): number {
  streamsKey ??= ownSymbol(client, 'max concurrent streams');
  const advertised = client && streamsKey ? (client as Record<symbol, unknown>)[streamsKey] : undefined;
  return typeof advertised === 'number' && Number.isSafeInteger(advertised) && advertised > 0 ? Math.min(advertised, H2_STREAMS) : H2_STREAMS;
}

let shared: OwnedDispatcher | undefined;

/**
 * What defaultDispatcher makes, looked up when it makes one. An object, not a constant, so that
 * a test of whole sessions and commands (which cannot hand them a dispatcher) can answer them
 * with undici's MockAgent instead of the network (test/helpers/mock-agent.ts); nothing in
 * regsize writes it.
 */
export const dispatcherSource: { create: () => OwnedDispatcher } = { create: createDispatcher };

/** The CLI's one dispatcher for the process, made on first use. */
export function defaultDispatcher(): Dispatcher {
  shared ??= dispatcherSource.create();
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
