/**
 * The results as a table on stdout and as BENCHMARKS.md: medians with min/max, the floor and
 * the ratio to it, requests and bytes per tool, the goals (held or missed, with the facts
 * behind a miss) and the request timeline that shows where the round trips went.
 */
import { renderTable, type Column, type TableStyle } from '../src/render/table.js';
import { formatBytes } from '../src/units.js';
import { FLOORS, floorMs, type Floor } from './floor.js';
import { describeRun, facts, startupLine } from './findings.js';
import { renderLocalSection } from './local-sources.js';
import { type ProcResult, type Sample, stats, type Stats } from './measure.js';
import { type BenchResults, type Goal, medianSample, ms, outcome, startupMedian, wall } from './results.js';
import { scaleGoals } from './scale-goals.js';

const kb = (v: number) => formatBytes(Math.round(v * 1000));
const range = (s: Stats, f: (v: number) => string) => (s.min === s.max ? f(s.min) : `${f(s.min)} – ${f(s.max)}`);
const num = (s: Stats) => (s.min === s.max ? String(s.median) : `${s.median} (${s.min}–${s.max})`);

function floorCell(f: Floor | undefined, rtt: number): string {
  if (!f) return '';
  return `${f.steps.length} RTT = ${ms(floorMs(f, rtt))}`;
}

function ratioCell(median: number, f: Floor | undefined, rtt: number): string {
  if (!f) return '';
  const floor = floorMs(f, rtt);
  return floor === 0 ? 'n/a (floor 0)' : `${(median / floor).toFixed(2)}x`;
}

const COLUMNS: Column[] = [
  { header: 'Measurement' },
  { header: 'Median', align: 'right' },
  { header: 'Min – max', align: 'right' },
  { header: 'Floor', align: 'right' },
  { header: 'Median / floor', align: 'right' },
  { header: 'HTTP requests', align: 'right' },
  { header: 'TCP conns', align: 'right' },
  { header: 'On the wire', align: 'right' },
  { header: '1st connection after', align: 'right' },
  { header: 'Peak RSS', align: 'right' },
];

function rows(r: BenchResults): string[][] {
  const out: string[][] = [];
  for (const o of r.outcomes) {
    const { scenario } = o;
    if (scenario.unavailable || o.error || o.samples.length === 0) {
      out.push([scenario.label, scenario.unavailable ?? `FAILED: ${(o.error ?? 'no samples').split('\n')[0]}`, '', floorCell(scenario.floor, r.rttMs)]);
      continue;
    }
    const t = stats(o.samples.map((s) => s.ms));
    const first = o.samples.map((s) => s.beforeNetworkMs).filter((v): v is number => v !== undefined);
    const rss = o.samples.map((s) => s.maxRssKb).filter((v): v is number => v !== undefined);
    out.push([
      scenario.label,
      ms(t.median),
      range(t, ms),
      floorCell(scenario.floor, r.rttMs),
      ratioCell(t.median, scenario.floor, r.rttMs),
      num(stats(o.samples.map((s) => s.requests))),
      num(stats(o.samples.map((s) => s.connections))),
      formatBytes(stats(o.samples.map((s) => s.wireBytes)).median),
      first.length ? ms(stats(first).median) : 'no network',
      rss.length ? kb(stats(rss).median) : '',
    ]);
  }
  for (const p of r.startup) {
    if (p.error) {
      out.push([p.label, `FAILED: ${p.error.split('\n')[0]}`]);
      continue;
    }
    const t = wall(p.runs);
    const rss = p.runs.map((x) => x.maxRssKb).filter((x): x is number => x !== undefined);
    out.push([p.label, ms(t.median), range(t, ms), '', '', '0', '0', '', '', rss.length ? kb(stats(rss).median) : '']);
  }
  return out;
}

export function renderResultsTable(r: BenchResults, style: TableStyle): string {
  return renderTable(COLUMNS, rows(r), style);
}

// ---------------------------------------------------------------- goals


