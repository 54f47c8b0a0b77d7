/**
 * How many connections and streams the dispatcher (dispatcher.ts) uses, and how to read what
 * undici learned of a connection: figures and readers that slots.ts, http.ts and session.ts
 * need without loading undici (a run the cache answers never does).
 */

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
