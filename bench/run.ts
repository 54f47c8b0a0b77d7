/**
 * `npm run bench`: regsize on a simulated slow VPN, side by side with `skopeo inspect` and
 * `docker manifest inspect`, and against the physical floor. Writes BENCHMARKS.md.
 *
 *   1. a CA and a certificate for 127.0.0.1 (openssl), in a temp folder;
 *   2. the real registry on loopback, and the image set pushed to it;
 *   3. the TLS gateway (token auth, request log) and the slow link in front of it;
 *   4. every scenario `--reps` times, round-robin, each run's answer checked;
 *   5. start-up samples, then one --verbose cold run for the request timeline;
 *   6. the table on stdout, BENCHMARKS.md at the top of the repository.
 * Everything it starts listens on 127.0.0.1 only and is stopped at the end, on failure and
 * on Ctrl-C; no run may take longer than two minutes.
 *
 * The goals are reported, not asserted: the exit code is 1 only when a tool failed or
 * answered wrongly, or when regsize's compiled files changed during the run.
 */
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseBandwidth, parseDurationMs } from '../src/units.js';
import { startRegistry, type LocalRegistry } from '../test/helpers/registry.js';
import { startGateway, type Gateway } from './gateway.js';
import { canMeasureMemory, checkLink, killRunning, Meter, type ProcResult, runProcess, type Sample } from './measure.js';
import { type InstallResult, measureInstall } from './install.js';
import { populate } from './populate.js';
import { startShapingProxy, type ShapingProxy } from './proxy.js';
import { evaluateGoals, linkCheckLine, renderGoalsPlain, renderMarkdown, renderResultsTable } from './report.js';
import type { BenchResults, LocalSection, ScenarioOutcome } from './results.js';
import { BENCH_PLATFORM_ID, type BenchContext, checkCompare, checkTags, compareRefs, dockerScenario, probeTool, regsizeScenarios, skopeoScenario, startupSamples, tagsCommandAvailable, toolEnv, regsizeArgs } from './scenarios.js';
import { populateScale, scaleScenarios } from './scale.js';
import { makeCertificates } from './tls.js';
import { benchFiles } from './files.js';
import { benchLocalSources, renderLocalSection } from './local-sources.js';
import { buildFingerprint, sourceVersion } from './version.js';

const HELP = `Usage: npm run bench -- [--rtt 100ms] [--bandwidth 5Mbps] [--reps 3] [--skip LIST] [--output FILE | --no-write]

Benchmarks regsize against skopeo and docker on a simulated slow link, and against the
physical floor (dependent round trips x RTT). Writes BENCHMARKS.md.

  --rtt        round-trip time of the link: 100ms, 0.3s, or a number of milliseconds [default: 100ms]
  --bandwidth  capacity of each direction: 5Mbps, 100Mbit/s, 2MB/s [default: 5Mbps]
  --reps       repetitions of each measurement (1-20) [default: 3]
  --skip       leave out measurements, comma-separated: compare, tags, skopeo, docker,
               local, files, fleet (compare of 1, 30, 100 images), tagscale (tags of
               400, 2000), install (npm pack + global install) (the report then says "skipped")
  --local-scale  size of the local benches' data, 1 = the issue's (a 2 GB docker-archive,
               1 GB in 100,000 files); 0.25 for a quick run [default: 1]
  --output     where to write the report [default: BENCHMARKS.md at the top of the repository]
  --no-write   print the table only`;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Options {
  rttMs: number;
  bandwidth: { label: string; bitsPerSecond: number };
  reps: number;
  output: string | undefined;
  skip: Set<string>;
  localScale: number;
}

class BenchUsageError extends Error {}

const SKIPPABLE = ['compare', 'tags', 'skopeo', 'docker', 'local', 'files', 'fleet', 'tagscale', 'install'];