export function evaluateGoals(r: BenchResults): Goal[] {
  const goals: Goal[] = [];
  const cold = outcome(r, 'compare-cold');
  const warm = outcome(r, 'compare-warm');
  const skopeo = outcome(r, 'skopeo');
  const coldFloor = floorMs(FLOORS.compareCold, r.rttMs);
  const coldMedian = cold ? stats(cold.samples.map((s) => s.ms)).median : undefined;
  const n = cold?.scenario.items ?? 0;

  if (cold && coldMedian !== undefined) {
    const ratio = coldMedian / coldFloor;
    goals.push({
      goal: `Cold compare of ${n} images: at most 1.5x the floor (${ms(coldFloor)})`,
      measured: `${ms(coldMedian)} = ${ratio.toFixed(2)}x the floor`,
      holds: ratio <= 1.5,
      ...(ratio > 1.5 ? { why: describeRun(r, medianSample(cold), FLOORS.compareCold) } : {}),
    });
  } else goals.push({ goal: 'Cold compare: at most 1.5x the floor', measured: 'not measured', holds: undefined });

  if (cold && coldMedian !== undefined && skopeo) {
    const sk = stats(skopeo.samples.map((s) => s.ms)).median;
    const speedup = sk / coldMedian;
    const why: string[] = [];
    if (speedup < 4) {
      why.push(`skopeo needs ${(sk / skopeo.scenario.items).toFixed(0)} ms per image (a new process, connection, TLS handshake, ping and token each time); regsize's total is bounded below by its start-up and the ${FLOORS.compareCold.steps.length}-RTT floor, so the ratio shrinks as the RTT falls and grows with the number of images.`);
      why.push(...describeRun(r, medianSample(cold), FLOORS.compareCold));
    }
    goals.push({ goal: `Cold compare: at least 4x faster than the skopeo loop`, measured: `${ms(sk)} / ${ms(coldMedian)} = ${speedup.toFixed(1)}x`, holds: speedup >= 4, ...(why.length ? { why } : {}) });
  } else goals.push({ goal: 'Cold compare: at least 4x faster than the skopeo loop', measured: skopeo ? 'regsize cold compare failed' : 'skopeo not measured', holds: undefined });

  if (warm) {
    const req = stats(warm.samples.map((s) => s.requests)).median;
    const per = req / warm.scenario.items;
    const why: string[] = [];
    if (per > 1) {
      const f = facts(medianSample(warm));
      why.push(`The warm run sent ${f.pings} ping, ${f.tokens} token, ${f.manifestGets} manifest GET, ${f.heads} HEAD and ${f.blobGets} blob GET request(s): the cache did not answer them (is the on-disk cache in place? see src/cache/factory.ts).`);
    }
    goals.push({ goal: 'Warm compare: at most one request per image', measured: `${req} requests for ${warm.scenario.items} images = ${per.toFixed(2)} per image`, holds: per <= 1, ...(why.length ? { why } : {}) });
  } else goals.push({ goal: 'Warm compare: at most one request per image', measured: 'not measured', holds: undefined });

  if (cold) {
    const f = facts(medianSample(cold));
    const perLevel = f.manifestGets === 2 * n && f.heads === 0;
    goals.push({
      goal: 'Cold compare: one token request for the registry (issue 2)',
      measured: `${f.tokens} token request(s)`,
      holds: f.tokens === 1,
      ...(f.tokens !== 1 ? { why: [`${f.tokens} token requests for ${new Set(r.images.compare.map((c) => c.split(':')[0])).size} repositories of one registry.`] } : {}),
    });
    goals.push({
      goal: 'Cold compare: one request per manifest level per image, index and platform manifest (issue 2)',
      measured: `${f.manifestGets} manifest GETs and ${f.heads} HEADs for ${n} images`,
      holds: perLevel,
      ...(!perLevel ? { why: [`Expected ${2 * n} manifest GETs and no HEAD.`] } : {}),
    });
  }

  goals.push(...scaleGoals(r));

  const node = startupMedian(r, 'node');
  const version = startupMedian(r, 'regsize-version');
  const oclif = startupMedian(r, 'oclif');
  const added = version - node;
  const notes: string[] = [];
  if (Number.isNaN(added)) {
    goals.push({ goal: '`regsize --version` adds at most 100 ms to `node -e 0`', measured: 'not measured (a start-up probe failed)', holds: undefined });
    return goals;
  }
  if (version < oclif) {
    notes.push(`\`regsize --version\` returns sooner than importing @oclif/core alone (${ms(oclif)}), so it is answered without loading oclif: it says nothing about the start-up of a real command.`);
  }
  const coldFirst = cold ? cold.samples.map((s) => s.beforeNetworkMs).filter((v): v is number => v !== undefined) : [];
  if (coldFirst.length) notes.push(`A real command: the cold compare's first connection comes ${ms(stats(coldFirst).median)} after spawn (median), ${ms(stats(coldFirst).median - node)} more than \`node -e 0\`.`);
  goals.push({
    goal: '`regsize --version` adds at most 100 ms to `node -e 0`',
    measured: `${ms(version)} - ${ms(node)} = ${ms(added)}`,
    holds: added <= 100,
    ...(added > 100 ? { why: [startupLine(r, version)] } : {}),
    ...(notes.length ? { notes } : {}),
  });
  return goals;
}

