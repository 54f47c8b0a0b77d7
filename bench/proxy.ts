/**
 * A simulated slow link (a VPN to another continent) as a TCP proxy on loopback: every byte
 * pays half the round trip in each direction, each direction is capped at the link's
 * bandwidth (shared by all connections, as one physical link is), and a new connection
 * cannot carry data until one full round trip after the client connected (SYN, SYN-ACK).
 * Working at the TCP level, below TLS and HTTP, means connection set-up and TLS handshakes
 * pay the latency exactly as they do on a real network, and the bytes counted here are the
 * bytes a real link would carry (TLS records included, TCP/IP headers excluded).
 *
 * Not modelled: packet loss and TCP slow start. Manifests (a few kB) fit in the initial
 * congestion window of 10 segments, so for this workload slow start costs no round trip.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';

export interface LinkOptions {
  /** Round-trip time in milliseconds (half of it each way). */
  rttMs: number;
  /** Capacity of each direction in bits per second. */
  bitsPerSecond: number;
}

/** What crossed the link since the last reset. */
export interface WireSnapshot {
  connections: number;
  /** Bytes from the clients to the server. */
  bytesUp: number;
  /** Bytes from the server to the clients. */
  bytesDown: number;
  /** performance.now() of each accepted connection, in order. */
  connectedAt: number[];
}

export interface ShapingProxy {
  /** "127.0.0.1:PORT": the address clients use in image references. */
  host: string;
  port: number;
  /** Returns what crossed the link since the previous reset, and starts counting afresh. */
  reset(): WireSnapshot;
  /** Resolves once no connection is open (at most `timeoutMs` later). */
  idle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Past this many bytes waiting in one direction of a connection, stop reading the sender. */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

/** One direction of the link, shared by every connection: the bandwidth cap lives here. */
class Lane {
  /** When the link finishes sending what it has already accepted. */
  private freeAt = 0;
  constructor(private readonly msPerByte: number) {}

  /** When a chunk handed over at `readyAt` has been fully put on the wire. */
  transmit(readyAt: number, bytes: number): number {
    this.freeAt = Math.max(readyAt, this.freeAt) + bytes * this.msPerByte;
    return this.freeAt;
  }
}

type Item = { at: number; chunk: Buffer } | { at: number; end: true };

/**
 * Moves bytes from `from` to `to`, each arriving one-way latency after it left; nothing
 * leaves before `openAt` (the TCP handshake). Arrival times only grow, so order is kept.
 */
function shapeDirection(from: net.Socket, to: net.Socket, lane: Lane, oneWayMs: number, openAt: number, onBytes: (n: number) => void): void {
  const queue: Item[] = [];
  let queued = 0;
  let timer: NodeJS.Timeout | undefined;
  let lastAt = 0;

  const pump = (): void => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && (queue[0] as Item).at <= now + 0.5) {
      const item = queue.shift() as Item;
      if ('end' in item) {
        to.end();
        continue;
      }
      queued -= item.chunk.length;
      if (!to.destroyed) to.write(item.chunk);
    }
    if (queued < MAX_QUEUED_BYTES && from.isPaused()) from.resume();
    schedule();
  };
  const schedule = (): void => {
    if (timer || queue.length === 0) return;
    timer = setTimeout(pump, Math.max(0, (queue[0] as Item).at - performance.now()));
  };

  from.on('data', (chunk: Buffer) => {
    onBytes(chunk.length);
    const sent = lane.transmit(Math.max(performance.now(), openAt), chunk.length);
    lastAt = sent + oneWayMs;
    queue.push({ at: lastAt, chunk });
    queued += chunk.length;
    if (queued >= MAX_QUEUED_BYTES) from.pause();
    schedule();
  });
  from.on('end', () => {
    lastAt = Math.max(lastAt, performance.now() + oneWayMs);
    queue.push({ at: lastAt, end: true });
    schedule();
  });
  from.on('close', () => {
    // An abrupt close (reset) of one side: give the other side what is already in flight, then drop it.
    if (!from.readableEnded) setTimeout(() => to.destroy(), Math.max(0, lastAt - performance.now()) + 1).unref();
  });
}

export async function startShapingProxy(targetPort: number, link: LinkOptions): Promise<ShapingProxy> {
  const oneWay = link.rttMs / 2;
  const msPerByte = (8 * 1000) / link.bitsPerSecond;
  const up = new Lane(msPerByte);
  const down = new Lane(msPerByte);
  const open = new Set<net.Socket>();
  let counters = fresh();

  function fresh(): WireSnapshot {
    return { connections: 0, bytesUp: 0, bytesDown: 0, connectedAt: [] };
  }

  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    const acceptedAt = performance.now();
    counters.connections++;
    counters.connectedAt.push(acceptedAt);
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort, allowHalfOpen: true, noDelay: true });
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      // Either side failing ends the whole connection, as a reset does.
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    // The client may send once its SYN-ACK is back: one full round trip after it connected.
    shapeDirection(client, upstream, up, oneWay, acceptedAt + link.rttMs, (n) => (counters.bytesUp += n));
    shapeDirection(upstream, client, down, oneWay, 0, (n) => (counters.bytesDown += n));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;

  return {
    host: `127.0.0.1:${port}`,
    port,
    reset() {
      const snapshot = counters;
      counters = fresh();
      return snapshot;
    },
    async idle(timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (open.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
