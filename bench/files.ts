/**
 * `npm run bench` scenario `files` (issue #15): `regsize files` over a layer set of 1 GB with
 * 100,000 files, read from an OCI layout of gzip layers (no network: the point is the parse),
 * side by side with `tar -tzvf` over the same layer blobs, one process per core (regsize reads
 * layers in parallel on the same cores), and its peak RSS (GNU time). The listing of each run
 * is checked against the files written; every regsize run starts with an empty cache folder,
 * so each one really reads the layers (and writes their listings to the cache, as a user's
 * first run does).
 */
import { mkdir, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { formatBytes } from '../src/units.js';
import { expectSuccess, type ProcResult, runProcess, stats } from './measure.js';
import type { Goal } from './results.js';
import { ms } from './results.js';
import { toolEnv, type BenchContext } from './scenarios.js';
import { GOAL_RATIO, LOCAL_TIMEOUT_MS, type LocalBenchOptions, runParallel } from './local-sources.js';
import type { LocalSection } from './results.js';
import { type SyntheticLayer, writeLayerTars, writeOciLayout } from './synthetic-images.js';

export const FILES_RSS_GOAL_MB = 200;

function checkFiles(r: ProcResult, layers: SyntheticLayer[]): void {
  expectSuccess(r);
  const doc = JSON.parse(r.stdout) as { layers?: { files?: number | null; addedBytes?: number | null; source?: string }[] };
  const got = doc.layers ?? [];
  const ok = got.length === layers.length && got.every((l, i) => l.files === layers[i]?.files.length && l.addedBytes === layers[i]?.files.reduce((s, f) => s + f.size, 0) && l.source === 'local');
  if (!ok) throw new Error(`regsize files answered wrongly for the layout: ${r.stdout.slice(0, 1500)}`);
}

export async function benchFiles(ctx: BenchContext, opts: LocalBenchOptions): Promise<LocalSection> {
  const dir = path.join(ctx.tmp, 'files');
  await mkdir(dir, { recursive: true });
  const scale = opts.scale;
  // 1 GB and 100,000 files in 4 layers: many small files in one, a few large in another.
  const specs = [
    { bytes: 450e6, count: 20_000 },
    { bytes: 300e6, count: 50_000 },
    { bytes: 200e6, count: 25_000 },
    { bytes: 50e6, count: 5_000 },
  ].map((s) => ({ bytes: Math.round(s.bytes * scale), count: Math.max(10, Math.round(s.count * scale)) }));
  const t = performance.now();
  const layers = await writeLayerTars(path.join(dir, 'layers'), specs, 15);
  const layout = path.join(dir, 'layout');
  const blobs = await writeOciLayout(layout, layers, 'files');
  await rm(path.join(dir, 'layers'), { recursive: true, force: true });
  const tarBytes = layers.reduce((s, l) => s + l.size, 0);
  const fileCount = layers.reduce((s, l) => s + l.files.length, 0);
  const blobBytes = blobs.reduce((s, b) => s + b.size, 0);
  opts.say(`files: wrote an OCI layout of ${layers.length} gzip layers (${formatBytes(blobBytes)}, ${formatBytes(tarBytes)} of tar, ${fileCount} files) in ${Math.round(performance.now() - t)} ms`);

  const cores = availableParallelism();
  const env = toolEnv(ctx);
  const regsize = { ms: [] as number[], rssKb: [] as number[] };
  const tar: number[] = [];
  for (let rep = 0; rep < opts.reps; rep++) {
    const cache = path.join(dir, `cache-${rep}`);
    const r = await runProcess(
      process.execPath,
      [path.join(ctx.root, 'bin', 'run.js'), 'files', `oci:${layout}:files`, '--json', '--cache-dir', cache, '--max-download', '100GB', '--concurrency', String(cores)],
      { env, memoryFile: path.join(dir, 'time.out'), timeoutMs: LOCAL_TIMEOUT_MS },
    );
    checkFiles(r, layers);
    regsize.ms.push(r.exitedAt - r.spawnedAt);
    if (r.maxRssKb) regsize.rssKb.push(r.maxRssKb);
    await rm(cache, { recursive: true, force: true });
    const g = await runParallel(blobs.map((b) => ['sh', ['-c', `tar -tzvf '${b.file}' > /dev/null`]]), cores, env);
    tar.push(g.ms);
    opts.say(`files rep ${rep + 1}/${opts.reps}: regsize files ${Math.round(regsize.ms[rep] ?? 0)} ms, tar -tzvf x${cores} ${Math.round(g.ms)} ms`);
  }
  await rm(path.join(dir, 'time.out'), { force: true });

  const reg = stats(regsize.ms).median;
  const tz = stats(tar).median;
  const ratio = reg / tz;
  const rssMb = regsize.rssKb.length ? stats(regsize.rssKb).median / 1000 : undefined;
  const range = (xs: number[]) => {
    const s = stats(xs);
    return s.min === s.max ? ms(s.min) : `${ms(s.min)} – ${ms(s.max)}`;
  };
  const goals: Goal[] = [
    {
      goal: `files: \`regsize files\` over ${formatBytes(tarBytes)} in ${fileCount} files within ${GOAL_RATIO}x of \`tar -tzvf\` over the same layers on the same ${cores} cores`,
      measured: `${ms(reg)} / ${ms(tz)} = ${ratio.toFixed(2)}x`,
      holds: ratio <= GOAL_RATIO,
    },
    {
      goal: `files: peak RSS under ${FILES_RSS_GOAL_MB} MB for ${fileCount} files`,
      measured: rssMb === undefined ? 'not measured (no GNU time)' : `${rssMb.toFixed(0)} MB`,
      holds: rssMb === undefined ? undefined : rssMb < FILES_RSS_GOAL_MB,
    },
  ];
  return {
    id: 'files',
    title: `files over ${fileCount} files (${formatBytes(tarBytes)})`,
    setup: `An OCI layout of ${layers.length} gzip layers (${formatBytes(blobBytes)} compressed, ${formatBytes(tarBytes)} of tar, ${fileCount} files from 1 kB to ~2x their layer's mean), built once. \`regsize files oci:... --json\` with an empty --cache-dir each run (so it reads every layer and writes the listings) and --concurrency ${cores}, against \`tar -tzvf BLOB > /dev/null\` per layer, ${cores} at a time. ${opts.reps} repetitions, round-robin.`,
    columns: ['Measurement', 'Median', 'Min – max', 'Peak RSS', ''],
    rows: [
      ['regsize files oci:', ms(reg), range(regsize.ms), rssMb === undefined ? '' : formatBytes(rssMb * 1e6), ''],
      [`tar -tzvf, ${cores} processes at a time`, ms(tz), range(tar), '', ''],
    ],
    goals,
  };
}