function verdict(g: Goal): string {
  return g.holds === undefined ? 'NOT MEASURED' : g.holds ? 'holds' : 'MISSED';
}

export function renderGoalsPlain(goals: Goal[]): string {
  return goals.map((g) => [`  [${verdict(g)}] ${g.goal}: ${g.measured}`, ...[...(g.why ?? []), ...(g.notes ?? [])].map((w) => `      - ${w}`)].join('\n')).join('\n');
}

// ---------------------------------------------------------------- timeline

/** One line per request of a run: when it reached the registry (from spawn), on which connection. */
export function renderTimeline(s: Sample, rtt: number): string {
  const spawned = (s.processes[0] as ProcResult).spawnedAt;
  const at = (t: number) => `+${Math.round(t - spawned)}`;
  const seen = new Set<number>();
  const events: { at: number; line: string }[] = [];
  s.wire.connectedAt.forEach((at, i) => events.push({ at, line: `TCP connect #${i + 1}` }));
  for (const h of s.gateway.handshakes) events.push({ at: h.at, line: `  TLS handshake done on conn ${h.conn} (${h.protocol}, ${h.alpn}${h.resumed ? ', resumed' : ''})` });
  for (const q of s.gateway.requests) {
    const isNew = !seen.has(q.conn);
    seen.add(q.conn);
    const path = q.path.replace(/([?&]scope=)[^&]+/g, '$1…').replace(/(sha256:[0-9a-f]{12})[0-9a-f]{52}/g, '$1…');
    events.push({ at: q.start, line: `    conn ${q.conn}${isNew ? '*' : ' '} ${q.method.padEnd(4)} ${path} -> ${q.status}, ${q.bytes} B, client has it at ${at(q.end + rtt / 2)} ms` });
  }
  events.sort((a, b) => a.at - b.at);
  const exit = (s.processes[s.processes.length - 1] as ProcResult).exitedAt;
  return [
    ...events.map((e) => `+${String(Math.round(e.at - spawned)).padStart(5)} ms  ${(`(${((e.at - spawned) / rtt).toFixed(1)} RTT)`).padEnd(11)} ${e.line}`),
    `+${String(Math.round(exit - spawned)).padStart(5)} ms  ${(`(${((exit - spawned) / rtt).toFixed(1)} RTT)`).padEnd(11)} process exit`,
  ].join('\n');
}

// ---------------------------------------------------------------- BENCHMARKS.md