function parseOptions(argv: string[]): Options | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        rtt: { type: 'string', default: '100ms' },
        bandwidth: { type: 'string', default: '5Mbps' },
        reps: { type: 'string', default: '3' },
        output: { type: 'string' },
        skip: { type: 'string', default: '' },
        'local-scale': { type: 'string', default: '1' },
        'no-write': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (e) {
    throw new BenchUsageError(`${(e as Error).message} (see --help)`);
  }
  const v = parsed.values;
  if (v.help) return undefined;
  const rttText = v.rtt as string;
  const badRtt = new BenchUsageError(`--rtt ${rttText}: give a round trip between 1ms and 5s, e.g. --rtt 100ms, --rtt 0.3s or --rtt 250`);
  let rttMs: number;
  try {
    rttMs = /^\s*\d+(\.\d+)?\s*$/.test(rttText) ? Number(rttText) : parseDurationMs(rttText, '--rtt');
  } catch {
    throw badRtt;
  }
  if (!(rttMs >= 1 && rttMs <= 5000)) throw badRtt;
  const bandwidth = parseBandwidth(v.bandwidth as string);
  const reps = Number(v.reps);
  if (!Number.isInteger(reps) || reps < 1 || reps > 20) throw new BenchUsageError(`--reps ${v.reps}: give a whole number from 1 to 20`);
  const output = v['no-write'] ? undefined : path.resolve(v.output ?? path.join(ROOT, 'BENCHMARKS.md'));
  const skip = new Set((v.skip as string).split(',').map((x) => x.trim()).filter(Boolean));
  for (const k of skip) if (!SKIPPABLE.includes(k)) throw new BenchUsageError(`--skip ${k}: choose from ${SKIPPABLE.join(', ')}`);
  const localScale = Number(v['local-scale']);
  if (!(localScale >= 0.01 && localScale <= 4)) throw new BenchUsageError(`--local-scale ${v['local-scale']}: give a number from 0.01 to 4`);
  return { rttMs, bandwidth, reps, output, skip, localScale };
}

const say = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function versionOf(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  try {
    const r = await runProcess(cmd, args, { env });
    return (r.stdout || r.stderr).trim().split('\n')[0] || `exit ${r.code}`;
  } catch {
    return 'not installed';
  }
}

/** A fixed loop of plain JS in a fresh node, best of three (ms): the same work on any machine. */
async function jsSpeed(env: NodeJS.ProcessEnv): Promise<string> {
  const loop = 'const t=process.hrtime.bigint();let s=0;for(let i=0;i<1e8;i++)s=(s+i*7)%1000003;console.log(Number(process.hrtime.bigint()-t)/1e6,s)';
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await runProcess(process.execPath, ['-e', loop], { env });
    const ms = Number(r.stdout.trim().split(' ')[0]);
    if (Number.isFinite(ms)) times.push(ms);
  }
  return times.length ? `a fixed loop of 10^8 steps: ${Math.round(Math.min(...times))} ms (best of ${times.length})` : 'not measured';
}

async function machine(env: NodeJS.ProcessEnv, loadAtStart: number[]): Promise<[string, string][]> {
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(', ');
  const cpus = os.cpus();
  const osName = await versionOf('sh', ['-c', '. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"'], env);
  return [
    ['CPU', `${cpus[0]?.model ?? 'unknown'} x ${cpus.length}`],
    ['Memory', `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`],
    ['OS', `${osName}, kernel ${os.release()} (${process.arch})`],
    ['Node', process.version],
    ['skopeo', await versionOf('skopeo', ['--version'], env)],
    ['docker CLI', await versionOf('docker', ['--version'], env)],
    ['Registry', await versionOf('/usr/bin/docker-registry', ['--version'], env)],
    ['openssl', await versionOf('openssl', ['version'], env)],
    ['Date', new Date().toISOString().replace(/\.\d+Z$/, 'Z')],
    // The goals are in milliseconds, and machines differ: this says how fast this one runs JS,
    // so figures from two machines (or two moments of a busy one) can be told apart.
    ['JS speed', await jsSpeed(env)],
    // Other work on the machine slows every tool alike (the runs are interleaved), but it shows in the figures.
    ['Load average (1, 5, 15 min)', `${load(loadAtStart)} at the start, ${load(os.loadavg())} at the end`],
  ];
}

