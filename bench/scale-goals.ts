/**
 * The goal lines of issue #16: start-up at the floor (first packet, warm compare), a cold
 * compare of 1 to 100 images at about the floor's round trips plus bytes, the CPU a tag costs,
 * and the install time. Each says held or missed with the figure, as report.ts's goals do.
 */
import { FLOORS, floorMs } from './floor.js';
import { stats } from './measure.js';
import type { Goal } from './results.js';
import { type BenchResults, medianSample, ms, outcome, startupMedian } from './results.js';
import { FLEET_SIZES, TAG_COUNTS } from './scale.js';

/** One more RTT than the floor is "about the floor": a client cannot overlap everything. */
const RTT_SLACK = 1;

export function scaleGoals(r: BenchResults): Goal[] {
  return [firstPacket(r), warmCompare(r), ...coldByCount(r), tagsCpu(r), install(r)];
}

function firstPacket(r: BenchResults): Goal {
  const goal = 'Cold compare: the first packet leaves at most 60 ms after `node -e 0` would exit';
  const node = startupMedian(r, 'node');
  const cold = outcome(r, 'compare-cold');
  const first = cold?.samples.map((s) => s.beforeNetworkMs).filter((v): v is number => v !== undefined) ?? [];
  if (!first.length || Number.isNaN(node)) return { goal, measured: 'not measured', holds: undefined };
  const after = stats(first).median - node;
  const notes: string[] = [];
  const ca = startupMedian(r, 'node-ca-bundle');
  if (!Number.isNaN(ca)) notes.push(`\`node -e 0\` itself takes ${ms(ca)} with NODE_EXTRA_CA_CERTS naming a large CA bundle against ${ms(node)} with the bench's one certificate: ${ms(ca - node)} that node spends before regsize runs a line, left out of every figure here.`);
  const binary = startupMedian(r, 'binary-version');
  if (!Number.isNaN(binary)) notes.push(`The single executable answers --version in ${ms(binary)} (${ms(binary - node)} over \`node -e 0\`).`);
  else notes.push('The single executable was not measured: `npm run build:binary` first (dist/regsize).');
  notes.push('The first packet is bin/run.js opening TCP + TLS to the first image\'s registry before it loads the rest (src/transport/preconnect.ts); undici then uses that connection.');
  return { goal, measured: `${ms(stats(first).median)} - ${ms(node)} = ${ms(after)}`, holds: after <= 60, notes };
}

function warmCompare(r: BenchResults): Goal {
  const goal = 'Warm compare (everything cached) ends within 100 ms of `node -e 0`';
  const node = startupMedian(r, 'node');
  const warm = outcome(r, 'compare-warm');
  if (!warm || Number.isNaN(node)) return { goal, measured: 'not measured', holds: undefined };
  const median = stats(warm.samples.map((s) => s.ms)).median;
  const conns = medianSample(warm).connections;
  const notes = conns ? [`It opens ${conns} connection on which no request goes: the early connection is made before regsize knows that the cache will answer.`] : [];
  const binary = startupMedian(r, 'binary-warm');
  if (!Number.isNaN(binary)) notes.push(`The single executable's warm compare ends in ${ms(binary)} (${ms(binary - node)} over \`node -e 0\`).`);
  return { goal, measured: `${ms(median)} - ${ms(node)} = ${ms(median - node)}`, holds: median - node <= 100, ...(notes.length ? { notes } : {}) };
}

function coldByCount(r: BenchResults): Goal[] {
  const floor = FLOORS.compareCold.steps.length;
  const ids = [...FLEET_SIZES.map((n) => `fleet-${n}`), 'compare-cold'];
  const found = ids.map((id) => outcome(r, id)).filter((o) => o !== undefined).sort((a, b) => a.scenario.items - b.scenario.items);
  if (!found.length) return [{ goal: `Cold compare of N = 1 .. 100 images: about the floor's ${floor} round trips plus bytes`, measured: 'not measured', holds: undefined }];
  return found.map((o) => {
    const s = medianSample(o);
    const goal = `Cold compare of ${o.scenario.items} image${o.scenario.items === 1 ? '' : 's'}: the network part within ${floor} + ${RTT_SLACK} round trips plus the bytes`;
    if (s.networkMs === undefined) return { goal, measured: 'not measured (no connection seen)', holds: undefined };
    // Both directions counted as one: an upper bound on the time the bytes take at the cap.
    const bytesMs = (s.wireBytes * 8 * 1000) / r.bandwidth.bitsPerSecond;
    const rtts = (s.networkMs - bytesMs) / r.rttMs;
    return {
      goal,
      measured: `${ms(s.networkMs)} on the network = ${rtts.toFixed(1)} RTT + ${ms(bytesMs)} for ${(s.wireBytes / 1000).toFixed(1)} kB (${s.requests} requests, ${s.connections} connection(s)); whole run ${ms(s.ms)}, floor ${ms(floorMs(FLOORS.compareCold, r.rttMs))}`,
      holds: rtts <= floor + RTT_SLACK,
    };
  });
}

function tagsCpu(r: BenchResults): Goal {
  const goal = '`tags`: at most 1 ms of CPU per tag (user + system, the whole process)';
  const rows = [['tags-cold', 40], ...TAG_COUNTS.map((n) => [`tagscale-${n}`, n] as const)]
    .map(([id]) => outcome(r, id as string))
    .filter((o) => o !== undefined)
    .map((o) => {
      const cpu = o.samples.map((s) => s.processes[0]?.cpuMs).filter((v): v is number => v !== undefined);
      return { tags: o.scenario.items, cpu: cpu.length ? stats(cpu).median : NaN };
    })
    .filter((x) => !Number.isNaN(x.cpu))
    .sort((a, b) => a.tags - b.tags);
  const largest = rows[rows.length - 1];
  if (!largest) return { goal, measured: 'not measured (GNU time missing, or no tags run)', holds: undefined };
  const per = largest.cpu / largest.tags;
  const notes = rows.map((x) => `${x.tags} tags: ${ms(x.cpu)} of CPU, ${(x.cpu / x.tags).toFixed(2)} ms per tag`);
  const first = rows[0];
  if (first && first !== largest) notes.push(`Past start-up: ${((largest.cpu - first.cpu) / (largest.tags - first.tags)).toFixed(2)} ms per tag from ${first.tags} to ${largest.tags} tags.`);
  return { goal, measured: `${largest.tags} tags: ${ms(largest.cpu)} = ${per.toFixed(2)} ms per tag`, holds: per <= 1, notes };
}

function install(r: BenchResults): Goal {
  const goal = 'Install from the packed tarball (`npm install -g`, tarballs from the npm cache) in under 30 s';
  // Absent: left out with --skip install.
  if (r.install?.ms === undefined) return { goal, measured: r.install?.error ? `not measured: ${r.install.error}` : 'skipped (--skip install)', holds: undefined };
  return { goal, measured: ms(r.install.ms), holds: r.install.ms < 30_000 };
}