export function renderMarkdown(r: BenchResults, goals: Goal[]): string {
  const coldSample = outcome(r, 'compare-cold');
  const wire = coldSample ? stats(coldSample.samples.map((s) => s.wireBytes)).median : undefined;
  const steps = (f: Floor) => f.steps.map((s, i) => `${i + 1}. ${s}`).join('\n');
  const lines: string[] = [];
  lines.push(
    '# Benchmarks',
    '',
    '<!-- Generated by `npm run bench` (bench/run.ts). Do not edit by hand: run it again. -->',
    '',
    ...(r.warning ? [`> **Warning:** ${r.warning}`, ''] : []),
    `regsize against the tools people use today, and against the physical floor, on a simulated slow VPN: **${r.rttMs} ms round trip, ${r.bandwidth.label}** each way, TLS through the link. ${r.reps} repetitions of each measurement (start-up: ${r.startup[0]?.runs.length ?? 0}); medians, with min and max.`,
    '',
    '```',
    r.command,
    '```',
    '',
    '## Results',
    '',
    renderResultsTable(r, 'markdown').trimEnd(),
    '',
    'Columns: *Floor* is the chain of dependent round trips for the task times the RTT (below); *HTTP requests* are counted at the registry end of the link, token requests included; *TCP conns* and *On the wire* (both directions, TLS records included) at the link; *1st connection after* is the time from spawn to the first TCP connection, i.e. start-up before any network; *Peak RSS* is the largest process\'s maximum resident set (GNU time). Loops are timed from the first spawn to the last exit.',
    '',
    '## Goals',
    '',
    ...goals.flatMap((g) => [`- **${verdict(g)}**: ${g.goal}. Measured: ${g.measured}.`, ...[...(g.why ?? []), ...(g.notes ?? [])].map((w) => `  - ${w}`)]),
    '',
    ...(r.local ?? []).flatMap((l) => [`## ${l.title}`, '', ...(l.error ? [`FAILED: ${l.error.split('\n')[0]}`] : [l.setup, '', renderLocalSection(l, 'markdown').trimEnd()]), '']),
    '## What the request logs show',
    '',
    'For each measurement that uses the network, its median run, read from the gateway and link logs:',
    '',
    ...r.outcomes
      .filter((o) => o.scenario.floor && o.scenario.floor.steps.length > 0 && outcome(r, o.scenario.id))
      .flatMap((o) => [`**${o.scenario.label}**`, '', ...describeRun(r, medianSample(o), o.scenario.floor as Floor).map((l) => `- ${l}`), '']),
    '## The floor',
    '',
    `The floor is the longest chain of round trips where each needs the answer of the one before. Requests that do not depend on each other (the index GETs of ${coldSample?.scenario.items ?? 6} images) can share one round trip, so the floor does not grow with the number of images. It leaves out start-up, CPU and bandwidth${wire !== undefined ? ` (the median cold compare moved ${formatBytes(wire)} over the link, ${ms((wire * 8 * 1000) / r.bandwidth.bitsPerSecond)} at ${r.bandwidth.label} if sent in one direction)` : ''}. TLS 1.3 costs one round trip (every client here negotiated it; see the timeline), and the token realm is on the registry's own host, as on ghcr.io (Docker Hub's auth.docker.io is a second host: one more TCP + TLS in the chain).`,
    '',
    `**Cold compare of N images** (also the floor for the skopeo and docker loops: the same task), ${FLOORS.compareCold.steps.length} round trips:`,
    '',
    steps(FLOORS.compareCold),
    '',
    `**Warm compare**, every tag answer still fresh (within --tag-ttl, default 5m) and every manifest cached by digest: 0 round trips, nothing to ask. With \`--tag-ttl 0\` the tags are re-checked, ${FLOORS.compareRevalidate.steps.length} round trips:`,
    '',
    steps(FLOORS.compareRevalidate),
    '',
    `**Tags of a repository, cold**, ${FLOORS.tagsCold.steps.length} round trips (a GET by tag answers the digest and the index at once; regsize sends a HEAD per tag first on purpose, because Docker Hub counts GETs and not HEADs against the pull limit, and aliases then cost no GET; that choice adds one round trip):`,
    '',
    steps(FLOORS.tagsCold),
    '',
    `**Tags, warm**: the tag list is the question itself (a tag may have been pushed since), so it is asked again, ${FLOORS.tagsWarm.steps.length} round trips:`,
    '',
    steps(FLOORS.tagsWarm),
    '',
    '## Setup',
    '',
    `- Registry: Debian's docker-registry (CNCF distribution) on loopback, plain HTTP, behind a TLS-terminating gateway (bench/gateway.ts) that adds anonymous bearer-token auth as Docker Hub and ghcr.io do for public images and logs every request; in front of it a TCP proxy (bench/proxy.ts) that delays every byte by half the RTT each way, caps each direction at ${r.bandwidth.label} (shared by all connections), and holds a new connection's first bytes for one RTT (the TCP handshake). Packet loss and slow start are not modelled (manifests fit in the initial congestion window).`,
    linkCheckLine(r),
    `- Certificates: a throwaway CA made with openssl (bench/tls.ts). regsize trusts it through NODE_EXTRA_CA_CERTS, skopeo through --cert-dir; docker uses --insecure (it still does the TLS handshake; the CLI reads CAs only from /etc/docker/certs.d).`,
    `- Images (bench/populate.ts), pushed through the registry API: ${r.images.compare.map((c) => `\`${c}\``).join(', ')}; each an OCI index of 4 platforms (linux/amd64, arm64/v8, arm/v7, ppc64le) plus 4 BuildKit attestation manifests, ${r.images.layers} layers per image with configs and histories, base layers shared between images. Small blob bodies: only manifests cross the link. \`${r.images.tagsRepo}\` has ${r.images.tags} tags over ${r.images.releases} distinct indexes (releases plus aliases such as 7.4, 7, latest).`,
    '- Every tool is asked for linux/amd64. Every run\'s output is checked against the digests and sizes pushed, so a wrong or failed answer cannot pass for a fast one.',
    '- regsize runs as a child process (`node bin/run.js ... --json --cache-dir DIR`): cold with an empty cache folder, warm with the same folder straight after.',
    '',
    '## Machine',
    '',
    ...r.machine.map(([k, v]) => `- ${k}: ${v}`),
    `- Full run: ${(r.durationMs / 1000).toFixed(0)} s`,
    '',
  );
  if (r.evidence.compare) {
    lines.push(
      '## Evidence: one cold compare, request by request',
      '',
      `A separate cold run with \`--verbose\`. Times are from spawn, as seen at the registry end of the link (half an RTT after the client sent); \`*\` marks the first request on a connection.`,
      '',
      '```',
      renderTimeline(r.evidence.compare, r.rttMs),
      '```',
      '',
      'regsize\'s own `--verbose` log of the same run (stderr):',
      '',
      '```',
      verboseLines(r.evidence.compare),
      '```',
      '',
    );
  }
  if (r.evidence.tags) {
    lines.push('<details><summary>Evidence: one cold <code>regsize tags</code>, request by request</summary>', '', '```', renderTimeline(r.evidence.tags, r.rttMs), '```', '', '</details>', '');
  }
  return lines.join('\n');
}

export function linkCheckLine(r: BenchResults): string {
  const t = stats(r.linkCheck);
  return `- Link check, before and after the runs: a new TLS connection and one request from the benchmark itself, 3 RTT = ${ms(3 * r.rttMs)} on the link, took ${ms(t.median)} (median; ${range(t, ms)}). The difference is time this machine adds (CPU and scheduling), which every tool pays too.`;
}

function verboseLines(s: Sample): string {
  const text = s.processes.map((p) => p.stderr).join('').trim();
  return text.replace(/(sha256:[0-9a-f]{12})[0-9a-f]{52}/g, '$1…') || '(nothing on stderr)';
}
