/**
 * What the logs of one run say about where its time went: requests by kind, connections
 * opened and why, the client's own time inside the chain of dependent requests, and start-up.
 * Facts are computed from the gateway and link logs, so they stay true when the code changes.
 */
import type { Floor } from './floor.js';
import type { RequestRecord } from './gateway.js';
import type { ProcResult, Sample } from './measure.js';
import { type BenchResults, ms, startupMedian } from './results.js';
import type { StartupId } from './scenarios.js';

/** Facts about one run, read from the gateway and link logs. */
export interface RunFacts {
  tokens: number;
  heads: number;
  pings: number;
  manifestGets: number;
  blobGets: number;
  tagLists: number;
  connections: number;
  /** Requests that had to wait for a connection opened after the run's first request. */
  onLateConnections: number;
  beforeNetworkMs: number | undefined;
  networkMs: number | undefined;
  afterNetworkMs: number | undefined;
}

export function facts(s: Sample): RunFacts {
  const reqs = s.gateway.requests;
  const byConn = new Map<number, RequestRecord[]>();
  for (const q of reqs) byConn.set(q.conn, [...(byConn.get(q.conn) ?? []), q]);
  const firstStart = Math.min(...reqs.map((q) => q.start));
  const handshakeAt = new Map(s.gateway.handshakes.map((h) => [h.conn, h.at]));
  let late = 0;
  for (const [conn, list] of byConn) if ((handshakeAt.get(conn) ?? 0) > firstStart && list.length > 0) late++;
  const proc = s.processes[s.processes.length - 1] as ProcResult;
  return {
    tokens: reqs.filter((q) => q.path.startsWith('/token')).length,
    heads: reqs.filter((q) => q.method === 'HEAD').length,
    pings: reqs.filter((q) => q.path === '/v2/').length,
    manifestGets: reqs.filter((q) => q.method === 'GET' && /\/manifests\//.test(q.path)).length,
    blobGets: reqs.filter((q) => q.method === 'GET' && /\/blobs\//.test(q.path)).length,
    tagLists: reqs.filter((q) => q.method === 'GET' && /\/tags\/list/.test(q.path)).length,
    connections: s.connections,
    onLateConnections: late,
    beforeNetworkMs: s.beforeNetworkMs,
    networkMs: s.networkMs,
    afterNetworkMs: s.lastResponseAt !== undefined ? proc.exitedAt - s.lastResponseAt : undefined,
  };
}

/**
 * When each connection of a run opened and closed, on the client's clock: its first request
 * reaches the registry about 2.5 RTT after the client connected (SYN/SYN-ACK, the TLS 1.3
 * flight, then Finished with the request), and the client closes half a round trip before the
 * registry sees it.
 */
function connectionTimes(s: Sample, rtt: number): { openedAt: Map<number, number>; closedAt: Map<number, number> } {
  const openedAt = new Map<number, number>();
  for (const q of [...s.gateway.requests].sort((a, b) => a.start - b.start)) if (!openedAt.has(q.conn)) openedAt.set(q.conn, q.start - 2.5 * rtt);
  const closedAt = new Map(s.gateway.handshakes.map((h) => [h.conn, h.closedAt === undefined ? Infinity : h.closedAt - rtt / 2]));
  return { openedAt, closedAt };
}

/** The most requests in flight at once, as the client sees them (sent half a round trip before the registry has them). */
function maxInFlight(reqs: RequestRecord[], oneWay: number): number {
  const edges = reqs.flatMap((q) => [{ t: q.start - oneWay, d: 1 }, { t: q.end + oneWay, d: -1 }]).sort((a, b) => a.t - b.t || a.d - b.d);
  let now = 0;
  let max = 0;
  for (const e of edges) max = Math.max(max, (now += e.d));
  return max;
}

/**
 * How the run used its connections, from the gateway log: requests per connection, new
 * connections opened while an earlier one sat idle and open, and connections that carried
 * nothing after a HEAD although the run went on.
 */
export function connectionFindings(s: Sample, rtt: number): string[] {
  const reqs = [...s.gateway.requests].sort((a, b) => a.start - b.start);
  if (reqs.length === 0) return [];
  const oneWay = rtt / 2;
  const byConn = new Map<number, RequestRecord[]>();
  for (const q of reqs) byConn.set(q.conn, [...(byConn.get(q.conn) ?? []), q]);
  const spawned = (s.processes[0] as ProcResult).spawnedAt;
  // A new connection counts as needless when an earlier connection of the run sat idle at that
  // moment and was still open; each idle connection excuses one new one.
  const { openedAt, closedAt } = connectionTimes(s, rtt);
  const idleExamples: string[] = [];
  const claimed = new Set<number>();
  let openedWhileIdle = 0;
  for (const [conn, opened] of [...openedAt].sort((a, b) => a[1] - b[1])) {
    const idle = [...byConn].find(([other, list]) => {
      if (other === conn || claimed.has(other) || (openedAt.get(other) ?? Infinity) >= opened) return false;
      const before = list.filter((q) => q.end + oneWay <= opened);
      const inFlight = list.some((q) => q.start - oneWay <= opened && q.end + oneWay > opened);
      return before.length > 0 && !inFlight && (closedAt.get(other) ?? Infinity) > opened;
    });
    if (idle) {
      claimed.add(idle[0]);
      openedWhileIdle++;
      if (idleExamples.length < 2) idleExamples.push(`conn ${conn} opened at about +${Math.round(opened - spawned)} ms while conn ${idle[0]} was idle`);
    }
  }
  // A HEAD whose connection carried nothing more while a later request had to open a new one.
  const firstOnConn = new Set([...byConn.values()].map((list) => list[0] as RequestRecord));
  const heads = reqs.filter((q) => q.method === 'HEAD');
  const headEnded = heads.filter((q) => {
    const list = byConn.get(q.conn) as RequestRecord[];
    return list[list.length - 1] === q && reqs.some((later) => firstOnConn.has(later) && later.start > q.end + rtt);
  });
  const lines = [`${reqs.length} requests over ${byConn.size} connections (${(reqs.length / byConn.size).toFixed(1)} per connection).`];
  if (openedWhileIdle > 0) {
    lines.push(`${openedWhileIdle} request(s) went out on a new connection, paying TCP + TLS (2 RTT), while an earlier connection of the run sat idle and open (${idleExamples.join('; ')}): the client's pool did not hand out the idle connection when the next request followed at once.`);
  }
  if (headEnded.length > 0) {
    lines.push(`${headEnded.length} of ${heads.length} HEAD requests were the last on their connection while later requests opened new ones: the client closes the connection after a HEAD (undici does so by default, to guard against servers that send a body with HEAD; it keeps it only with the request option \`reset: false\` and a \`Connection: keep-alive\` answer), so the next request pays TCP + TLS again.`);
  }
  return lines;
}

/**
 * The client's own time inside the chain of dependent requests: from an answer reaching
 * regsize to the request that needed it leaving (or the connection it needed being opened).
 * Time the network cannot explain; on an idle machine it is a few milliseconds.
 */
function thinkTimes(s: Sample, rtt: number): string | undefined {
  // In a loop of processes each one starts the chain again; the figures would mix them up.
  if (s.processes.length !== 1) return undefined;
  const oneWay = rtt / 2;
  const reqs = [...s.gateway.requests].sort((a, b) => a.start - b.start);
  const ping = reqs.find((q) => q.path === '/v2/');
  const token = reqs.find((q) => q.path.startsWith('/token'));
  const byTag = reqs.find((q) => /\/(manifests\/(?!sha256:)|tags\/list)/.test(q.path));
  const byDigest = reqs.find((q) => q.method === 'GET' && /\/manifests\/sha256:/.test(q.path));
  const parts: string[] = [];
  const arrives = (q: RequestRecord) => q.end + oneWay;
  // When the client set out to send: on a new connection, when it connected (the first request
  // reaches the registry 2.5 RTT later: SYN/SYN-ACK, the TLS flight, Finished with the request).
  const firstOnConn = new Set<RequestRecord>();
  const seen = new Set<number>();
  for (const q of reqs) {
    if (seen.has(q.conn)) continue;
    seen.add(q.conn);
    firstOnConn.add(q);
  }
  const leaves = (q: RequestRecord) => (firstOnConn.has(q) ? q.start - 2.5 * rtt : q.start - oneWay);
  if (ping && token) parts.push(`ping answer -> token request ${ms(leaves(token) - arrives(ping))}`);
  if (token && byTag) parts.push(`token answer -> next request ${ms(leaves(byTag) - arrives(token))}`);
  // Only where indexes are fetched by tag (compare): the tags command fetches them by digest.
  if (byDigest && byTag?.method === 'GET' && /\/manifests\//.test(byTag.path)) {
    const before = reqs.filter((q) => q.method === 'GET' && q.end < byDigest.start && /\/manifests\/(?!sha256:)/.test(q.path));
    const last = before.sort((a, b) => a.end - b.end)[0];
    if (last) parts.push(`first index answer -> first platform manifest request ${ms(leaves(byDigest) - arrives(last))}`);
  }
  return parts.length ? `Client time inside the chain (an answer in, the request that needed it out, or its new connection opened): ${parts.join('; ')}.` : undefined;
}

/** What the time before the first connection is made of, from the start-up probes. */
export function startupLine(r: BenchResults, beforeNetworkMs: number): string {
  const node = startupMedian(r, 'node');
  const esm = startupMedian(r, 'esm');
  const modules = startupMedian(r, 'compare-modules');
  const over = (id: StartupId) => ms(startupMedian(r, id) - esm);
  const rest = beforeNetworkMs - modules;
  return (
    `Start-up: ${ms(beforeNetworkMs)} pass before the first connection, ${ms(beforeNetworkMs - node)} more than \`node -e 0\`. ` +
    `Over an empty ES module (${ms(esm)}), importing the compare command's modules takes ${over('compare-modules')}, @oclif/core alone ${over('oclif')} and the undici package alone ${over('undici')}` +
    (rest > 30 ? `; the remaining ${ms(rest)} is oclif's own start (config, manifest, flag parsing) and regsize's set-up before its first request.` : ': loading modules is nearly all of it.')
  );
}

/** Everything the logs say about one run, one finding per line, against the task's floor. */
export function describeRun(r: BenchResults, s: Sample, floor: Floor): string[] {
  const rtt = r.rttMs;
  const f = facts(s);
  const lines: string[] = [];
  if (f.beforeNetworkMs !== undefined && f.networkMs !== undefined) {
    lines.push(
      `Where the ${ms(s.ms)} of the median run went: ${ms(f.beforeNetworkMs)} from spawn to the first TCP connection (start-up), ` +
        `${ms(f.networkMs)} on the network (${(f.networkMs / rtt).toFixed(1)} RTT against a floor of ${floor.steps.length}), ` +
        `${ms(f.afterNetworkMs ?? 0)} from the last byte to exit.`,
    );
  }
  lines.push(`Requests: ${f.pings} ping, ${f.tokens} token, ${f.tagLists ? `${f.tagLists} tag list, ` : ''}${f.manifestGets} manifest GET, ${f.heads} HEAD, ${f.blobGets} blob GET, over ${f.connections} TCP connection(s).`);
  const inFlight = maxInFlight(s.gateway.requests, rtt / 2);
  if (f.onLateConnections > 0 && inFlight <= 1) {
    // Sequential requests: a new connection means the earlier ones were all closed by then
    // (one still open but idle is reported below, as a pool that did not hand it out).
    const { openedAt, closedAt } = connectionTimes(s, rtt);
    const first = Math.min(...openedAt.values());
    const closedBefore = [...openedAt].filter(([c, t]) => t > first && ![...openedAt].some(([o, ot]) => o !== c && ot < t && (closedAt.get(o) ?? Infinity) > t)).length;
    if (closedBefore > 0) lines.push(`Connection reuse: ${closedBefore} connection(s) were opened after the first request although no two requests were ever in flight at once and the earlier connections were closed: the client does not keep connections for the next request, so each costs TCP + TLS (2 RTT) again.`);
  } else if (f.onLateConnections > 0) {
    const h2 = s.gateway.handshakes.some((h) => h.alpn === 'h2');
    lines.push(
      h2
        ? `Connection reuse: ${f.onLateConnections} connection(s) were opened after the first request, each costing TCP + TLS (2 RTT) before its first request could go, although the client and the registry spoke HTTP/2, which carries any number of requests on one connection. The client used each HTTP/2 connection for one request at a time (undici's pool, which regsize uses, counts a connection as busy once it carries \`pipelining\` requests, and that option defaults to 1 for HTTP/2 too).`
        : `Connection reuse: ${f.onLateConnections} connection(s) were opened after the first request, each costing TCP + TLS (2 RTT) before its first request could go. Over HTTP/1.1 each request in flight needs a connection of its own; the floor has parallel requests wait for none, as HTTP/2 does by multiplexing them on one connection (the registry here offers h2 by ALPN).`,
    );
  }
  lines.push(...connectionFindings(s, rtt).slice(1));
  if (f.tokens > 1) lines.push(`Token sharing: ${f.tokens} token requests; one request can name every repository (several scope= parameters).`);
  const gets = new Set(s.gateway.requests.filter((q) => q.method === 'GET').map((q) => q.path));
  const headThenGet = s.gateway.requests.filter((q) => q.method === 'HEAD' && gets.has(q.path)).length;
  if (headThenGet > 0) lines.push(`HEAD before GET: ${headThenGet} HEAD request(s) were followed by a GET of the same manifest, a round trip the GET alone would have saved.`);
  const think = thinkTimes(s, rtt);
  if (think) lines.push(think);
  if (f.beforeNetworkMs !== undefined && f.beforeNetworkMs > rtt) lines.push(startupLine(r, f.beforeNetworkMs));
  return lines;
}

