/**
 * Requests in flight per origin. A request waits for its slot here, before its timer starts,
 * instead of in undici's queue with its timer already running: `--platform all` on an index of
 * 1000 platforms queued 1000 manifest GETs behind 32 connections and every late one "timed
 * out" unsent (#11).
 *
 * How many at once depends on what the origin speaks (#16):
 *   - HTTP/1.1: one request per connection, so `perOrigin` (--concurrency; at most the
 *     dispatcher's connections to one origin);
 *   - HTTP/2: one connection multiplexes streams, so the server's SETTINGS_MAX_CONCURRENT_STREAMS
 *     as undici read it, capped at H2_STREAM_LIMIT (the requests the dispatcher lets one
 *     connection carry, connection-limits.ts), times H2_CONNECTIONS: once one connection's streams are
 *     all busy the pool opens another, which takes a connection's worth while it connects
 *     (never one connection per waiting request: a cold compare of 100 images once opened 16).
 *     Every request of a run then goes at once, up to streams x connections per round trip.
 * The protocol is learned from undici's public diagnostics channel `undici:client:connected`
 * (published for every new connection with the ALPN result); an origin not yet connected,
 * or reached through a proxy, counts as HTTP/1.1 until a connection to it says otherwise.
 */
import diagnostics from 'node:diagnostics_channel';
import { H2_CONNECTIONS, H2_STREAMS, h2StreamsOf, ownSymbol } from './connection-limits.js';

/** Streams used on one HTTP/2 connection at most: the dispatcher's per-connection pipelining, one figure. */
export const H2_STREAM_LIMIT = H2_STREAMS;

interface Negotiated {
  version: string;
  /** undici's Client of that connection, to read the server's stream limit from. */
  client: object | undefined;
}

/** origin -> what its latest connection negotiated. */
const negotiated = new Map<string, Negotiated>();
let listening = false;

function listen(): void {
  if (listening) return;
  listening = true;
  diagnostics.subscribe('undici:client:connected', (message) => {
    const m = message as { connectParams?: { protocol?: string; host?: string; version?: string }; socket?: object };
    const p = m.connectParams;
    if (!p?.protocol || !p.host) return;
    const key = ownSymbol(m.socket, 'client');
    const client = m.socket && key ? (m.socket as Record<symbol, unknown>)[key] : undefined;
    negotiated.set(`${p.protocol}//${p.host}`, { version: p.version ?? 'h1', client: typeof client === 'object' && client !== null ? client : undefined });
  });
}

/** Requests one origin takes at once: over HTTP/2 the streams the server allows (capped) on each of H2_CONNECTIONS connections, else `h1`. */
export function originLimit(origin: string, h1: number): number {
  const n = negotiated.get(origin);
  if (n?.version !== 'h2') return h1;
  // Read afresh each time: undici updates it when the server's SETTINGS arrive after connect.
  return h2StreamsOf(n.client) * H2_CONNECTIONS;
}

export class OriginSlots {
  private readonly origins = new Map<string, { running: number; waiting: (() => void)[] }>();

  /**
   * @param perOrigin requests at once to an HTTP/1.1 origin
   * @param limitOf how many one origin takes now (tests pass a fixed one)
   */
  constructor(
    private readonly perOrigin: number,
    private readonly limitOf: (origin: string, h1: number) => number = originLimit,
  ) {
    if (limitOf === originLimit) listen();
  }

  /** Resolves once a slot of `origin` is free; call the returned function to give it back. */
  async acquire(origin: string): Promise<() => void> {
    let o = this.origins.get(origin);
    if (!o) this.origins.set(origin, (o = { running: 0, waiting: [] }));
    const state = o;
    if (state.running >= this.limitOf(origin, this.perOrigin)) await new Promise<void>((resolve) => state.waiting.push(resolve));
    else state.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      state.running--;
      // The origin may take more now than when these waited (its connection said HTTP/2).
      const limit = this.limitOf(origin, this.perOrigin);
      while (state.waiting.length > 0 && state.running < limit) {
        state.running++;
        state.waiting.shift()?.();
      }
      if (state.running === 0 && state.waiting.length === 0) this.origins.delete(origin);
    };
  }
}
