/**
 * `npm run bench` scenario `local` (issue #14): a ~2 GB `docker save` archive analysed by
 * `regsize layers docker-archive:...`, side by side with `gzip -6` over the same layer tars on
 * the same cores, and with the worker-thread engine (bench/gzip-workers.ts).
 *
 *   1. synthetic layer tars (bench/synthetic.ts) written once in the bench temp folder, and a
 *      docker-archive made of them;
 *   2. each repetition, round-robin: regsize (its peak RSS read by GNU time), one `gzip -6`
 *      process per core over the layer tars (the fair comparison: gzip is single-threaded, so
 *      it gets the same cores regsize's parallel compression gets), and the worker pool;
 *   3. goal lines: within 1.5x of gzip -6, peak RSS under 300 MB.
 * regsize's answer is checked (diff_ids and tar sizes from the bytes written), so a fast wrong
 * run cannot pass.
 */
import { mkdir, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { renderTable, type TableStyle } from '../src/render/table.js';
import { formatBytes } from '../src/units.js';
import { mapLimit } from '../src/util/limit.js';
import { expectSuccess, type ProcResult, runProcess, stats } from './measure.js';
import type { Goal, LocalSection } from './results.js';
import { ms } from './results.js';
import { toolEnv, type BenchContext } from './scenarios.js';
import { type SyntheticLayer, writeDockerArchive, writeLayerTars } from './synthetic-images.js';

/** A measurement section of its own (the local benches: no network, their own columns). */

export interface LocalBenchOptions {
  reps: number;
  /** Multiplies the data sizes (1 = the sizes); for quick runs on a busy machine. */
  scale: number;
  say: (line: string) => void;
}

export const GOAL_RATIO = 1.5;
export const LOCAL_RSS_GOAL_MB = 300;
/** A local run handles gigabytes; on a busy machine gzip -6 of one 620 MB layer alone can take minutes. */
export const LOCAL_TIMEOUT_MS = 30 * 60 * 1000;

export function renderLocalSection(s: LocalSection, style: TableStyle): string {
  return renderTable(
    s.columns.map((h, i) => ({ header: h, ...(i > 0 ? { align: 'right' as const } : {}) })),
    s.rows,
    style,
  );
}

/** Runs the commands with at most `parallel` at once; the wall time from the first start to the last exit. */
export async function runParallel(commands: [string, string[]][], parallel: number, env: NodeJS.ProcessEnv): Promise<{ ms: number; results: ProcResult[] }> {
  const started = performance.now();
  const results = await mapLimit(commands, parallel, async ([cmd, args]) => expectSuccess(await runProcess(cmd, args, { env, timeoutMs: LOCAL_TIMEOUT_MS })));
  return { ms: performance.now() - started, results };
}

interface Timing {
  ms: number[];
  rssKb: number[];
}

const row = (label: string, t: Timing, extra: string): string[] => {
  const s = stats(t.ms);
  return [label, ms(s.median), s.min === s.max ? ms(s.min) : `${ms(s.min)} – ${ms(s.max)}`, t.rssKb.length ? formatBytes(stats(t.rssKb).median * 1000) : '', extra];
};

/** regsize's layers JSON must name the diff_ids and exact tar sizes written, marked estimated. */
function checkLayers(r: ProcResult, layers: SyntheticLayer[]): number[] {
  expectSuccess(r);
  const doc = JSON.parse(r.stdout) as { compressedSizeEstimated?: boolean; layers?: { digest?: string; size?: number; uncompressedSize?: number }[] };
  const got = doc.layers ?? [];
  const ok = doc.compressedSizeEstimated === true && got.length === layers.length && got.every((l, i) => l.digest === layers[i]?.diffId && l.uncompressedSize === layers[i]?.size);
  if (!ok) throw new Error(`regsize layers answered wrongly for the docker-archive: ${r.stdout.slice(0, 1500)}`);
  return got.map((l) => l.size ?? 0);
}

export async function benchLocalSources(ctx: BenchContext, opts: LocalBenchOptions): Promise<LocalSection> {
  const dir = path.join(ctx.tmp, 'local');
  await mkdir(dir, { recursive: true });
  // ~2 GB in 8 layers of very different sizes, as a real image's are.
  const mb = (n: number) => Math.round(n * 1e6 * opts.scale);
  const specs = [620, 420, 300, 250, 180, 120, 80, 30].map((n, i) => ({ bytes: mb(n), count: Math.max(10, Math.round((400 + 300 * i) * opts.scale)) }));
  const t = performance.now();
  const layers = await writeLayerTars(path.join(dir, 'layers'), specs, 14);
  const archive = path.join(dir, 'app.tar');
  await writeDockerArchive(archive, layers, 'bench/app:local');
  const total = layers.reduce((s, l) => s + l.size, 0);
  opts.say(`local: wrote a ${formatBytes(total)} docker-archive of ${layers.length} layers in ${Math.round(performance.now() - t)} ms`);

  const cores = availableParallelism();
  const env = toolEnv(ctx);
  const regsize: Timing = { ms: [], rssKb: [] };
  const gzip: Timing = { ms: [], rssKb: [] };
  const workers: Timing = { ms: [], rssKb: [] };
  let estimates: number[] = [];
  let gzipSizes: number[] = [];
  let workerSizes: number[] = [];
  for (let rep = 0; rep < opts.reps; rep++) {
    const r = await runProcess(process.execPath, [path.join(ctx.root, 'bin', 'run.js'), 'layers', `docker-archive:${archive}`, '--uncompressed', '--json', '--no-cache'], { env, memoryFile: path.join(dir, 'time.out'), timeoutMs: LOCAL_TIMEOUT_MS });
    estimates = checkLayers(r, layers);
    regsize.ms.push(r.exitedAt - r.spawnedAt);
    if (r.maxRssKb) regsize.rssKb.push(r.maxRssKb);

    const g = await runParallel(layers.map((l) => ['sh', ['-c', `gzip -6 -c '${l.file}' | wc -c`]]), cores, env);
    gzip.ms.push(g.ms);
    gzipSizes = g.results.map((x) => Number(x.stdout.trim()));

    const w = await runProcess(process.execPath, [path.join(ctx.root, 'dist', 'bench', 'gzip-workers.js'), ...layers.map((l) => l.file)], { env, memoryFile: path.join(dir, 'time.out'), timeoutMs: LOCAL_TIMEOUT_MS });
    expectSuccess(w);
    workers.ms.push(w.exitedAt - w.spawnedAt);
    if (w.maxRssKb) workers.rssKb.push(w.maxRssKb);
    workerSizes = (JSON.parse(w.stdout) as { layers: { compressed: number }[] }).layers.map((l) => l.compressed);
    opts.say(`local rep ${rep + 1}/${opts.reps}: regsize ${Math.round(regsize.ms[rep] ?? 0)} ms, gzip -6 x${cores} ${Math.round(g.ms)} ms, worker threads ${Math.round(workers.ms[rep] ?? 0)} ms`);
  }
  await rm(path.join(dir, 'time.out'), { force: true });

  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const sizeNote = (xs: number[]) => `${formatBytes(sum(xs))} (${((sum(xs) / sum(gzipSizes) - 1) * 100).toFixed(1)}% vs gzip -6)`;
  const reg = stats(regsize.ms).median;
  const gz = stats(gzip.ms).median;
  const ratio = reg / gz;
  const rssMb = regsize.rssKb.length ? stats(regsize.rssKb).median / 1000 : undefined;
  const goals: Goal[] = [
    {
      goal: `docker-archive of ${formatBytes(total)}: \`regsize layers\` within ${GOAL_RATIO}x of \`gzip -6\` over the same layers on the same ${cores} cores`,
      measured: `${ms(reg)} / ${ms(gz)} = ${ratio.toFixed(2)}x`,
      holds: ratio <= GOAL_RATIO,
      notes: [`libuv's pool (zlib async streams, the shipped engine) against worker threads (bench/gzip-workers.ts): ${ms(reg)} for the whole command against ${ms(stats(workers.ms).median)} for the compression alone.`],
    },
    {
      goal: `docker-archive of ${formatBytes(total)}: peak RSS under ${LOCAL_RSS_GOAL_MB} MB`,
      measured: rssMb === undefined ? 'not measured (no GNU time)' : `${rssMb.toFixed(0)} MB`,
      holds: rssMb === undefined ? undefined : rssMb < LOCAL_RSS_GOAL_MB,
    },
  ];
  return {
    id: 'local',
    title: `Local docker-archive (${formatBytes(total)}, ${layers.length} layers)`,
    setup: `A synthetic \`docker save\` archive of ${layers.length} plain layer tars (${formatBytes(total)}; seeded text, structured binary and random segments, ${((total / sum(gzipSizes)) || 0).toFixed(2)}x compressible by gzip -6), built once in the bench temp folder. \`regsize layers docker-archive:... --json --no-cache\` compresses every layer (gzip level 6) to estimate the push; the comparison is one \`gzip -6 -c LAYER | wc -c\` per layer, ${cores} at a time (one per core, since gzip is single-threaded), and the worker-thread engine over the same tars. ${opts.reps} repetitions, round-robin; wall times from spawn to exit.`,
    columns: ['Measurement', 'Median', 'Min – max', 'Peak RSS', 'Compressed bytes'],
    rows: [row('regsize layers docker-archive: (libuv pool)', regsize, sizeNote(estimates)), row(`gzip -6, ${cores} processes at a time`, gzip, formatBytes(sum(gzipSizes))), row('worker threads (bench/gzip-workers.ts)', workers, sizeNote(workerSizes))],
    goals,
  };
}