async function main(opts: Options): Promise<number> {
  const started = performance.now();
  const loadAtStart = os.loadavg();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'regsize-bench-'));
  let reg: LocalRegistry | undefined;
  let gateway: Gateway | undefined;
  let proxy: ShapingProxy | undefined;
  cleanupSync = () => {
    killRunning();
    rmSync(tmp, { recursive: true, force: true });
  };
  process.once('exit', cleanupSync);
  try {
    say(`link: ${opts.rttMs} ms RTT, ${opts.bandwidth.label}; ${opts.reps} repetitions`);
    // Read before the runs: the build measured is the one that exists now.
    const [buildBefore, source] = await Promise.all([buildFingerprint(ROOT), sourceVersion(ROOT)]);
    const certs = await makeCertificates(path.join(tmp, 'tls'));
    await mkdir(path.join(tmp, 'docker-config'), { recursive: true });
    reg = await startRegistry();
    const t = performance.now();
    const images = await populate(reg);
    say(`pushed ${images.compare.length} images and ${images.tags.length} tags to ${reg.host} in ${Math.round(performance.now() - t)} ms`);
    const ts = performance.now();
    const scale = await populateScale(reg, opts.skip);
    say(`pushed ${scale.fleet.length} more images and ${scale.tagRepos.reduce((n, t) => n + t.tags.length, 0)} more tags (the scale runs) in ${Math.round(performance.now() - ts)} ms`);

    let publicHost = '';
    gateway = await startGateway({ cert: certs.cert, key: certs.key, upstream: reg.url, publicHost: () => publicHost });
    proxy = await startShapingProxy(gateway.port, { rttMs: opts.rttMs, bitsPerSecond: opts.bandwidth.bitsPerSecond });
    publicHost = proxy.host;
    const meter = new Meter(proxy, gateway, opts.rttMs / 2);
    const ctx: BenchContext = { root: ROOT, host: proxy.host, tmp, certs, images, meter };
    if (!canMeasureMemory) say('GNU time (/usr/bin/time) is missing: peak memory is not measured');
    const linkBefore = await checkLink(proxy.host, await readFile(certs.caFile, 'utf8'), 5);

    // One unmeasured run: warms the file cache, and stops here with a clear message if regsize
    // cannot size the images at all.
    const [cmd, argv] = regsizeArgs(ctx, [...compareRefs(ctx), '--platform', BENCH_PLATFORM_ID, '--json', '--no-cache']);
    checkCompare(ctx, await runProcess(cmd, argv, { env: toolEnv(ctx) }));

    const skipped = (id: string) => (opts.skip.has(id.split('-')[0] as string) ? { unavailable: 'skipped (--skip)' } : {});
    const scenarios = [
      ...regsizeScenarios(ctx),
      ...scaleScenarios(ctx, scale, tagsCommandAvailable(ROOT)),
      skopeoScenario(ctx, opts.skip.has('skopeo') ? undefined : await probeTool(ctx, 'skopeo')),
      dockerScenario(ctx, opts.skip.has('docker') ? undefined : await probeTool(ctx, 'docker')),
    ].map((s) => ({ ...s, ...skipped(s.id) }));
    const outcomes: ScenarioOutcome[] = scenarios.map((scenario) => ({ scenario, samples: [] }));
    for (const o of outcomes) if (o.scenario.unavailable) say(`${o.scenario.label}: ${o.scenario.unavailable}`);

    // Round-robin, so that drift (other work on the machine) hits every tool alike.
    for (let rep = 0; rep < opts.reps; rep++) {
      for (const o of outcomes) {
        if (o.scenario.unavailable || o.error) continue;
        try {
          const s = await o.scenario.run(rep);
          o.samples.push(s);
          say(`rep ${rep + 1}/${opts.reps}  ${o.scenario.label}: ${Math.round(s.ms)} ms, ${s.requests} requests, ${s.connections} connections`);
        } catch (e) {
          o.error = (e as Error).message;
          say(`${o.scenario.label} FAILED: ${o.error}`);
        }
      }
    }

    // The local benches (no network): their own sections and goals.
    const local: LocalSection[] = [];
    for (const [id, bench] of [['local', benchLocalSources], ['files', benchFiles]] as const) {
      if (opts.skip.has(id)) continue;
      try {
        local.push(await bench(ctx, { reps: opts.reps, scale: opts.localScale, say }));
      } catch (e) {
        say(`${id} FAILED: ${(e as Error).message}`);
        local.push({ id, title: id, setup: '', columns: [], rows: [], goals: [], error: (e as Error).message });
      }
    }

    const rounds = Math.max(10, opts.reps * 4);
    say(`start-up: ${rounds} rounds of node -e 0, regsize --version and the imports of a real command`);
    const startup = await startupSamples(ctx, rounds);
    let install: InstallResult | undefined;
    if (!opts.skip.has('install')) {
      say('install time: npm pack of a copy of the checkout, then a global install of the tarball, tarballs from the npm cache');
      install = await measureInstall(tmp);
      say(install.ms !== undefined ? `installed in ${Math.round(install.ms)} ms` : `install not measured: ${install.error}`);
    }

    say('one more cold run of each with --verbose, for the request timeline');
    const evidence: { compare?: Sample; tags?: Sample } = {};
    const verbose = async (args: string[], check: (r: ProcResult) => void): Promise<Sample | undefined> => {
      try {
        return await meter.measure(async () => {
          const [c, a] = regsizeArgs(ctx, [...args, '--platform', BENCH_PLATFORM_ID, '--json', '--verbose']);
          const r = await runProcess(c, a, { env: toolEnv(ctx) });
          check(r);
          return [r];
        });
      } catch (e) {
        say(`the --verbose run failed, so the report has no timeline for it: ${(e as Error).message.split('\n')[0]}`);
        return undefined;
      }
    };
    const compareEvidence = await verbose([...compareRefs(ctx), '--cache-dir', path.join(tmp, 'cache-verbose')], (r) => checkCompare(ctx, r));
    if (compareEvidence) evidence.compare = compareEvidence;
    const tags = outcomes.find((o) => o.scenario.id === 'tags-cold');
    if (tags && !tags.scenario.unavailable && !tags.error) {
      const tagsEvidence = await verbose(['tags', `${ctx.host}/${images.tagsRepo}`, '--cache-dir', path.join(tmp, 'cache-verbose-tags')], (r) => checkTags(ctx, r));
      if (tagsEvidence) evidence.tags = tagsEvidence;
    }

    const linkAfter = await checkLink(proxy.host, await readFile(certs.caFile, 'utf8'), 5);
    const buildAfter = await buildFingerprint(ROOT);
    const mixedBuilds = buildBefore !== buildAfter;
    const flags = [`--rtt ${opts.rttMs}ms`, `--bandwidth ${opts.bandwidth.label}`, `--reps ${opts.reps}`, ...(opts.skip.size ? [`--skip ${[...opts.skip].join(',')}`] : []), ...(opts.localScale !== 1 ? [`--local-scale ${opts.localScale}`] : [])];
    const results: BenchResults = {
      rttMs: opts.rttMs,
      bandwidth: opts.bandwidth,
      reps: opts.reps,
      command: `npm run bench -- ${flags.join(' ')}`,
      machine: [['regsize', `${source}; compiled files ${buildBefore}${mixedBuilds ? ` before the runs, ${buildAfter} after` : ''}`], ...(await machine(toolEnv(ctx), loadAtStart))],
      ...(mixedBuilds ? { warning: `regsize's compiled files changed during this run (dist/ was rebuilt meanwhile, fingerprint ${buildBefore} -> ${buildAfter}): the figures mix two versions of regsize. Run the benchmark again with nothing else building.` } : {}),
      images: {
        compare: images.compare.map((i) => i.ref),
        layers: `${Math.min(...images.compare.map((i) => i.layerCount))} to ${Math.max(...images.compare.map((i) => i.layerCount))}`,
        tagsRepo: images.tagsRepo,
        tags: images.tags.length,
        releases: images.releases,
      },
      outcomes,
      startup,
      evidence,
      linkCheck: [...linkBefore, ...linkAfter],
      local,
      durationMs: performance.now() - started,
      ...(install ? { install } : {}),
    };
    const goals = [...evaluateGoals(results), ...local.flatMap((l) => l.goals)];
    process.stdout.write(`\nregsize benchmark: ${opts.rttMs} ms RTT, ${opts.bandwidth.label}, ${opts.reps} reps\n\n`);
    if (results.warning) process.stdout.write(`WARNING: ${results.warning}\n\n`);
    process.stdout.write(renderResultsTable(results, 'plain'));
    process.stdout.write(`\n${linkCheckLine(results).replace(/^- /, '')}\n`);
    for (const l of local) process.stdout.write(`\n${l.title}\n${l.error ? `FAILED: ${l.error.split('\n')[0]}\n` : renderLocalSection(l, 'plain')}`);
    process.stdout.write(`\nGoals:\n${renderGoalsPlain(goals)}\n`);
    if (opts.output) {
      await writeFile(opts.output, renderMarkdown(results, goals));
      process.stdout.write(`\nwrote ${path.relative(process.cwd(), opts.output) || opts.output}\n`);
    }
    return outcomes.some((o) => o.error) || local.some((l) => l.error) || startup.some((p) => p.error) || mixedBuilds ? 1 : 0;
  } finally {
    await proxy?.close();
    await gateway?.close();
    await reg?.stop();
    killRunning();
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Kills the tools still running and deletes the temp folder; safe to call at any time. */
let cleanupSync: () => void = killRunning;

// Ctrl-C: clean up, then die of the signal as usual. The registry helper listens too (it
// stops the registry) and re-raises the signal itself when it is the last listener.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    cleanupSync();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}

try {
  const opts = parseOptions(process.argv.slice(2));
  if (!opts) {
    process.stdout.write(`${HELP}\n`);
  } else {
    process.exitCode = await main(opts);
  }
} catch (e) {
  if (e instanceof BenchUsageError || (e as { code?: string }).code === 'INVALID_INPUT' || (e as Error).name === 'UsageError') {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`bench: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  }
}
